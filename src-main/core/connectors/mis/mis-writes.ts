import { z } from 'zod';
import { CallIdSchema } from '../../../../src-shared/calls/calls-contract';
import { CallListOutcomeSchema } from '../../../../src-shared/call-lists/call-lists-contract';
import { IsoDateTimeSchema, MisIdSchema } from '../../../../src-shared/patients/patient-card';
import { ScheduleIdSchema } from '../../../../src-shared/schedule/schedule-model';

/**
 * The writes the desk sends a MIS through the outbox besides wrap-ups, notes and new-patient
 * drafts: their kinds and payloads. A connector validates a payload with these schemas and
 * refuses one that fails (`rejected`, permanent); the core builds them from its own records.
 * Every payload carries `localId`, the desk's id of the change, which a MIS may use to detect
 * the same change sent under another key.
 */
export const MIS_WRITE_KINDS = {
  bookingCreate: 'booking.create',
  bookingMove: 'booking.move',
  bookingCancel: 'booking.cancel',
  callListOutcome: 'call-list.outcome',
} as const;

export const BookingCreatePayloadSchema = z
  .object({
    localId: z.string().min(1).max(128),
    patientMisId: MisIdSchema,
    slotId: ScheduleIdSchema,
    doctorId: ScheduleIdSchema,
    serviceId: ScheduleIdSchema,
    startsAt: IsoDateTimeSchema,
    callId: CallIdSchema.nullable(),
  })
  .strict();
export type BookingCreatePayload = z.infer<typeof BookingCreatePayloadSchema>;

/** Moves an appointment to another slot: the MIS applies it whole (new slot booked, old one freed) or refuses it. */
export const BookingMovePayloadSchema = z
  .object({
    localId: z.string().min(1).max(128),
    patientMisId: MisIdSchema,
    /** The MIS's appointment id; or, for a booking of this desk the MIS has not named yet, `localOf` names it. */
    appointmentId: ScheduleIdSchema.nullable(),
    /** The desk's local id of the booking being moved, when it came from this desk. */
    localOf: z.string().min(1).max(128).nullable(),
    fromSlotId: ScheduleIdSchema.nullable(),
    slotId: ScheduleIdSchema,
    doctorId: ScheduleIdSchema,
    serviceId: ScheduleIdSchema.nullable(),
    startsAt: IsoDateTimeSchema,
    callId: CallIdSchema.nullable(),
  })
  .strict();
export type BookingMovePayload = z.infer<typeof BookingMovePayloadSchema>;

export const BookingCancelPayloadSchema = z
  .object({
    localId: z.string().min(1).max(128),
    patientMisId: MisIdSchema,
    appointmentId: ScheduleIdSchema.nullable(),
    localOf: z.string().min(1).max(128).nullable(),
    slotId: ScheduleIdSchema.nullable(),
    callId: CallIdSchema.nullable(),
  })
  .strict();
export type BookingCancelPayload = z.infer<typeof BookingCancelPayloadSchema>;

/** The result of one outbound-list call, for the MIS's own records (a confirmation mark, a recall closed). */
export const CallListOutcomePayloadSchema = z
  .object({
    localId: z.string().min(1).max(200),
    listId: z.string().min(1).max(64),
    taskId: z.string().min(1).max(160),
    patientMisId: MisIdSchema,
    outcome: CallListOutcomeSchema,
    attempts: z.number().int().nonnegative(),
    appointmentId: ScheduleIdSchema.nullable(),
    at: IsoDateTimeSchema,
  })
  .strict();
export type CallListOutcomePayload = z.infer<typeof CallListOutcomePayloadSchema>;
