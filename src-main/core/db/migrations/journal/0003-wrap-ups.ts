import type { Migration } from '../migrate';

/**
 * Wrap-ups: one row per call, written with its outbox item in one transaction by
 * `calls.wrapUp`. The note is patient data: it lives only here, in the encrypted journal.
 * Also an index of the call journal by outcome, for the "missed" and "mine" filters.
 */
export const migration0003WrapUps: Migration = {
  version: 3,
  name: 'wrap-ups',
  up(db) {
    db.exec(`
      CREATE TABLE wrap_ups (
        -- one wrap-up per call: a second save of the same call finds this row and changes nothing
        call_id   TEXT    NOT NULL PRIMARY KEY CHECK (length(call_id) BETWEEN 1 AND 256),
        mis_id    TEXT    CHECK (mis_id IS NULL OR length(mis_id) BETWEEN 1 AND 64),
        category  TEXT    NOT NULL CHECK (length(category) BETWEEN 1 AND 80),
        outcome   TEXT    NOT NULL CHECK (outcome IN ('booked', 'information', 'transferred', 'callback', 'wrong-number')),
        note      TEXT    NOT NULL CHECK (length(note) <= 2000),
        acw_sec   INTEGER NOT NULL CHECK (acw_sec >= 0),
        saved_at  INTEGER NOT NULL,
        outbox_id INTEGER
      ) STRICT;
      -- a patient's history and calls: newest first by patient
      CREATE INDEX wrap_ups_mis_id ON wrap_ups (mis_id, saved_at) WHERE mis_id IS NOT NULL;
      -- the journal's "missed" / "mine" filters walk one outcome newest first
      CREATE INDEX calls_outcome_started_at ON calls (outcome, started_at, id);
    `);
  },
};
