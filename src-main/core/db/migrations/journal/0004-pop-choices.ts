import type { Migration } from '../migrate';

/**
 * Screen pop memory: which card the operator picked for a shared number (a parent
 * calling for a child), and which card was on screen for each call (the journal's patient).
 */
export const migration0004PopChoices: Migration = {
  version: 4,
  name: 'pop-choices',
  up(db) {
    db.exec(`
      CREATE TABLE pop_choices (
        -- E.164 of the number, as normalised by the desk
        number_key TEXT    NOT NULL PRIMARY KEY CHECK (length(number_key) BETWEEN 2 AND 32),
        mis_id     TEXT    NOT NULL CHECK (length(mis_id) BETWEEN 1 AND 64),
        chosen_at  INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
      CREATE TABLE call_patients (
        call_id    TEXT    NOT NULL PRIMARY KEY CHECK (length(call_id) BETWEEN 1 AND 256),
        mis_id     TEXT    NOT NULL CHECK (length(mis_id) BETWEEN 1 AND 64),
        number_key TEXT    CHECK (number_key IS NULL OR length(number_key) BETWEEN 2 AND 32),
        shown_at   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX call_patients_mis_id ON call_patients (mis_id, shown_at);
    `);
  },
};
