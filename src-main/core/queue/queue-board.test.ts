import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PbxSnapshotSchema, queueFigures, type PbxSnapshot, type QueueAgent } from '../../../src-shared/pbx/pbx-model';
import type { PbxEvent } from '../connectors/pbx/pbx-connector';
import { QueueBoard } from './queue-board';

/** A weekday morning, local time (the counters restart at local midnight). */
const T0 = new Date(2026, 10, 30, 10, 0, 0).getTime();
const SLA = 20;

function agent(extension: string, patch: Partial<QueueAgent> = {}): QueueAgent {
  return { extension, name: `Агент ${extension}`, state: 'ready', since: T0 - 60_000, pauseReason: null, queues: ['reception'], call: null, ...patch };
}

function snapshot(patch: Partial<PbxSnapshot> = {}): PbxSnapshot {
  return { at: T0, queues: [{ id: 'reception', name: 'Регистратура' }], callers: [], agents: [agent('101'), agent('102')], counters: [], ...patch };
}

function board(start: PbxSnapshot = snapshot(), sla = SLA): QueueBoard {
  const b = new QueueBoard(() => sla);
  b.reset(start);
  return b;
}

const join = (callId: string, number: string, position: number, at = T0, queue = 'reception'): PbxEvent => ({ type: 'queue.joined', at, callId, number, queue, position });
const abandon = (callId: string, number: string, position: number, waitSec: number, at = T0): PbxEvent => ({ type: 'queue.abandoned', at, callId, number, queue: 'reception', position, waitSec });
const answer = (callId: string, number: string, extension: string, waitSec: number | null, at = T0, queue: string | null = 'reception'): PbxEvent => ({
  type: 'call.answered',
  at,
  callId,
  number,
  extension,
  queue,
  waitSec,
});

const counters = (b: QueueBoard, queue = 'reception') => b.snapshot().counters.find((c) => c.queue === queue);
const waiting = (b: QueueBoard) => b.snapshot().callers.map((c) => [c.callId, c.position]);

describe('QueueBoard: a supervisor listening in', () => {
  it('monitor.started / monitor.stopped change nothing on the board', () => {
    const b = board();
    b.apply(join('c1', '+79161234567', 1));
    b.apply(answer('c1', '+79161234567', '101', 4));
    const before = b.snapshot();
    expect(b.apply({ type: 'monitor.started', at: T0 + 5_000, supervisorExtension: '102', extension: '101', callId: 'c1' })).toBe(false);
    expect(b.apply({ type: 'monitor.stopped', at: T0 + 9_000, supervisorExtension: '102', extension: '101' })).toBe(false);
    expect(b.snapshot()).toEqual({ ...before, at: T0 + 9_000 });
    expect(b.agent('101')).toMatchObject({ state: 'talking', call: { callId: 'c1' } });
    expect(b.agent('102')).toMatchObject({ state: 'ready', call: null });
  });
});

describe('QueueBoard: callers waiting', () => {
  it('lists a caller who joins, with their place in the queue, and counts the call offered', () => {
    const b = board();
    expect(b.apply(join('c1', '+79161234567', 1, T0 + 1_000))).toBe(true);
    expect(b.snapshot().callers).toEqual([{ callId: 'c1', number: '+79161234567', queue: 'reception', position: 1, joinedAt: T0 + 1_000 }]);
    expect(counters(b)).toMatchObject({ offered: 1, answered: 0, abandoned: 0 });
  });

  it('a caller who hangs up is removed, the ones behind move up, and the abandon and its wait are counted', () => {
    const b = board();
    b.apply(join('c1', '1001', 1));
    b.apply(join('c2', '1002', 2));
    b.apply(join('c3', '1003', 3));
    b.apply(abandon('c1', '1001', 1, 42));
    expect(waiting(b)).toEqual([
      ['c2', 1],
      ['c3', 2],
    ]);
    expect(counters(b)).toMatchObject({ offered: 3, abandoned: 1, longestWaitSec: 42 });
    // A shorter abandon does not lower the longest wait.
    b.apply(abandon('c3', '1003', 2, 5));
    expect(waiting(b)).toEqual([['c2', 1]]);
    expect(counters(b)).toMatchObject({ abandoned: 2, longestWaitSec: 42 });
    expect(queueFigures(counters(b)!).slaPercent).toBe(0);
  });

  it('only the callers of the same queue move up', () => {
    const b = board(snapshot({ queues: [{ id: 'reception', name: 'Регистратура' }, { id: 'lab', name: 'Анализы' }] }));
    b.apply(join('c1', '1001', 1));
    b.apply(join('l1', '2001', 1, T0, 'lab'));
    b.apply(join('l2', '2002', 2, T0, 'lab'));
    b.apply(abandon('c1', '1001', 1, 3));
    expect(waiting(b)).toEqual([
      ['l1', 1],
      ['l2', 2],
    ]);
  });
});

describe('QueueBoard: answered and ended calls', () => {
  it('an answered caller leaves the queue and the agent shows talking with that call; answered, wait and SLA are counted', () => {
    const b = board();
    b.apply(join('c1', '1001', 1));
    b.apply(join('c2', '1002', 2));
    b.apply(answer('c1', '1001', '101', 12, T0 + 12_000));
    expect(waiting(b)).toEqual([['c2', 1]]);
    expect(b.agent('101')).toMatchObject({ state: 'talking', since: T0 + 12_000, call: { callId: 'c1', number: '1001', queue: 'reception', since: T0 + 12_000 } });
    expect(counters(b)).toMatchObject({ answered: 1, waitSecTotal: 12, longestWaitSec: 12, answeredWithinSla: 1 });
  });

  it('counts an answer at exactly the SLA threshold as within it, and one second later as beyond it', () => {
    const b = board();
    b.apply(answer('c1', '1001', '101', SLA));
    b.apply(answer('c2', '1002', '102', SLA + 1));
    expect(counters(b)).toMatchObject({ answered: 2, answeredWithinSla: 1, waitSecTotal: 2 * SLA + 1, longestWaitSec: SLA + 1 });
    expect(queueFigures(counters(b)!)).toMatchObject({ slaPercent: 50, avgWaitSec: SLA + 0.5 });
  });

  it('reads the SLA threshold when the call is answered (a settings change applies to the next call)', () => {
    let sla = 10;
    const b = new QueueBoard(() => sla);
    b.reset(snapshot());
    b.apply(answer('c1', '1001', '101', 15));
    sla = 30;
    b.apply(answer('c2', '1002', '102', 15));
    expect(counters(b)).toMatchObject({ answered: 2, answeredWithinSla: 1 });
  });

  it('a direct (non-queue) answered call does not touch the queue counters', () => {
    const b = board();
    b.apply(answer('d1', '1001', '101', null, T0, null));
    expect(b.snapshot().counters).toEqual([]);
    expect(b.agent('101')).toMatchObject({ state: 'talking', call: { callId: 'd1', queue: null } });
  });

  it('an ended call counts its talk time and frees the agent of it', () => {
    const b = board();
    b.apply(answer('c1', '1001', '101', 5));
    b.apply({ type: 'call.ended', at: T0 + 95_000, callId: 'c1', number: '1001', extension: '101', queue: 'reception', answered: true, talkSec: 90 });
    expect(counters(b)).toMatchObject({ talks: 1, talkSecTotal: 90 });
    expect(b.agent('101')?.call).toBeNull();
    expect(queueFigures(counters(b)!).avgTalkSec).toBe(90);
  });

  it('an unanswered end (the caller hung up in the queue) counts no talk', () => {
    const b = board();
    b.apply(join('c1', '1001', 1));
    b.apply({ type: 'call.ended', at: T0, callId: 'c1', number: '1001', extension: null, queue: 'reception', answered: false, talkSec: null });
    expect(counters(b)).toMatchObject({ talks: 0, talkSecTotal: 0 });
  });

  it('a call that moves to another agent (transfer, re-ring) is cleared from the first', () => {
    const b = board();
    b.apply(answer('c1', '1001', '101', 3));
    b.apply(answer('c1', '1001', '102', null, T0 + 60_000, 'reception'));
    expect(b.agent('101')?.call).toBeNull();
    expect(b.agent('102')).toMatchObject({ state: 'talking', call: { callId: 'c1' } });
    b.apply({ type: 'call.ringing', at: T0 + 70_000, callId: 'c1', number: '1001', extension: '101', queue: 'reception' });
    expect(b.agent('102')?.call).toBeNull();
    expect(b.agent('101')).toMatchObject({ state: 'ringing', call: { callId: 'c1' } });
  });
});

describe('QueueBoard: agents', () => {
  it('shows an agent paused with the reason the PBX reports, and ready again without it', () => {
    const b = board();
    expect(b.apply({ type: 'agent.status', at: T0 + 1_000, extension: '101', state: 'paused', pauseReason: 'Обед' })).toBe(true);
    expect(b.agent('101')).toMatchObject({ state: 'paused', pauseReason: 'Обед', since: T0 + 1_000 });
    // The same status again changes nothing the view shows.
    expect(b.apply({ type: 'agent.status', at: T0 + 2_000, extension: '101', state: 'paused', pauseReason: 'Обед' })).toBe(false);
    expect(b.apply({ type: 'agent.status', at: T0 + 3_000, extension: '101', state: 'ready', pauseReason: 'Обед' })).toBe(true);
    expect(b.agent('101')).toMatchObject({ state: 'ready', pauseReason: null, since: T0 + 3_000 });
  });

  it('an agent who goes ready after a talk no longer shows the call', () => {
    const b = board();
    b.apply(answer('c1', '1001', '101', 3));
    b.apply({ type: 'agent.status', at: T0 + 5_000, extension: '101', state: 'ready', pauseReason: null });
    expect(b.agent('101')).toMatchObject({ state: 'ready', call: null });
  });

  it('ignores agents the PBX never listed (no phantom rows), but still counts their queue calls', () => {
    const b = board();
    b.apply(join('c1', '1001', 1));
    expect(b.apply({ type: 'agent.status', at: T0, extension: '999', state: 'paused', pauseReason: 'x' })).toBe(false);
    b.apply(answer('c1', '1001', '999', 4));
    b.apply({ type: 'call.ringing', at: T0, callId: 'c2', number: '1002', extension: '999', queue: 'reception' });
    expect(b.agent('999')).toBeNull();
    expect(b.snapshot().agents.map((a) => a.extension)).toEqual(['101', '102']);
    expect(b.snapshot().callers).toEqual([]);
    expect(counters(b)).toMatchObject({ answered: 1 });
  });
});

describe('QueueBoard: resets', () => {
  it('a reset from a snapshot replaces callers, agents and counters entirely', () => {
    const b = board();
    b.apply(join('c1', '1001', 1));
    b.apply(answer('c9', '1009', '101', 3));
    const fresh = snapshot({
      at: T0 + 60_000,
      callers: [{ callId: 'n1', number: '2001', queue: 'reception', position: 1, joinedAt: T0 + 50_000 }],
      agents: [agent('105', { state: 'paused', pauseReason: 'Документы' })],
      counters: [{ queue: 'reception', offered: 7, answered: 5, abandoned: 1, answeredWithinSla: 4, waitSecTotal: 50, longestWaitSec: 30, talks: 4, talkSecTotal: 400 }],
    });
    b.reset(fresh);
    expect(b.snapshot()).toEqual(fresh);
    // The board holds its own copies: changing it later does not write into the snapshot given.
    b.apply(join('n2', '2002', 2, T0 + 61_000));
    expect(fresh.callers).toHaveLength(1);
    expect(fresh.counters[0]!.offered).toBe(7);
  });

  it('clear() leaves nothing on the board', () => {
    const b = board();
    b.apply(join('c1', '1001', 1));
    b.clear();
    expect(b.snapshot()).toMatchObject({ queues: [], callers: [], agents: [], counters: [] });
    expect(b.numbers()).toEqual([]);
  });

  it("starts a new day's counters at local midnight, keeping the callers still waiting", () => {
    const evening = new Date(2026, 10, 30, 23, 59, 0).getTime();
    const b = board(snapshot({ at: evening }));
    b.apply(join('c1', '1001', 1, evening));
    b.apply(abandon('c1', '1001', 1, 30, evening + 30_000));
    b.apply(join('c2', '1002', 1, evening + 40_000));
    expect(counters(b)).toMatchObject({ offered: 2, abandoned: 1, longestWaitSec: 30 });
    const afterMidnight = new Date(2026, 11, 1, 0, 0, 5).getTime();
    b.apply(join('c3', '1003', 2, afterMidnight));
    expect(counters(b)).toMatchObject({ offered: 1, abandoned: 0, longestWaitSec: 0 });
    expect(waiting(b)).toEqual([
      ['c2', 1],
      ['c3', 2],
    ]);
  });

  it("a late event stamped just before midnight does not wipe the new day's counters", () => {
    const evening = new Date(2026, 10, 30, 23, 59, 59).getTime();
    const afterMidnight = new Date(2026, 11, 1, 0, 0, 1).getTime();
    const b = board(snapshot({ at: evening }));
    b.apply(join('c1', '1001', 1, afterMidnight));
    b.apply(join('c2', '1002', 2, afterMidnight + 1));
    // The PBX's events are in PBX order, but their time stamps may be a little out of order.
    b.apply(abandon('c0', '1000', 1, 4, evening + 500));
    expect(counters(b)).toMatchObject({ offered: 2 });
  });
});

/** fast-check prints the seed of a failure; this also says how to replay it (vitest.setup.ts reads FC_SEED). */
function withSeedHint<T>(what: string, params: fc.Parameters<T>): fc.Parameters<T> {
  return {
    ...params,
    reporter: (details) => {
      if (!details.failed) return;
      console.warn(`${what}: replay with FC_SEED=${details.seed} npx vitest run src-main/core/queue/queue-board.test.ts`);
      throw new Error(fc.defaultReportMessage(details));
    },
  };
}

const EXTENSIONS = ['101', '102', '103', '999'];
const QUEUES = ['reception', 'lab', 'QUEUE-5F3A9C'];
const CALL_IDS = ['c1', 'c2', 'c3', 'c4', 'c5', '1796489613.0'];
const arbAt = fc.integer({ min: T0 - 86_400_000, max: T0 + 2 * 86_400_000 });
const arbCommon = fc.record({ at: arbAt, callId: fc.constantFrom(...CALL_IDS), number: fc.constantFrom('', '+79161234567', '1001', 'anonymous') });
const arbQueue = fc.constantFrom(...QUEUES);
const arbExtension = fc.constantFrom(...EXTENSIONS);
const arbSec = fc.oneof(fc.integer({ min: 0, max: 3_600 }), fc.double({ min: 0, max: 3_600, noNaN: true }));
const arbEvent: fc.Arbitrary<PbxEvent> = fc.oneof(
  fc.tuple(arbCommon, arbQueue, fc.integer({ min: -3, max: 40 })).map(([c, queue, position]): PbxEvent => ({ type: 'queue.joined', ...c, queue, position })),
  fc.tuple(arbCommon, arbQueue, fc.constantFrom('answered', 'abandoned', 'timeout', 'other') as fc.Arbitrary<'answered' | 'abandoned' | 'timeout' | 'other'>).map(([c, queue, reason]): PbxEvent => ({ type: 'queue.left', ...c, queue, reason })),
  fc.tuple(arbCommon, arbQueue, fc.integer({ min: 1, max: 40 }), arbSec).map(([c, queue, position, waitSec]): PbxEvent => ({ type: 'queue.abandoned', ...c, queue, position, waitSec })),
  fc.tuple(arbCommon, arbExtension, fc.option(arbQueue)).map(([c, extension, queue]): PbxEvent => ({ type: 'call.ringing', ...c, extension, queue })),
  fc.tuple(arbCommon, arbExtension, fc.option(arbQueue), fc.option(arbSec)).map(([c, extension, queue, waitSec]): PbxEvent => ({ type: 'call.answered', ...c, extension, queue, waitSec })),
  fc
    .tuple(arbCommon, fc.option(arbExtension), fc.option(arbQueue), fc.boolean(), fc.option(arbSec))
    .map(([c, extension, queue, answered, talkSec]): PbxEvent => ({ type: 'call.ended', ...c, extension, queue, answered, talkSec })),
  fc.tuple(arbCommon, arbExtension, fc.constantFrom('missed', 'rejected') as fc.Arbitrary<'missed' | 'rejected'>).map(([c, extension, reason]): PbxEvent => ({ type: 'call.missed', ...c, extension, reason })),
  fc
    .tuple(arbAt, arbExtension, fc.constantFrom('ready', 'paused', 'talking', 'ringing', 'wrap-up', 'offline') as fc.Arbitrary<QueueAgent['state']>, fc.option(fc.constantFrom('Обед', 'не отвечает', 'x'.repeat(80))))
    .map(([at, extension, state, pauseReason]): PbxEvent => ({ type: 'agent.status', at, extension, state, pauseReason })),
  fc.tuple(arbCommon, arbExtension, arbQueue, fc.nat(60_000)).map(([c, extension, queue, ringMs]): PbxEvent => ({ type: 'agent.ringNoAnswer', ...c, extension, queue, ringMs })),
  fc.tuple(arbAt, fc.option(fc.string({ maxLength: 20 }))).map(([at, value]): PbxEvent => ({ type: 'shared.changed', at, key: 'cb/1', value })),
  fc.tuple(arbAt, arbExtension, arbExtension, fc.option(fc.constantFrom(...CALL_IDS))).map(([at, supervisorExtension, extension, callId]): PbxEvent => ({ type: 'monitor.started', at, supervisorExtension, extension, callId })),
  fc.tuple(arbAt, arbExtension, arbExtension).map(([at, supervisorExtension, extension]): PbxEvent => ({ type: 'monitor.stopped', at, supervisorExtension, extension })),
);

describe('QueueBoard: any sequence of PBX events', () => {
  it('always gives a snapshot the queue view accepts (schema), a call held by one agent at most, and no unlisted agent', () => {
    fc.assert(
      fc.property(fc.array(arbEvent, { maxLength: 60 }), fc.boolean(), (events, startEmpty) => {
        const b = startEmpty ? new QueueBoard(() => SLA) : board(snapshot({ agents: [agent('101'), agent('102'), agent('103')] }));
        for (const event of events) b.apply(event);
        const snap = b.snapshot();
        const parsed = PbxSnapshotSchema.safeParse(snap);
        if (!parsed.success) throw new Error(`invalid snapshot: ${parsed.error.issues[0]?.path.join('.')}: ${parsed.error.issues[0]?.message}`);
        // A call is with one agent at a time.
        const held = snap.agents.flatMap((a) => (a.call ? [a.call.callId] : []));
        expect(new Set(held).size).toBe(held.length);
        // No agent appears that the PBX did not list.
        expect(snap.agents.every((a) => a.extension !== '999')).toBe(true);
        for (const c of snap.counters) expect(c.answeredWithinSla).toBeLessThanOrEqual(c.answered);
      }),
      withSeedHint('queue board snapshot', { numRuns: 600 }),
    );
  });
});
