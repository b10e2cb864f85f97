import { describe, expect, it } from 'vitest';
import { migration0008CallbackTasks } from './0008-callback-tasks';
import { JOURNAL_MIGRATIONS } from './index';
import { applyStep, isStrict, journalAt, objectsOf } from './test-support';

const INSERT = 'INSERT INTO callback_tasks (id, state, first_at, closed_at, record, updated_at) VALUES (@id, @state, @firstAt, @closedAt, @record, 1)';
const task = { id: '+79161234567', state: 'open', firstAt: 1, closedAt: null, record: '{"number":"79161234567"}' };

describe('journal migration 0008-callback-tasks', () => {
  it('is journal step 8', () => {
    expect(JOURNAL_MIGRATIONS[7]).toBe(migration0008CallbackTasks);
    expect(migration0008CallbackTasks.version).toBe(8);
  });

  it('adds the STRICT callback_tasks table with its state index to a journal at step 7, keeping the callback requests', () => {
    const db = journalAt(7);
    db.prepare("INSERT INTO callback_requests (call_id, number, mis_id, created_at) VALUES ('c1', '79161234567', NULL, 1)").run();
    expect(applyStep(db, migration0008CallbackTasks)).toEqual({ from: 7, to: 8, applied: ['0008-callback-tasks'] });
    expect(objectsOf(db, 'callback_tasks')).toEqual(['index:callback_tasks_by_state', 'table:callback_tasks']);
    expect(isStrict(db, 'callback_tasks')).toBe(true);
    expect(db.prepare('SELECT count(*) FROM callback_requests').pluck().get()).toBe(1);
    db.close();
  });

  it('keeps one task per number and refuses an unknown state or a record that is not JSON', () => {
    const db = journalAt(8);
    db.prepare(INSERT).run(task);
    expect(() => db.prepare(INSERT).run(task)).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare(INSERT).run({ ...task, id: 'x', state: 'lost' })).toThrow(/CHECK/);
    expect(() => db.prepare(INSERT).run({ ...task, id: 'y', record: 'not json' })).toThrow(/CHECK/);
    db.close();
  });

  it('lists the open tasks from the state index', () => {
    const db = journalAt(8);
    const plan = db.prepare("EXPLAIN QUERY PLAN SELECT record FROM callback_tasks WHERE state IN ('open', 'claimed') ORDER BY first_at").all() as { detail: string }[];
    expect(plan.map((row) => row.detail).join(' ')).toMatch(/USING INDEX callback_tasks_by_state/);
    db.close();
  });
});
