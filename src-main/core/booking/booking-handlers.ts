import type { HandlerTable } from '../ipc/dispatcher';
import type { BookingService } from './booking-service';

/** `schedule.*` (the cached schedule) and `booking.*` (book, move, cancel, visits, alternatives, the wrap-up's prefill). */
export function createBookingHandlers(
  booking: BookingService,
): Pick<
  HandlerTable,
  'schedule.catalog' | 'schedule.freeSlots' | 'booking.create' | 'booking.move' | 'booking.cancel' | 'booking.visits' | 'booking.alternatives' | 'booking.forCall'
> {
  return {
    'schedule.catalog': () => booking.catalog(),
    'schedule.freeSlots': (query) => booking.freeSlots(query),
    'booking.create': (input) => booking.create(input),
    'booking.move': (input) => booking.move(input),
    'booking.cancel': ({ visitId, callId, patientMisId }) => booking.cancel({ visitId, callId, ...(patientMisId && { patientMisId }) }),
    'booking.visits': ({ patientMisId }) => ({ visits: booking.visits(patientMisId) }),
    'booking.alternatives': ({ slotId }) => booking.alternatives(slotId),
    'booking.forCall': ({ callId }) => booking.forCall(callId),
  };
}
