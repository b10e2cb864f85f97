import type { Migration } from '../migrate';

/**
 * The clinic's schedule as synced from the MIS (docs/architecture.md, "Data"): branches,
 * doctors, services, slots and the MIS's call tasks, one table per stream, each row carrying
 * the MIS `version` (a lower or equal one never overwrites it) and `pass`, the number of the
 * stream's full pass that last carried it (`schedule_passes`: what a pass from the start did
 * not carry is removed at its end). Written and read only by `core/schedule/schedule-repository.ts`.
 *
 * Slots are the big table (≈250,000 rows for 200 doctors over 14 days) and the booking pane's
 * hot path: `starts_at` is an INTEGER instant (epoch ms) for ranges and order, next to the MIS's
 * own ISO text, and the doctor's `specialty` and `branch_id` are copied into each slot so
 * "free slots of a specialty (in a branch), earliest first" is one index search. They are NULL
 * while the slot's doctor is not cached (such a slot is never offered). Every hot query has an
 * index, pinned by EXPLAIN QUERY PLAN tests (0004-schedule.test.ts, schedule-repository.test.ts).
 *
 * All tables are WITHOUT ROWID on the MIS id: rows are small, every write and the by-id reads
 * go straight to the primary key, and secondary index entries carry the id itself.
 */
export const migration0004Schedule: Migration = {
  version: 4,
  name: 'schedule',
  up(db) {
    db.exec(`
      CREATE TABLE branches (
        id       TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 96),
        version  INTEGER NOT NULL CHECK (version >= 0),
        pass     INTEGER NOT NULL DEFAULT 0,
        name     TEXT    NOT NULL,
        address  TEXT    NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE doctors (
        id         TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 96),
        version    INTEGER NOT NULL CHECK (version >= 0),
        pass       INTEGER NOT NULL DEFAULT 0,
        name       TEXT    NOT NULL,
        specialty  TEXT    NOT NULL,
        branch_id  TEXT    NOT NULL,
        room       TEXT    NOT NULL
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE services (
        id            TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 96),
        version       INTEGER NOT NULL CHECK (version >= 0),
        pass          INTEGER NOT NULL DEFAULT 0,
        name          TEXT    NOT NULL,
        specialty     TEXT    NOT NULL,
        duration_min  INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 480),
        kind          TEXT    NOT NULL CHECK (kind IN ('oms', 'dms', 'paid', 'checkup')),
        price_rub     INTEGER CHECK (price_rub IS NULL OR price_rub >= 0),
        prepare       TEXT
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE slots (
        id              TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 96),
        version         INTEGER NOT NULL CHECK (version >= 0),
        pass            INTEGER NOT NULL DEFAULT 0,
        doctor_id       TEXT    NOT NULL,
        -- the doctor's, copied (NULL while the doctor is not cached): one index search per hot query
        specialty       TEXT,
        branch_id       TEXT,
        -- the instant (epoch ms) for ranges and order; the MIS's ISO text (with its offset) as sent
        starts_at       INTEGER NOT NULL,
        starts_at_iso   TEXT    NOT NULL,
        duration_min    INTEGER NOT NULL CHECK (duration_min BETWEEN 5 AND 480),
        state           TEXT    NOT NULL CHECK (state IN ('free', 'booked', 'blocked')),
        patient_mis_id  TEXT,
        appointment_id  TEXT,
        service_id      TEXT,
        CHECK (state = 'booked' OR (patient_mis_id IS NULL AND appointment_id IS NULL))
      ) STRICT, WITHOUT ROWID;
      -- (a) free slots of a specialty in a time range, earliest first: only free slots are in it.
      CREATE INDEX slots_free ON slots (specialty, starts_at) WHERE state = 'free';
      -- (a) the same within one branch.
      CREATE INDEX slots_free_branch ON slots (branch_id, specialty, starts_at) WHERE state = 'free';
      -- (b) a doctor's day (every state), a doctor's free slots, and the doctor's slots to re-copy
      -- when the doctor changes specialty or branch.
      CREATE INDEX slots_doctor ON slots (doctor_id, starts_at);
      -- (c) booked visits with a patient in a time range ("confirm tomorrow's visits").
      CREATE INDEX slots_booked ON slots (starts_at) WHERE state = 'booked' AND patient_mis_id IS NOT NULL;
      -- dropping the days gone by (prunePast) without reading the table.
      CREATE INDEX slots_starts_at ON slots (starts_at);

      CREATE TABLE mis_call_tasks (
        id              TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 96),
        version         INTEGER NOT NULL CHECK (version >= 0),
        pass            INTEGER NOT NULL DEFAULT 0,
        list            TEXT    NOT NULL CHECK (list IN ('recall', 'results')),
        patient_mis_id  TEXT    NOT NULL,
        reason          TEXT    NOT NULL,
        due_date        TEXT    NOT NULL CHECK (length(due_date) = 10 AND substr(due_date, 5, 1) = '-'),
        specialty       TEXT
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX mis_call_tasks_due ON mis_call_tasks (list, due_date);

      -- Per schedule stream: the number of its latest pass from the start, and whether rows of
      -- earlier passes are to be removed when that pass ends (the MIS forgot our cursor: the
      -- pass replaces the stream). In the file it describes, so a pass survives a restart.
      CREATE TABLE schedule_passes (
        stream  TEXT    NOT NULL PRIMARY KEY CHECK (stream IN ('branches', 'doctors', 'services', 'slots', 'call-tasks')),
        pass    INTEGER NOT NULL CHECK (pass >= 0),
        sweep   INTEGER NOT NULL CHECK (sweep IN (0, 1))
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
