import { describe, expect, it } from 'vitest';
import { migration0010CallListTasks } from './0010-call-list-tasks';
import { JOURNAL_MIGRATIONS } from './index';
import { applyStep, isStrict, journalAt, objectsOf } from './test-support';

const INSERT =
  'INSERT INTO call_list_tasks (id, list_id, source_key, state, position, next_attempt_at, record, updated_at) VALUES (@id, @listId, @sourceKey, @state, @position, @nextAttemptAt, @record, 1)';
const task = {
  id: 'confirm-tomorrow:2026-12-07/slot-1',
  listId: 'confirm-tomorrow:2026-12-07',
  sourceKey: 'confirm-tomorrow/slot-1',
  state: 'open',
  position: 1,
  nextAttemptAt: null,
  record: '{"status":{}}',
};

const plan = (db: ReturnType<typeof journalAt>, sql: string) =>
  (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]).map((row) => row.detail).join(' ');

describe('journal migration 0010-call-list-tasks', () => {
  it('is journal step 10', () => {
    expect(JOURNAL_MIGRATIONS[9]).toBe(migration0010CallListTasks);
    expect(migration0010CallListTasks.version).toBe(10);
  });

  it('adds the STRICT call_list_tasks table with its indexes to a journal at step 9, keeping the callback tasks', () => {
    const db = journalAt(9);
    db.prepare("INSERT INTO callback_tasks (id, state, first_at, closed_at, record, updated_at) VALUES ('+79161234567', 'open', 1, NULL, '{}', 1)").run();
    expect(applyStep(db, migration0010CallListTasks)).toEqual({ from: 9, to: 10, applied: ['0010-call-list-tasks'] });
    expect(objectsOf(db, 'call_list_tasks')).toEqual([
      'index:call_list_tasks_by_list',
      'index:call_list_tasks_by_source',
      'index:call_list_tasks_by_state',
      'table:call_list_tasks',
    ]);
    expect(isStrict(db, 'call_list_tasks')).toBe(true);
    expect(db.prepare('SELECT count(*) FROM callback_tasks').pluck().get()).toBe(1);
    db.close();
  });

  it('keeps one row per task id and refuses an unknown state or a record that is not JSON', () => {
    const db = journalAt(10);
    db.prepare(INSERT).run(task);
    expect(() => db.prepare(INSERT).run(task)).toThrow(/UNIQUE|PRIMARY/);
    expect(() => db.prepare(INSERT).run({ ...task, id: 'x', state: 'blocked' })).toThrow(/CHECK/);
    expect(() => db.prepare(INSERT).run({ ...task, id: 'y', record: 'not json' })).toThrow(/CHECK/);
    db.close();
  });

  it('reads a list in order, the retries coming due and a MIS task across days from their indexes', () => {
    const db = journalAt(10);
    expect(plan(db, "SELECT record FROM call_list_tasks WHERE list_id = 'l' ORDER BY position, id")).toMatch(/USING INDEX call_list_tasks_by_list/);
    expect(plan(db, "SELECT min(next_attempt_at) FROM call_list_tasks WHERE state = 'waiting' AND next_attempt_at > 5")).toMatch(/USING (COVERING )?INDEX call_list_tasks_by_state/);
    expect(plan(db, "SELECT record FROM call_list_tasks WHERE source_key = 's'")).toMatch(/USING INDEX call_list_tasks_by_source/);
    db.close();
  });
});
