import type { Migration } from '../migrate';

/**
 * The callback worklist: one row per number owed a call back. `record` is the task as the desks
 * share it (JSON, merged field by field with what other desks publish, see `callback-record.ts`);
 * `state`, `first_at` and `closed_at` are copied out of it for the list's index.
 */
export const migration0008CallbackTasks: Migration = {
  version: 8,
  name: 'callback-tasks',
  up(db) {
    db.exec(`
      CREATE TABLE callback_tasks (
        id         TEXT    PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 80),
        state      TEXT    NOT NULL CHECK (state IN ('open', 'claimed', 'done')),
        first_at   INTEGER NOT NULL,
        closed_at  INTEGER,
        record     TEXT    NOT NULL CHECK (json_valid(record) AND length(record) <= 4000),
        updated_at INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX callback_tasks_by_state ON callback_tasks (state, first_at);
    `);
  },
};
