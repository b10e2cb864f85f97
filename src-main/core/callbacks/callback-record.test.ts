import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AgentRef, CallbackReason } from '../../../src-shared/callbacks/callbacks-contract';
import { SHARED_VALUE_MAX } from '../connectors/pbx/pbx-connector';
import {
  TASK_CALL_IDS_MAX,
  agentRef,
  callFingerprint,
  decodeRecord,
  encodeRecord,
  foldMissedCall,
  mergeRecords,
  newTask,
  sameRecord,
  withStatus,
  type TaskRecord,
} from './callback-record';

/** fast-check prints the seed of a failure; this also says how to replay it (vitest.setup.ts reads FC_SEED). */
function withSeedHint<T>(what: string, params: fc.Parameters<T> = {}): fc.Parameters<T> {
  return {
    numRuns: 500,
    ...params,
    reporter: (details) => {
      if (!details.failed) return;
      console.warn(`${what}: replay with FC_SEED=${details.seed} npx vitest run src-main/core/callbacks/callback-record.test.ts`);
      throw new Error(fc.defaultReportMessage(details));
    },
  };
}

const T0 = 1_796_489_600_000;
const ID = '+79161234567';
const REASONS: CallbackReason[] = ['abandoned', 'missed', 'rejected', 'ringNoAnswer', 'lost', 'requested'];
const call = (callId: string, at: number, reason: CallbackReason = 'abandoned', queue: string | null = 'reception') => ({
  id: ID,
  number: ID,
  callId: callFingerprint(callId),
  reason,
  queue,
  at,
});
const ivanova: AgentRef = { extension: '101', name: 'Иванова' };
const petrov: AgentRef = { extension: '102', name: 'Петров' };

/** Canonical sets, as the code keeps them (sorted, no repeats). */
const sortedSet = <T>(arb: fc.Arbitrary<T>, maxLength: number) => fc.uniqueArray(arb, { maxLength }).map((items) => [...items].sort());

const arbRef: fc.Arbitrary<AgentRef> = fc.record({ extension: fc.constantFrom('101', '102', '103'), name: fc.constantFrom('', 'Иванова', 'Петров П.') });
const arbTime = fc.integer({ min: T0, max: T0 + 5 }); // a narrow range, so ties happen
/** Copies of one task as desks may hold them: same id, random everything else (within the record's rules). */
const arbRecord: fc.Arbitrary<TaskRecord> = fc
  .record({
    number: fc.constantFrom(ID, '89161234567'),
    episode: fc.integer({ min: T0, max: T0 + 2 }),
    extraCount: fc.nat(4),
    callIds: sortedSet(fc.constantFrom(...Array.from({ length: 14 }, (_, i) => callFingerprint(`call-${i}`))), TASK_CALL_IDS_MAX).filter((ids) => ids.length > 0),
    reasons: sortedSet(fc.constantFrom(...REASONS), 6).filter((reasons) => reasons.length > 0),
    lastReason: fc.constantFrom(...REASONS),
    queue: fc.option(fc.constantFrom('reception', 'lab')),
    firstAt: arbTime,
    lastAt: arbTime,
    attempts: fc.nat(3),
    version: fc.nat(3),
    writer: fc.constantFrom('', '101', '102'),
    state: fc.constantFrom('open', 'claimed', 'done') as fc.Arbitrary<TaskRecord['state']>,
    claimedBy: fc.option(arbRef),
    claimedAt: fc.option(arbTime),
    outcome: fc.option(fc.constantFrom('reached', 'noAnswer', 'wrongNumber', 'notNeeded') as fc.Arbitrary<NonNullable<TaskRecord['outcome']>>),
    closedBy: fc.option(fc.constantFrom('patientGotThrough', 'operatorReached', 'operatorClosed') as fc.Arbitrary<NonNullable<TaskRecord['closedBy']>>),
    closedByAgent: fc.option(arbRef),
    closedAt: fc.option(arbTime),
  })
  // As the code writes them: every folded call counted (count ≥ the ids kept).
  .map(({ extraCount, ...fields }) => ({ id: ID, ...fields, count: fields.callIds.length + extraCount }));

const show = (task: TaskRecord) => encodeRecord(task);

describe('mergeRecords: desks that see changes in any order, twice, or after a restart end with the same task', () => {
  it('is commutative', () => {
    fc.assert(
      fc.property(arbRecord, arbRecord, (a, b) => {
        expect(show(mergeRecords(a, b))).toBe(show(mergeRecords(b, a)));
      }),
      withSeedHint('merge commutative'),
    );
  });

  it('is associative', () => {
    fc.assert(
      fc.property(arbRecord, arbRecord, arbRecord, (a, b, c) => {
        expect(show(mergeRecords(mergeRecords(a, b), c))).toBe(show(mergeRecords(a, mergeRecords(b, c))));
      }),
      withSeedHint('merge associative'),
    );
  });

  it('is idempotent: a copy merged with itself, or a merge merged again, is unchanged', () => {
    fc.assert(
      fc.property(arbRecord, arbRecord, (a, b) => {
        expect(sameRecord(mergeRecords(a, a), a)).toBe(true);
        const ab = mergeRecords(a, b);
        expect(sameRecord(mergeRecords(ab, b), ab)).toBe(true);
        expect(sameRecord(mergeRecords(ab, a), ab)).toBe(true);
      }),
      withSeedHint('merge idempotent'),
    );
  });

  it('records built by folding calls are in the canonical form merge keeps (merging one with itself changes nothing)', () => {
    const arbCalls = fc.array(fc.record({ callId: fc.constantFrom(...Array.from({ length: 14 }, (_, i) => `call-${i}`)), at: arbTime, reason: fc.constantFrom(...REASONS) }), {
      minLength: 1,
      maxLength: 20,
    });
    fc.assert(
      fc.property(arbCalls, (calls) => {
        let task: TaskRecord | null = null;
        for (const c of calls) task = foldMissedCall(task, call(c.callId, c.at, c.reason));
        expect(sameRecord(mergeRecords(task!, task!), task!)).toBe(true);
      }),
      withSeedHint('fold canonical'),
    );
  });

  it('two desks writing the same close (same version and writer) that differ only in the closer\'s name or time still agree', () => {
    const base = newTask(call('a', T0));
    const close = { state: 'done' as const, closedBy: 'patientGotThrough' as const, closedAt: T0 + 1_000 };
    // Desk A's board knows agent 103's name; desk B's does not (yet).
    const deskA = withStatus(base, '103', { ...close, closedByAgent: { extension: '103', name: 'Сидорова' } });
    const deskB = withStatus(base, '103', { ...close, closedByAgent: { extension: '103', name: '' } });
    expect(show(mergeRecords(deskA, deskB))).toBe(show(mergeRecords(deskB, deskA)));
    const claimA = withStatus(base, '101', { state: 'claimed', claimedBy: ivanova, claimedAt: T0 + 1 });
    const claimB = withStatus(base, '101', { state: 'claimed', claimedBy: ivanova, claimedAt: T0 + 2 });
    expect(show(mergeRecords(claimA, claimB))).toBe(show(mergeRecords(claimB, claimA)));
  });

  it('a newer episode wins whole, whatever the versions', () => {
    const old = withStatus(withStatus(newTask(call('a', T0)), '101', { state: 'claimed', claimedBy: ivanova, claimedAt: T0 }), '101', { state: 'done', closedAt: T0 + 10 });
    const fresh = newTask(call('b', T0 + 60_000));
    expect(mergeRecords(old, fresh)).toEqual(fresh);
    expect(mergeRecords(fresh, old)).toEqual(fresh);
  });

  it('the status part is last-writer-wins by (version, writer); the history part is a union', () => {
    const base = foldMissedCall(newTask(call('a', T0)), call('b', T0 + 1_000, 'missed'));
    const claimedByIvanova = withStatus(base, '101', { state: 'claimed', claimedBy: ivanova, claimedAt: T0 + 5_000 });
    const claimedByPetrov = withStatus(base, '102', { state: 'claimed', claimedBy: petrov, claimedAt: T0 + 5_001 });
    // Same version: the greater writer wins, on every desk.
    expect(mergeRecords(claimedByIvanova, claimedByPetrov).claimedBy).toEqual(petrov);
    expect(mergeRecords(claimedByPetrov, claimedByIvanova).claimedBy).toEqual(petrov);
    // A later version wins even from the smaller writer; a call folded meanwhile on another desk is kept.
    const released = withStatus(claimedByPetrov, '101', { state: 'open', claimedBy: null, claimedAt: null });
    const moreCalls = foldMissedCall(claimedByIvanova, call('c', T0 + 2_000, 'lost'));
    const merged = mergeRecords(released, moreCalls);
    expect(merged).toMatchObject({ state: 'open', claimedBy: null, version: 2, writer: '101', count: 3, firstAt: T0, lastAt: T0 + 2_000, lastReason: 'lost' });
    expect(merged.reasons).toEqual(['abandoned', 'lost', 'missed']);
  });
});

describe('foldMissedCall', () => {
  it('the same call folded twice changes nothing', () => {
    const task = newTask(call('a', T0));
    expect(foldMissedCall(task, call('a', T0))).toBe(task);
  });

  it('another call counts once more and keeps the earliest first time, even when it arrives late', () => {
    const task = foldMissedCall(newTask(call('a', T0 + 10_000)), call('b', T0, 'missed', null));
    expect(task).toMatchObject({ count: 2, firstAt: T0, lastAt: T0 + 10_000, lastReason: 'abandoned', queue: 'reception', state: 'open' });
    expect(task.callIds).toHaveLength(2);
  });

  it('keeps at most ten call ids, and always the newest', () => {
    let task: TaskRecord | null = null;
    for (let i = 0; i < 15; i++) task = foldMissedCall(task, call(`call-${i}`, T0 + i));
    expect(task!.count).toBe(15);
    expect(task!.callIds).toHaveLength(TASK_CALL_IDS_MAX);
    expect(task!.callIds).toContain(callFingerprint('call-14'));
    expect(foldMissedCall(task, call('call-14', T0 + 14))).toBe(task);
  });

  it('two desks that saw the first call milliseconds apart (each on its own clock) hold one episode: a claim from either wins the merge', () => {
    const onA = foldMissedCall(null, call('a', T0 + 10_003));
    const onB = foldMissedCall(null, call('a', T0 + 10_008));
    expect(onA.episode).toBe(onB.episode);
    const claimed = withStatus(onA, '101', { state: 'claimed', claimedBy: ivanova, claimedAt: T0 + 11_000 });
    expect(mergeRecords(onB, claimed)).toMatchObject({ state: 'claimed', claimedBy: ivanova });
    expect(mergeRecords(claimed, onB)).toMatchObject({ state: 'claimed', claimedBy: ivanova });
    // After a close, the next episode is later than the one it follows even within the same minute.
    const done = withStatus(claimed, '101', { state: 'done', outcome: 'reached', closedBy: 'operatorReached', closedByAgent: ivanova, closedAt: T0 + 12_000 });
    expect(foldMissedCall(done, call('b', T0 + 13_000)).episode).toBe(done.episode + 1);
  });

  it('a call after the task was done starts a new episode, which wins the merge on every desk', () => {
    const done = withStatus(newTask(call('a', T0)), '101', { state: 'done', outcome: 'reached', closedBy: 'operatorReached', closedByAgent: ivanova, closedAt: T0 + 60_000 });
    const again = foldMissedCall(done, call('b', T0 + 120_000, 'missed'));
    expect(again).toMatchObject({ state: 'open', count: 1, episode: Math.floor((T0 + 120_000) / 60_000) * 60_000, firstAt: T0 + 120_000, version: 0, closedBy: null, claimedBy: null });
    expect(again.episode).toBeGreaterThan(done.episode);
    expect(mergeRecords(done, again)).toEqual(again);
    expect(mergeRecords(again, done)).toEqual(again);
    // A repeat of a call from before the close does not reopen it.
    expect(foldMissedCall(done, call('z', T0 + 30_000))).toBe(done);
  });
});

describe('encodeRecord / decodeRecord: one AMI line', () => {
  /** The longest task a desk can write: ten calls, every reason, both agent refs with 80-character Cyrillic names. */
  function worstCase(): TaskRecord {
    const name = 'Щ'.repeat(80);
    let task: TaskRecord | null = null;
    REASONS.forEach((reason, i) => (task = foldMissedCall(task, call(`c-${i}`, T0 + i, reason, 'QUEUE-' + '5F3A'.repeat(10)))));
    for (let i = 6; i < 12; i++) task = foldMissedCall(task, call(`c-${i}`, T0 + i));
    const agent = { extension: '1'.repeat(32), name };
    const claimed = withStatus({ ...task!, count: 999_999, attempts: 99 }, agent.extension, { state: 'claimed', claimedBy: agentRef(agent), claimedAt: T0 + 100 });
    return withStatus(claimed, agent.extension, { state: 'done', outcome: 'wrongNumber', closedBy: 'operatorClosed', closedByAgent: agentRef(agent), closedAt: T0 + 200 });
  }

  it(`a worst-case task stays within ${SHARED_VALUE_MAX} UTF-8 bytes, and still decodes to a valid record naming who`, () => {
    const task = worstCase();
    expect(task.callIds).toHaveLength(TASK_CALL_IDS_MAX);
    const line = encodeRecord(task);
    expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(SHARED_VALUE_MAX);
    expect(line).not.toMatch(/[\r\n]/);
    const decoded = decodeRecord(line);
    expect(decoded).not.toBeNull();
    expect(decoded!.claimedBy!.name).toMatch(/^Щ+$/);
    expect(decoded).toMatchObject({ id: task.id, state: 'done', count: 999_999, callIds: task.callIds, closedByAgent: { extension: task.closedByAgent!.extension } });
    // What travelled is a fixed point: encoding it again gives the same line.
    expect(encodeRecord(decoded!)).toBe(line);
  });

  it('a task that fits travels unchanged', () => {
    const task = withStatus(newTask(call('a', T0)), '101', { state: 'claimed', claimedBy: ivanova, claimedAt: T0 });
    expect(decodeRecord(encodeRecord(task))).toEqual(task);
  });

  it('refuses garbage and hostile JSON with null', () => {
    const good = JSON.parse(encodeRecord(newTask(call('a', T0)))) as Record<string, unknown>;
    const hostile: unknown[] = [
      'not json',
      '',
      'null',
      '[]',
      '42',
      '"cb"',
      JSON.stringify({ ...good, count: '1' }),
      JSON.stringify({ ...good, count: -1 }),
      JSON.stringify({ ...good, state: 'stolen' }),
      JSON.stringify({ ...good, callIds: Array.from({ length: 100_000 }, (_, i) => String(i)) }),
      JSON.stringify({ ...good, reasons: Array.from({ length: 50 }, () => 'missed') }),
      JSON.stringify({ ...good, admin: true }),
      JSON.stringify({ ...good, claimedBy: { extension: '101', name: 'x', role: 'supervisor' } }),
      JSON.stringify({ ...good, number: '+7916\r\n1234567' }),
      JSON.stringify({ ...good, id: 'x'.repeat(81) }),
      '{"__proto__": {"polluted": true}, "id": "x"}',
      JSON.stringify({ ...good, firstAt: 1.5 }),
    ];
    for (const value of hostile) expect(decodeRecord(value as string)).toBeNull();
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses any random JSON that is not a whole record', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(decodeRecord(JSON.stringify(value) ?? 'undefined')).toBeNull();
      }),
      withSeedHint('decode random json'),
    );
  });
});
