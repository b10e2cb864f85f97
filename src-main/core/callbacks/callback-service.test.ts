import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { CALLBACK_LIST_MAX, CallbackListSchema, type CallbackList, type CallbackTask } from '../../../src-shared/callbacks/callbacks-contract';
import type { PbxSnapshot, QueueAgent } from '../../../src-shared/pbx/pbx-model';
import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/settings/settings-schema';
import { ManualClock } from '../../../src-shared/time/manual-clock';
import { DatabaseKeySource } from '../cache/database-key';
import { PbxError, type PbxConnector, type PbxEvent, type PbxSharedChannel } from '../connectors/pbx/pbx-connector';
import { PbxHostService, type PbxConnectorRegistration } from '../connectors/pbx/pbx-host-service';
import { EventBus } from '../events/event-bus';
import { JournalService } from '../journal/journal-service';
import { createLogger, type LogRecord } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { StatusService } from '../status/status-service';
import { newTask, withStatus } from './callback-record';
import { CallbackService, taskId } from './callback-service';
import { createCallbacksHandlers } from './callbacks-handlers';

const T0 = new Date(2026, 10, 30, 10, 0, 0).getTime();
const NUMBER = '+79161234567';
const ID = taskId(NUMBER);

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

function agent(extension: string, name: string): QueueAgent {
  return { extension, name, state: 'ready', since: T0, pauseReason: null, queues: ['reception'], call: null };
}

const manifest = {
  id: 'fake',
  kind: 'pbx' as const,
  version: '1',
  apiVersion: 1,
  capabilities: ['queues', 'agentStatus', 'shared'] as const,
  configSchema: z.object({}).passthrough(),
};

/**
 * One switchboard several desks connect to: its events reach every connected desk, and its
 * shared channel stores records durably and announces each change to every desk (itself too).
 */
class FakeSwitchboard {
  readonly records = new Map<string, string>();
  readonly published: { key: string; value: string }[] = [];
  readonly connections = new Set<{ emit: (event: PbxEvent) => void }>();
  shares = true;
  snapshot: PbxSnapshot = {
    at: T0,
    queues: [{ id: 'reception', name: 'Регистратура' }],
    callers: [],
    agents: [agent('101', 'Иванова'), agent('102', 'Петров'), agent('103', 'Сидорова')],
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

  registration(): PbxConnectorRegistration {
    return { manifest: manifest as unknown as PbxConnectorRegistration['manifest'], create: () => this.connector() };
  }

  private connector(): PbxConnector {
    const listeners = new Set<(event: PbxEvent) => void>();
    const connection = { emit: (event: PbxEvent) => listeners.forEach((listener) => listener(event)) };
    const announce = (key: string, value: string | null) => queueMicrotask(() => this.emit({ type: 'shared.changed', at: this.clock.now(), key, value }));
    const shared: PbxSharedChannel = {
      publish: async (key, value) => {
        this.published.push({ key, value });
        this.records.set(key, value);
        announce(key, value);
      },
      remove: async (key) => {
        this.records.delete(key);
        announce(key, null);
      },
      list: async (prefix) => [...this.records].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => ({ key, value })),
      removeTree: async (folder) => {
        for (const key of [...this.records.keys()]) if (key.startsWith(`${folder}/`)) this.records.delete(key);
      },
    };
    const ok = async () => undefined;
    return {
      manifest: manifest as unknown as PbxConnector['manifest'],
      shared: this.shares ? shared : null,
      connect: async () => void this.connections.add(connection),
      snapshot: async () => structuredClone(this.snapshot),
      health: async () => ({ state: 'online', latencyMs: 1 }),
      onEvent: (listener) => {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      onDisconnect: () => () => undefined,
      close: async () => void this.connections.delete(connection),
      originate: ok,
      transfer: ok,
      hangup: ok,
      pause: ok,
      unpause: ok,
      monitor: ok,
      monitorMode: ok,
      stopMonitor: ok,
    };
  }
}

const running: { stop(): Promise<void> }[] = [];
afterEach(async () => {
  for (const desk of running.splice(0).reverse()) await desk.stop();
});

/** One desk: its own journal.db in `dataDir`, its PBX host on the shared switchboard, its callback service. */
async function openDesk(board: FakeSwitchboard, clock: ManualClock, options: { extension: string; name: string; dataDir?: string; settings?: (s: Settings) => void; remoteCopiesKept?: number }) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rg-callbacks-'));
  const settings = structuredClone(DEFAULT_SETTINGS);
  settings.connectors.pbx = { id: 'fake', config: {} };
  settings.agent = { extension: options.extension, name: options.name };
  settings.callbacks.slaMinutes = 15;
  options.settings?.(settings);
  const logs: LogRecord[] = [];
  const logger = createLogger([(record) => logs.push(record)], 'debug');
  const events = new EventBus(logger);
  const lists: CallbackList[] = [];
  events.subscribe((name, payload) => {
    if (name === 'callbacks:changed') lists.push(payload as CallbackList);
  });
  const status = new StatusService(() => new Date(clock.now()));
  const secrets = new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([]));
  const journal = new JournalService({ dataDir, keys: new DatabaseKeySource(secrets), logger, status, events, now: () => clock.now() });
  const pbx = new PbxHostService({ settings: () => settings, secret: null, registry: { fake: board.registration() }, status, events, logger, patientNameByNumber: () => null, clock, random: () => 0 });
  let wakes = 0;
  const callbacks = new CallbackService({
    journal,
    pbx,
    events,
    logger,
    settings: () => settings,
    wakeOutbox: () => (wakes += 1),
    clock,
    random: () => 0,
    ...(options.remoteCopiesKept !== undefined && { remoteCopiesKept: options.remoteCopiesKept }),
  });
  journal.start();
  callbacks.start();
  pbx.start();
  await flush();
  let stopped = false;
  const desk = {
    dataDir,
    settings,
    journal,
    pbx,
    callbacks,
    handlers: createCallbacksHandlers(callbacks),
    logs,
    lists,
    wakes: () => wakes,
    task: (id = ID): CallbackTask | undefined => callbacks.list().tasks.find((t) => t.id === id),
    outcomes: () => journal.require('test').outbox.listUndelivered().filter((item) => item.kind === 'callback-outcome'),
    async stop() {
      if (stopped) return;
      stopped = true;
      callbacks.stop();
      await pbx.stop();
      journal.stop();
    },
  };
  running.push(desk);
  return desk;
}

/** Two desks (Иванова at 101, Петров at 102) on one switchboard. */
async function twoDesks(options: { shares?: boolean } = {}) {
  const clock = new ManualClock(T0);
  const board = new FakeSwitchboard(clock);
  board.shares = options.shares ?? true;
  const a = await openDesk(board, clock, { extension: '101', name: 'Иванова' });
  const b = await openDesk(board, clock, { extension: '102', name: 'Петров' });
  /** Lets the publish round-trips and the pushes happen. */
  const settle = async () => {
    for (let i = 0; i < 3; i++) {
      await flush();
      clock.advance(100);
    }
    await flush();
  };
  return { clock, board, a, b, settle };
}

const abandoned = (callId: string, at: number, number = NUMBER): PbxEvent => ({ type: 'queue.abandoned', at, callId, number, queue: 'reception', position: 1, waitSec: 30 });

describe('CallbackService: missed calls become tasks', () => {
  it('an abandoned queue call makes one open task, due slaMinutes after the first call, on every desk', async () => {
    const { board, a, b, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    for (const desk of [a, b]) {
      expect(desk.callbacks.list().tasks).toHaveLength(1);
      expect(desk.task()).toMatchObject({ number: NUMBER, state: 'open', count: 1, reasons: ['abandoned'], lastReason: 'abandoned', queue: 'reception', firstAt: T0 + 1_000, dueAt: T0 + 1_000 + 15 * 60_000, mine: false });
    }
    expect(a.lists.at(-1)).toMatchObject({ slaMinutes: 15, shared: true, tasks: [{ id: ID }] });
  });

  it('a second abandon from the same number counts 2 and keeps the earliest time; the same event twice still counts 1', async () => {
    const { board, a, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    expect(a.task()).toMatchObject({ count: 1 });
    board.emit(abandoned('call-2', T0 + 5_000, '89161234567'));
    await settle();
    expect(a.callbacks.list().tasks).toHaveLength(1);
    expect(a.task()).toMatchObject({ count: 2, firstAt: T0 + 1_000, lastAt: T0 + 5_000 });
    board.emit(abandoned('call-2', T0 + 5_000));
    await settle();
    expect(a.task()).toMatchObject({ count: 2 });
  });

  it('a wrap-up asking for a call back becomes a task with reason requested', async () => {
    const clock = new ManualClock(T0);
    const board = new FakeSwitchboard(clock);
    const a = await openDesk(board, clock, { extension: '101', name: 'Иванова' });
    a.journal.require('test').db.prepare('INSERT INTO callback_requests (call_id, number, mis_id, created_at) VALUES (?, ?, ?, ?)').run('sip-call-7', NUMBER, null, T0 + 2_000);
    a.callbacks.onCallbackRequested();
    expect(a.task()).toMatchObject({ state: 'open', reasons: ['requested'], lastReason: 'requested', firstAt: T0 + 2_000, count: 1 });
    // Asking again (the same request) does not count twice.
    a.callbacks.onCallbackRequested();
    expect(a.task()).toMatchObject({ count: 1 });
  });

  it('a booking the MIS refused (slot taken) puts the patient on the worklist with reason bookingRejected, once', async () => {
    const clock = new ManualClock(T0);
    const board = new FakeSwitchboard(clock);
    const a = await openDesk(board, clock, { extension: '101', name: 'Иванова' });
    a.callbacks.onBookingRejected({ number: NUMBER, bookingId: 'local-9', at: T0 + 3_000 });
    expect(a.task()).toMatchObject({ state: 'open', reasons: ['bookingRejected'], lastReason: 'bookingRejected', firstAt: T0 + 3_000, count: 1 });
    a.callbacks.onBookingRejected({ number: NUMBER, bookingId: 'local-9', at: T0 + 3_000 });
    expect(a.task()).toMatchObject({ count: 1 });
  });

  it('a call this desk journalled: a missed or declined one is a task where the PBX does not report it, a lost one always is', async () => {
    const { a, b } = await twoDesks({ shares: false });
    a.callbacks.onCallJournalled({ id: 'sip-1', number: NUMBER, direction: 'incoming', outcome: 'missed', endedAt: T0 + 1_000 });
    expect(a.task()).toMatchObject({ reasons: ['missed'], lastReason: 'missed', count: 1 });
    b.callbacks.onCallJournalled({ id: 'sip-2', number: NUMBER, direction: 'incoming', outcome: 'lost', endedAt: T0 + 2_000 });
    expect(b.task()).toMatchObject({ reasons: ['lost'], lastReason: 'lost' });
    // Outgoing misses are not owed a call back.
    a.callbacks.onCallJournalled({ id: 'sip-3', number: '+79160000000', direction: 'outgoing', outcome: 'missed', endedAt: T0 });
    expect(a.callbacks.list().tasks).toHaveLength(1);
  });

  it('with a PBX that reports direct calls itself, a desk-journalled miss is not raised twice (the PBX event raises it)', async () => {
    const { board, a, settle } = await twoDesks();
    a.callbacks.onCallJournalled({ id: 'sip-1', number: NUMBER, direction: 'incoming', outcome: 'missed', endedAt: T0 + 1_000 });
    expect(a.task()).toBeUndefined();
    board.emit({ type: 'call.missed', at: T0 + 1_000, callId: 'pbx-1', number: NUMBER, extension: '101', reason: 'missed' });
    await settle();
    expect(a.task()).toMatchObject({ reasons: ['missed'], count: 1 });
    a.callbacks.onCallJournalled({ id: 'sip-2', number: NUMBER, direction: 'incoming', outcome: 'lost', endedAt: T0 + 3_000 });
    expect(a.task()).toMatchObject({ reasons: ['lost', 'missed'], count: 2 });
  });

  it('an incoming answered call from the number closes its task as patientGotThrough', async () => {
    const { board, a, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    a.callbacks.onCallJournalled({ id: 'sip-9', number: NUMBER, direction: 'incoming', outcome: 'answered', endedAt: T0 + 60_000 });
    expect(a.task()).toMatchObject({ state: 'done', closedBy: 'patientGotThrough', closedByAgent: { extension: '101', name: 'Иванова' }, closedAt: T0 + 60_000 });
  });
});

describe('CallbackService: claims across desks', () => {
  it('a claim shows on the other desk within its push; a claim there is CALLBACK_TAKEN naming who; a release frees it everywhere', async () => {
    const { board, a, b, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    expect(a.callbacks.claim(ID)).toMatchObject({ state: 'claimed', claimedBy: { extension: '101', name: 'Иванова' }, mine: true });
    const pushesBefore = b.lists.length;
    await settle();
    expect(b.lists.length).toBeGreaterThan(pushesBefore);
    expect(b.lists.at(-1)!.tasks[0]).toMatchObject({ state: 'claimed', claimedBy: { extension: '101', name: 'Иванова' }, mine: false });
    expect(() => b.callbacks.claim(ID)).toThrow(expect.objectContaining({ code: 'CALLBACK_TAKEN', message: expect.stringContaining('Иванова') }));
    expect(() => b.callbacks.complete(ID, 'reached')).toThrow(expect.objectContaining({ code: 'CALLBACK_TAKEN' }));
    // Claiming one's own claim again is fine; a release by someone else changes nothing.
    expect(a.callbacks.claim(ID)).toMatchObject({ mine: true });
    expect(b.callbacks.release(ID)).toMatchObject({ state: 'claimed', claimedBy: { extension: '101' } });
    expect(a.callbacks.release(ID)).toMatchObject({ state: 'open', claimedBy: null, mine: false });
    await settle();
    expect(b.task()).toMatchObject({ state: 'open', claimedBy: null });
    expect(b.callbacks.claim(ID)).toMatchObject({ state: 'claimed', claimedBy: { extension: '102' }, mine: true });
  });

  it('reached closes the task with ONE callback-outcome outbox item under a stable key; completing again adds nothing', async () => {
    const { board, a, b, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    await a.handlers['callbacks.claim']({ id: ID }, { host: 'web', client: 't' });
    const done = await a.handlers['callbacks.complete']({ id: ID, outcome: 'reached' }, { host: 'web', client: 't' });
    expect(done).toMatchObject({ state: 'done', outcome: 'reached', closedBy: 'operatorReached', closedByAgent: { extension: '101', name: 'Иванова' } });
    expect(a.callbacks.complete(ID, 'reached')).toMatchObject({ state: 'done' });
    const items = a.outcomes();
    expect(items).toHaveLength(1);
    expect(items[0]!.idempotencyKey).toBe(`callback:${ID}:${Math.floor((T0 + 1_000) / 60_000) * 60_000}:2`);
    expect(items[0]!.payload).toMatchObject({ number: NUMBER, outcome: 'reached', reasons: ['abandoned'], count: 1, firstAt: T0 + 1_000, agent: '101' });
    expect(a.wakes()).toBe(1);
    await settle();
    expect(b.task()).toMatchObject({ state: 'done', closedBy: 'operatorReached' });
    // Only the desk that recorded the outcome sends it to the MIS.
    expect(b.outcomes()).toEqual([]);
  });

  it('noAnswer puts the task back, open, with one attempt more', async () => {
    const { board, a, b, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    a.callbacks.claim(ID);
    expect(a.callbacks.complete(ID, 'noAnswer')).toMatchObject({ state: 'open', attempts: 1, claimedBy: null, outcome: 'noAnswer' });
    await settle();
    expect(b.task()).toMatchObject({ state: 'open', attempts: 1 });
    expect(a.outcomes()).toHaveLength(1);
  });

  it("the patient getting through to another operator closes the task on both desks as patientGotThrough", async () => {
    const { board, a, b, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    a.callbacks.claim(ID);
    await settle();
    board.emit({ type: 'call.answered', at: T0 + 90_000, callId: 'call-2', number: NUMBER, extension: '103', queue: 'reception', waitSec: 4 });
    await settle();
    for (const desk of [a, b]) expect(desk.task()).toMatchObject({ state: 'done', closedBy: 'patientGotThrough', closedByAgent: { extension: '103', name: 'Сидорова' }, closedAt: T0 + 90_000 });
    expect(a.outcomes()).toEqual([]);
  });

  it('a restarted desk recovers the claims made while it was away', async () => {
    const { clock, board, a, b, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    const dataDir = b.dataDir;
    await b.stop();
    a.callbacks.claim(ID);
    await settle();
    const restarted = await openDesk(board, clock, { extension: '102', name: 'Петров', dataDir });
    await settle();
    expect(restarted.task()).toMatchObject({ state: 'claimed', claimedBy: { extension: '101', name: 'Иванова' }, mine: false });
    expect(() => restarted.callbacks.claim(ID)).toThrow(expect.objectContaining({ code: 'CALLBACK_TAKEN' }));
  });

  it('a desk that claimed while its PBX link was down publishes the claim when it reconnects', async () => {
    const { clock, board, a, b, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    const dataDir = a.dataDir;
    await a.stop();
    // Desk A restarts on its journal, but claims before its PBX link is up.
    const again = await openDesk(board, clock, { extension: '101', name: 'Иванова', dataDir });
    again.callbacks.claim(ID);
    await settle();
    expect(b.task()).toMatchObject({ state: 'claimed', claimedBy: { extension: '101' } });
  });
});

describe('CallbackService: a long shift', () => {
  it('remembers a bounded number of the other desks\' copies; tasks past that bound still agree on both desks and are not published again and again', async () => {
    const clock = new ManualClock(T0);
    const board = new FakeSwitchboard(clock);
    const a = await openDesk(board, clock, { extension: '101', name: 'Иванова', remoteCopiesKept: 2 });
    const b = await openDesk(board, clock, { extension: '102', name: 'Петров', remoteCopiesKept: 2 });
    const settle = async () => {
      for (let i = 0; i < 3; i++) {
        await flush();
        clock.advance(2_000);
      }
      await flush();
    };
    const numbers = ['+79160000001', '+79160000002', '+79160000003', '+79160000004', '+79160000005'];
    numbers.forEach((number, i) => board.emit(abandoned(`call-${i}`, T0 + 1_000 + i, number)));
    await settle();
    const kept = (desk: typeof a) => (desk.callbacks as unknown as { lastRemote: Map<string, unknown> }).lastRemote.size;
    expect([kept(a), kept(b)]).toEqual([2, 2]);
    // Both desks hold the same five tasks, and the PBX was written at most once per desk per task.
    for (const number of numbers) {
      expect(a.task(taskId(number))).toMatchObject({ state: 'open', count: 1 });
      expect(b.task(taskId(number))).toMatchObject({ state: 'open', count: 1 });
      expect(board.published.filter((entry) => entry.key === `cb/${taskId(number)}`).length).toBeLessThanOrEqual(2);
    }
    // A claim of an old task (its copy forgotten) still reaches the other desk.
    a.callbacks.claim(taskId(numbers[0]!));
    await settle();
    expect(b.task(taskId(numbers[0]!))).toMatchObject({ state: 'claimed', claimedBy: { extension: '101' } });
  });
});

describe('CallbackService: a supervisor hands a task to another operator', () => {
  it("reassign claims the task in the named agent's name on every desk, over another's claim; a done task stays done", async () => {
    const { board, a, b, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    a.callbacks.claim(ID);
    await settle();
    // Desk A (a supervisor's, say) gives it to 103, whose desk is not even running.
    expect(a.callbacks.reassign(ID, { extension: '103', name: 'Сидорова' })).toMatchObject({ state: 'claimed', claimedBy: { extension: '103', name: 'Сидорова' }, mine: false });
    await settle();
    expect(b.task()).toMatchObject({ state: 'claimed', claimedBy: { extension: '103', name: 'Сидорова' }, mine: false });
    expect(() => a.callbacks.complete(ID, 'reached')).toThrow(expect.objectContaining({ code: 'CALLBACK_TAKEN' }));
    // Given to the agent who has it: nothing changes, nothing is published.
    const published = board.published.length;
    expect(b.callbacks.reassign(ID, { extension: '103', name: 'Сидорова' })).toMatchObject({ claimedBy: { extension: '103' } });
    expect(board.published).toHaveLength(published);
    b.callbacks.reassign(ID, { extension: '102', name: 'Петров' });
    await settle();
    expect(b.callbacks.complete(ID, 'reached')).toMatchObject({ state: 'done' });
    await settle();
    expect(() => a.callbacks.reassign(ID, { extension: '101', name: 'Иванова' })).toThrow(expect.objectContaining({ code: 'CALLBACK_NOT_FOUND' }));
    expect(() => a.callbacks.reassign('+70000000000', { extension: '101', name: 'Иванова' })).toThrow(expect.objectContaining({ code: 'CALLBACK_NOT_FOUND' }));
  });

  it('tasksSince lists the open and claimed tasks and those closed since the given instant', async () => {
    const { board, a, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    board.emit(abandoned('call-2', T0 + 2_000, '+79169990000'));
    await settle();
    a.callbacks.claim(ID);
    a.callbacks.complete(ID, 'reached');
    expect(a.callbacks.tasksSince(T0).map((t) => [t.number, t.state])).toEqual(
      expect.arrayContaining([
        [NUMBER, 'done'],
        ['+79169990000', 'open'],
      ]),
    );
    expect(a.callbacks.tasksSince(T0 + 3_600_000).map((t) => t.number)).toEqual(['+79169990000']);
  });
});

describe('CallbackService: settings applied without a restart', () => {
  it('a new callbacks.slaMinutes moves the due times in a list pushed at once; another setting pushes nothing', async () => {
    const { board, a, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    const pushed = a.lists.length;
    a.settings.language = 'en';
    a.callbacks.settingsChanged();
    await settle();
    expect(a.lists).toHaveLength(pushed);
    a.settings.callbacks.slaMinutes = 30;
    a.callbacks.settingsChanged();
    await settle();
    expect(a.lists).toHaveLength(pushed + 1);
    expect(a.lists.at(-1)).toMatchObject({ slaMinutes: 30, tasks: [{ id: ID, dueAt: T0 + 1_000 + 30 * 60_000 }] });
  });

  it("a new agent extension: the host takes it up and the list says the old claim is no longer this desk's", async () => {
    const { board, a, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    a.callbacks.claim(ID);
    await settle();
    expect(a.lists.at(-1)!.tasks[0]).toMatchObject({ state: 'claimed', mine: true });
    a.settings.agent = { extension: '105', name: 'Иванова' };
    a.pbx.settingsChanged();
    a.callbacks.settingsChanged();
    await settle();
    expect(a.pbx.agentExtension).toBe('105');
    expect(a.lists.at(-1)!.tasks[0]).toMatchObject({ state: 'claimed', mine: false });
  });
});

describe('CallbackService: robustness', () => {
  it('ignores and logs a shared value that is not a record; nothing is corrupted', async () => {
    const { board, a, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    const before = a.task();
    board.inject(`cb/${ID}`, '{"id":"+79161234567","state":"done","admin":true}');
    board.inject(`cb/${ID}`, 'x'.repeat(5_000));
    board.inject('cb/evil', JSON.stringify({ id: 'evil', number: '1', episode: -1 }));
    await settle();
    expect(a.task()).toEqual(before);
    expect(a.callbacks.list().tasks).toHaveLength(1);
    expect(a.logs.filter((r) => r.event === 'callbacks.shared-record-refused')).toHaveLength(3);
    // The log says how long, never what.
    expect(JSON.stringify(a.logs)).not.toContain('admin');
  });

  it('a closed journal never throws out of the PBX event listener', async () => {
    const { board, a, settle } = await twoDesks();
    a.journal.stop();
    expect(() => board.emit(abandoned('call-1', T0 + 1_000))).not.toThrow();
    expect(() => board.emit({ type: 'call.answered', at: T0, callId: 'c2', number: NUMBER, extension: '103', queue: null, waitSec: null })).not.toThrow();
    expect(() => board.inject(`cb/${ID}`, 'garbage')).not.toThrow();
    await settle();
    expect(a.logs.filter((r) => r.event === 'callbacks.event-not-applied').length).toBeGreaterThanOrEqual(2);
    expect(a.logs.some((r) => r.event === 'pbx.event-listener-failed')).toBe(false);
    expect(() => a.callbacks.list()).toThrow(expect.objectContaining({ code: 'JOURNAL_UNAVAILABLE' }));
  });

  it('a failing publish is logged, and the task is still saved on this desk', async () => {
    const { board, a, settle } = await twoDesks();
    board.emit(abandoned('call-1', T0 + 1_000));
    await settle();
    const shared = a.pbx.shared!;
    shared.publish = async () => {
      throw new PbxError('refused', 'no');
    };
    a.callbacks.claim(ID);
    await settle();
    expect(a.task()).toMatchObject({ state: 'claimed', mine: true });
    expect(a.logs.some((r) => r.event === 'callbacks.publish-failed')).toBe(true);
  });

  it('a worklist nobody worked for days still lists: the oldest open tasks up to the limit, the rest counted, today\'s done ones only in the room left', async () => {
    const { a } = await twoDesks();
    const stores = a.journal.require('test');
    const open = CALLBACK_LIST_MAX + 150;
    stores.callbacks.transaction(() => {
      for (let i = 0; i < open; i++) {
        const number = `+7916${String(1_000_000 + i).padStart(7, '0')}`;
        stores.callbacks.put(newTask({ id: taskId(number), number, callId: `c-${i}`, reason: 'abandoned', queue: null, at: T0 - (open - i) * 60_000 }), T0);
      }
      const done = newTask({ id: taskId('+79990000001'), number: '+79990000001', callId: 'd-1', reason: 'abandoned', queue: null, at: T0 - 1_000 });
      stores.callbacks.put(withStatus(done, '101', { state: 'done', closedBy: 'operatorReached', closedAt: T0, outcome: 'reached' }), T0);
    });
    const list = a.callbacks.list();
    // What the window is sent passes the contract (it failed at 2,000 tasks before).
    expect(CallbackListSchema.safeParse(list).success).toBe(true);
    expect(list.tasks).toHaveLength(CALLBACK_LIST_MAX);
    expect(list.openNotListed).toBe(150);
    // The most overdue are the ones listed; the done one has no room.
    expect(list.tasks[0]!.firstAt).toBe(T0 - open * 60_000);
    expect(list.tasks.every((task) => task.state === 'open')).toBe(true);
    // The supervisor's figures still count every task.
    expect(a.callbacks.tasksSince(0)).toHaveLength(open + 1);
  });
});
