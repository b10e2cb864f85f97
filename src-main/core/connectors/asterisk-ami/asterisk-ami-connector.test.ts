import { afterEach, describe, expect, it } from 'vitest';
import { PbxSnapshotSchema } from '../../../../src-shared/pbx/pbx-model';
import { ManualClock } from '../../../../src-shared/time/manual-clock';
import { PBX_CONNECTOR_API_VERSION, PbxError, type PbxEvent } from '../pbx/pbx-connector';
import type { AmiMessage } from './ami-parser';
import { AmiConfigSchema, type AmiConfig } from './asterisk-ami-config';
import { asteriskAmiManifest, createAsteriskAmiConnector } from './asterisk-ami-connector';
import { FakeAmi, type FakeConnection } from './test-ami-server';
import { actionIdOf, readTranscript, type TranscriptConnection, type TranscriptStep } from './test-transcripts';

const T03 = readTranscript('03-queue-call-answered-chanspy.txt')[0]!;
const [T04_BAD, T04] = readTranscript('04-login-failure-pause-reasons-astdb.txt') as [TranscriptConnection, TranscriptConnection];
const T05 = readTranscript('05-ring-no-answer-originate-chanspy-redirect.txt')[0]!;

function step(conn: TranscriptConnection, id: string): TranscriptStep {
  const found = conn.steps.find((s) => actionIdOf(s) === id);
  if (!found) throw new Error(`no step ${id}`);
  return found;
}

/** A PBX like the captured one: answers with the captured bytes where there are some. */
interface PbxOptions {
  wrongSecret?: boolean;
  /** Which captured `CoreShowChannels` answer (transcript 05), optionally edited; default `csc-barge`. */
  channels?: { step: string; edit?: (server: string) => string };
}

function pbx(action: AmiMessage, conn: FakeConnection, options: PbxOptions = {}): void {
  const name = action.get('Action') ?? '';
  const ok = (message: string) => conn.respond(action, 'Success', message);
  switch (name) {
    case 'Login':
      if (options.wrongSecret) {
        conn.replay(action, T04_BAD.steps[0]!);
        conn.socket.end();
      } else ok('Authentication accepted');
      return;
    case 'Filter':
      return ok('Success');
    case 'QueueStatus':
      return conn.replay(action, step(T03, 'qs-call'));
    case 'QueueSummary':
      return conn.replay(action, step(T03, 'qsum-end'));
    case 'CoreShowChannels': {
      const captured = step(T05, options.channels?.step ?? 'csc-barge');
      const edit = options.channels?.edit ?? ((server: string) => server);
      return conn.replay(action, { client: captured.client, server: edit(captured.server) });
    }
    case 'PlayDTMF':
      return ok('DTMF successfully queued');
    case 'QueuePause':
      if (action.get('Interface') !== 'PJSIP/1001') return conn.replay(action, step(T04, 'pause-nonmember-allq'));
      return conn.replay(action, step(T04, action.get('Paused') === 'true' ? 'pause-1' : 'unpause-1'));
    case 'Originate':
      if (action.get('Channel') === 'PJSIP/2003') return conn.replay(action, step(T05, 'orig-unreg-sync'));
      return ok('Originate successfully queued');
    case 'Redirect':
      return ok('Redirect successful');
    case 'Atxfer':
      return ok('Atxfer successfully queued');
    case 'Hangup':
      return ok('Channel Hungup');
    case 'DBPut':
      return ok('Updated database successfully');
    case 'DBDel':
      return conn.replay(action, step(T04, 'dbdel-again'));
    case 'DBDelTree':
      // The capture's answers: a tree that was there, and one that was not.
      return conn.replay(action, step(T04, action.get('Key') === 'wu/20261129' ? 'dbdeltree-again' : 'dbdeltree-cb'));
    case 'DBGetTree':
      return conn.replay(action, step(T04, action.get('Key') === 'cb' ? 'dbtree-cb' : 'dbtree-1'));
    case 'UserEvent': {
      ok('Event Sent');
      // Asterisk relays the sender's headers, Action and UserEvent dropped (transcript 04b).
      const headers = action.headers.filter(([k]) => k !== 'Action' && k !== 'UserEvent');
      conn.send(`Event: UserEvent\r\nPrivilege: user,all\r\nUserEvent: ${action.get('UserEvent')}\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
      return;
    }
    case 'Ping':
      return conn.replay(action, step(T04, 'ping-1'));
    case 'Logoff':
      return conn.send(`Response: Goodbye\r\nActionID: ${action.actionId ?? ''}\r\n\r\n`);
  }
}

const cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setup(configOverrides: Record<string, unknown> = {}, options: PbxOptions = {}) {
  const server = await FakeAmi.start((action, conn) => pbx(action, conn, options));
  cleanups.push(() => server.close());
  const config: AmiConfig = AmiConfigSchema.parse({ host: '127.0.0.1', port: server.port, username: 'admin', preset: 'asterisk', ...configOverrides });
  const clock = new ManualClock(1_796_489_600_000);
  const connector = createAsteriskAmiConnector(
    { config, secret: 'amipass', agent: { extension: '1001', name: 'Agent 1001' }, slaSeconds: 20, now: () => clock.now() },
    { clock, actionIdPrefix: 'c-', logger: { info: () => {}, warn: () => {} } },
  );
  cleanups.push(() => connector.close());
  const events: PbxEvent[] = [];
  connector.onEvent((e) => events.push(e));
  return { server, connector, events, clock };
}

const nextEvent = (connector: ReturnType<typeof createAsteriskAmiConnector>, type: PbxEvent['type']) =>
  new Promise<PbxEvent>((resolve) => {
    const off = connector.onEvent((e) => {
      if (e.type === type) {
        off();
        resolve(e);
      }
    });
  });

describe('asterisk-ami connector', () => {
  it('has a manifest the host can load', () => {
    expect(asteriskAmiManifest).toMatchObject({ id: 'asterisk-ami', kind: 'pbx', apiVersion: PBX_CONNECTOR_API_VERSION });
    expect(asteriskAmiManifest.capabilities).toContain('shared');
  });

  it('connects, filters, and snapshots QueueStatus + QueueSummary + CoreShowChannels', async () => {
    const { server, connector } = await setup();
    await connector.connect();
    expect(server.received('Filter')).toHaveLength(1);
    const snap = await connector.snapshot();
    expect(PbxSnapshotSchema.safeParse(snap).success).toBe(true);
    expect(snap.queues).toEqual([{ id: 'reception', name: 'reception' }]);
    expect(snap.agents.map((a) => [a.extension, a.name, a.state])).toEqual([
      ['1001', 'Agent 1001', 'offline'],
      ['1002', 'Agent 1002', 'talking'], // on the call CoreShowChannels shows (transcript 05)
      ['2002', 'Agent 2002 (sipp)', 'talking'],
    ]);
    expect(snap.agents[1]!.call).toMatchObject({ callId: '1796489613.0', number: '2001', queue: 'reception' });
  });

  it('rejects a wrong secret with auth, and a missing secret without dialling', async () => {
    const { connector } = await setup({}, { wrongSecret: true });
    await expect(connector.connect()).rejects.toMatchObject({ kind: 'auth' });
    const config = AmiConfigSchema.parse({ host: '127.0.0.1', username: 'admin' });
    const bare = createAsteriskAmiConnector({ config, secret: null, agent: { extension: '1', name: '' }, slaSeconds: 20, now: () => 0 });
    await expect(bare.connect()).rejects.toMatchObject({ kind: 'auth', message: expect.stringMatching(/no AMI secret/) });
  });

  it('pauses in all queues with a reason and hears the PBX confirm it', async () => {
    const { server, connector } = await setup();
    await connector.connect();
    const status = nextEvent(connector, 'agent.status');
    await connector.pause({ extension: '1001', reason: 'Обед' });
    const [sent] = server.received('QueuePause');
    expect(sent!.headers.filter(([k]) => k !== 'ActionID')).toEqual([
      ['Action', 'QueuePause'],
      ['Interface', 'PJSIP/1001'],
      ['Paused', 'true'],
      ['Reason', 'Обед'],
    ]);
    expect(await status).toMatchObject({ extension: '1001', state: 'paused', pauseReason: 'Обед' });
    await connector.unpause({ extension: '1001' });
    expect(server.received('QueuePause')[1]!.get('Paused')).toBe('false');
    await expect(connector.pause({ extension: '2003', reason: 'x' })).rejects.toMatchObject({ kind: 'refused', message: expect.stringMatching(/Interface not found/) });
  });

  it('originates from the agent phone to the number; a failed originate is refused with the reason', async () => {
    const { server, connector } = await setup();
    await connector.connect();
    await connector.originate({ extension: '1001', number: '+79161234567', callerName: 'Иванова "А"' });
    const [sent] = server.received('Originate');
    expect(Object.fromEntries(sent!.headers)).toMatchObject({
      Channel: 'PJSIP/1001',
      Context: 'internal',
      Exten: '+79161234567',
      Priority: '1',
      CallerID: '"Иванова А" <+79161234567>',
      Async: 'true',
    });
    await expect(connector.originate({ extension: '2003', number: '100' })).rejects.toMatchObject({ kind: 'refused', message: expect.stringMatching(/Originate failed/) });
    await expect(connector.originate({ extension: '1001', number: '1;Action: Hangup' })).rejects.toMatchObject({ kind: 'refused' });
  });

  it('transfers blind by redirecting the other side of the bridge, attended with Atxfer; hangs up the agent channel', async () => {
    const { server, connector } = await setup();
    await connector.connect();
    await connector.transfer({ extension: '1002', target: '1001', mode: 'blind' });
    expect(Object.fromEntries(server.received('Redirect')[0]!.headers)).toMatchObject({ Channel: 'PJSIP/2001-00000000', Exten: '1001', Context: 'internal', Priority: '1' });
    await connector.transfer({ extension: '1002', target: '1001', mode: 'attended' });
    expect(Object.fromEntries(server.received('Atxfer')[0]!.headers)).toMatchObject({ Channel: 'PJSIP/1002-00000002', Exten: '1001', Context: 'internal' });
    await connector.hangup({ extension: '1002' });
    expect(server.received('Hangup')[0]!.get('Channel')).toBe('PJSIP/1002-00000002');
    await expect(connector.hangup({ extension: '1005' })).rejects.toMatchObject({ kind: 'refused', message: '1005 has no call' });
  });

  it('monitors with the spy feature codes, or by originating ChanSpy with q(w|B)d; refuses an agent without a call, a bad mode, itself', async () => {
    const { server, connector } = await setup();
    await connector.connect();
    await connector.monitor({ supervisorExtension: '9000', extension: '1002', mode: 'whisper' });
    expect(Object.fromEntries(server.received('Originate')[0]!.headers)).toMatchObject({
      Channel: 'PJSIP/9000',
      Context: 'internal',
      Exten: '*2231002',
      Priority: '1',
      CallerID: '"Monitor 1002" <9000>',
      Async: 'true',
    });
    const other = await setup({ spy: null });
    await other.connector.connect();
    for (const [mode, options] of [
      ['listen', 'qdE'],
      ['whisper', 'qwdE'],
      ['barge', 'qBdE'],
    ] as const) {
      await other.connector.monitor({ supervisorExtension: '9000', extension: '1002', mode });
      expect(Object.fromEntries(other.server.received('Originate').at(-1)!.headers)).toMatchObject({
        Channel: 'PJSIP/9000',
        Application: 'ChanSpy',
        Data: `PJSIP/1002-,${options}`,
        CallerID: '"Monitor 1002" <9000>',
      });
    }
    await expect(other.connector.monitor({ supervisorExtension: '9000', extension: '1005', mode: 'listen' })).rejects.toMatchObject({ kind: 'refused', message: '1005 has no call' });
    await expect(other.connector.monitor({ supervisorExtension: '9000', extension: '1002', mode: 'spy' as 'listen' })).rejects.toMatchObject({ kind: 'refused', message: expect.stringMatching(/not a monitor mode/) });
    await expect(other.connector.monitor({ supervisorExtension: '1002', extension: '1002', mode: 'listen' })).rejects.toMatchObject({ kind: 'refused', message: expect.stringMatching(/own call/) });
    await expect(other.connector.monitor({ supervisorExtension: '90\r\n00', extension: '1002', mode: 'listen' })).rejects.toMatchObject({ kind: 'refused', message: expect.stringMatching(/not a valid supervisor extension/) });
    expect(other.server.received('Originate')).toHaveLength(3);
  });

  it('switches a spy started with d by DTMF 4/5/6 received on the spying channel (PlayDTMF Receive: yes)', async () => {
    const { server, connector } = await setup({ spy: null }, { channels: { step: 'csc-barge', edit: (s) => s.replace('ApplicationData: PJSIP/1002-,qB\r\n', 'ApplicationData: PJSIP/1002-,qBd\r\n') } });
    await connector.connect();
    for (const [mode, digit] of [
      ['whisper', '5'],
      ['barge', '6'],
      ['listen', '4'],
    ] as const) {
      await connector.monitorMode({ supervisorExtension: '9000', mode });
      expect(server.received('PlayDTMF').at(-1)!.headers.filter(([k]) => k !== 'ActionID')).toEqual([
        ['Action', 'PlayDTMF'],
        ['Channel', 'Local/*2241002@internal-00000000;2'],
        ['Digit', digit],
        ['Receive', 'yes'],
      ]);
    }
    expect(server.received('Redirect')).toHaveLength(0);
    await expect(connector.monitorMode({ supervisorExtension: '9000', mode: 'loud' as 'listen' })).rejects.toMatchObject({ kind: 'refused', message: expect.stringMatching(/not a monitor mode/) });
  });

  it('refuses to switch a spy started without d (a feature code) rather than send a digit it would ignore', async () => {
    for (const config of [{}, { spy: null }]) {
      const { server, connector } = await setup(config);
      await connector.connect();
      await expect(connector.monitorMode({ supervisorExtension: '9000', mode: 'listen' })).rejects.toMatchObject({ kind: 'refused', message: expect.stringMatching(/without the d option.*stop it and start it again/) });
      expect([...server.received('PlayDTMF'), ...server.received('Redirect'), ...server.received('Hangup')]).toEqual([]);
    }
  });

  it('stops a monitor by hanging up the supervisor\'s phone on the spy call (transcript 05: PJSIP/9000-00000005)', async () => {
    const { server, connector } = await setup();
    await connector.connect();
    await connector.stopMonitor({ supervisorExtension: '9000' });
    expect(server.received('Hangup').map((a) => a.get('Channel'))).toEqual(['PJSIP/9000-00000005']);
  });

  it('refuses to switch or stop a monitor that is not running', async () => {
    const { server, connector } = await setup({}, { channels: { step: 'csc-xfer' } });
    await connector.connect();
    const notRunning = { kind: 'refused', message: '9000 is not monitoring any call' };
    await expect(connector.monitorMode({ supervisorExtension: '9000', mode: 'barge' })).rejects.toMatchObject(notRunning);
    await expect(connector.stopMonitor({ supervisorExtension: '9000' })).rejects.toMatchObject(notRunning);
    await expect(connector.stopMonitor({ supervisorExtension: '' })).rejects.toMatchObject({ kind: 'refused', message: expect.stringMatching(/not a valid supervisor extension/) });
    expect([...server.received('Hangup'), ...server.received('PlayDTMF'), ...server.received('Redirect')]).toEqual([]);
  });

  it('asks the PBX for ChanSpyStart / ChanSpyStop and raises monitor.started / monitor.stopped from them', async () => {
    const { server, connector, events } = await setup();
    await connector.connect();
    expect(server.received('Filter')[0]!.get('Filter')).toMatch(/ChanSpyStart\|ChanSpyStop/);
    const whisper = step(T05, 'spy-whisper-1').server;
    const hangup = step(T05, 'spy-hangup-1').server;
    // One event of a captured step, as the PBX sent it.
    const block = (text: string, event: string) => text.split('\r\n\r\n').find((m) => m.trimStart().startsWith(`Event: ${event}\r\n`))!.trimStart() + '\r\n\r\n';
    const stopped = nextEvent(connector, 'monitor.stopped');
    for (const conn of server.connections) conn.send(block(whisper, 'ChanSpyStart') + block(hangup, 'ChanSpyStop'));
    await stopped;
    expect(events.filter((e) => e.type.startsWith('monitor.'))).toEqual([
      { type: 'monitor.started', at: 1_796_489_600_000, supervisorExtension: '9000', extension: '1002', callId: '1796489613.0' },
      { type: 'monitor.stopped', at: 1_796_489_600_000, supervisorExtension: '9000', extension: '1002' },
    ]);
  });

  it('shares records: DBPut + UserEvent (heard back as shared.changed), DBDel of a missing key is fine, list strips the family', async () => {
    const { server, connector } = await setup();
    await connector.connect();
    const changed = nextEvent(connector, 'shared.changed');
    await connector.shared!.publish('cb/79161234567', 'claimed:1001');
    expect(Object.fromEntries(server.received('DBPut')[0]!.headers)).toMatchObject({ Family: 'registratura', Key: 'cb/79161234567', Val: 'claimed:1001' });
    expect(await changed).toMatchObject({ key: 'cb/79161234567', value: 'claimed:1001' });
    const removed = nextEvent(connector, 'shared.changed');
    await connector.shared!.remove('cb/79161234567');
    expect(await removed).toMatchObject({ key: 'cb/79161234567', value: null });
    expect(server.received('UserEvent')[1]!.get('Removed')).toBe('yes');
    expect(await connector.shared!.list('cb/')).toEqual([
      { key: 'cb/79161234567', value: 'claimed:1001' },
      { key: 'cb/79167654321', value: 'new' },
    ]);
    expect(server.received('DBGetTree')[0]!.get('Key')).toBe('cb');
    expect(await connector.shared!.list('agent')).toEqual([{ key: 'agent/1001/status', value: 'Обед' }]);
    await expect(connector.shared!.publish('cb/1', 'two\nlines')).rejects.toBeInstanceOf(PbxError);
  });

  it('removes a folder of old records with DBDelTree (nothing there is fine) and refuses a folder ending in "/"', async () => {
    const { server, connector } = await setup();
    await connector.connect();
    await connector.shared!.removeTree('wu/20261128');
    await connector.shared!.removeTree('wu/20261129');
    expect(server.received('DBDelTree').map((action) => [action.get('Family'), action.get('Key')])).toEqual([
      ['registratura', 'wu/20261128'],
      ['registratura', 'wu/20261129'],
    ]);
    // Quiet housekeeping: no desk is told.
    expect(server.received('UserEvent')).toHaveLength(0);
    await expect(connector.shared!.removeTree('wu/')).rejects.toMatchObject({ kind: 'refused' });
  });

  it('reports health from Ping and a lost connection once', async () => {
    const { server, connector } = await setup();
    await connector.connect();
    await expect(connector.health()).resolves.toEqual({ state: 'online', latencyMs: 0 });
    const lost: PbxError[] = [];
    const disconnected = new Promise<PbxError>((resolve) => connector.onDisconnect(resolve));
    connector.onDisconnect((e) => lost.push(e));
    for (const conn of server.connections) conn.socket.destroy();
    expect(await disconnected).toMatchObject({ kind: 'unreachable' });
    await expect(connector.snapshot()).rejects.toMatchObject({ kind: 'unreachable' });
    await connector.close();
    expect(lost).toHaveLength(1);
  });

  it('raises no events after close', async () => {
    const { connector, events } = await setup();
    await connector.connect();
    await connector.close();
    expect(events).toEqual([]);
    await expect(connector.pause({ extension: '1001', reason: 'x' })).rejects.toMatchObject({ kind: 'unreachable' });
  });
});
