import type { Migration } from '../migrate';

/**
 * Callback requests: a wrap-up with outcome "callback" leaves one open request for
 * the callbacks feature to pick up, written in the wrap-up's transaction.
 */
export const migration0005CallbackRequests: Migration = {
  version: 5,
  name: 'callback-requests',
  up(db) {
    db.exec(`
      CREATE TABLE callback_requests (
        id         INTEGER PRIMARY KEY,
        call_id    TEXT    NOT NULL UNIQUE CHECK (length(call_id) BETWEEN 1 AND 256),
        number     TEXT    NOT NULL CHECK (length(number) <= 64),
        mis_id     TEXT    CHECK (mis_id IS NULL OR length(mis_id) BETWEEN 1 AND 64),
        created_at INTEGER NOT NULL,
        state      TEXT    NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'done', 'cancelled'))
      ) STRICT;
      CREATE INDEX callback_requests_open ON callback_requests (state, created_at);
    `);
  },
};
