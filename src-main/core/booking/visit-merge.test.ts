import { describe, expect, it } from 'vitest';
import type { Appointment } from '../../../src-shared/patients/patient-card';
import type { BookingRow } from './booking-store';
import { mergeVisits, VISITS_MAX } from './visit-merge';

const NOW = Date.parse('2026-12-07T08:00:00+03:00');
const names = () => ({ doctor: 'Д', specialty: 'терапевт', service: 'Приём', branch: 'Ф', room: '1' });

let n = 0;
function desk(patch: Partial<BookingRow>): BookingRow {
  n += 1;
  const startsAt = patch.startsAt ?? '2026-12-08T09:00:00+03:00';
  return {
    id: `b${n}`,
    kind: 'create',
    patientMisId: 'P-1',
    slotId: `S-${n}`,
    doctorId: 'D-1',
    serviceId: 'SV-1',
    serviceKind: 'oms',
    startsAt,
    startsAtMs: Date.parse(startsAt),
    state: 'pending',
    outboxId: n,
    appointmentId: null,
    rejection: null,
    rejectionMessage: null,
    callId: null,
    replacesLocalId: null,
    replacesAppointmentId: null,
    createdAt: n,
    updatedAt: n,
    ...patch,
  };
}

function appointment(id: string, startsAt: string, status: Appointment['status'] = 'booked'): Appointment {
  return { id, startsAt, doctor: 'Д. Д.', specialty: 'терапевт', service: 'Приём', branch: 'Ф', status };
}

const merge = (rows: BookingRow[], appointments: Appointment[] = []) =>
  mergeVisits({ rows, appointments, now: NOW, names, slotOf: () => null }).map((v) => `${v.id} ${v.state}${v.awaitingMis ? ' awaiting' : ''}${v.rejection ? ` ${v.rejection}` : ''}`);

describe('mergeVisits', () => {
  it('a move of a booking still waiting for the MIS: only the move shows, and a cancel of the move shows it cancelled', () => {
    const create = desk({ id: 'c' });
    const move = desk({ id: 'm', kind: 'move', replacesLocalId: 'c', startsAt: '2026-12-09T09:00:00+03:00' });
    expect(merge([create, move])).toEqual(['desk:m pending awaiting']);
    const cancel = desk({ id: 'x', kind: 'cancel', replacesLocalId: 'm', slotId: null, startsAt: null, startsAtMs: null });
    expect(merge([create, move, cancel])).toEqual(['desk:m cancelled awaiting']);
  });

  it('a card appointment the desk confirmed shows once, even after moves that kept its id', () => {
    const create = desk({ id: 'c', state: 'confirmed', appointmentId: 'A-1' });
    const move = desk({ id: 'm', kind: 'move', state: 'confirmed', appointmentId: 'A-1', replacesLocalId: 'c', replacesAppointmentId: 'A-1', startsAt: '2026-12-10T09:00:00+03:00' });
    expect(merge([{ ...create, state: 'cancelled' }, move], [appointment('A-1', '2026-12-10T09:00:00+03:00')])).toEqual(['desk:m confirmed']);
    // before the sync the card still has the old time: the same single visit
    expect(merge([create, { ...move, state: 'pending', appointmentId: null }], [appointment('A-1', '2026-12-08T09:00:00+03:00')])).toEqual(['desk:m pending awaiting']);
  });

  it('a cancel of the MIS own appointment: cancelled awaiting, then cancelled; a refused one leaves it with the refusal', () => {
    const card = [appointment('A-1', '2026-12-08T09:00:00+03:00')];
    const cancel = desk({ id: 'x', kind: 'cancel', replacesAppointmentId: 'A-1' });
    expect(merge([cancel], card)).toEqual(['mis:A-1 cancelled awaiting']);
    expect(merge([{ ...cancel, state: 'cancelled' }], card)).toEqual(['mis:A-1 cancelled']);
    expect(merge([{ ...cancel, state: 'rejected', rejection: 'appointment-unknown' }], card)).toEqual(['mis:A-1 confirmed appointment-unknown']);
  });

  it('a refused booking is listed only while its time is ahead; done visits are never changeable', () => {
    const ahead = desk({ state: 'rejected', rejection: 'slot-taken' });
    const past = desk({ state: 'rejected', rejection: 'slot-taken', startsAt: '2026-12-01T09:00:00+03:00' });
    expect(merge([ahead, past])).toEqual([`desk:${ahead.id} rejected slot-taken`]);
    const visits = mergeVisits({ rows: [], appointments: [appointment('A-0', '2026-12-08T09:00:00+03:00', 'done')], now: NOW, names, slotOf: () => null });
    expect(visits[0]).toMatchObject({ state: 'done', changeable: false });
  });

  it('caps the list', () => {
    const rows = Array.from({ length: VISITS_MAX + 5 }, () => desk({}));
    expect(mergeVisits({ rows, appointments: [], now: NOW, names, slotOf: () => null })).toHaveLength(VISITS_MAX);
  });
});

describe('mergeVisits after a move that kept the appointment id', () => {
  it('a cancel of the moved visit does not bring the visit it moved away from back', () => {
    const create = desk({ id: 'c', state: 'cancelled', appointmentId: 'A-1' });
    const move = desk({ id: 'm', kind: 'move', state: 'confirmed', appointmentId: 'A-1', replacesLocalId: 'c', replacesAppointmentId: 'A-1' });
    const cancel = desk({ id: 'x', kind: 'cancel', replacesLocalId: 'm', replacesAppointmentId: 'A-1', slotId: null, startsAt: null, startsAtMs: null });
    expect(merge([create, move, cancel], [appointment('A-1', '2026-12-08T09:00:00+03:00')])).toEqual(['desk:m cancelled awaiting']);
    expect(merge([create, move, { ...cancel, state: 'cancelled' }], [appointment('A-1', '2026-12-08T09:00:00+03:00', 'cancelled')])).toEqual(['desk:m cancelled']);
  });
});
