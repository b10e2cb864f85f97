import type { Migration } from '../migrate';

/**
 * The desk's own bookings (docs/architecture.md, "Booking"): one row per create, move or cancel
 * this desk sent the MIS, with the outbox item that carries it. `pending` until the MIS answers;
 * then a create or move is `confirmed` (with the MIS's appointment id) and a cancel `cancelled`,
 * or either is `rejected` with the MIS's reason. A create or move replaced by a later confirmed
 * move or cancel becomes `cancelled`.
 *
 * - `slot_id`, `doctor_id`, `starts_at`: the slot booked (create, move) or given up (cancel, when known);
 * - `replaces_local_id` / `replaces_appointment_id`: what a move or cancel changes (this desk's
 *   booking, and/or the MIS's appointment);
 * - `bookings_hold` is UNIQUE: at most one pending create or move holds a slot, whatever the code does.
 */
export const migration0009Bookings: Migration = {
  version: 9,
  name: 'bookings',
  up(db) {
    db.exec(`
      CREATE TABLE bookings (
        id                      TEXT    NOT NULL PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 128),
        kind                    TEXT    NOT NULL CHECK (kind IN ('create', 'move', 'cancel')),
        patient_mis_id          TEXT    NOT NULL CHECK (length(patient_mis_id) BETWEEN 1 AND 64),
        slot_id                 TEXT    CHECK (slot_id IS NULL OR length(slot_id) BETWEEN 1 AND 96),
        doctor_id               TEXT    CHECK (doctor_id IS NULL OR length(doctor_id) BETWEEN 1 AND 96),
        service_id              TEXT    CHECK (service_id IS NULL OR length(service_id) BETWEEN 1 AND 96),
        service_kind            TEXT    CHECK (service_kind IS NULL OR service_kind IN ('oms', 'dms', 'paid', 'checkup')),
        starts_at               TEXT    CHECK (starts_at IS NULL OR length(starts_at) BETWEEN 20 AND 40),
        starts_at_ms            INTEGER,
        state                   TEXT    NOT NULL CHECK (state IN ('pending', 'confirmed', 'rejected', 'cancelled')),
        outbox_id               INTEGER NOT NULL,
        appointment_id          TEXT    CHECK (appointment_id IS NULL OR length(appointment_id) BETWEEN 1 AND 96),
        rejection               TEXT    CHECK (rejection IS NULL OR rejection IN ('slot-taken', 'slot-gone', 'patient-unknown', 'appointment-unknown', 'refused')),
        rejection_message       TEXT    CHECK (rejection_message IS NULL OR length(rejection_message) <= 500),
        call_id                 TEXT    CHECK (call_id IS NULL OR length(call_id) BETWEEN 1 AND 256),
        replaces_local_id       TEXT    CHECK (replaces_local_id IS NULL OR length(replaces_local_id) BETWEEN 1 AND 128),
        replaces_appointment_id TEXT    CHECK (replaces_appointment_id IS NULL OR length(replaces_appointment_id) BETWEEN 1 AND 96),
        created_at              INTEGER NOT NULL,
        updated_at              INTEGER NOT NULL,
        CHECK (kind = 'cancel' OR (slot_id IS NOT NULL AND doctor_id IS NOT NULL AND starts_at IS NOT NULL AND starts_at_ms IS NOT NULL)),
        CHECK (kind = 'create' OR replaces_local_id IS NOT NULL OR replaces_appointment_id IS NOT NULL),
        CHECK (kind <> 'cancel' OR state <> 'confirmed'),
        CHECK ((state = 'rejected') = (rejection IS NOT NULL))
      ) STRICT;
      CREATE UNIQUE INDEX bookings_by_outbox ON bookings (outbox_id);
      CREATE INDEX bookings_by_patient ON bookings (patient_mis_id);
      CREATE INDEX bookings_by_call ON bookings (call_id) WHERE call_id IS NOT NULL;
      CREATE INDEX bookings_by_appointment ON bookings (appointment_id) WHERE appointment_id IS NOT NULL;
      CREATE INDEX bookings_by_slot ON bookings (slot_id) WHERE slot_id IS NOT NULL;
      CREATE UNIQUE INDEX bookings_hold ON bookings (slot_id) WHERE state = 'pending' AND kind IN ('create', 'move');
      CREATE INDEX bookings_by_state ON bookings (state, updated_at);
    `);
  },
};
