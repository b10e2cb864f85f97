import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../../../src-shared/time/clock';
import { ManualClock } from '../../../../src-shared/time/manual-clock';
import { PbxError } from '../pbx/pbx-connector';
import { AmiClient, encodeAction, eventFilterRegex, type AmiClientOptions } from './ami-client';
import { AMI_EVENT_WHITELIST } from './ami-mapper';
import type { AmiMessage } from './ami-parser';
import { FakeAmi, scriptedHandler, type FakeHandler } from './test-ami-server';
import { readTranscript } from './test-transcripts';

const T01 = readTranscript('01-login-queuestatus-idle.txt')[0]!;
const [T04_BAD, T04] = readTranscript('04-login-failure-pause-reasons-astdb.txt') as [(typeof T01), (typeof T01)];

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function fake(handler: FakeHandler, options?: { banner?: string | null }): Promise<FakeAmi> {
  const server = await FakeAmi.start(handler, options);
  cleanups.push(() => server.close());
  return server;
}

function client(port: number, overrides: Partial<AmiClientOptions> = {}): AmiClient {
  const c = new AmiClient({ host: '127.0.0.1', port, username: 'admin', secret: 'amipass', clock: systemClock, eventWhitelist: AMI_EVENT_WHITELIST, actionIdPrefix: 't-', ...overrides });
  cleanups.push(() => c.close());
  return c;
}

describe('AmiClient', () => {
  it('logs in with Events: on and adds the event filter (one anchored whitelist regex)', async () => {
    const server = await fake(scriptedHandler(T04.steps));
    const c = client(server.port);
    await expect(c.connect()).resolves.toEqual({ banner: 'Asterisk Call Manager/11.0.0' });
    const [login] = server.received('Login');
    expect(login!.get('Username')).toBe('admin');
    expect(login!.get('Secret')).toBe('amipass');
    expect(login!.get('Events')).toBe('on');
    const [filter] = server.received('Filter');
    expect(filter!.get('Operation')).toBe('Add');
    expect(filter!.get('Filter')).toBe(eventFilterRegex(AMI_EVENT_WHITELIST));
    expect(filter!.get('Filter')).toMatch(/^\^Event: \(QueueCallerJoin\|.*\|UserEvent\)\[\[:space:\]\]$/);
    expect(c.filtered).toBe(true);
  });

  it('goes on unfiltered, and says so, when the AMI user may not set a filter', async () => {
    const server = await fake(scriptedHandler(T04.steps, { filter: 'denied' }));
    const warn = vi.fn();
    const c = client(server.port, { logger: { info: () => {}, warn } });
    await c.connect();
    expect(c.filtered).toBe(false);
    expect(warn).toHaveBeenCalledWith('pbx.ami.filterUnavailable', expect.objectContaining({ reason: 'Permission denied' }));
  });

  it('rejects a wrong secret with PbxError auth (transcript 04, connection 1) and reports no disconnect', async () => {
    const server = await fake((action, conn) => {
      conn.replay(action, T04_BAD.steps[0]!);
      conn.socket.end();
    });
    const c = client(server.port, { secret: 'wrong' });
    const onClose = vi.fn();
    c.onClose(onClose);
    const error = await c.connect().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PbxError);
    expect(error).toMatchObject({ kind: 'auth' });
    expect((error as Error).message).toMatch(/wrong AMI password.*Authentication failed/);
    expect(onClose).not.toHaveBeenCalled();
  });

  it('rejects a refused connection with PbxError unreachable', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await client(port).connect().catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect((error as Error).message).toMatch(/host unreachable.*refused/);
  });

  it('times out a host that never sends the banner', async () => {
    const server = await fake(() => {}, { banner: null });
    const clock = new ManualClock();
    const c = client(server.port, { clock, connectTimeoutMs: 5_000 });
    const connecting = c.connect().catch((e: unknown) => e);
    await server.nextConnection();
    clock.advance(5_000);
    const error = await connecting;
    expect(error).toMatchObject({ kind: 'timeout' });
    expect((error as Error).message).toMatch(/host unreachable/);
  });

  it('times out an unanswered action and ignores its late answer', async () => {
    let held: { action: AmiMessage; send: (t: string) => void } | null = null;
    const script = scriptedHandler(T04.steps);
    const server = await fake((action, conn) => {
      if (action.get('Action') === 'Ping' && !held) held = { action, send: (t) => conn.send(t) };
      else script(action, conn);
    });
    const clock = new ManualClock();
    const c = client(server.port, { clock });
    await c.connect();
    const events: AmiMessage[] = [];
    c.onEvent((m) => events.push(m));
    const ping = c.action('Ping', {}, { timeoutMs: 2_000 }).catch((e: unknown) => e);
    await server.nextAction('Ping');
    clock.advance(2_000);
    expect(await ping).toMatchObject({ kind: 'timeout' });
    held!.send(`Response: Success\r\nActionID: ${held!.action.actionId}\r\nPing: Pong\r\n\r\n`);
    // the next action's answer arrives after the late one: proof the late one was read and dropped
    await expect(c.action('Ping')).resolves.toMatchObject({ response: expect.anything() });
    expect(events).toEqual([]);
  });

  it('gathers an EventList answer: QueueStatus of transcript 01', async () => {
    const server = await fake(scriptedHandler(T01.steps));
    const c = client(server.port);
    await c.connect();
    const result = await c.action('QueueStatus');
    expect(result.events.map((m) => m.event)).toEqual(['QueueParams', 'QueueMember', 'QueueMember']);
    expect(result.final!.event).toBe('QueueStatusComplete');
    expect(result.final!.get('ListItems')).toBe('3');
    expect(result.events.every((m) => m.actionId === result.response.actionId)).toBe(true);
  });

  it('gathers DBGetTree (transcript 04) and turns Response: Error into PbxError refused with the PBX message', async () => {
    const server = await fake(scriptedHandler(T04.steps, { pick: (action, step) => !action.get('Key') || step.client.includes(`Key: ${action.get('Key')}\r`) }));
    const c = client(server.port);
    await c.connect();
    const tree = await c.action('DBGetTree', { Family: 'registratura' });
    expect(tree.events.map((m) => [m.get('Key'), m.get('Val')])).toEqual([
      ['/registratura/agent/1001/status', 'Обед'],
      ['/registratura/cb/79161234567', 'claimed:1001'],
      ['/registratura/cb/79167654321', 'new'],
    ]);
    const error = await c.action('DBGet', { Family: 'registratura', Key: 'cb/70000000000' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'refused', message: 'Database entry not found' });
  });

  it('passes events (with a foreign ActionID too) to listeners after the response', async () => {
    const server = await fake(scriptedHandler(T04.steps));
    const c = client(server.port);
    await c.connect();
    const echo = new Promise<AmiMessage>((resolve) => c.onEvent(resolve));
    await c.action('UserEvent', [['UserEvent', 'RegistraturaCallback'], ['Number', '79161234567']]);
    const echoed = await echo;
    expect(echoed.event).toBe('UserEvent');
    expect(echoed.get('UserEvent')).toBe('RegistraturaCallback');
  });

  it('reports a dropped connection once and rejects what was pending', async () => {
    const script = scriptedHandler(T04.steps);
    const server = await fake((action, conn) => (action.get('Action') === 'Ping' ? undefined : script(action, conn)));
    const c = client(server.port);
    await c.connect();
    const onClose = vi.fn();
    const closed = new Promise<PbxError>((resolve) => c.onClose(resolve));
    c.onClose(onClose);
    const pending = c.action('Ping').catch((e: unknown) => e);
    await server.nextAction('Ping');
    for (const conn of server.connections) conn.socket.destroy();
    const error = await closed;
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect(await pending).toMatchObject({ kind: 'unreachable' });
    await c.close();
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('refuses CR/LF in a header instead of injecting a second action', async () => {
    const server = await fake(scriptedHandler(T04.steps));
    const c = client(server.port);
    await c.connect();
    const error = await c.action('UserEvent', { UserEvent: 'RegistraturaShared', Val: 'x\r\nAction: Originate' }).catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'protocol' });
    expect((error as Error).message).toMatch(/Val contains a line break/);
    expect(() => encodeAction('DBPut', '1', { Key: 'a\nb' })).toThrow(PbxError);
    expect(() => encodeAction('DBPut', '1', { 'Bad Key': 'v' })).toThrow(/not allowed/);
    expect(() => encodeAction('DBPut', '1', { Val: 'x'.repeat(2_000) })).toThrow(/longer than Asterisk reads/);
    await c.ping();
    expect(server.received('UserEvent')).toEqual([]);
    expect(server.received('Originate')).toEqual([]);
  });

  it('measures Ping', async () => {
    const server = await fake(scriptedHandler(T04.steps));
    const c = client(server.port);
    await c.connect();
    expect(await c.ping()).toBeGreaterThanOrEqual(0);
    expect(server.received('Ping')).toHaveLength(1);
  });
});
