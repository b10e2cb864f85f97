import { afterEach, describe, expect, it } from 'vitest';
import { DemoMis } from '../connectors/demo/demo-mis';
import { MisError, type MisSubmission } from '../connectors/mis/mis-connector';
import type { Db } from '../db/open-database';
import { randomKey, tempDatabasePath } from '../db/test-support';
import { openJournalDatabase } from '../journal/open-journal';
import { Outbox, OutboxSender, type DrainResult, type OutboxItem, type OutboxSettle } from './outbox';
import { OutboxSettleRegistry } from './outbox-settle';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function journal(path = tempDatabasePath('journal.db'), key = randomKey()): Db {
  const db = openJournalDatabase({ path, key });
  cleanups.push(() => db.open && db.close());
  return db;
}

/** A settable clock whose sleeps end at once, and the jitter's random source. */
function clock(random = () => 1, start = 1_000_000) {
  const c = { t: start, now: () => c.t, random, setTimeout: (fn: () => void) => (queueMicrotask(fn), 0), clearTimeout: () => {} };
  return c;
}

/** A local table standing in for wrap-ups/notes, so the outbox row can share its transaction. */
function withNotes(db: Db) {
  db.exec('CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL) STRICT');
  return (text: string) => db.prepare('INSERT INTO notes (text) VALUES (?)').run(text);
}

function enqueueNote(db: Db, outbox: Outbox, localId: string): OutboxItem {
  const addNote = withNotes(db);
  return db.transaction(() => {
    addNote(localId);
    return outbox.enqueue('note', { localId, text: 'перезвонить после 15:00' });
  })();
}

/** A connector whose submits follow a script of outcomes, recording every key it saw. */
function scriptedMis(outcomes: (Error | 'ok')[]) {
  const seen: MisSubmission[] = [];
  return {
    seen,
    submit: async (submission: MisSubmission) => {
      seen.push(submission);
      const outcome = outcomes.shift() ?? 'ok';
      if (outcome !== 'ok') throw outcome;
      return { status: 'applied' as const, ref: 'r' };
    },
  };
}

describe('Outbox: written with the local change', () => {
  it('commits the outbox row with the local change, with a fresh UUID key', () => {
    const db = journal();
    const outbox = new Outbox(db, { now: () => 5 });
    const item = enqueueNote(db, outbox, 'L1');
    expect(item).toMatchObject({ kind: 'note', state: 'pending', attempts: 0, nextAttemptAt: 5, payload: { localId: 'L1' } });
    expect(item.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(enqueueNote(db, outbox, 'L2').idempotencyKey).not.toBe(item.idempotencyKey);
  });

  it('a local change that rolls back leaves no outbox row (no phantom write to the MIS)', () => {
    const db = journal();
    const outbox = new Outbox(db);
    const addNote = withNotes(db);
    expect(() =>
      db.transaction(() => {
        addNote('L1');
        outbox.enqueue('note', { localId: 'L1' });
        throw new Error('saving the wrap-up failed');
      })(),
    ).toThrow('saving the wrap-up failed');
    expect(outbox.listUndelivered()).toEqual([]);
    expect(db.prepare('SELECT count(*) FROM notes').pluck().get()).toBe(0);
  });

  it('refuses to enqueue outside a transaction, the way writes get lost', () => {
    const outbox = new Outbox(journal());
    expect(() => outbox.enqueue('note', {})).toThrow(/inside the transaction/);
  });
});

describe('OutboxSender', () => {
  it('reuses the same idempotency key on every retry and delivers once the MIS is back', async () => {
    const db = journal();
    const c = clock();
    const outbox = new Outbox(db, { now: c.now });
    const item = enqueueNote(db, outbox, 'L1');
    const mis = scriptedMis([new MisError('unreachable', 'down'), new MisError('timeout', 'slow'), 'ok']);
    const sender = new OutboxSender({ outbox, connector: mis, clock: c, random: c.random });
    for (let i = 0; i < 3; i++) {
      await sender.drainOnce();
      c.t = outbox.nextDueAt() ?? c.t;
    }
    expect(mis.seen.map((s) => s.idempotencyKey)).toEqual([item.idempotencyKey, item.idempotencyKey, item.idempotencyKey]);
    expect(outbox.get(item.id)).toMatchObject({ state: 'delivered', attempts: 3, lastError: null });
    expect(outbox.listUndelivered()).toEqual([]);
  });

  it('retries a transient failure later, with a growing delay capped at 5 minutes, and not before it is due', async () => {
    const db = journal();
    const c = clock();
    const outbox = new Outbox(db, { now: c.now });
    const item = enqueueNote(db, outbox, 'L1');
    const mis = scriptedMis(Array.from({ length: 12 }, () => new MisError('unreachable', 'down')));
    const sender = new OutboxSender({ outbox, connector: mis, clock: c, random: c.random });
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      expect(await sender.drainOnce()).toEqual({ delivered: 0, rescheduled: 1, failed: 0 });
      const due = outbox.get(item.id)!.nextAttemptAt;
      delays.push(due - c.t);
      c.t = due - 1;
      expect(await sender.drainOnce()).toEqual({ delivered: 0, rescheduled: 0, failed: 0 });
      c.t = due;
    }
    expect(delays.slice(0, 5)).toEqual([1_000, 2_000, 4_000, 8_000, 16_000]);
    expect(delays.slice(-3)).toEqual([300_000, 300_000, 300_000]);
    expect(outbox.get(item.id)).toMatchObject({ state: 'pending', lastError: 'unreachable: down' });
  });

  it('spreads retries with full jitter', async () => {
    const db = journal();
    const c = clock(() => 0.25);
    const outbox = new Outbox(db, { now: c.now });
    const item = enqueueNote(db, outbox, 'L1');
    await new OutboxSender({ outbox, connector: scriptedMis([new MisError('unreachable', 'down')]), clock: c, random: c.random }).drainOnce();
    expect(outbox.get(item.id)!.nextAttemptAt - c.t).toBe(250);
  });

  it('puts a permanent rejection in the "not delivered" list with the reason, and the retry button sends it again with the same key', async () => {
    const db = journal();
    const c = clock();
    const outbox = new Outbox(db, { now: c.now });
    const item = enqueueNote(db, outbox, 'L1');
    const mis = scriptedMis([new MisError('rejected', 'Пациент не найден в МИС')]);
    const sender = new OutboxSender({ outbox, connector: mis, clock: c, random: c.random });
    expect(await sender.drainOnce()).toEqual({ delivered: 0, rescheduled: 0, failed: 1 });
    expect(outbox.listUndelivered()).toEqual([expect.objectContaining({ id: item.id, state: 'failed', lastError: 'rejected: Пациент не найден в МИС' })]);
    // Failed items are never retried on their own.
    c.t += 3_600_000;
    expect(await sender.drainOnce()).toEqual({ delivered: 0, rescheduled: 0, failed: 0 });
    expect(outbox.retry(item.id)).toBe(true);
    expect(outbox.retry(item.id)).toBe(false);
    expect(await sender.drainOnce()).toEqual({ delivered: 1, rescheduled: 0, failed: 0 });
    expect(mis.seen.map((s) => s.idempotencyKey)).toEqual([item.idempotencyKey, item.idempotencyKey]);
  });

  it('treats an unexpected connector error as transient, never dropping the write', async () => {
    const db = journal();
    const c = clock();
    const outbox = new Outbox(db, { now: c.now });
    const item = enqueueNote(db, outbox, 'L1');
    await new OutboxSender({ outbox, connector: scriptedMis([new TypeError('connector bug')]), clock: c, random: c.random }).drainOnce();
    expect(outbox.get(item.id)).toMatchObject({ state: 'pending', lastError: 'error: connector bug' });
  });

  it('after a crash mid-submit, recovers inflight items and delivers them exactly once', async () => {
    const path = tempDatabasePath('journal.db');
    const key = randomKey();
    const mis = new DemoMis({ patients: 1 });
    cleanups.push(() => mis.close());
    const first = journal(path, key);
    const outbox = new Outbox(first);
    const a = enqueueNote(first, outbox, 'L-a');
    const b = enqueueNote(first, outbox, 'L-b');
    // The desk claims both, the MIS applies `a`, then the desk dies before recording anything.
    expect(outbox.claimDue(10).map((i) => i.id)).toEqual([a.id, b.id]);
    await mis.submit({ idempotencyKey: a.idempotencyKey, kind: a.kind, payload: a.payload });
    first.close();

    const reopened = journal(path, key);
    const recovered = new Outbox(reopened);
    expect(recovered.listUndelivered().map((i) => i.state)).toEqual(['inflight', 'inflight']);
    expect(recovered.recoverInflight()).toBe(2);
    expect(await new OutboxSender({ outbox: recovered, connector: mis }).drainOnce()).toEqual({ delivered: 2, rescheduled: 0, failed: 0 });
    expect(mis.ledgerReport(['L-a', 'L-b'])).toEqual({ delivered: 2, lost: [], duplicated: [], duplicateReceipts: 1 });
  });

  it('delivers every item exactly once through an unreliable MIS (errors, timeouts that applied the write)', async () => {
    const db = journal();
    const c = clock(() => 0.5);
    const outbox = new Outbox(db, { now: c.now });
    const mis = new DemoMis({ patients: 1, errorRate: 0.3, timeoutRate: 0.3, faultSeed: 7 });
    cleanups.push(() => mis.close());
    const localIds = Array.from({ length: 60 }, (_, i) => `L${i}`);
    for (const id of localIds) enqueueNote(db, outbox, id);
    const sender = new OutboxSender({ outbox, connector: mis, clock: c, random: c.random });
    let rounds = 0;
    for (; rounds < 50 && outbox.listUndelivered().length > 0; rounds++) {
      await sender.drainOnce();
      c.t += 5 * 60_000; // past the backoff cap: everything rescheduled is due again
    }
    expect(rounds).toBeGreaterThan(1);
    expect(outbox.listUndelivered()).toEqual([]);
    const report = mis.ledgerReport(localIds);
    expect(report).toMatchObject({ delivered: 60, lost: [], duplicated: [] });
    // Some timeouts had applied the write: their retries were absorbed as duplicates.
    expect(report.duplicateReceipts).toBeGreaterThan(0);
  });

  it('runs as a loop: sleeps until the next item is due, wakes for new items, and stops promptly', async () => {
    const db = journal();
    const c = clock();
    const outbox = new Outbox(db, { now: c.now });
    const mis = scriptedMis([new MisError('unreachable', 'down')]);
    const sleeps: number[] = [];
    let wakeUp: (() => void) | null = null;
    const sender = new OutboxSender({
      outbox,
      connector: mis,
      idleMs: 30_000,
      random: c.random,
      clock: {
        ...c,
        setTimeout: (fn: () => void, ms: number) => {
          sleeps.push(ms);
          wakeUp = fn;
          return 0;
        },
      },
    });
    enqueueNote(db, outbox, 'L1');
    sender.start();
    await vi_waitFor(() => sleeps.length === 1);
    expect(sleeps[0]).toBe(1_000); // rescheduled 1 s ahead: sleep exactly until it is due
    c.t += 1_000;
    wakeUp!();
    await vi_waitFor(() => sleeps.length === 2);
    expect(sleeps[1]).toBe(30_000); // delivered; nothing due: idle
    enqueueNote(db, outbox, 'L2');
    sender.wake();
    await vi_waitFor(() => sleeps.length === 3);
    expect(mis.seen).toHaveLength(3);
    await sender.stop();
    expect(outbox.listUndelivered()).toEqual([]);
  });

  it('counts what is still being tried and what failed, and reports each drain that settled something', async () => {
    const db = journal();
    const c = clock();
    const outbox = new Outbox(db, { now: c.now });
    const mis = scriptedMis([new MisError('rejected', 'нет такого пациента'), new MisError('unreachable', 'down')]);
    const drains: DrainResult[] = [];
    let sleeps = 0;
    const sender = new OutboxSender({
      outbox,
      connector: mis,
      onDrained: (result) => drains.push(result),
      random: c.random,
      // Sleeps that never end by themselves: only a wake (or stop) ends them.
      clock: { ...c, setTimeout: () => ((sleeps += 1), 0) },
    });
    expect(outbox.counts()).toEqual({ pending: 0, failed: 0 });
    enqueueNote(db, outbox, 'L1');
    enqueueNote(db, outbox, 'L2');
    enqueueNote(db, outbox, 'L3');
    expect(outbox.counts()).toEqual({ pending: 3, failed: 0 });
    sender.start();
    await vi_waitFor(() => sleeps === 1);
    expect(drains).toEqual([{ delivered: 1, rescheduled: 1, failed: 1 }]);
    expect(outbox.counts()).toEqual({ pending: 1, failed: 1 });
    // A wake with nothing due settles nothing: no report, so the UI is not told of a non-change.
    sender.wake();
    await vi_waitFor(() => sleeps === 2);
    expect(drains).toHaveLength(1);
    await sender.stop();
  });
});

/** Lets queued promise callbacks run until `done()` holds (no timers involved). */
async function vi_waitFor(done: () => boolean): Promise<void> {
  for (let i = 0; i < 1_000 && !done(); i++) await Promise.resolve();
  if (!done()) throw new Error('condition not reached');
}

describe('Outbox.enqueue with a given idempotency key', () => {
  it('uses the key a write derives from what it belongs to, and a second row with that key is refused', () => {
    const db = journal();
    const outbox = new Outbox(db);
    const item = db.transaction(() => outbox.enqueue('wrapup', { localId: 'wrapup:c1' }, { idempotencyKey: 'wrapup-abc' }))();
    expect(item.idempotencyKey).toBe('wrapup-abc');
    expect(() => db.transaction(() => outbox.enqueue('wrapup', {}, { idempotencyKey: 'wrapup-abc' }))()).toThrow(/UNIQUE/);
    expect(() => db.transaction(() => outbox.enqueue('wrapup', {}, { idempotencyKey: '' }))()).toThrow(/1–128/);
  });
});

describe('OutboxSender settle hook: the domain learns each result in the transaction of the mark', () => {
  /** A settle hook that records, in the notes table, what each settled item came to. */
  function recordingSettle(db: Db, options: { throwOn?: 'delivered' | 'failed' } = {}) {
    withNotes(db);
    const write = db.prepare('INSERT INTO notes (text) VALUES (?)');
    const calls: { how: string; id: number; inTransaction: boolean; detail: string }[] = [];
    const settle: OutboxSettle = {
      delivered(item, result) {
        calls.push({ how: 'delivered', id: item.id, inTransaction: db.inTransaction, detail: `${result.status}:${result.appointmentId ?? ''}` });
        write.run(`delivered:${item.id}`);
        if (options.throwOn === 'delivered') throw new Error('domain bug');
      },
      failed(item, error, reason) {
        calls.push({ how: 'failed', id: item.id, inTransaction: db.inTransaction, detail: `${error.rejection ?? ''}|${reason}` });
        write.run(`failed:${item.id}`);
        if (options.throwOn === 'failed') throw new Error('domain bug');
      },
    };
    const notes = () => db.prepare<[], string>("SELECT text FROM notes WHERE text LIKE 'delivered:%' OR text LIKE 'failed:%' ORDER BY id").pluck().all();
    return { settle, calls, notes };
  }

  it('tells the hook once per delivered item, with the MIS answer, inside the journal transaction', async () => {
    const db = journal();
    const c = clock();
    const outbox = new Outbox(db, { now: c.now });
    const item = enqueueNote(db, outbox, 'L1');
    const { settle, calls, notes } = recordingSettle(db);
    const mis = { submit: async () => ({ status: 'duplicate' as const, ref: 'r1', appointmentId: 'A-7' }) };
    const sender = new OutboxSender({ outbox, connector: mis, clock: c, random: c.random, settle });
    expect(await sender.drainOnce()).toEqual({ delivered: 1, rescheduled: 0, failed: 0 });
    expect(await sender.drainOnce()).toEqual({ delivered: 0, rescheduled: 0, failed: 0 });
    expect(calls).toEqual([{ how: 'delivered', id: item.id, inTransaction: true, detail: 'duplicate:A-7' }]);
    expect(notes()).toEqual([`delivered:${item.id}`]);
    expect(outbox.get(item.id)).toMatchObject({ state: 'delivered' });
  });

  it('tells it of a permanent refusal with the typed rejection, and keeps a clear reason for the "not delivered" panel', async () => {
    const db = journal();
    const c = clock();
    const outbox = new Outbox(db, { now: c.now });
    const item = enqueueNote(db, outbox, 'L1');
    const { settle, calls } = recordingSettle(db);
    const mis = scriptedMis([new MisError('unreachable', 'down'), new MisError('rejected', 'Слот уже занят', { rejection: 'slot-taken' })]);
    const sender = new OutboxSender({ outbox, connector: mis, clock: c, random: c.random, settle });
    await sender.drainOnce();
    expect(calls).toEqual([]); // a transient failure settles nothing
    c.t = outbox.nextDueAt()!;
    await sender.drainOnce();
    expect(calls).toEqual([{ how: 'failed', id: item.id, inTransaction: true, detail: 'slot-taken|rejected: slot-taken: Слот уже занят' }]);
    expect(outbox.listUndelivered()).toEqual([expect.objectContaining({ id: item.id, state: 'failed', lastError: 'rejected: slot-taken: Слот уже занят' })]);
    // The retry button: delivered this time, and the hook hears of it.
    outbox.retry(item.id);
    await sender.drainOnce();
    expect(calls.map((call) => call.how)).toEqual(['failed', 'delivered']);
  });

  it('a hook that throws undoes only its own writes: the mark stands and the error is reported', async () => {
    const db = journal();
    const c = clock();
    const outbox = new Outbox(db, { now: c.now });
    const a = enqueueNote(db, outbox, 'L1');
    const b = enqueueNote(db, outbox, 'L2');
    const { settle, notes } = recordingSettle(db, { throwOn: 'delivered' });
    const errors: [number, unknown][] = [];
    const sender = new OutboxSender({
      outbox,
      connector: scriptedMis(['ok', 'ok']),
      clock: c,
      random: c.random,
      settle,
      onSettleError: (item, error) => {
        errors.push([item.id, error]);
        throw new Error('the report failed too');
      },
    });
    expect(await sender.drainOnce()).toEqual({ delivered: 2, rescheduled: 0, failed: 0 });
    expect(outbox.get(a.id)!.state).toBe('delivered');
    expect(outbox.get(b.id)!.state).toBe('delivered');
    expect(notes()).toEqual([]);
    expect(errors.map(([id, error]) => [id, (error as Error).message])).toEqual([
      [a.id, 'domain bug'],
      [b.id, 'domain bug'],
    ]);
  });

  it('does not run the hook for an item that was no longer in flight (settled elsewhere): each result is told once', async () => {
    const db = journal();
    const c = clock();
    const outbox = new Outbox(db, { now: c.now });
    const item = enqueueNote(db, outbox, 'L1');
    const { settle, calls } = recordingSettle(db);
    const mis = {
      submit: async () => {
        // Something else settled the row while the submit was on the wire.
        outbox.markDelivered(item.id);
        return { status: 'applied' as const, ref: 'r' };
      },
    };
    await new OutboxSender({ outbox, connector: mis, clock: c, random: c.random, settle }).drainOnce();
    expect(calls).toEqual([]);
    expect(outbox.markDelivered(item.id)).toBe(false);
    expect(outbox.markFailed(item.id, 'x')).toBe(false);
  });

  it('a crash before the mark commits leaves neither the mark nor the domain change: the resubmit settles both once', async () => {
    const path = tempDatabasePath('journal.db');
    const key = randomKey();
    const first = journal(path, key);
    const outbox = new Outbox(first);
    const item = enqueueNote(first, outbox, 'L1');
    withNotes(first);
    // The desk dies between the MIS's answer and the mark's commit.
    expect(outbox.claimDue(1).map((i) => i.id)).toEqual([item.id]);
    first.close();
    const reopened = journal(path, key);
    const recovered = new Outbox(reopened);
    recovered.recoverInflight();
    const again = recordingSettle(reopened);
    expect(again.notes()).toEqual([]);
    const mis = { submit: async () => ({ status: 'duplicate' as const, ref: 'r' }) };
    await new OutboxSender({ outbox: recovered, connector: mis, settle: again.settle }).drainOnce();
    expect(again.notes()).toEqual([`delivered:${item.id}`]);
    expect(recovered.get(item.id)!.state).toBe('delivered');
  });
});

describe('OutboxSettleRegistry: domains subscribe by kind', () => {
  const item = (kind: string): OutboxItem => ({ id: 1, idempotencyKey: 'k', kind, payload: {}, state: 'inflight', attempts: 1, nextAttemptAt: 0, lastError: null, createdAt: 0, updatedAt: 0 });

  it('fans a settled item out to the handlers of its kind prefix, and unsubscribes', () => {
    const registry = new OutboxSettleRegistry();
    const heard: string[] = [];
    const off = registry.on('booking.', { delivered: (i) => heard.push(`booking ${i.kind}`), failed: (i, _e, reason) => heard.push(`booking ${i.kind} ${reason}`) });
    registry.on('call-list.outcome', { delivered: (i) => heard.push(`lists ${i.kind}`) });
    registry.delivered(item('booking.create'), { status: 'applied', ref: 'r' });
    registry.delivered(item('call-list.outcome'), { status: 'applied', ref: 'r' });
    registry.delivered(item('wrapup'), { status: 'applied', ref: 'r' });
    registry.failed(item('booking.cancel'), new MisError('rejected', 'нет'), 'rejected: нет');
    registry.failed(item('call-list.outcome'), new MisError('rejected', 'нет'), 'rejected: нет');
    off();
    registry.delivered(item('booking.move'), { status: 'applied', ref: 'r' });
    expect(heard).toEqual(['booking booking.create', 'lists call-list.outcome', 'booking booking.cancel rejected: нет']);
    expect(() => registry.on('', {})).toThrow(/kind/);
  });

  it('runs every matching handler even when one throws, then rethrows the first error (the sender rolls the item back)', () => {
    const registry = new OutboxSettleRegistry();
    const heard: string[] = [];
    registry.on('booking.', {
      delivered: () => {
        throw new Error('first');
      },
    });
    registry.on('booking.create', { delivered: () => heard.push('second') });
    expect(() => registry.delivered(item('booking.create'), { status: 'applied', ref: 'r' })).toThrow('first');
    expect(heard).toEqual(['second']);
  });
});
