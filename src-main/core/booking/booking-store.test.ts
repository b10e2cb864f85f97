import { afterEach, describe, expect, it } from 'vitest';
import { journalAt } from '../db/migrations/journal/test-support';
import type { Db } from '../db/open-database';
import { BookingStore, type BookingRow } from './booking-store';

const dbs: Db[] = [];
afterEach(() => {
  for (const db of dbs.splice(0)) db.close();
});

function store(): BookingStore {
  const db = journalAt();
  dbs.push(db);
  return new BookingStore(db);
}

let outboxIds = 0;
function row(patch: Partial<BookingRow>): BookingRow {
  return {
    id: 'b1',
    kind: 'create',
    patientMisId: 'P-1',
    slotId: 'S-1',
    doctorId: 'D-1',
    serviceId: 'SV-1',
    serviceKind: 'oms',
    startsAt: '2026-12-07T09:30:00+03:00',
    startsAtMs: 5_000,
    state: 'pending',
    outboxId: ++outboxIds,
    appointmentId: null,
    rejection: null,
    rejectionMessage: null,
    callId: null,
    replacesLocalId: null,
    replacesAppointmentId: null,
    createdAt: 1,
    updatedAt: 1,
    ...patch,
  };
}

describe('BookingStore', () => {
  it('round-trips a row and lists a patient, a call and an appointment in writing order', () => {
    const s = store();
    const first = row({ id: 'b1', callId: 'c1' });
    s.insert(first);
    s.insert(row({ id: 'b2', slotId: 'S-2', callId: 'c1', patientMisId: 'P-2' }));
    s.insert(row({ id: 'b3', kind: 'cancel', slotId: null, doctorId: null, startsAt: null, startsAtMs: null, replacesLocalId: 'b1', callId: 'c2' }));
    expect(s.get('b1')).toEqual(first);
    expect(s.get('nope')).toBeNull();
    expect(s.byPatient('P-1').map((r) => r.id)).toEqual(['b1', 'b3']);
    expect(s.byCall('c1').map((r) => r.id)).toEqual(['b1', 'b2']);
    expect(s.confirm('b1', 'A-1', 2)).toBe(true);
    expect(s.byAppointment('A-1')?.id).toBe('b1');
    expect(s.latestForSlot('S-2')?.id).toBe('b2');
  });

  it('holds a slot while a create or move is pending, and while a confirmed one is recent', () => {
    const s = store();
    s.insert(row({ id: 'b1' }));
    s.insert(row({ id: 'b2', slotId: 'S-2', kind: 'move', replacesLocalId: 'b1' }));
    s.insert(row({ id: 'b3', slotId: 'S-3' }));
    s.insert(row({ id: 'b4', kind: 'cancel', slotId: 'S-4', replacesAppointmentId: 'A-9' }));
    expect(s.heldSlots(0, 0)).toEqual(new Set(['S-1', 'S-2', 'S-3']));
    expect(s.isHeld('S-4', 0, 0)).toBe(false);
    s.reject('b3', 'slot-taken', 'Слот уже занят', 10);
    expect(s.isHeld('S-3', 0, 0)).toBe(false);
    s.confirm('b1', 'A-1', 100);
    // confirmed at 100: held by a query for what was confirmed since before 100, and only while ahead
    expect(s.isHeld('S-1', 99, 0)).toBe(true);
    expect(s.isHeld('S-1', 100, 0)).toBe(false);
    expect(s.isHeld('S-1', 0, 5_000)).toBe(false);
    expect(s.heldSlots(100, 0)).toEqual(new Set(['S-2']));
  });

  it('settles each row once: confirm and reject only a pending row (or a refused one retried), cancel anything not cancelled', () => {
    const s = store();
    s.insert(row({ id: 'b1' }));
    expect(s.reject('b1', 'refused', 'x'.repeat(600), 2)).toBe(true);
    expect(s.get('b1')).toMatchObject({ state: 'rejected', rejection: 'refused' });
    expect(s.get('b1')!.rejectionMessage).toHaveLength(500);
    expect(s.reject('b1', 'slot-taken', null, 3)).toBe(false);
    expect(s.confirm('b1', 'A-1', 4)).toBe(true);
    expect(s.get('b1')).toMatchObject({ state: 'confirmed', rejection: null, rejectionMessage: null, appointmentId: 'A-1', updatedAt: 4 });
    expect(s.confirm('b1', 'A-2', 5)).toBe(false);
    expect(s.markCancelled('b1', null, 6)).toBe(true);
    expect(s.get('b1')).toMatchObject({ state: 'cancelled', appointmentId: 'A-1' });
    expect(s.markCancelled('b1', null, 7)).toBe(false);
  });
});
