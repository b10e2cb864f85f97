import type { Migration } from '../migrate';

/**
 * New-patient drafts: an unknown caller's card as the operator typed it, kept here
 * (patient data: encrypted journal only) and sent to the MIS through the outbox.
 */
export const migration0006PatientDrafts: Migration = {
  version: 6,
  name: 'patient-drafts',
  up(db) {
    db.exec(`
      CREATE TABLE patient_drafts (
        id          TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 64),
        call_id     TEXT    NOT NULL CHECK (length(call_id) BETWEEN 1 AND 256),
        phone       TEXT    NOT NULL CHECK (length(phone) BETWEEN 1 AND 64),
        surname     TEXT    NOT NULL CHECK (length(surname) BETWEEN 1 AND 100),
        given_name  TEXT    NOT NULL CHECK (length(given_name) BETWEEN 1 AND 100),
        patronymic  TEXT    CHECK (patronymic IS NULL OR length(patronymic) <= 100),
        birth_date  TEXT    CHECK (birth_date IS NULL OR length(birth_date) = 10),
        note        TEXT    CHECK (note IS NULL OR length(note) <= 500),
        created_at  INTEGER NOT NULL,
        outbox_id   INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX patient_drafts_call_id ON patient_drafts (call_id);
    `);
  },
};
