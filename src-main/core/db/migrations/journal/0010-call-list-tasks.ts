import type { Migration } from '../migrate';

/**
 * The outbound call lists (confirm tomorrow's visits, recalls, results ready): one row per
 * patient to call on one list. `record` is the task as this desk keeps it (JSON: what the list
 * says about the patient, and the status part the desks share through the PBX, see
 * `call-lists/call-list-record.ts`); `list_id`, `state`, `position`, `next_attempt_at` and
 * `source_key` are copied out of it for the indexes: a list in order, the retries coming due,
 * and the same MIS task on an earlier day's list.
 */
export const migration0010CallListTasks: Migration = {
  version: 10,
  name: 'call-list-tasks',
  up(db) {
    db.exec(`
      CREATE TABLE call_list_tasks (
        id              TEXT    PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 160),
        list_id         TEXT    NOT NULL CHECK (length(list_id) BETWEEN 1 AND 64),
        source_key      TEXT    NOT NULL CHECK (length(source_key) BETWEEN 1 AND 120),
        state           TEXT    NOT NULL CHECK (state IN ('open', 'claimed', 'waiting', 'done')),
        position        INTEGER NOT NULL,
        next_attempt_at INTEGER,
        record          TEXT    NOT NULL CHECK (json_valid(record) AND length(record) <= 8000),
        updated_at      INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX call_list_tasks_by_list ON call_list_tasks (list_id, position, id);
      CREATE INDEX call_list_tasks_by_state ON call_list_tasks (state, next_attempt_at);
      CREATE INDEX call_list_tasks_by_source ON call_list_tasks (source_key);
    `);
  },
};
