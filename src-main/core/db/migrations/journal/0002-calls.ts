import type { Migration } from '../migrate';

/**
 * The call journal: one row per finished call, written once by the desk's softphone
 * through `calls.record`. Times are Unix epoch milliseconds, like the rest of the journal, so
 * `ORDER BY started_at` is numeric and needs no time-zone parsing. Durations are not stored:
 * they are derived from the times.
 */
export const migration0002Calls: Migration = {
  version: 2,
  name: 'calls',
  up(db) {
    db.exec(`
      CREATE TABLE calls (
        -- the SIP.js session id (Call-ID + From tag): a retried record finds its row
        id           TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 256),
        direction    TEXT    NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
        number       TEXT    NOT NULL CHECK (length(number) <= 64),
        display_name TEXT    NOT NULL CHECK (length(display_name) <= 80),
        started_at   INTEGER NOT NULL,
        answered_at  INTEGER,
        ended_at     INTEGER NOT NULL,
        outcome      TEXT    NOT NULL CHECK (outcome IN ('answered', 'missed', 'rejected', 'failed', 'lost')),
        recorded_at  INTEGER NOT NULL,
        -- only a call that was talked on has an answer time (a lost call was answered first)
        CHECK ((answered_at IS NOT NULL) = (outcome IN ('answered', 'lost')))
      ) STRICT;
      -- The journal's list, newest first; id breaks ties so the order is stable.
      CREATE INDEX calls_started_at ON calls (started_at, id);
    `);
  },
};
