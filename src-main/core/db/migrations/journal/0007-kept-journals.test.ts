import { describe, expect, it } from 'vitest';
import { migration0007KeptJournals } from './0007-kept-journals';
import { JOURNAL_MIGRATIONS } from './index';
import { applyStep, isStrict, journalAt, objectsOf } from './test-support';

const INSERT = `INSERT INTO kept_journals (path, reason, kept_at, undelivered, audit_entries, counted_at)
                VALUES (@path, @reason, @keptAt, @undelivered, @auditEntries, @countedAt)`;
const kept = { path: '/data/journal.db.key-lost-2026-12-05T08-00-00-000Z', reason: 'key-lost', keptAt: 1, undelivered: 3, auditEntries: 120, countedAt: 1 };

describe('journal migration 0007-kept-journals', () => {
  it('is journal step 7', () => {
    expect(JOURNAL_MIGRATIONS[6]).toBe(migration0007KeptJournals);
    expect(migration0007KeptJournals.version).toBe(7);
  });

  it('adds the STRICT kept_journals table to a journal at step 6, keeping its outbox', () => {
    const db = journalAt(6);
    db.prepare("INSERT INTO outbox (idempotency_key, kind, payload, next_attempt_at, created_at, updated_at) VALUES ('k1', 'wrapup', '{}', 0, 0, 0)").run();
    expect(applyStep(db, migration0007KeptJournals)).toEqual({ from: 6, to: 7, applied: ['0007-kept-journals'] });
    expect(objectsOf(db, 'kept_journals')).toEqual(['table:kept_journals']);
    expect(isStrict(db, 'kept_journals')).toBe(true);
    expect(db.prepare('SELECT count(*) FROM outbox').pluck().get()).toBe(1);
    db.close();
  });

  it('keeps a kept file with unknown counts, and refuses an unknown reason or a negative count', () => {
    const db = journalAt(7);
    db.prepare(INSERT).run(kept);
    db.prepare(INSERT).run({ ...kept, undelivered: null, auditEntries: null, countedAt: null });
    expect(() => db.prepare(INSERT).run({ ...kept, reason: 'deleted' })).toThrow(/CHECK/);
    expect(() => db.prepare(INSERT).run({ ...kept, undelivered: -1 })).toThrow(/CHECK/);
    expect(db.prepare('SELECT count(*) FROM kept_journals').pluck().get()).toBe(2);
    db.close();
  });
});
