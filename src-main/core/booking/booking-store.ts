import type { BookingRejection, ServiceKind } from '../../../src-shared/schedule/schedule-model';
import type { Db } from '../db/open-database';

export type BookingKind = 'create' | 'move' | 'cancel';
export type BookingState = 'pending' | 'confirmed' | 'rejected' | 'cancelled';

/** One create, move or cancel this desk sent the MIS (journal.db `bookings`, migration 9). */
export interface BookingRow {
  /** The desk's local id (a UUID), also the payload's `localId`. */
  id: string;
  kind: BookingKind;
  patientMisId: string;
  /** The slot booked (create, move) or given up (cancel, when known). */
  slotId: string | null;
  doctorId: string | null;
  serviceId: string | null;
  /** The kind of the booked service when known (what the wrap-up's category follows). */
  serviceKind: ServiceKind | null;
  startsAt: string | null;
  startsAtMs: number | null;
  state: BookingState;
  outboxId: number;
  /** The MIS's appointment id once known (for a cancel: the appointment it cancels). */
  appointmentId: string | null;
  rejection: BookingRejection | null;
  rejectionMessage: string | null;
  callId: string | null;
  /** Move / cancel: this desk's booking it changes. */
  replacesLocalId: string | null;
  /** Move / cancel: the MIS's appointment it changes. */
  replacesAppointmentId: string | null;
  createdAt: number;
  updatedAt: number;
}

interface Row {
  id: string;
  kind: BookingKind;
  patient_mis_id: string;
  slot_id: string | null;
  doctor_id: string | null;
  service_id: string | null;
  service_kind: ServiceKind | null;
  starts_at: string | null;
  starts_at_ms: number | null;
  state: BookingState;
  outbox_id: number;
  appointment_id: string | null;
  rejection: BookingRejection | null;
  rejection_message: string | null;
  call_id: string | null;
  replaces_local_id: string | null;
  replaces_appointment_id: string | null;
  created_at: number;
  updated_at: number;
}

/** Rows of one patient read at most (a patient's history on one desk; the visits list shows ≤ 200). */
const PATIENT_ROWS_MAX = 1_000;
const MESSAGE_MAX = 500;

/**
 * The `bookings` table. Every query is an index search (EXPLAIN QUERY PLAN tests in the
 * migration's test): by patient, by call, by appointment, by slot, and the held slots (the
 * UNIQUE partial index `bookings_hold`: at most one pending create or move per slot).
 */
export class BookingStore {
  private readonly s;

  constructor(readonly db: Db) {
    this.s = {
      insert: db.prepare<Row>(
        `INSERT INTO bookings (id, kind, patient_mis_id, slot_id, doctor_id, service_id, service_kind, starts_at, starts_at_ms, state, outbox_id,
           appointment_id, rejection, rejection_message, call_id, replaces_local_id, replaces_appointment_id, created_at, updated_at)
         VALUES (@id, @kind, @patient_mis_id, @slot_id, @doctor_id, @service_id, @service_kind, @starts_at, @starts_at_ms, @state, @outbox_id,
           @appointment_id, @rejection, @rejection_message, @call_id, @replaces_local_id, @replaces_appointment_id, @created_at, @updated_at)`,
      ),
      get: db.prepare<[string], Row>('SELECT * FROM bookings WHERE id = ?'),
      byPatient: db.prepare<[string, number], Row>('SELECT * FROM bookings WHERE patient_mis_id = ? ORDER BY rowid LIMIT ?'),
      byCall: db.prepare<[string], Row>('SELECT * FROM bookings WHERE call_id = ? ORDER BY rowid'),
      byAppointment: db.prepare<[string], Row>("SELECT * FROM bookings WHERE appointment_id = ? AND kind IN ('create', 'move') ORDER BY rowid DESC LIMIT 1"),
      latestBySlot: db.prepare<[string], Row>("SELECT * FROM bookings WHERE slot_id = ? AND kind IN ('create', 'move') ORDER BY rowid DESC LIMIT 1"),
      holding: db.prepare<[string], number>("SELECT count(*) FROM bookings WHERE slot_id = ? AND state = 'pending' AND kind IN ('create', 'move')").pluck(),
      recentlyConfirmed: db.prepare<[string, number, number], number>(
        "SELECT count(*) FROM bookings WHERE slot_id = ? AND state = 'confirmed' AND kind IN ('create', 'move') AND updated_at > ? AND starts_at_ms > ?",
      ).pluck(),
      held: db.prepare<[number, number], string>(
        `SELECT slot_id FROM bookings WHERE state = 'pending' AND kind IN ('create', 'move')
         UNION SELECT slot_id FROM bookings WHERE state = 'confirmed' AND updated_at > ? AND kind IN ('create', 'move') AND starts_at_ms > ?`,
      ).pluck(),
      confirm: db.prepare<[string | null, number, string]>(
        "UPDATE bookings SET state = 'confirmed', appointment_id = coalesce(?, appointment_id), rejection = NULL, rejection_message = NULL, updated_at = ? WHERE id = ? AND state IN ('pending', 'rejected')",
      ),
      cancelled: db.prepare<[string | null, number, string]>(
        "UPDATE bookings SET state = 'cancelled', appointment_id = coalesce(?, appointment_id), rejection = NULL, rejection_message = NULL, updated_at = ? WHERE id = ? AND state <> 'cancelled'",
      ),
      reject: db.prepare<[string, string | null, number, string]>("UPDATE bookings SET state = 'rejected', rejection = ?, rejection_message = ?, updated_at = ? WHERE id = ? AND state = 'pending'"),
    };
  }

  insert(row: BookingRow): void {
    this.s.insert.run(toRow(row));
  }

  get(id: string): BookingRow | null {
    const row = this.s.get.get(id);
    return row ? fromRow(row) : null;
  }

  /** A patient's rows in the order they were written. */
  byPatient(patientMisId: string): BookingRow[] {
    return this.s.byPatient.all(patientMisId, PATIENT_ROWS_MAX).map(fromRow);
  }

  /** The rows written on one call, in order. */
  byCall(callId: string): BookingRow[] {
    return this.s.byCall.all(callId).map(fromRow);
  }

  /** The latest create or move the MIS confirmed as this appointment. */
  byAppointment(appointmentId: string): BookingRow | null {
    const row = this.s.byAppointment.get(appointmentId);
    return row ? fromRow(row) : null;
  }

  /** The latest create or move of a slot (what a slot gone from the cache was: its doctor). */
  latestForSlot(slotId: string): BookingRow | null {
    const row = this.s.latestBySlot.get(slotId);
    return row ? fromRow(row) : null;
  }

  /**
   * Whether this desk holds the slot: a create or move of it waits for the MIS, or the MIS
   * confirmed one after `confirmedSince` for a time after `now` (the cached schedule may not have
   * caught up with it yet: it can still say free).
   */
  isHeld(slotId: string, confirmedSince: number, now: number): boolean {
    return this.s.holding.get(slotId)! > 0 || this.s.recentlyConfirmed.get(slotId, confirmedSince, now)! > 0;
  }

  /** Every slot {@link isHeld} holds. */
  heldSlots(confirmedSince: number, now: number): Set<string> {
    return new Set(this.s.held.all(confirmedSince, now));
  }

  /** The MIS applied a create or move: `confirmed`, with its appointment id when it gave one. False if not pending (or rejected). */
  confirm(id: string, appointmentId: string | null, at: number): boolean {
    return this.s.confirm.run(appointmentId, at, id).changes === 1;
  }

  /** A cancel the MIS applied, or a booking it replaced (moved or cancelled). */
  markCancelled(id: string, appointmentId: string | null, at: number): boolean {
    return this.s.cancelled.run(appointmentId, at, id).changes === 1;
  }

  /** The MIS refused a pending row. */
  reject(id: string, rejection: BookingRejection, message: string | null, at: number): boolean {
    return this.s.reject.run(rejection, message === null ? null : message.slice(0, MESSAGE_MAX), at, id).changes === 1;
  }
}

function toRow(row: BookingRow): Row {
  return {
    id: row.id,
    kind: row.kind,
    patient_mis_id: row.patientMisId,
    slot_id: row.slotId,
    doctor_id: row.doctorId,
    service_id: row.serviceId,
    service_kind: row.serviceKind,
    starts_at: row.startsAt,
    starts_at_ms: row.startsAtMs,
    state: row.state,
    outbox_id: row.outboxId,
    appointment_id: row.appointmentId,
    rejection: row.rejection,
    rejection_message: row.rejectionMessage,
    call_id: row.callId,
    replaces_local_id: row.replacesLocalId,
    replaces_appointment_id: row.replacesAppointmentId,
    created_at: row.createdAt,
    updated_at: row.updatedAt,
  };
}

function fromRow(row: Row): BookingRow {
  return {
    id: row.id,
    kind: row.kind,
    patientMisId: row.patient_mis_id,
    slotId: row.slot_id,
    doctorId: row.doctor_id,
    serviceId: row.service_id,
    serviceKind: row.service_kind,
    startsAt: row.starts_at,
    startsAtMs: row.starts_at_ms,
    state: row.state,
    outboxId: row.outbox_id,
    appointmentId: row.appointment_id,
    rejection: row.rejection,
    rejectionMessage: row.rejection_message,
    callId: row.call_id,
    replacesLocalId: row.replaces_local_id,
    replacesAppointmentId: row.replaces_appointment_id,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
