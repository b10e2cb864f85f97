import { addDays } from '../../../src-shared/schedule/clinic-time';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { PbxSnapshot, QueueAgent } from '../../../src-shared/pbx/pbx-model';
import { DEFAULT_SETTINGS, type Settings, type SettingsPatch } from '../../../src-shared/settings/settings-schema';
import { SupervisorBoardSchema, type SupervisorBoard, type TransferContext } from '../../../src-shared/supervisor/supervisor-model';
import { ManualClock } from '../../../src-shared/time/manual-clock';
import { DatabaseKeySource } from '../cache/database-key';
import { CallbackService, taskId } from '../callbacks/callback-service';
import { PbxError, type PbxCapability, type PbxConnector, type PbxEvent, type PbxSharedChannel } from '../connectors/pbx/pbx-connector';
import { PbxHostService, type PbxConnectorRegistration } from '../connectors/pbx/pbx-host-service';
import { EventBus } from '../events/event-bus';
import { JournalService } from '../journal/journal-service';
import { createLogger, type LogRecord } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { SettingsService } from '../settings/settings-service';
import { MemorySettingsStorage } from '../settings/settings-storage';
import { StatusService } from '../status/status-service';
import { createSupervisorHandlers } from './supervisor-handlers';
import { MONITOR_CONNECT_TIMEOUT_MS, SupervisorService } from './supervisor-service';

/** 10:00 in Moscow (the clinic's default zone), whatever zone the machine running the test is in. */
const T0 = Date.UTC(2026, 10, 30, 7, 0, 0);
const DAY = '2026-11-30';
const NUMBER = '+79161234567';
const context = { host: 'web' as const, client: 't' };
const CAPABILITIES: readonly PbxCapability[] = ['queues', 'agentStatus', 'originate', 'transfer', 'hangup', 'monitor', 'shared'];

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function agent(extension: string, name: string, patch: Partial<QueueAgent> = {}): QueueAgent {
  return { extension, name, state: 'ready', since: T0, pauseReason: null, queues: ['reception'], call: null, ...patch };
}

const manifest = {
  id: 'fake',
  kind: 'pbx' as const,
  version: '1',
  apiVersion: 1,
  capabilities: CAPABILITIES,
  configSchema: z.object({}).passthrough(),
};

/**
 * One switchboard every desk connects to: its events reach every connected desk; its shared
 * channel stores records and announces each change to every desk (the sender too); every command
 * and publish is recorded in order.
 */
class FakeSwitchboard {
  readonly records = new Map<string, string>();
  readonly commands: string[] = [];
  readonly connections = new Set<{ emit: (event: PbxEvent) => void; drop: () => void }>();
  /** Commands the PBX refuses, by name. */
  readonly refuse = new Map<string, PbxError>();
  /** Folders the desks swept from the shared record (`removeTree`). */
  readonly removedTrees: string[] = [];
  /** The PBX does not answer a login. */
  down = false;
  snapshot: PbxSnapshot = {
    at: T0,
    queues: [
      { id: 'reception', name: 'Регистратура' },
      { id: 'info', name: 'Справочная' },
    ],
    callers: [],
    agents: [
      agent('101', 'Иванова Анна'),
      agent('102', 'Петров Олег'),
      agent('103', 'Сидорова Мария'),
      agent('104', 'Козлова Вера', { state: 'paused', pauseReason: 'Обед', queues: ['info'] }),
      agent('105', 'Орлов Павел', { state: 'offline', queues: ['reception', 'info'] }),
    ],
    counters: [],
  };

  constructor(private readonly clock: ManualClock) {}

  emit(event: PbxEvent): void {
    for (const connection of [...this.connections]) connection.emit(event);
  }

  /** A value put on the channel by something that is not a desk (or a broken one). */
  inject(key: string, value: string): void {
    this.records.set(key, value);
    this.emit({ type: 'shared.changed', at: this.clock.now(), key, value });
  }

  /** Every desk's link drops (they reconnect after their backoff). */
  dropAll(): void {
    for (const connection of [...this.connections]) connection.drop();
  }

  registration(): PbxConnectorRegistration {
    return { manifest: manifest as unknown as PbxConnectorRegistration['manifest'], create: () => this.connector() };
  }

  private connector(): PbxConnector {
    const listeners = new Set<(event: PbxEvent) => void>();
    const drops = new Set<(error: PbxError) => void>();
    const connection = {
      emit: (event: PbxEvent) => listeners.forEach((listener) => listener(event)),
      drop: () => drops.forEach((listener) => listener(new PbxError('unreachable', 'dropped'))),
    };
    const announce = (key: string, value: string | null) => queueMicrotask(() => this.emit({ type: 'shared.changed', at: this.clock.now(), key, value }));
    const shared: PbxSharedChannel = {
      publish: async (key, value) => {
        this.commands.push(`publish ${key}`);
        this.records.set(key, value);
        announce(key, value);
      },
      remove: async (key) => {
        this.commands.push(`remove ${key}`);
        this.records.delete(key);
        announce(key, null);
      },
      list: async (prefix) => [...this.records].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => ({ key, value })),
      removeTree: async (folder) => {
        this.removedTrees.push(folder);
        for (const key of [...this.records.keys()]) if (key.startsWith(`${folder}/`)) this.records.delete(key);
      },
    };
    const command =
      (name: string, line: (request: Record<string, string>) => string) =>
      async (request: Record<string, string>): Promise<void> => {
        const refused = this.refuse.get(name);
        if (refused) throw refused;
        this.commands.push(`${name} ${line(request)}`);
      };
    return {
      manifest: manifest as unknown as PbxConnector['manifest'],
      shared,
      connect: async () => {
        if (this.down) throw new PbxError('unreachable', 'down');
        this.connections.add(connection);
      },
      snapshot: async () => structuredClone(this.snapshot),
      health: async () => ({ state: 'online', latencyMs: 1 }),
      onEvent: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onDisconnect: (listener) => {
        drops.add(listener);
        return () => drops.delete(listener);
      },
      close: async () => void this.connections.delete(connection),
      originate: command('originate', (r) => `${r.extension} ${r.number}`),
      transfer: command('transfer', (r) => `${r.extension} ${r.target} ${r.mode}`),
      hangup: command('hangup', (r) => `${r.extension}`),
      pause: command('pause', (r) => `${r.extension} ${r.reason}`),
      unpause: command('unpause', (r) => `${r.extension}`),
      monitor: command('monitor', (r) => `${r.supervisorExtension} ${r.extension} ${r.mode}`),
      monitorMode: command('monitorMode', (r) => `${r.supervisorExtension} ${r.mode}`),
      stopMonitor: command('stopMonitor', (r) => `${r.supervisorExtension}`),
    };
  }
}

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const desk of running.splice(0).reverse()) await desk.stop();
});

interface DeskOptions {
  extension: string;
  name: string;
  role?: Settings['role'];
  dataDir?: string;
  settings?: (s: Settings) => void;
  /** Saves a settings patch (default: applied to this desk's settings object). */
  updateSettings?: (patch: SettingsPatch) => void;
  /** The PBX link's jitter (0: reconnect at once). */
  random?: number;
}

/** One desk: its own journal.db, its PBX host on the shared switchboard, its callbacks and supervisor services. */
async function openDesk(board: FakeSwitchboard, clock: ManualClock, options: DeskOptions) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rg-supervisor-'));
  const settings = structuredClone(DEFAULT_SETTINGS);
  settings.role = options.role ?? 'operator';
  settings.connectors.pbx = { id: 'fake', config: {} };
  settings.agent = { extension: options.extension, name: options.name };
  settings.queue.slaSeconds = 20;
  settings.callbacks.slaMinutes = 15;
  options.settings?.(settings);
  const logs: LogRecord[] = [];
  const logger = createLogger([(record) => logs.push(record)], 'debug');
  const events = new EventBus(logger);
  const pushes: SupervisorBoard[] = [];
  events.subscribe((name, payload) => {
    if (name === 'supervisor:changed') pushes.push(payload as SupervisorBoard);
  });
  const status = new StatusService(() => new Date(clock.now()));
  const secrets = new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([]));
  const journal = new JournalService({ dataDir, keys: new DatabaseKeySource(secrets), logger, status, events, now: () => clock.now() });
  const pbx = new PbxHostService({
    settings: () => settings,
    secret: null,
    registry: { fake: board.registration() },
    status,
    events,
    logger,
    patientNameByNumber: (number) => (number === NUMBER ? 'Иванова Анна Петровна' : null),
    clock,
    random: () => options.random ?? 0,
  });
  const callbacks = new CallbackService({ journal, pbx, events, logger, settings: () => settings, wakeOutbox: () => undefined, clock, random: () => 0 });
  let service: SupervisorService | null = null;
  const updateSettings =
    options.updateSettings ??
    ((patch: SettingsPatch) => {
      Object.assign(settings.supervisor, patch.supervisor);
      service?.settingsChanged();
    });
  service = new SupervisorService({ pbx, callbacks, journal, events, logger, settings: () => settings, updateSettings, capabilities: CAPABILITIES, clock });
  const supervisor = service;
  journal.start();
  callbacks.start();
  supervisor.start();
  pbx.start();
  await flush();
  let stopped = false;
  const desk = {
    dataDir,
    settings,
    journal,
    pbx,
    callbacks,
    supervisor,
    handlers: createSupervisorHandlers(supervisor, () => settings),
    logs,
    pushes,
    /** The board as `supervisor.board` answers it, checked against the contract. */
    board: () => SupervisorBoardSchema.parse(supervisor.board()),
    lastPush: () => pushes.at(-1)!,
    audit: () => journal.require('test').db.prepare('SELECT actor, action, mis_id AS misId, call_id AS callId, reason FROM audit_log ORDER BY seq').all() as Record<string, string | null>[],
    rows: () => journal.require('test').db.prepare('SELECT day, kind, key FROM supervisor_figures ORDER BY day, kind, key').all() as { day: string; kind: string; key: string }[],
    async stop() {
      if (stopped) return;
      stopped = true;
      supervisor.stop();
      callbacks.stop();
      await pbx.stop();
      journal.stop();
    },
  };
  running.push(desk);
  return desk;
}

/** A switchboard and its clock, with helpers to play events at given seconds after T0. */
function world(start = T0) {
  const clock = new ManualClock(start);
  const board = new FakeSwitchboard(clock);
  /** Lets round-trips, pushes (250 ms) and the host's coalescing happen. */
  const settle = async () => {
    for (let i = 0; i < 4; i++) {
      await flush();
      clock.advance(100);
    }
    await flush();
  };
  /** Moves the clock to T0 + `sec` and emits the events there. */
  const at = (sec: number, ...events: ((at: number) => PbxEvent)[]) => {
    const when = T0 + sec * 1000;
    if (when > clock.now()) clock.advance(when - clock.now());
    for (const event of events) board.emit(event(when));
  };
  return { clock, board, settle, at };
}

const supervisorDesk = (w: ReturnType<typeof world>, options: Partial<DeskOptions> = {}) => openDesk(w.board, w.clock, { extension: '9000', name: 'Смирнова Елена', role: 'supervisor', ...options });

// Scripted events (`at` is filled in by `world().at`).
const joined = (callId: string, queue = 'reception', number = `7916000${callId.slice(-4).padStart(4, '0')}`) => (at: number): PbxEvent => ({ type: 'queue.joined', at, callId, number, queue, position: 1 });
const answered = (callId: string, extension: string, waitSec: number | null, queue: string | null = 'reception', number = '79160000000') => (at: number): PbxEvent => ({
  type: 'call.answered',
  at,
  callId,
  number,
  extension,
  queue,
  waitSec,
});
const ended = (callId: string, extension: string | null, talkSec: number | null, queue: string | null = 'reception') => (at: number): PbxEvent => ({
  type: 'call.ended',
  at,
  callId,
  number: '79160000000',
  extension,
  queue,
  answered: talkSec !== null,
  talkSec,
});
const abandoned = (callId: string, waitSec: number, queue = 'reception', number = NUMBER) => (at: number): PbxEvent => ({ type: 'queue.abandoned', at, callId, number, queue, position: 1, waitSec });
const left = (callId: string, reason: 'answered' | 'abandoned', queue = 'reception') => (at: number): PbxEvent => ({ type: 'queue.left', at, callId, number: '79160000000', queue, reason });
const status = (extension: string, state: QueueAgent['state'], pauseReason: string | null = null) => (at: number): PbxEvent => ({ type: 'agent.status', at, extension, state, pauseReason });

/**
 * A morning at the reception queue: c1 answered by 101 after 10 s (within the 20 s SLA), talks
 * 60 s, 30 s of after-call work; c2 gives up after 30 s; c3 answered by 102 after 40 s, talks
 * 40 s, no after-call work; a direct call answered by 103; c4 waits in «Справочная».
 */
function morning(w: ReturnType<typeof world>) {
  w.at(0, joined('c1'));
  w.at(5, joined('c2'));
  w.at(10, answered('c1', '101', 10), left('c1', 'answered'));
  w.at(20, joined('c3'));
  w.at(35, abandoned('c2', 30), left('c2', 'abandoned'));
  w.at(60, answered('c3', '102', 40), left('c3', 'answered'));
  w.at(70, ended('c1', '101', 60), status('101', 'wrap-up'));
  w.at(100, status('101', 'ready'), ended('c3', '102', 40), status('102', 'ready'));
  w.at(110, joined('c4', 'info'));
  w.at(115, answered('d1', '103', null, null));
}

describe('SupervisorService: only a supervisor desk', () => {
  for (const role of ['operator', 'cashier'] as const) {
    it(`a ${role} desk is refused FORBIDDEN on every supervisor request, naming the role; it pushes and counts nothing`, async () => {
      const w = world();
      const desk = await openDesk(w.board, w.clock, { extension: '101', name: 'Иванова Анна', role });
      await w.settle();
      const requests: [keyof typeof desk.handlers, unknown][] = [
        ['supervisor.board', {}],
        ['supervisor.monitor', { extension: '102', mode: 'listen' }],
        ['supervisor.stopMonitor', {}],
        ['supervisor.transfer', { extension: '102', target: '103', misId: null, note: '' }],
        ['supervisor.setAgentStatus', { extension: '102', state: 'ready' }],
        ['supervisor.reassignCallback', { id: NUMBER, extension: '102' }],
        ['supervisor.setThresholds', { slaTargetPercent: 50 }],
      ];
      for (const [name, input] of requests) {
        const handler = desk.handlers[name] as (input: unknown, ctx: typeof context) => unknown;
        await expect(Promise.resolve().then(() => handler(input, context)), name).rejects.toMatchObject({ code: 'FORBIDDEN', message: expect.stringMatching(new RegExp(`supervisor.*${role}`)) });
      }
      morning(w);
      await w.settle();
      w.clock.advance(5_000);
      expect(desk.pushes).toEqual([]);
      expect(desk.rows()).toEqual([]);
      // Only the worklist's own record went out (the abandoned call), nothing of the supervisor's.
      expect(w.board.commands.filter((line) => !line.startsWith('publish cb/'))).toEqual([]);
      expect(desk.settings.supervisor.slaTargetPercent).toBe(80);
    });
  }

  it('a desk made supervisor in the settings starts counting and pushing at once; made operator again, it stops', async () => {
    const w = world();
    const desk = await supervisorDesk(w, { role: 'operator' });
    await w.settle();
    desk.settings.role = 'supervisor';
    desk.supervisor.settingsChanged();
    await w.settle();
    expect(desk.pushes.length).toBeGreaterThan(0);
    w.at(1, joined('c1'));
    await w.settle();
    expect(desk.lastPush().total.offered).toBe(1);
    desk.settings.role = 'operator';
    desk.supervisor.settingsChanged();
    const pushed = desk.pushes.length;
    w.at(2, joined('c2'));
    await w.settle();
    expect(desk.pushes).toHaveLength(pushed);
  });
});

describe('SupervisorService: figures from the PBX events', () => {
  it('counts offered / answered / abandoned / SLA / true means / longest, per queue and in total, per clinic hour', async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    morning(w);
    await w.settle();
    const board = desk.board();
    expect(board).toMatchObject({ live: true, connector: 'fake', day: DAY, slaSeconds: 20, supervisorExtension: '9000' });
    const reception = board.queues.find((q) => q.queue === 'reception')!;
    expect(reception).toMatchObject({ name: 'Регистратура', offered: 3, answered: 2, abandoned: 1, answeredWithinSla: 1, avgWaitSec: 25, avgTalkSec: 50, longestWaitTodaySec: 40, waitingNow: 0 });
    expect(reception.slaPercent).toBeCloseTo(100 / 3, 6);
    expect(board.queues.find((q) => q.queue === 'info')).toMatchObject({ name: 'Справочная', offered: 1, answered: 0, waitingNow: 1, longestWaitNowSec: 5, slaPercent: null, avgWaitSec: null });
    expect(board.total).toMatchObject({ queue: null, offered: 4, answered: 2, abandoned: 1, answeredWithinSla: 1, waitingNow: 1, longestWaitNowSec: 5, longestWaitTodaySec: 40 });
    // 10:00 in Moscow: the clinic's hour, whatever the machine's zone.
    expect(board.hourly[10]).toEqual({ hour: 10, answered: 2, abandoned: 1 });
    expect(board.hourly.filter((bucket) => bucket.answered + bucket.abandoned > 0)).toHaveLength(1);
    // The same, pushed.
    expect(desk.lastPush().total).toEqual(board.total);
  });

  it("each agent's calls answered today and the mean of talk + after-call work; who is logged in and available, as QueueSummary counts them", async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    morning(w);
    await w.settle();
    const agents = new Map(desk.board().agents.map((a) => [a.extension, a]));
    // 101: 60 s talk + 30 s wrap-up; 102: 40 s talk and ready at once; 103: a direct call still running.
    expect(agents.get('101')).toMatchObject({ handledToday: 1, avgHandleSec: 90, state: 'ready' });
    expect(agents.get('102')).toMatchObject({ handledToday: 1, avgHandleSec: 40 });
    expect(agents.get('103')).toMatchObject({ handledToday: 1, avgHandleSec: null, state: 'talking', call: { callId: 'd1', queue: null, since: T0 + 115_000 } });
    expect(agents.get('104')).toMatchObject({ handledToday: 0, avgHandleSec: null, state: 'paused', pauseReason: 'Обед' });
    w.at(200, ended('d1', '103', 85, null), status('103', 'wrap-up'));
    w.at(215, answered('d2', '103', null, null));
    await w.settle();
    // A next call ends the after-call work of the one before: 85 s + 15 s.
    expect(desk.board().agents.find((a) => a.extension === '103')).toMatchObject({ handledToday: 2, avgHandleSec: 100 });
    const board = desk.board();
    // reception: 101, 102, 103 ready or talking, 105 offline; info: 104 paused, 105 offline.
    expect(board.queues.find((q) => q.queue === 'reception')).toMatchObject({ agentsLoggedIn: 3, agentsAvailable: 2 });
    expect(board.queues.find((q) => q.queue === 'info')).toMatchObject({ agentsLoggedIn: 1, agentsAvailable: 0 });
    expect(board.total).toMatchObject({ agentsLoggedIn: 4, agentsAvailable: 2 });
  });

  it('samples the callers waiting (all queues), one sample a minute holding its peak', async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    morning(w);
    w.at(130, joined('c5', 'info'));
    w.at(185);
    await w.settle();
    // Each minute holds its peak: c2 and c3 waited together in the first, c4 and c5 in the third.
    expect(desk.board().waiting).toEqual([
      { at: T0, waiting: 2 },
      { at: T0 + 60_000, waiting: 1 },
      { at: T0 + 120_000, waiting: 2 },
      { at: T0 + 180_000, waiting: 2 },
    ]);
    // A burst inside the minute is kept: the minute holds its peak.
    w.at(190, joined('c6', 'info'));
    await w.settle();
    expect(desk.board().waiting.at(-1)).toEqual({ at: T0 + 180_000, waiting: 3 });
  });

  it('a pause past 10 and 20 minutes turns amber and red, pushed when it happens with no event; after-call work past 60 and 180 s too', async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    w.at(30, status('102', 'paused', 'Документы'));
    await w.settle();
    expect(desk.lastPush().agents.find((a) => a.extension === '102')).toMatchObject({ state: 'paused', level: 'ok', since: T0 + 30_000 });
    // Just past 10 minutes: before the next minute's sample, a push says amber.
    w.at(30 + 600);
    await w.settle();
    expect(w.clock.now()).toBeLessThan(T0 + 660_000);
    expect(desk.lastPush().agents.find((a) => a.extension === '102')!.level).toBe('amber');
    w.at(30 + 1_200);
    await w.settle();
    expect(desk.lastPush().agents.find((a) => a.extension === '102')!.level).toBe('red');
    // 104 has been paused since T0 (the snapshot): red too; 101 ready: ok.
    expect(desk.lastPush().agents.find((a) => a.extension === '104')!.level).toBe('red');
    expect(desk.lastPush().agents.find((a) => a.extension === '101')!.level).toBe('ok');
    w.at(1_300, status('101', 'wrap-up'));
    w.at(1_300 + 61);
    await w.settle();
    expect(desk.lastPush().agents.find((a) => a.extension === '101')!.level).toBe('amber');
    w.at(1_300 + 181);
    await w.settle();
    expect(desk.lastPush().agents.find((a) => a.extension === '101')!.level).toBe('red');
  });

  it('alerts from the thresholds: callers waiting per queue and in total, the longest wait, the SLA below target, each with when it began; 0 turns one off', async () => {
    const w = world();
    const desk = await supervisorDesk(w, { settings: (s) => Object.assign(s.supervisor, { alertWaitingCallers: 2, alertLongestWaitSeconds: 60, slaTargetPercent: 80 }) });
    await w.settle();
    morning(w);
    w.at(130, joined('c5', 'info'));
    await w.settle();
    let alerts = desk.lastPush().alerts;
    expect(alerts).toEqual(
      expect.arrayContaining([
        { kind: 'waitingCallers', queue: 'info', value: 2, threshold: 2, since: expect.any(Number) },
        { kind: 'waitingCallers', queue: null, value: 2, threshold: 2, since: expect.any(Number) },
        { kind: 'slaBelowTarget', queue: 'reception', value: 100 / 3, threshold: 80, since: expect.any(Number) },
        { kind: 'slaBelowTarget', queue: null, value: 100 / 3, threshold: 80, since: expect.any(Number) },
      ]),
    );
    expect(alerts.find((a) => a.kind === 'waitingCallers' && a.queue === 'info')!.since).toBeGreaterThanOrEqual(T0 + 130_000);
    expect(alerts.some((a) => a.kind === 'longestWait')).toBe(false);
    // c4 joined at 110 s: its wait reaches 60 s at 170 s, and a push says so then, with no event.
    w.at(171);
    await w.settle();
    alerts = desk.lastPush().alerts;
    expect(alerts.find((a) => a.kind === 'longestWait')).toEqual({ kind: 'longestWait', queue: 'info', value: 60, threshold: 60, since: T0 + 170_000 });
    const waitingSince = alerts.find((a) => a.kind === 'waitingCallers' && a.queue === 'info')!.since;
    // While it holds, an alert keeps its start; when it stops, it is gone (c5 has waited 50 s).
    w.at(175);
    await w.settle();
    // (Pushed on changes only: asked for, the board has the wait as of now.)
    expect(desk.board().alerts.find((a) => a.kind === 'longestWait')).toMatchObject({ value: 65, since: T0 + 170_000 });
    w.at(180, answered('c4', '101', 70, 'info'), left('c4', 'answered', 'info'));
    await w.settle();
    alerts = desk.lastPush().alerts;
    expect(alerts.some((a) => a.kind === 'waitingCallers' || a.kind === 'longestWait')).toBe(false);
    // c5 (joined at 130 s) reaches 60 s at 190 s: a new alert from then.
    w.at(191);
    await w.settle();
    expect(desk.lastPush().alerts.find((a) => a.kind === 'longestWait')).toMatchObject({ queue: 'info', since: T0 + 190_000 });
    w.at(200, joined('c6', 'info'));
    await w.settle();
    expect(desk.lastPush().alerts.find((a) => a.kind === 'waitingCallers' && a.queue === 'info')!.since).toBeGreaterThan(waitingSince);
    // Thresholds at 0: off.
    await desk.handlers['supervisor.setThresholds']({ alertWaitingCallers: 0, alertLongestWaitSeconds: 0, slaTargetPercent: 0 }, context);
    await w.settle();
    expect(desk.lastPush().alerts).toEqual([]);
    expect(desk.lastPush().thresholds).toMatchObject({ alertWaitingCallers: 0, alertLongestWaitSeconds: 0, slaTargetPercent: 0 });
  });

  it('the worklist: tasks started today, closed within the SLA, open and overdue; overdue callbacks claimed by each agent', async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    const operator = await openDesk(w.board, w.clock, { extension: '101', name: 'Иванова Анна' });
    await w.settle();
    w.at(10, abandoned('a1', 20, 'reception', NUMBER));
    w.at(20, abandoned('a2', 20, 'reception', '+79169990000'));
    await w.settle();
    operator.callbacks.claim(taskId(NUMBER));
    await w.settle();
    // Both still inside their SLA: neither in time nor late yet.
    expect(desk.lastPush().callbacks).toEqual({ slaMinutes: 15, tasksToday: 2, closedWithinSla: 0, closed: 0, open: 2, overdue: 0, percentWithinSla: null });
    // The second patient gets through 5 minutes later: closed within the SLA.
    w.at(320, answered('x1', '102', 3, 'reception', '+79169990000'));
    await w.settle();
    expect(desk.lastPush().callbacks).toMatchObject({ tasksToday: 2, closedWithinSla: 1, closed: 1, open: 1, overdue: 0, percentWithinSla: 100 });
    // 15 minutes after the first call the claimed one falls due: pushed then, on 101's row too.
    w.at(10 + 15 * 60);
    await w.settle();
    // Now both are decided: one in time, one late → 50 %.
    expect(desk.lastPush().callbacks).toMatchObject({ open: 1, overdue: 1, percentWithinSla: 50 });
    expect(desk.lastPush().agents.find((a) => a.extension === '101')!.overdueCallbacks).toBe(1);
    expect(desk.lastPush().agents.find((a) => a.extension === '102')!.overdueCallbacks).toBe(0);
  });

  it("the caller's name as supervisor.patientNames allows: initials by default, in full, or none", async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    w.at(5, answered('c1', '101', 2, 'reception', NUMBER));
    await w.settle();
    const nameOn101 = () => desk.board().agents.find((a) => a.extension === '101')!.call!.patientName;
    expect(nameOn101()).toBe('Иванова А. П.');
    desk.settings.supervisor.patientNames = 'full';
    expect(nameOn101()).toBe('Иванова Анна Петровна');
    desk.settings.supervisor.patientNames = 'none';
    expect(nameOn101()).toBeNull();
  });
});

describe('SupervisorService: today survives a restart and ends at the clinic midnight', () => {
  it("a restarted supervisor desk shows the day it had: queues, hours, samples, agents, categories from journal.db", async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    morning(w);
    desk.supervisor.onWrapUpSaved({ callId: 'c1', category: 'Запись на приём', savedAt: w.clock.now() });
    w.at(125);
    await w.settle();
    const before = desk.board();
    const dataDir = desk.dataDir;
    await desk.stop();
    // The PBX forgets nothing here, but its snapshot carries no counters: only journal.db can bring the day back.
    const again = await supervisorDesk(w, { dataDir });
    await w.settle();
    const after = again.board();
    // Today's counts come back; who waits and who is logged in now is the PBX's snapshot's to say.
    const counts = (kpi: SupervisorBoard['total']) => {
      const { waitingNow: _w, longestWaitNowSec: _l, longestWaitingSince: _s, agentsLoggedIn: _i, agentsAvailable: _a, ...rest } = kpi;
      return rest;
    };
    expect(after.queues.map(counts)).toEqual(before.queues.map(counts));
    expect(counts(after.total)).toEqual(counts(before.total));
    expect(after.total).toMatchObject({ offered: 4, answered: 2, abandoned: 1 });
    expect(after.hourly).toEqual(before.hourly);
    expect(after.categories).toEqual([{ category: 'Запись на приём', count: 1 }]);
    expect(after.waiting.slice(0, before.waiting.length)).toEqual(before.waiting);
    expect(after.agents.map((a) => [a.extension, a.handledToday, a.avgHandleSec])).toEqual(before.agents.map((a) => [a.extension, a.handledToday, a.avgHandleSec]));
    expect(new Set(again.rows().map((row) => row.kind))).toEqual(new Set(['queue', 'hour', 'sample', 'agent', 'wrapup']));
  });

  it("resets at the clinic's midnight in its own zone (Yekaterinburg, UTC+5), keeping yesterday's rows", async () => {
    // 23:58 in Yekaterinburg.
    const start = Date.UTC(2026, 10, 30, 18, 58, 0);
    const w = world(start);
    const desk = await supervisorDesk(w, { settings: (s) => (s.schedule.timeZone = 'Asia/Yekaterinburg') });
    await w.settle();
    const sec = (s: number) => (start - T0) / 1000 + s;
    w.at(sec(10), joined('n1'));
    w.at(sec(20), abandoned('n1', 10));
    await w.settle();
    expect(desk.board()).toMatchObject({ day: DAY, total: { offered: 1, abandoned: 1 } });
    expect(desk.board().hourly[23]).toEqual({ hour: 23, answered: 0, abandoned: 1 });
    // Midnight in Yekaterinburg (19:00 UTC), with no event: a push of the new day, from nothing.
    w.clock.advance(Date.UTC(2026, 10, 30, 19, 0, 0) - w.clock.now() + 10);
    await w.settle();
    expect(desk.lastPush()).toMatchObject({ day: '2026-12-01', total: { offered: 0, abandoned: 0 }, categories: [] });
    expect(desk.lastPush().hourly.every((bucket) => bucket.answered + bucket.abandoned === 0)).toBe(true);
    expect(desk.lastPush().waiting.every((sample) => sample.at >= Date.UTC(2026, 10, 30, 19, 0, 0))).toBe(true);
    w.at(sec(180), joined('n2'));
    await w.settle();
    expect(desk.board().total.offered).toBe(1);
    // Yesterday's rows are still in journal.db, keyed by their day.
    await desk.stop();
    const again = await supervisorDesk(w, { dataDir: desk.dataDir, settings: (s) => (s.schedule.timeZone = 'Asia/Yekaterinburg') });
    expect(new Set(again.rows().map((row) => row.day))).toEqual(new Set([DAY, '2026-12-01']));
    expect(again.board()).toMatchObject({ day: '2026-12-01', total: { offered: 1 } });
  });

  it("after a (re)connect the PBX's own day totals are taken where they are higher (calls missed while the desk was off); lower ones change nothing", async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    morning(w);
    await w.settle();
    // While the desk's link was down the PBX answered 3 more and lost 1 more at reception.
    w.board.snapshot = {
      ...w.board.snapshot,
      at: w.clock.now(),
      counters: [
        { queue: 'reception', offered: 7, answered: 5, abandoned: 2, answeredWithinSla: 3, waitSecTotal: 80, longestWaitSec: 45, talks: 5, talkSecTotal: 300 },
        { queue: 'info', offered: 0, answered: 0, abandoned: 0, answeredWithinSla: 0, waitSecTotal: 0, longestWaitSec: 0, talks: 0, talkSecTotal: 0 },
      ],
    };
    w.board.dropAll();
    await w.settle();
    w.clock.advance(30_000);
    await w.settle();
    expect(desk.pbx.view().live).toBe(true);
    const board = desk.board();
    expect(board.queues.find((q) => q.queue === 'reception')).toMatchObject({ offered: 7, answered: 5, abandoned: 2, answeredWithinSla: 3, avgWaitSec: 16, avgTalkSec: 60, longestWaitTodaySec: 45 });
    // info's PBX totals are lower than ours (the PBX restarted its counters): ours stay.
    expect(board.queues.find((q) => q.queue === 'info')).toMatchObject({ offered: 1 });
    expect(desk.logs.some((r) => r.event === 'supervisor.pbx-totals-taken')).toBe(true);
  });
});

describe('SupervisorService: wrap-ups from every desk', () => {
  it('counts each desk\'s wrap-up once by its shared key: its own, the operators\', echoes and repeats; two desks wrapping up one PBX call count twice', async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    const a = await openDesk(w.board, w.clock, { extension: '101', name: 'Иванова Анна' });
    const b = await openDesk(w.board, w.clock, { extension: '102', name: 'Петров Олег' });
    await w.settle();
    a.supervisor.onWrapUpSaved({ callId: 'pbx-1', category: 'Запись на приём', savedAt: w.clock.now() });
    b.supervisor.onWrapUpSaved({ callId: 'pbx-1', category: 'Справочная информация (результаты, справки, цены)', savedAt: w.clock.now() });
    // The same desk saving the same call again (a retried request) is one wrap-up.
    a.supervisor.onWrapUpSaved({ callId: 'pbx-1', category: 'Запись на приём', savedAt: w.clock.now() });
    desk.supervisor.onWrapUpSaved({ callId: 'sip-9', category: 'Запись на приём', savedAt: w.clock.now() });
    await w.settle();
    const published = w.board.commands.filter((line) => line.startsWith('publish wu/'));
    expect(published).toHaveLength(4);
    for (const line of published) expect(line).toMatch(/^publish wu\/20261130\/[0-9a-f]{20}$/);
    // Repeats of a record already counted.
    const [key, value] = [...w.board.records].find(([k]) => k.startsWith('wu/'))!;
    w.board.inject(key, value);
    await w.settle();
    expect(desk.board().categories).toEqual([
      { category: 'Запись на приём', count: 2 },
      { category: 'Справочная информация (результаты, справки, цены)', count: 1 },
    ]);
    // Operators' desks do not count.
    expect(a.rows()).toEqual([]);
  });

  it("refuses a wrap-up record that is not one (a bad key or a category that is not a line) with a log naming lengths only; another day's key is not today's", async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    w.board.inject('wu/20261130/abc', 'Запись\nна приём');
    w.board.inject('wu/2026-11-30/abc', 'Запись');
    w.board.inject('wu/20261130/ok', 'x'.repeat(81));
    w.board.inject('wu/20261129/yesterday', 'Запись на приём');
    await w.settle();
    expect(desk.board().categories).toEqual([]);
    const refused = desk.logs.filter((r) => r.event === 'supervisor.wrap-up-refused');
    expect(refused).toHaveLength(3);
    expect(JSON.stringify(refused)).not.toContain('Запись');
  });

  it('a supervisor desk that starts later takes in the wrap-ups of the day from the shared record; a wrap-up saved while the link was down goes out when it is back', async () => {
    const w = world();
    const a = await openDesk(w.board, w.clock, { extension: '101', name: 'Иванова Анна', random: 0.5 });
    await w.settle();
    a.supervisor.onWrapUpSaved({ callId: 'pbx-1', category: 'Запись на приём', savedAt: w.clock.now() });
    await w.settle();
    const desk = await supervisorDesk(w, { random: 0.5 });
    await w.settle();
    expect(desk.board().categories).toEqual([{ category: 'Запись на приём', count: 1 }]);
    w.board.down = true;
    w.board.dropAll();
    await w.settle();
    a.supervisor.onWrapUpSaved({ callId: 'pbx-2', category: 'Отмена записи', savedAt: w.clock.now() });
    await w.settle();
    expect(desk.board().categories).toHaveLength(1);
    expect(w.board.records.size).toBe(1);
    w.board.down = false;
    w.clock.advance(30_000);
    await w.settle();
    expect(desk.board().categories).toEqual([
      { category: 'Запись на приём', count: 1 },
      { category: 'Отмена записи', count: 1 },
    ]);
  });
});

describe('SupervisorService: housekeeping on the PBX', () => {
  it("a supervisor desk removes the wrap-up records of the week before today from the shared record after a connect; today's stay", async () => {
    const w = world();
    const desk = await supervisorDesk(w, { random: 0.5 });
    await w.settle();
    const compact = (day: string) => day.replaceAll('-', '');
    const today = desk.board().day;
    for (const back of [0, 1, 7, 8]) w.board.records.set(`wu/${compact(addDays(today, -back))}/k${back}`, 'Запись на приём');
    w.board.dropAll();
    await w.settle();
    w.clock.advance(30_000);
    await w.settle();
    expect(desk.pbx.view().live).toBe(true);
    const kept = [...w.board.records.keys()].filter((key) => key.startsWith('wu/')).sort();
    // Today's and the one past the week stay (eight days back is beyond what a desk sweeps).
    expect(kept).toEqual([`wu/${compact(addDays(today, -8))}/k8`, `wu/${compact(today)}/k0`].sort());
    expect(w.board.removedTrees).toContain(`wu/${compact(addDays(today, -1))}`);
  });
});

describe('SupervisorService: monitor', () => {
  async function talking() {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    w.at(5, answered('call-101', '101', 3, 'reception', NUMBER));
    w.at(6, answered('call-102', '102', 3, 'reception', '+79165550000'));
    await w.settle();
    return { w, desk };
  }
  const started = (extension: string, callId: string | null) => (at: number): PbxEvent => ({ type: 'monitor.started', at, supervisorExtension: '9000', extension, callId });
  const stopped = (extension: string) => (at: number): PbxEvent => ({ type: 'monitor.stopped', at, supervisorExtension: '9000', extension });

  it('listen → connecting, active once the PBX says the spy started; the same agent switches the mode; another agent stops the first session first; the PBX ending it clears it', async () => {
    const { w, desk } = await talking();
    await desk.handlers['supervisor.monitor']({ extension: '101', mode: 'listen' }, context);
    await w.settle();
    expect(w.board.commands).toEqual(['monitor 9000 101 listen']);
    expect(desk.lastPush().monitor).toMatchObject({ state: 'connecting', mode: 'listen', supervisorExtension: '9000', agent: { extension: '101', name: 'Иванова Анна' }, callId: 'call-101', number: NUMBER });
    expect(desk.lastPush().agents.find((a) => a.extension === '101')!.monitoredBy).toEqual({ extension: '9000', mode: 'listen' });
    w.at(20, started('101', 'call-101'));
    await w.settle();
    expect(desk.lastPush().monitor).toMatchObject({ state: 'active', mode: 'listen', since: T0 + 20_000 });
    // Whisper on the same agent: the running session switches (no second Originate).
    await desk.handlers['supervisor.monitor']({ extension: '101', mode: 'whisper' }, context);
    await desk.handlers['supervisor.monitor']({ extension: '101', mode: 'whisper' }, context);
    await w.settle();
    expect(w.board.commands).toEqual(['monitor 9000 101 listen', 'monitorMode 9000 whisper']);
    expect(desk.lastPush().monitor).toMatchObject({ state: 'active', mode: 'whisper' });
    // Barge on another agent: the first session is ended first.
    await desk.handlers['supervisor.monitor']({ extension: '102', mode: 'barge' }, context);
    await w.settle();
    expect(w.board.commands.slice(2)).toEqual(['stopMonitor 9000', 'monitor 9000 102 barge']);
    expect(desk.lastPush().monitor).toMatchObject({ state: 'connecting', mode: 'barge', agent: { extension: '102' }, callId: 'call-102' });
    expect(desk.lastPush().agents.find((a) => a.extension === '101')!.monitoredBy).toBeNull();
    w.at(30, started('102', 'call-102'));
    w.at(40, stopped('102'));
    await w.settle();
    expect(desk.lastPush().monitor).toBeNull();
    // Each action audited, with the agent and the mode, never a number.
    expect(desk.audit().map((e) => [e.actor, e.action, e.callId, e.reason])).toEqual([
      ['supervisor:9000', 'supervisor.listen', 'call-101', 'agent 101, mode listen'],
      ['supervisor:9000', 'supervisor.whisper', 'call-101', 'agent 101, mode whisper'],
      ['supervisor:9000', 'supervisor.whisper', 'call-101', 'agent 101, mode whisper'],
      ['supervisor:9000', 'supervisor.barge', 'call-102', 'agent 102, mode barge'],
    ]);
  });

  it('a spy that cannot switch in place (a feature code without DTMF switching) is started again in the new mode', async () => {
    const { w, desk } = await talking();
    await desk.handlers['supervisor.monitor']({ extension: '101', mode: 'listen' }, context);
    w.at(20, started('101', 'call-101'));
    await w.settle();
    w.board.refuse.set('monitorMode', new PbxError('refused', 'the spy on 9000 was started by a feature code without DTMF switching'));
    await desk.handlers['supervisor.monitor']({ extension: '101', mode: 'barge' }, context);
    await w.settle();
    expect(w.board.commands).toEqual(['monitor 9000 101 listen', 'stopMonitor 9000', 'monitor 9000 101 barge']);
    expect(desk.lastPush().monitor).toMatchObject({ state: 'connecting', mode: 'barge', agent: { extension: '101' } });
  });

  it('stop hangs up the spy and is audited; the end of the agent\'s call and 30 s without a start end a session too', async () => {
    const { w, desk } = await talking();
    await desk.handlers['supervisor.monitor']({ extension: '101', mode: 'listen' }, context);
    w.at(8, started('101', 'call-101'));
    await desk.handlers['supervisor.stopMonitor']({}, context);
    await w.settle();
    expect(w.board.commands).toEqual(['monitor 9000 101 listen', 'stopMonitor 9000']);
    expect(desk.lastPush().monitor).toBeNull();
    // Nothing running: stop is fine and sends nothing.
    await desk.handlers['supervisor.stopMonitor']({}, context);
    expect(w.board.commands).toHaveLength(2);
    await desk.handlers['supervisor.monitor']({ extension: '102', mode: 'listen' }, context);
    w.at(12, ended('call-102', '102', 6));
    await w.settle();
    expect(desk.lastPush().monitor).toBeNull();
    await desk.handlers['supervisor.monitor']({ extension: '101', mode: 'barge' }, context);
    await w.settle();
    expect(desk.lastPush().monitor).toMatchObject({ state: 'connecting' });
    w.clock.advance(MONITOR_CONNECT_TIMEOUT_MS);
    await w.settle();
    expect(desk.lastPush().monitor).toBeNull();
    expect(desk.logs.some((r) => r.event === 'supervisor.monitor-not-started')).toBe(true);
    expect(desk.audit().map((e) => e.action)).toEqual(['supervisor.listen', 'supervisor.stop', 'supervisor.listen', 'supervisor.barge']);
  });

  it('refuses clearly: an agent with no call, one not on the board, a desk with no extension of its own, a PBX that refuses', async () => {
    const { w, desk } = await talking();
    await expect(desk.handlers['supervisor.monitor']({ extension: '103', mode: 'listen' }, context)).rejects.toMatchObject({ code: 'PBX_REFUSED', message: expect.stringContaining('103 has no call') });
    await expect(desk.handlers['supervisor.monitor']({ extension: '999', mode: 'listen' }, context)).rejects.toMatchObject({ code: 'PBX_REFUSED', message: expect.stringContaining('999 is not on the queue board') });
    w.board.refuse.set('monitor', new PbxError('refused', 'Originate failed'));
    await expect(desk.handlers['supervisor.monitor']({ extension: '101', mode: 'listen' }, context)).rejects.toMatchObject({ code: 'PBX_REFUSED', message: 'Originate failed' });
    expect(desk.board().monitor).toBeNull();
    desk.settings.agent = { extension: '', name: '' };
    desk.pbx.settingsChanged();
    await w.settle();
    await expect(desk.handlers['supervisor.monitor']({ extension: '101', mode: 'listen' }, context)).rejects.toMatchObject({ code: 'PBX_UNAVAILABLE', message: expect.stringContaining('agent.extension') });
    expect(desk.audit()).toEqual([]);
  });
});

describe('SupervisorService: transfer with context', () => {
  it("publishes the context for the target's desk first, then transfers blind; the target's desk keeps it for its pop for 2 minutes", async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    const target = await openDesk(w.board, w.clock, { extension: '102', name: 'Петров Олег' });
    const other = await openDesk(w.board, w.clock, { extension: '103', name: 'Сидорова Мария' });
    await w.settle();
    w.at(5, answered('call-1', '101', 3, 'reception', NUMBER));
    await w.settle();
    const sentAt = w.clock.now();
    await desk.handlers['supervisor.transfer']({ extension: '101', target: '102', misId: 'P-42', note: 'Вопрос по ДМС' }, context);
    await w.settle();
    expect(w.board.commands).toEqual(['publish tx/79161234567', 'transfer 101 102 blind']);
    const expected: TransferContext = { number: NUMBER, misId: 'P-42', note: 'Вопрос по ДМС', from: { extension: '9000', name: 'Смирнова Елена' }, to: '102', at: sentAt };
    // Found by the number in whatever form the target's phone gives it.
    expect(target.supervisor.transferFor('89161234567')).toEqual(expected);
    expect(target.supervisor.transferFor(NUMBER)).toEqual(expected);
    expect(target.supervisor.transferFor('+79160000000')).toBeNull();
    expect(other.supervisor.transferFor(NUMBER)).toBeNull();
    expect(desk.audit()).toEqual([{ actor: 'supervisor:9000', action: 'supervisor.transfer', misId: 'P-42', callId: 'call-1', reason: 'agent 101 to 102' }]);
    w.clock.advance(2 * 60_000);
    await w.settle();
    expect(target.supervisor.transferFor(NUMBER)).toBeNull();
    // The supervisor's desk removes the record once its time is over.
    expect(w.board.commands.at(-1)).toBe('remove tx/79161234567');
  });

  it('refuses a target that is not a ready agent on the board, and sends nothing', async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    w.at(5, answered('call-1', '101', 3, 'reception', NUMBER));
    await w.settle();
    for (const [target, why] of [
      ['104', '104 is paused'],
      ['105', '105 is offline'],
      ['777', '777 is not on the queue board'],
      ['101', 'already with agent 101'],
    ]) {
      await expect(desk.handlers['supervisor.transfer']({ extension: '101', target: target!, misId: null, note: '' }, context)).rejects.toMatchObject({ code: 'PBX_REFUSED', message: expect.stringContaining(why!) });
    }
    await expect(desk.handlers['supervisor.transfer']({ extension: '102', target: '103', misId: null, note: '' }, context)).rejects.toMatchObject({ code: 'PBX_REFUSED', message: expect.stringContaining('102 has no call') });
    expect(w.board.commands).toEqual([]);
  });

  it("drops a context that is not valid JSON or not a context, with a warning that carries no value", async () => {
    const w = world();
    const target = await openDesk(w.board, w.clock, { extension: '102', name: 'Петров Олег' });
    await w.settle();
    w.board.inject('tx/79161234567', '{"number":"+79161234567","note":"секрет"');
    w.board.inject('tx/79161234567', JSON.stringify({ number: NUMBER, misId: null, note: 'секрет', from: { extension: '9000', name: 'x' }, to: '102', at: -1 }));
    await w.settle();
    expect(target.supervisor.transferFor(NUMBER)).toBeNull();
    const refused = target.logs.filter((r) => r.event === 'supervisor.transfer-context-refused');
    expect(refused).toHaveLength(2);
    expect(JSON.stringify(target.logs)).not.toContain('секрет');
    expect(JSON.stringify(target.logs)).not.toContain('9161234567');
  });
});

describe('SupervisorService: pause, callbacks, thresholds', () => {
  it('pauses and unpauses another agent on the PBX, audited with the agent and the reason', async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await w.settle();
    await desk.handlers['supervisor.setAgentStatus']({ extension: '102', state: 'paused', reason: 'Обучение' }, context);
    await desk.handlers['supervisor.setAgentStatus']({ extension: '104', state: 'ready' }, context);
    expect(w.board.commands).toEqual(['pause 102 Обучение', 'unpause 104']);
    expect(desk.audit().map((e) => [e.action, e.reason])).toEqual([
      ['supervisor.pause', 'agent 102, reason Обучение'],
      ['supervisor.unpause', 'agent 104'],
    ]);
    await expect(desk.handlers['supervisor.setAgentStatus']({ extension: '888', state: 'ready' }, context)).rejects.toMatchObject({ code: 'PBX_REFUSED' });
  });

  it("hands a callback to another operator: claimed in their name on every desk, audited without the patient's number", async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    const a = await openDesk(w.board, w.clock, { extension: '101', name: 'Иванова Анна' });
    const b = await openDesk(w.board, w.clock, { extension: '102', name: 'Петров Олег' });
    await w.settle();
    w.at(10, abandoned('a1', 20));
    await w.settle();
    a.callbacks.claim(taskId(NUMBER));
    await w.settle();
    await desk.handlers['supervisor.reassignCallback']({ id: taskId(NUMBER), extension: '102' }, context);
    await w.settle();
    for (const d of [desk, a, b]) expect(d.callbacks.list().tasks[0]).toMatchObject({ state: 'claimed', claimedBy: { extension: '102', name: 'Петров Олег' } });
    expect(b.callbacks.list().tasks[0]!.mine).toBe(true);
    expect(() => a.callbacks.complete(taskId(NUMBER), 'reached')).toThrow(expect.objectContaining({ code: 'CALLBACK_TAKEN' }));
    const [entry] = desk.audit();
    expect(entry).toMatchObject({ actor: 'supervisor:9000', action: 'supervisor.reassign', reason: expect.stringMatching(/^callback [0-9a-f]{12} to agent 102$/) });
    expect(JSON.stringify(desk.audit())).not.toContain('9161234567');
    expect(() => desk.handlers['supervisor.reassignCallback']({ id: taskId(NUMBER), extension: '555' }, context)).toThrow(expect.objectContaining({ code: 'PBX_REFUSED' }));
    expect(() => desk.handlers['supervisor.reassignCallback']({ id: '+70000000000', extension: '102' }, context)).toThrow(expect.objectContaining({ code: 'CALLBACK_NOT_FOUND' }));
  });

  it('thresholds are saved in the settings and pushed; provisioned ones are refused SETTINGS_MANAGED', async () => {
    const w = world();
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-supervisor-'));
    const logger = createLogger([]);
    const service = new SettingsService(new MemorySettingsStorage(), new KeyFileSecretStore(join(dataDir, 'secrets'), logger), logger, { supervisor: { slaTargetPercent: 90 } });
    const desk = await supervisorDesk(w, { dataDir, updateSettings: (patch) => void service.update(patch) });
    await desk.handlers['supervisor.setThresholds']({ pauseAmberMinutes: 5 }, context);
    expect(service.settings.supervisor.pauseAmberMinutes).toBe(5);
    await expect(Promise.resolve().then(() => desk.handlers['supervisor.setThresholds']({ slaTargetPercent: 70 }, context))).rejects.toMatchObject({ code: 'SETTINGS_MANAGED', message: expect.stringContaining('supervisor.slaTargetPercent') });
    expect(service.settings.supervisor.slaTargetPercent).toBe(90);
  });
});

describe('SupervisorService: audit and stop', () => {
  it("every action's entry is in the hash chain and the chain verifies", async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    await openDesk(w.board, w.clock, { extension: '102', name: 'Петров Олег' });
    await w.settle();
    w.at(5, answered('call-1', '101', 3, 'reception', NUMBER));
    await w.settle();
    await desk.handlers['supervisor.monitor']({ extension: '101', mode: 'listen' }, context);
    await desk.handlers['supervisor.stopMonitor']({}, context);
    await desk.handlers['supervisor.setAgentStatus']({ extension: '103', state: 'paused', reason: 'Обед' }, context);
    await desk.handlers['supervisor.transfer']({ extension: '101', target: '102', misId: null, note: 'Повторный звонок' }, context);
    expect(desk.audit().map((e) => e.action)).toEqual(['supervisor.listen', 'supervisor.stop', 'supervisor.pause', 'supervisor.transfer']);
    expect(JSON.stringify(desk.audit())).not.toContain('Повторный');
    expect(desk.journal.require('test').audit.verify()).toEqual({ ok: true, checked: 4, firstBrokenSeq: null });
  });

  it('stop leaves no timer behind and writes what was counted', async () => {
    const w = world();
    const desk = await supervisorDesk(w);
    const other = await openDesk(w.board, w.clock, { extension: '102', name: 'Петров Олег' });
    await w.settle();
    w.at(5, answered('call-1', '101', 3, 'reception', NUMBER));
    await desk.handlers['supervisor.monitor']({ extension: '101', mode: 'listen' }, context);
    await desk.handlers['supervisor.transfer']({ extension: '101', target: '102', misId: null, note: '' }, context);
    w.at(6, joined('c9'));
    const { db } = desk.journal.require('test');
    await desk.stop();
    await other.stop();
    expect(w.clock.pending()).toEqual([]);
    expect(db.open).toBe(false);
    const again = await supervisorDesk(w, { dataDir: desk.dataDir });
    expect(again.board().total.offered).toBe(1);
  });
});
