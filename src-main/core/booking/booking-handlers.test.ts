import { afterEach, describe, expect, it } from 'vitest';
import { bookingRequests } from '../../../src-shared/booking/booking-contract';
import { createBookingHandlers } from './booking-handlers';
import { bookingHarness, PATIENT, patientCard, type BookingHarness } from './booking-test-support';

const harnesses: BookingHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.close();
});

type Name = keyof typeof bookingRequests;

/** Calls a handler the way the dispatcher does: input parsed by the contract, output checked by it. */
async function call(h: BookingHarness, name: Name, input: unknown): Promise<unknown> {
  const handlers = createBookingHandlers(h.service) as Record<Name, (input: unknown) => unknown>;
  const parsed = bookingRequests[name].input.parse(input);
  return bookingRequests[name].output.parse(await handlers[name](parsed));
}

describe('booking handlers', () => {
  it('answer every request of the booking contract with what its output schema accepts', async () => {
    const h = bookingHarness();
    harnesses.push(h);
    h.cards.set(PATIENT, patientCard());
    const handlers = createBookingHandlers(h.service);
    expect(Object.keys(handlers).sort()).toEqual(Object.keys(bookingRequests).sort());

    expect(await call(h, 'schedule.catalog', {})).toMatchObject({ specialties: ['кардиолог', 'терапевт'] });
    expect(await call(h, 'schedule.freeSlots', { specialty: 'терапевт', from: '2026-12-07', to: '2026-12-07' })).toMatchObject({ truncated: false });
    const created = (await call(h, 'booking.create', { patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1', callId: 'call-1' })) as { visit: { id: string } };
    expect(created.visit.id).toBe('desk:local-1');
    expect(await call(h, 'booking.move', { visitId: 'desk:local-1', slotId: 'S-2' })).toMatchObject({ visit: { id: 'desk:local-2', state: 'pending' } });
    expect(await call(h, 'booking.cancel', { visitId: 'mis:A-1' })).toMatchObject({ visit: { id: 'mis:A-1', state: 'cancelled', awaitingMis: true } });
    const { visits } = (await call(h, 'booking.visits', { patientMisId: PATIENT })) as { visits: { id: string }[] };
    expect(visits.map((v) => v.id)).toEqual(['desk:local-2', 'mis:A-1', 'mis:A-0']);
    expect(await call(h, 'booking.alternatives', { slotId: 'S-1' })).toMatchObject({ sameDoctor: [{ id: 'S-4' }] });
    expect(await call(h, 'booking.forCall', { callId: 'call-1' })).toEqual({ prefill: { outcome: 'booked', category: 'Запись по ОМС', kind: 'oms' } });
  });
});
