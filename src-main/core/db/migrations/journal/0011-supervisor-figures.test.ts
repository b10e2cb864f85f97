import { describe, expect, it } from 'vitest';
import { migration0011SupervisorFigures } from './0011-supervisor-figures';
import { JOURNAL_MIGRATIONS } from './index';
import { applyStep, isStrict, journalAt, objectsOf } from './test-support';

const INSERT = 'INSERT INTO supervisor_figures (day, kind, key, value, updated_at) VALUES (@day, @kind, @key, @value, 1)';
const row = { day: '2026-12-07', kind: 'queue', key: 'reception', value: '{"offered":3}' };

const plan = (db: ReturnType<typeof journalAt>, sql: string) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((r) => r.detail).join(' ');

describe('journal migration 0011-supervisor-figures', () => {
  it('is journal step 11', () => {
    expect(JOURNAL_MIGRATIONS[10]).toBe(migration0011SupervisorFigures);
    expect(migration0011SupervisorFigures.version).toBe(11);
  });

  it('adds the STRICT supervisor_figures table to a journal at step 10, keeping the call-list tasks', () => {
    const db = journalAt(10);
    db.prepare("INSERT INTO call_list_tasks (id, list_id, source_key, state, position, next_attempt_at, record, updated_at) VALUES ('t', 'l', 's', 'open', 1, NULL, '{}', 1)").run();
    expect(applyStep(db, migration0011SupervisorFigures)).toEqual({ from: 10, to: 11, applied: ['0011-supervisor-figures'] });
    expect(objectsOf(db, 'supervisor_figures')).toEqual(['table:supervisor_figures']);
    expect(isStrict(db, 'supervisor_figures')).toBe(true);
    expect(db.prepare('SELECT count(*) FROM call_list_tasks').pluck().get()).toBe(1);
    db.close();
  });

  it('keeps one row per day, kind and key, and refuses a day that is not a date, an unknown kind or a value that is not JSON', () => {
    const db = journalAt(11);
    const insert = db.prepare(INSERT);
    insert.run(row);
    expect(() => insert.run(row)).toThrow(/UNIQUE|PRIMARY/);
    insert.run({ ...row, day: '2026-12-08' });
    insert.run({ ...row, kind: 'hour', key: '09' });
    expect(() => insert.run({ ...row, day: '7.12.2026' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, day: '2026-12-7x' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, kind: 'patient' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, key: '' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, key: 'x', value: 'not json' })).toThrow(/CHECK/);
    expect(() => insert.run({ ...row, key: 'y', value: JSON.stringify('x'.repeat(2_001)) })).toThrow(/CHECK/);
    expect(db.prepare('SELECT count(*) FROM supervisor_figures').pluck().get()).toBe(3);
    db.close();
  });

  it("reads a day's rows and drops the days before from the primary key", () => {
    const db = journalAt(11);
    expect(plan(db, "SELECT kind, key, value FROM supervisor_figures WHERE day = '2026-12-07'")).toMatch(/SEARCH supervisor_figures USING PRIMARY KEY \(day=\?\)/);
    expect(plan(db, "DELETE FROM supervisor_figures WHERE day < '2026-10-01'")).toMatch(/SEARCH supervisor_figures USING PRIMARY KEY \(day<\?\)/);
    db.close();
  });
});
