import type { Visit, VisitState } from '../../../src-shared/booking/booking-contract';
import type { Appointment, AppointmentStatus } from '../../../src-shared/patients/patient-card';
import type { BookingRow } from './booking-store';

/** Most visits listed for one patient. */
export const VISITS_MAX = 200;

/** What the cached schedule says about a doctor and a service (names; empty when unknown). */
export interface VisitNames {
  doctor: string;
  specialty: string;
  service: string;
  branch: string;
  room: string | null;
}

export interface VisitMergeInput {
  /** This desk's rows for the patient, in the order they were written. */
  rows: readonly BookingRow[];
  /** The cached card's appointments (the MIS's view), or none without a card. */
  appointments: readonly Appointment[];
  now: number;
  /** Names of a desk booking's doctor and service from the cached schedule. */
  names: (doctorId: string | null, serviceId: string | null) => VisitNames;
  /** The cached slot of a MIS appointment (its room, its slot id), when the schedule covers it. */
  slotOf: (appointment: Appointment) => { slotId: string; room: string | null } | null;
}

const MIS_STATE: Record<AppointmentStatus, VisitState> = { booked: 'confirmed', confirmed: 'confirmed', cancelled: 'cancelled', done: 'done' };

/**
 * A patient's visits as the operator sees them: the MIS's appointments on the cached card merged
 * with this desk's bookings.
 *
 * - A desk create or move is one visit (`desk:<id>`); once the MIS confirmed it, the card's
 *   appointment with its id is the same visit and is not listed again (the card's `cancelled` /
 *   `done` still show on it).
 * - A move hides what it moves (the desk booking and/or the MIS appointment) as soon as it is
 *   written, unless the MIS refused it: then the old visit is back and the refused move is listed
 *   as `rejected` (with its reason) until its time passes.
 * - A cancel turns what it cancels `cancelled` at once, `awaitingMis` until the MIS confirms; a
 *   refused cancel leaves the visit as it was, with the refusal attached.
 * - Upcoming visits first (earliest first), then past ones (latest first); at most {@link VISITS_MAX}.
 */
export function mergeVisits(input: VisitMergeInput): Visit[] {
  const { rows, now } = input;
  const changes = rows.map((row, index) => ({ row, index })).filter(({ row }) => row.kind !== 'create');
  /**
   * What the moves and cancels written after row `index` did to it: moved away (by any move the
   * MIS did not refuse: a later change of the moved visit, which may keep its appointment id,
   * does not bring it back), the latest cancel not refused, the latest refused cancel.
   */
  const changeOf = (matches: (change: BookingRow) => boolean, after: number) => {
    let moved = false;
    let cancel: BookingRow | null = null;
    let refusedCancel: BookingRow | null = null;
    for (const { row, index } of changes) {
      if (index <= after || !matches(row)) continue;
      if (row.state === 'rejected') {
        if (row.kind === 'cancel') refusedCancel = row;
      } else if (row.kind === 'move') {
        moved = true;
      } else {
        cancel = row;
      }
    }
    return { moved, cancel, refusedCancel };
  };
  const byAppointment = new Map(input.appointments.map((appointment) => [appointment.id, appointment]));
  const deskAppointments = new Set<string>();
  const visits: Visit[] = [];

  rows.forEach((row, index) => {
    if (row.kind === 'cancel') return;
    if (row.appointmentId !== null) deskAppointments.add(row.appointmentId);
    const startsAt = row.startsAt!;
    const startsMs = row.startsAtMs ?? Date.parse(startsAt);
    const { moved, cancel, refusedCancel } = changeOf(
      (change) => change.replacesLocalId === row.id || (row.appointmentId !== null && change.replacesAppointmentId === row.appointmentId),
      index,
    );
    if (moved) return;
    // A booking the MIS refused is listed (with alternatives) only while its time is ahead.
    if (row.state === 'rejected' && startsMs <= now) return;
    const onCard = row.appointmentId === null ? undefined : byAppointment.get(row.appointmentId);
    let state: VisitState;
    let awaitingMis = false;
    if (cancel) {
      state = 'cancelled';
      awaitingMis = cancel.state === 'pending';
    } else if (row.state === 'pending') {
      state = 'pending';
      awaitingMis = true;
    } else if (row.state === 'confirmed' && onCard && (onCard.status === 'cancelled' || onCard.status === 'done')) {
      state = MIS_STATE[onCard.status];
    } else {
      state = row.state;
    }
    const names = input.names(row.doctorId, row.serviceId);
    const rejectionFrom = row.state === 'rejected' ? row : state !== 'cancelled' ? refusedCancel : null;
    visits.push({
      id: `desk:${row.id}`,
      startsAt,
      doctor: names.doctor || onCard?.doctor || '',
      specialty: names.specialty || onCard?.specialty || '',
      service: names.service || onCard?.service || '',
      branch: names.branch || onCard?.branch || '',
      room: names.room,
      state,
      awaitingMis,
      rejection: rejectionFrom?.rejection ?? null,
      rejectionMessage: rejectionFrom?.rejectionMessage ?? null,
      slotId: row.slotId,
      changeable: startsMs > now && (state === 'pending' || state === 'confirmed'),
    });
  });

  for (const appointment of input.appointments) {
    if (deskAppointments.has(appointment.id)) continue;
    const { moved, cancel, refusedCancel } = changeOf((change) => change.replacesAppointmentId === appointment.id, -1);
    if (moved) continue;
    let state = MIS_STATE[appointment.status];
    let awaitingMis = false;
    if (cancel && state !== 'done') {
      state = 'cancelled';
      awaitingMis = cancel.state === 'pending';
    }
    const startsMs = Date.parse(appointment.startsAt);
    const upcoming = startsMs > now;
    const slot = upcoming ? input.slotOf(appointment) : null;
    const refused = state === 'cancelled' ? null : refusedCancel;
    visits.push({
      id: `mis:${appointment.id}`,
      startsAt: appointment.startsAt,
      doctor: appointment.doctor,
      specialty: appointment.specialty,
      service: appointment.service,
      branch: appointment.branch,
      room: slot?.room ?? null,
      state,
      awaitingMis,
      rejection: refused?.rejection ?? null,
      rejectionMessage: refused?.rejectionMessage ?? null,
      slotId: slot?.slotId ?? null,
      changeable: upcoming && state === 'confirmed',
    });
  }

  const upcoming = visits.filter((v) => Date.parse(v.startsAt) > now).sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  const past = visits.filter((v) => Date.parse(v.startsAt) <= now).sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt));
  return [...upcoming, ...past].slice(0, VISITS_MAX);
}
