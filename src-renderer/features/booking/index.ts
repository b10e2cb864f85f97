// The booking feature's public API. For the patient card: the booking scope around the card, its
// "book" button and the visit list. For the shell: the context through which it names the call
// a booking is made on (the phone store is out of this feature's reach).
export { BookingCallContext, type CallIdFor } from './booking-context';
export { BookingOpenButton, CardBooking } from './card-booking';
export { PatientVisits } from './patient-visits';
export { NextVisit } from './next-visit';
