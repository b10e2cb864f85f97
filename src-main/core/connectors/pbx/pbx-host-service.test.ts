import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EventName, EventPayload } from '../../../../src-shared/ipc/contract';
import type { PbxSnapshot, QueueAgent } from '../../../../src-shared/pbx/pbx-model';
import type { QueueView } from '../../../../src-shared/pbx/pbx-contract';
import { DEFAULT_SETTINGS, type Settings } from '../../../../src-shared/settings/settings-schema';
import { ManualClock } from '../../../../src-shared/time/manual-clock';
import { EventBus } from '../../events/event-bus';
import { createLogger, type LogRecord } from '../../log/logger';
import { StartupError } from '../../startup/startup-error';
import { StatusService } from '../../status/status-service';
import { PbxError, type PbxConnector, type PbxConnectorContext, type PbxEvent } from './pbx-connector';
import { NO_ANSWER_PAUSE_REASON, PbxHostService, type PbxConnectorRegistration } from './pbx-host-service';

const T0 = new Date(2026, 10, 30, 10, 0, 0).getTime();

/** Lets every settled promise run its continuations (no time passes). */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function agent(extension: string, patch: Partial<QueueAgent> = {}): QueueAgent {
  return { extension, name: `Агент ${extension}`, state: 'ready', since: T0, pauseReason: null, queues: ['reception'], call: null, ...patch };
}

function snapshotWith(callers: string[], agents = [agent('101'), agent('102')]): PbxSnapshot {
  return {
    at: T0,
    queues: [{ id: 'reception', name: 'Регистратура' }],
    callers: callers.map((callId, i) => ({ callId, number: `10${i}`, queue: 'reception', position: i + 1, joinedAt: T0 })),
    agents,
    counters: [],
  };
}

type Outcome = 'ok' | 'never' | PbxError;

/** One connection to the fake PBX: what the test decides it does, and what the host asked of it. */
class FakeConnector implements PbxConnector {
  readonly manifest = manifest;
  readonly shared = null;
  readonly commands: { name: string; request: unknown }[] = [];
  closed = false;
  private readonly events = new Set<(event: PbxEvent) => void>();
  private readonly drops = new Set<(error: PbxError) => void>();

  constructor(
    readonly context: PbxConnectorContext<unknown>,
    private readonly script: Script,
  ) {}

  connect(): Promise<void> {
    return settle(this.script.connect.shift() ?? 'ok');
  }
  async snapshot(): Promise<PbxSnapshot> {
    return structuredClone(this.script.snapshots.shift() ?? snapshotWith([]));
  }
  async health() {
    return { state: 'online' as const, latencyMs: 1 };
  }
  onEvent(listener: (event: PbxEvent) => void) {
    this.events.add(listener);
    return () => this.events.delete(listener);
  }
  onDisconnect(listener: (error: PbxError) => void) {
    this.drops.add(listener);
    return () => this.drops.delete(listener);
  }
  async close() {
    this.closed = true;
  }
  emit(event: PbxEvent) {
    for (const listener of [...this.events]) listener(event);
  }
  drop(error = new PbxError('unreachable', 'connection reset')) {
    for (const listener of [...this.drops]) listener(error);
  }
  private command(name: string, request: unknown): Promise<void> {
    this.commands.push({ name, request });
    return settle(this.script.commands.shift() ?? 'ok');
  }
  originate = (request: unknown) => this.command('originate', request);
  transfer = (request: unknown) => this.command('transfer', request);
  hangup = (request: unknown) => this.command('hangup', request);
  pause = (request: unknown) => this.command('pause', request);
  unpause = (request: unknown) => this.command('unpause', request);
  monitor = (request: unknown) => this.command('monitor', request);
  monitorMode = (request: unknown) => this.command('monitorMode', request);
  stopMonitor = (request: unknown) => this.command('stopMonitor', request);
}

function settle(outcome: Outcome): Promise<void> {
  if (outcome === 'ok') return Promise.resolve();
  if (outcome === 'never') return new Promise(() => undefined);
  return Promise.reject(outcome);
}

interface Script {
  connect: Outcome[];
  snapshots: PbxSnapshot[];
  commands: Outcome[];
}

const manifest = {
  id: 'fake',
  kind: 'pbx' as const,
  version: '1',
  apiVersion: 1,
  capabilities: ['queues', 'agentStatus', 'originate'] as const,
  configSchema: z.object({ host: z.string().min(1, 'host must not be empty'), port: z.number().int().default(5038) }).strict(),
};

const hosts: PbxHostService[] = [];
afterEach(async () => {
  for (const host of hosts.splice(0)) await host.stop();
});

function setup(options: { settings?: (s: Settings) => void; secret?: string | null; random?: () => number; script?: Partial<Script> } = {}) {
  const settings = structuredClone(DEFAULT_SETTINGS);
  settings.connectors.pbx = { id: 'fake', config: { host: 'pbx.clinic.test' } };
  settings.agent = { extension: '101', name: 'Иванова' };
  options.settings?.(settings);
  const script: Script = { connect: [], snapshots: [], commands: [], ...options.script };
  const connectors: FakeConnector[] = [];
  const registration: PbxConnectorRegistration = {
    manifest: manifest as unknown as PbxConnectorRegistration['manifest'],
    create: (context) => {
      const connector = new FakeConnector(context, script);
      connectors.push(connector);
      return connector;
    },
  };
  const clock = new ManualClock(T0);
  const logs: LogRecord[] = [];
  const logger = createLogger([(record) => logs.push(record)], 'debug');
  const events = new EventBus(logger);
  const emitted: { name: EventName; payload: unknown }[] = [];
  events.subscribe((name, payload) => emitted.push({ name, payload }));
  const status = new StatusService(() => new Date(clock.now()));
  const statuses: string[] = [];
  status.onChange((s) => statuses.push(`${s.pbx.state}:${s.pbx.detail ?? ''}`));
  const host = new PbxHostService({
    settings: () => settings,
    secret: options.secret ?? 's3cret',
    registry: { fake: registration },
    status,
    events,
    logger,
    patientNameByNumber: () => null,
    clock,
    random: options.random ?? (() => 0.5),
    commandTimeoutMs: 8_000,
    pushIntervalMs: 150,
  });
  hosts.push(host);
  const views = () => emitted.filter((e) => e.name === 'queue:changed').map((e) => e.payload as QueueView);
  const calls = () => emitted.filter((e) => e.name === 'pbx:call').map((e) => e.payload);
  const pbx = () => status.snapshot().pbx;
  const current = () => connectors.at(-1)!;
  return { host, settings, clock, script, connectors, current, logs, emitted, views, calls, status, statuses, pbx };
}

async function online(s: ReturnType<typeof setup>) {
  s.host.start();
  await flush();
  expect(s.pbx().state).toBe('online');
}

describe('PbxHostService: configuration', () => {
  it('refuses to start with a bad connector config, naming the field', () => {
    expect(() => setup({ settings: (s) => (s.connectors.pbx.config = { host: '', port: 'x' }) })).toThrow(StartupError);
    expect(() => setup({ settings: (s) => (s.connectors.pbx.config = { host: '' }) })).toThrow(/connectors\.pbx\.config\.host: host must not be empty/);
    expect(() => setup({ settings: (s) => (s.connectors.pbx.config = { host: 'h', port: 'x' }) })).toThrow(/connectors\.pbx\.config\.port/);
  });

  it('hands the connector its validated config, the secret from the secret store and this desk\'s agent', async () => {
    const s = setup({ secret: 'amipass' });
    await online(s);
    expect(s.current().context).toMatchObject({ config: { host: 'pbx.clinic.test', port: 5038 }, secret: 'amipass', agent: { extension: '101', name: 'Иванова' }, slaSeconds: 20 });
  });

  it('reports disabled for a connector this build does not have', () => {
    const s = setup({ settings: (settings) => (settings.connectors.pbx = { id: 'unknown', config: {} }) });
    s.host.start();
    expect(s.pbx()).toMatchObject({ state: 'disabled', detail: 'connectorNotAvailable' });
  });
});

describe('PbxHostService: connection', () => {
  it('goes connecting → online after connect and snapshot; the board is the snapshot and the view is pushed', async () => {
    const s = setup({ script: { snapshots: [snapshotWith(['a1', 'a2'])] } });
    s.host.start();
    expect(s.pbx().state).toBe('connecting');
    await flush();
    expect(s.statuses).toEqual(['connecting:', 'online:']);
    expect(s.host.view()).toMatchObject({ live: true, connector: 'fake', agentExtension: '101', slaSeconds: 20 });
    expect(s.host.view().board.callers.map((c) => c.callId)).toEqual(['a1', 'a2']);
    expect(s.views()).toHaveLength(1);
    expect(s.views()[0]!.board.callers).toHaveLength(2);
  });

  it('coalesces many events within the push interval into one queue:changed', async () => {
    const s = setup();
    await online(s);
    const before = s.views().length;
    for (let i = 0; i < 50; i++) s.current().emit({ type: 'queue.joined', at: T0 + i, callId: `c${i}`, number: `9${i}`, queue: 'reception', position: i + 1 });
    expect(s.views()).toHaveLength(before);
    s.clock.advance(149);
    expect(s.views()).toHaveLength(before);
    s.clock.advance(1);
    expect(s.views()).toHaveLength(before + 1);
    expect(s.views().at(-1)!.board.callers).toHaveLength(50);
    s.clock.advance(10_000);
    expect(s.views()).toHaveLength(before + 1);
  });

  it('on a dropped connection: reconnecting, the board emptied (not live), and after the backoff a resync to the NEW snapshot', async () => {
    const s = setup({ random: () => 0.5, script: { snapshots: [snapshotWith(['old1', 'old2']), snapshotWith(['new1'], [agent('101', { state: 'paused', pauseReason: 'Обед' })])] } });
    await online(s);
    s.current().emit({ type: 'queue.joined', at: T0 + 1, callId: 'old3', number: '77', queue: 'reception', position: 3 });
    const first = s.current();
    first.drop();
    await flush();
    expect(s.pbx()).toMatchObject({ state: 'reconnecting', detail: 'pbxUnreachable' });
    expect(first.closed).toBe(true);
    expect(s.host.view()).toMatchObject({ live: false, board: { callers: [], agents: [] } });
    expect(s.views().at(-1)).toMatchObject({ live: false, board: { callers: [] } });
    // Backoff: attempt 1, ceiling 1 s, full jitter with random 0.5.
    expect(s.clock.pending()).toContain(500);
    s.clock.advance(499);
    await flush();
    expect(s.connectors).toHaveLength(1);
    s.clock.advance(1);
    await flush();
    expect(s.connectors).toHaveLength(2);
    expect(s.pbx().state).toBe('online');
    expect(s.host.view().live).toBe(true);
    expect(s.host.view().board.callers.map((c) => c.callId)).toEqual(['new1']);
    expect(s.host.view().board.agents).toEqual([agent('101', { state: 'paused', pauseReason: 'Обед' })]);
    // Events of the old connection no longer reach the board.
    first.emit({ type: 'queue.joined', at: T0 + 2, callId: 'ghost', number: '78', queue: 'reception', position: 2 });
    expect(s.host.view().board.callers.map((c) => c.callId)).toEqual(['new1']);
  });

  it('a wrong password: failed (pbxWrongPassword), and the next try not before 60 s', async () => {
    const s = setup({ script: { connect: [new PbxError('auth', 'Authentication failed'), new PbxError('auth', 'Authentication failed')] } });
    s.host.start();
    await flush();
    expect(s.pbx()).toMatchObject({ state: 'failed', detail: 'pbxWrongPassword' });
    expect(s.connectors[0]!.closed).toBe(true);
    s.clock.advance(59_999);
    await flush();
    expect(s.connectors).toHaveLength(1);
    s.clock.advance(1);
    await flush();
    expect(s.connectors).toHaveLength(2);
    expect(s.pbx()).toMatchObject({ state: 'failed', detail: 'pbxWrongPassword' });
    s.clock.advance(60_000);
    await flush();
    expect(s.pbx().state).toBe('online');
  });

  it('an unreachable PBX before the first success: offline (pbxUnreachable), retried with capped, jittered backoff', async () => {
    const failures = Array.from({ length: 9 }, () => new PbxError('unreachable', 'ECONNREFUSED'));
    const randoms = [0.25, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999, 0.999];
    const s = setup({ random: () => randoms.shift() ?? 0.999, script: { connect: [...failures] } });
    s.host.start();
    await flush();
    expect(s.pbx()).toMatchObject({ state: 'offline', detail: 'pbxUnreachable' });
    const delays: number[] = [];
    for (let i = 0; i < 9; i++) {
      delays.push(s.clock.pending()[0]!);
      s.clock.advance(s.clock.pending()[0]!);
      await flush();
    }
    // 1 s ceiling × 0.25, then ceilings 2, 4, 8, 16 s and the 30 s cap (× 0.999).
    expect(delays).toEqual([250, 1_998, 3_996, 7_992, 15_984, 29_970, 29_970, 29_970, 29_970]);
    expect(s.pbx().state).toBe('online');
  });

  it('a connect that never answers times out and is retried', async () => {
    const s = setup({ script: { connect: ['never'] } });
    s.host.start();
    await flush();
    expect(s.pbx().state).toBe('connecting');
    s.clock.advance(8_000);
    await flush();
    expect(s.pbx()).toMatchObject({ state: 'offline', detail: 'pbxTimeout' });
    s.clock.advance(500);
    await flush();
    expect(s.pbx().state).toBe('online');
  });

  it('stop() closes the connector and leaves no timers behind', async () => {
    const s = setup();
    await online(s);
    s.current().emit({ type: 'queue.joined', at: T0, callId: 'c1', number: '1', queue: 'reception', position: 1 });
    expect(s.clock.pending().length).toBeGreaterThan(0);
    await s.host.stop();
    expect(s.current().closed).toBe(true);
    expect(s.clock.pending()).toEqual([]);
  });

  it('stop() while the PBX does not answer the login returns without waiting out the timeout', async () => {
    const s = setup({ script: { connect: ['never'] } });
    s.host.start();
    await flush();
    let stopped = false;
    const stopping = s.host.stop().then(() => (stopped = true));
    await flush();
    expect(stopped).toBe(true);
    await stopping;
    expect(s.current().closed).toBe(true);
    expect(s.clock.pending()).toEqual([]);
  });

  it('stop() during a backoff returns at once and leaves no timers behind', async () => {
    const s = setup({ script: { connect: [new PbxError('unreachable', 'down')] } });
    s.host.start();
    await flush();
    expect(s.clock.pending()).toHaveLength(1);
    await s.host.stop();
    expect(s.clock.pending()).toEqual([]);
  });
});

describe('PbxHostService: commands', () => {
  it('a command the PBX never answers fails with PBX_TIMEOUT after the command timeout', async () => {
    const s = setup({ script: { commands: ['never'] } });
    await online(s);
    const result = s.host.setAgentStatus({ state: 'paused', reason: 'Обед' }).catch((error: unknown) => error);
    s.clock.advance(7_999);
    await flush();
    s.clock.advance(1);
    expect(await result).toMatchObject({ code: 'PBX_TIMEOUT' });
  });

  it("a refused command fails with PBX_REFUSED and the PBX's message", async () => {
    const s = setup({ script: { commands: [new PbxError('refused', 'Interface not found')] } });
    await online(s);
    await expect(s.host.originate('+79161234567')).rejects.toMatchObject({ code: 'PBX_REFUSED', message: expect.stringContaining('Interface not found') });
  });

  it('without a connection a command fails with PBX_UNAVAILABLE at once', async () => {
    const s = setup({ script: { connect: [new PbxError('unreachable', 'down')] } });
    s.host.start();
    await flush();
    await expect(s.host.setAgentStatus({ state: 'ready' })).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE' });
  });

  it("pauses with the reason / unpauses this desk's extension, and the board changes only on the PBX's agent.status", async () => {
    const s = setup();
    await online(s);
    await s.host.setAgentStatus({ state: 'paused', reason: 'Обед' });
    await s.host.setAgentStatus({ state: 'ready' });
    expect(s.current().commands).toEqual([
      { name: 'pause', request: { extension: '101', reason: 'Обед' } },
      { name: 'unpause', request: { extension: '101' } },
    ]);
    expect(s.host.board.agent('101')).toMatchObject({ state: 'ready', pauseReason: null });
    await s.host.setAgentStatus({ state: 'paused', reason: 'Обед' });
    expect(s.host.board.agent('101')!.state).toBe('ready');
    s.current().emit({ type: 'agent.status', at: T0 + 1, extension: '101', state: 'paused', pauseReason: 'Обед' });
    expect(s.host.board.agent('101')).toMatchObject({ state: 'paused', pauseReason: 'Обед' });
  });
});

describe('PbxHostService: CTI and ring-no-answer', () => {
  const ringing = (extension: string, callId = 'r1'): PbxEvent => ({ type: 'call.ringing', at: T0, callId, number: '+79161234567', extension, queue: 'reception' });
  const rna = (extension: string, callId: string): PbxEvent => ({ type: 'agent.ringNoAnswer', at: T0, extension, callId, number: '+79161234567', queue: 'reception', ringMs: 15_000 });

  it("CTI desk (no softphone): this desk's rings pop as pbx:call, other extensions' do not", async () => {
    const s = setup();
    await online(s);
    s.current().emit(ringing('102', 'other'));
    s.current().emit(ringing('101', 'mine'));
    expect(s.calls()).toEqual([{ event: 'ringing', callId: 'mine', number: '+79161234567', extension: '101' }]);
  });

  it('a ring that ends elsewhere ends on the CTI desk: the caller hung up while it rang, another agent took it, a direct call rang out; a call it answered ends only with its own leg', async () => {
    const s = setup();
    await online(s);
    const ended = (callId: string, extension: string | null, answered = false): PbxEvent => ({ type: 'call.ended', at: T0, callId, number: '+79161234567', extension, queue: 'reception', answered, talkSec: answered ? 30 : null });
    const answeredBy = (callId: string, extension: string): PbxEvent => ({ type: 'call.answered', at: T0, callId, number: '+79161234567', extension, queue: 'reception', waitSec: 5 });
    // The caller hangs up in the queue while the desk phone rings: the PBX names no agent.
    s.current().emit(ringing('101', 'abandoned'));
    s.current().emit(ended('abandoned', null));
    // Ring-all: another agent answers first.
    s.current().emit(ringing('101', 'taken'));
    s.current().emit(ringing('102', 'taken'));
    s.current().emit(answeredBy('taken', '102'));
    // A direct call rings out.
    s.current().emit(ringing('101', 'direct'));
    s.current().emit({ type: 'call.missed', at: T0, callId: 'direct', number: '+79161234567', extension: '101', reason: 'missed' });
    // Answered here: another leg's answer (a consultation) or end does not end it; its own end does.
    s.current().emit(ringing('101', 'talk'));
    s.current().emit(answeredBy('talk', '101'));
    s.current().emit(answeredBy('talk', '103'));
    s.current().emit(ended('talk', '103', true));
    s.current().emit(ended('talk', '101', true));
    // Someone else's call ending says nothing to this desk.
    s.current().emit(ended('elsewhere', null));
    const calls = s.calls() as EventPayload<'pbx:call'>[];
    expect(calls.map((call) => `${call.event} ${call.callId}`)).toEqual([
      'ringing abandoned',
      'ended abandoned',
      'ringing taken',
      'ended taken',
      'ringing direct',
      'ended direct',
      'ringing talk',
      'answered talk',
      'ended talk',
    ]);
    expect(calls.every((call) => call.extension === '101' && call.number === '+79161234567')).toBe(true);
  });

  it('a desk with a softphone gets no pbx:call (the INVITE pops the card)', async () => {
    const s = setup({ settings: (settings) => (settings.sip = { ...settings.sip, server: 'wss://pbx.clinic.test:8089/ws', uri: 'sip:101@pbx.clinic.test' }) });
    await online(s);
    s.current().emit(ringing('101'));
    expect(s.calls()).toEqual([]);
  });

  it('the third unanswered queue ring in a row pauses this desk\'s agent "не отвечает"; an answer in between restarts the count', async () => {
    const s = setup({ settings: (settings) => (settings.callbacks.pauseAfterRingNoAnswer = 3) });
    await online(s);
    const pauses = () => s.current().commands.filter((c) => c.name === 'pause');
    s.current().emit(rna('101', 'a'));
    s.current().emit(rna('101', 'b'));
    s.current().emit({ type: 'call.answered', at: T0, callId: 'c', number: '1', extension: '101', queue: 'reception', waitSec: 3 });
    s.current().emit(rna('101', 'd'));
    s.current().emit(rna('101', 'e'));
    // Another operator's misses do not count on an operator's desk.
    s.current().emit(rna('102', 'x'));
    s.current().emit(rna('102', 'y'));
    s.current().emit(rna('102', 'z'));
    await flush();
    expect(pauses()).toEqual([]);
    s.current().emit(rna('101', 'f'));
    await flush();
    expect(pauses()).toEqual([{ name: 'pause', request: { extension: '101', reason: NO_ANSWER_PAUSE_REASON } }]);
    expect(NO_ANSWER_PAUSE_REASON).toBe('не отвечает');
  });

  it('pauseAfterRingNoAnswer 0 never pauses', async () => {
    const s = setup({ settings: (settings) => (settings.callbacks.pauseAfterRingNoAnswer = 0) });
    await online(s);
    for (let i = 0; i < 10; i++) s.current().emit(rna('101', `r${i}`));
    await flush();
    expect(s.current().commands).toEqual([]);
  });
});

describe('PbxHostService: settings applied without a restart', () => {
  const ringing = (extension: string, callId: string): PbxEvent => ({ type: 'call.ringing', at: T0, callId, number: '+79161234567', extension, queue: 'reception' });
  const answered = (callId: string, waitSec: number): PbxEvent => ({ type: 'call.answered', at: T0, callId, number: '+79161234567', extension: '101', queue: 'reception', waitSec });

  it('a changed agent.extension: the session is closed and the next one connects at once with the new agent; the view and CTI pops follow it', async () => {
    const s = setup();
    await online(s);
    const first = s.current();
    s.current().emit(ringing('101', 'old-mine'));
    expect(s.calls()).toHaveLength(1);

    s.settings.agent = { extension: '205', name: 'Петрова' };
    s.host.settingsChanged();
    await flush();
    // No backoff: the new connection is made without any time passing.
    expect(first.closed).toBe(true);
    expect(s.connectors).toHaveLength(2);
    expect(s.current().context).toMatchObject({ agent: { extension: '205', name: 'Петрова' } });
    expect(s.pbx().state).toBe('online');
    expect(s.host.view()).toMatchObject({ live: true, agentExtension: '205' });
    expect(s.host.agent).toEqual({ extension: '205', name: 'Петрова' });
    expect(s.views().at(-1)).toMatchObject({ live: true, agentExtension: '205' });
    expect(s.logs.some((record) => record.event === 'pbx.reconnect-for-agent')).toBe(true);

    s.current().emit(ringing('101', 'old-extension'));
    s.current().emit(ringing('205', 'new-mine'));
    expect(s.calls().slice(1)).toEqual([{ event: 'ringing', callId: 'new-mine', number: '+79161234567', extension: '205' }]);
    // Pauses go to the new extension.
    await s.host.setAgentStatus({ state: 'paused', reason: 'Обед' });
    expect(s.current().commands).toEqual([{ name: 'pause', request: { extension: '205', reason: 'Обед' } }]);
  });

  it('an unchanged identity (another setting saved) keeps the session; the SIP URI as the fallback extension is followed', async () => {
    const s = setup({ settings: (settings) => (settings.agent = { extension: '', name: '' }) });
    await online(s);
    expect(s.host.agentExtension).toBeNull();
    s.settings.language = 'en';
    s.host.settingsChanged();
    await flush();
    expect(s.connectors).toHaveLength(1);

    // A softphone account: its user part is the extension, and the desk is no longer a CTI desk.
    s.settings.sip = { ...s.settings.sip, server: 'wss://pbx.clinic.test:8089/ws', uri: 'sip:301@pbx.clinic.test', displayName: 'Окно 3' };
    s.host.settingsChanged();
    await flush();
    expect(s.connectors).toHaveLength(2);
    expect(s.current().context).toMatchObject({ agent: { extension: '301', name: 'Окно 3' } });
    expect(s.views().at(-1)!.agentExtension).toBe('301');
    s.current().emit(ringing('301', 'softphone-desk'));
    expect(s.calls()).toEqual([]);
  });

  it('a new identity while the PBX is down: the backoff is cut short and the next try carries it', async () => {
    const s = setup({ script: { connect: [new PbxError('unreachable', 'down')] } });
    s.host.start();
    await flush();
    expect(s.pbx()).toMatchObject({ state: 'offline', detail: 'pbxUnreachable' });
    expect(s.connectors).toHaveLength(1);
    s.settings.agent = { extension: '206', name: '' };
    s.host.settingsChanged();
    await flush();
    expect(s.connectors).toHaveLength(2);
    expect(s.current().context).toMatchObject({ agent: { extension: '206' } });
    expect(s.pbx().state).toBe('online');
    expect(s.clock.pending()).toEqual([]);
  });

  it('a changed queue.slaSeconds: the next answer counts against the new SLA, and the view carries it at once', async () => {
    const s = setup();
    await online(s);
    const counters = () => s.host.view().board.counters.find((c) => c.queue === 'reception')!;
    s.current().emit(answered('a1', 25));
    expect(counters()).toMatchObject({ answered: 1, answeredWithinSla: 0 });

    s.settings.queue.slaSeconds = 30;
    s.host.settingsChanged();
    await flush();
    expect(s.connectors).toHaveLength(1);
    expect(s.views().at(-1)!.slaSeconds).toBe(30);
    s.current().emit(answered('a2', 25));
    expect(counters()).toMatchObject({ answered: 2, answeredWithinSla: 1 });
    // The next connection is told the new SLA too.
    s.current().drop();
    await flush();
    s.clock.advance(500);
    await flush();
    expect(s.current().context.slaSeconds).toBe(30);
  });

  it('the ring-no-answer limit and the role are read live', async () => {
    const rna = (extension: string, callId: string): PbxEvent => ({ type: 'agent.ringNoAnswer', at: T0, extension, callId, number: '+79161234567', queue: 'reception', ringMs: 15_000 });
    const s = setup({ settings: (settings) => (settings.callbacks.pauseAfterRingNoAnswer = 0) });
    await online(s);
    s.current().emit(rna('101', 'a'));
    s.settings.callbacks.pauseAfterRingNoAnswer = 1;
    s.settings.role = 'supervisor';
    s.host.settingsChanged();
    s.current().emit(rna('102', 'b'));
    await flush();
    expect(s.current().commands).toEqual([{ name: 'pause', request: { extension: '102', reason: NO_ANSWER_PAUSE_REASON } }]);
  });

  it('another PBX connector needs a restart: logged once, the running one keeps going', async () => {
    const s = setup();
    await online(s);
    s.settings.connectors.pbx = { id: 'fake', config: { host: 'other.clinic.test' } };
    s.host.settingsChanged();
    s.settings.connectors.pbx = { id: 'demo', config: {} };
    s.host.settingsChanged();
    await flush();
    expect(s.logs.filter((record) => record.event === 'pbx.restart-needed')).toHaveLength(1);
    expect(s.connectors).toHaveLength(1);
    expect(s.host.view()).toMatchObject({ connector: 'fake', live: true });
  });
});
