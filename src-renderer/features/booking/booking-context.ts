import { createContext, useContext, type RefObject } from 'react';
import type { FreeSlot, Visit } from '../../../src-shared/booking/booking-contract';

/**
 * The call a booking is made on, for a patient: the shell answers it from the phone (the call
 * the operator is on or wrapping up, preferably the one whose pop shows this patient), so
 * `booking.create` / `move` / `cancel` carry it and the wrap-up can be prefilled. The booking
 * feature cannot read the phone store itself (phone ─▶ patients ─▶ booking), so the shell
 * provides this; without a provider no call is named.
 */
export type CallIdFor = (patientMisId: string) => string | null;

export const BookingCallContext = createContext<CallIdFor>(() => null);

/** The patient a card's booking is for. */
export interface BookingPatient {
  misId: string;
  /** Full name, for the read-back. */
  name: string;
}

/**
 * What the booking pane was opened for: a new visit; moving a visit (`booking.move`); booking
 * again what the MIS rejected (`booking.create` with the visit's service). `slot`: a time
 * already picked (an alternative on the card), so the pane opens on the read-back.
 */
export type BookingMode = { kind: 'new' } | { kind: 'move'; visit: Visit; slot: FreeSlot | null } | { kind: 'rebook'; visit: Visit; slot: FreeSlot | null };

/** The booking the pane made, shown on the card until the next one. */
export interface BookingDone {
  kind: 'created' | 'moved';
  visit: Visit;
}

export interface CardBookingApi {
  patient: BookingPatient;
  mode: BookingMode | null;
  done: BookingDone | null;
  open(mode: BookingMode): void;
  close(): void;
  /** The card's "book" button: the focus comes back to it when the pane closes. */
  openButtonRef: RefObject<HTMLButtonElement | null>;
}

export const CardBookingContext = createContext<CardBookingApi | null>(null);

export function useCardBooking(): CardBookingApi {
  const api = useContext(CardBookingContext);
  if (!api) throw new Error('CardBookingContext is missing: wrap the card in <CardBooking>');
  return api;
}
