/**
 * Booking from the desk (docs/architecture.md, "Booking"): the cached schedule, free slots,
 * book / move / cancel through the outbox, and each patient's visits as the desk knows them
 * (the MIS's appointments merged with this desk's own bookings, pending or not).
 */
import { z } from 'zod';
import { CallIdSchema } from '../calls/calls-contract';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';
import { IsoDateSchema, IsoDateTimeSchema, MisIdSchema } from '../patients/patient-card';
import { BookingRejectionSchema, BranchSchema, DoctorSchema, ScheduleIdSchema, ServiceKindSchema, ServiceSchema } from '../schedule/schedule-model';

/** A free slot as the grid shows it (the doctor, room and branch come from the catalog). */
export const FreeSlotSchema = z
  .object({
    id: ScheduleIdSchema,
    doctorId: ScheduleIdSchema,
    startsAt: IsoDateTimeSchema,
    durationMin: z.number().int().positive(),
  })
  .strict();
export type FreeSlot = z.infer<typeof FreeSlotSchema>;

/** Everything the booking pane needs to pick from, from cache.db (no MIS round trip). */
export const ScheduleCatalogSchema = z
  .object({
    branches: z.array(BranchSchema.omit({ version: true })).max(200),
    doctors: z.array(DoctorSchema.omit({ version: true })).max(5_000),
    services: z.array(ServiceSchema.omit({ version: true })).max(5_000),
    /** Specialties that have at least one doctor, sorted the Russian way. */
    specialties: z.array(z.string().max(100)).max(500),
    /** When the schedule was last synced (epoch ms); null before its first sync. */
    dataAsOf: z.number().int().nonnegative().nullable(),
    horizonDays: z.number().int().positive(),
    /** The clinic's IANA time zone: every date and time of the schedule is shown on its clock. */
    timeZone: z.string().min(1).max(64),
  })
  .strict();
export type ScheduleCatalog = z.infer<typeof ScheduleCatalogSchema>;

export const FreeSlotsQuerySchema = z
  .object({
    /** One of: a specialty, a doctor. A service narrows to its specialty and duration. */
    specialty: z.string().trim().min(1).max(100).optional(),
    doctorId: ScheduleIdSchema.optional(),
    serviceId: ScheduleIdSchema.optional(),
    branchId: ScheduleIdSchema.optional(),
    /** Clinic-local dates, inclusive. */
    from: IsoDateSchema,
    to: IsoDateSchema,
    /** Only slots after this instant (default: now): a slot that already began is never offered. */
    after: IsoDateTimeSchema.optional(),
    limit: z.number().int().min(1).max(2_000).default(500),
  })
  .strict()
  .refine((q) => q.specialty !== undefined || q.doctorId !== undefined || q.serviceId !== undefined, { message: 'name a specialty, a doctor or a service' });
export type FreeSlotsQuery = z.input<typeof FreeSlotsQuerySchema>;

export const FreeSlotsSchema = z
  .object({
    /** Earliest first. Slots this desk holds for a booking still waiting for the MIS are not offered. */
    slots: z.array(FreeSlotSchema).max(2_000),
    /** More matched than `limit`. */
    truncated: z.boolean(),
    dataAsOf: z.number().int().nonnegative().nullable(),
  })
  .strict();
export type FreeSlots = z.infer<typeof FreeSlotsSchema>;

/**
 * A visit on the patient's card as the operator sees it:
 * - `pending`: booked (or moved) on this desk, waiting for the MIS to confirm;
 * - `confirmed`: in the MIS (its own appointment, or this desk's booking it applied);
 * - `rejected`: the MIS refused it (see `rejection`); alternatives are offered;
 * - `cancelled`: cancelled (in the MIS, or on this desk waiting for it: `awaitingMis`);
 * - `done`: the visit took place.
 */
export const VisitStateSchema = z.enum(['pending', 'confirmed', 'rejected', 'cancelled', 'done']);
export type VisitState = z.infer<typeof VisitStateSchema>;

export const VisitSchema = z
  .object({
    /** `desk:<local id>` for this desk's bookings, `mis:<appointment id>` for the MIS's own. */
    id: z.string().min(1).max(200),
    startsAt: IsoDateTimeSchema,
    doctor: z.string().max(200),
    specialty: z.string().max(100),
    service: z.string().max(200),
    branch: z.string().max(200),
    room: z.string().max(40).nullable(),
    state: VisitStateSchema,
    /** A change of this desk the MIS has not confirmed yet (a pending booking, move or cancellation). */
    awaitingMis: z.boolean(),
    rejection: BookingRejectionSchema.nullable(),
    /** The MIS's words for a `refused` rejection (no patient data). */
    rejectionMessage: z.string().max(500).nullable(),
    /** The slot it occupies (null for a MIS appointment the cached schedule does not cover). */
    slotId: ScheduleIdSchema.nullable(),
    /** Can be moved or cancelled from the desk (a future visit, confirmed or pending, that the MIS can name). */
    changeable: z.boolean(),
  })
  .strict();
export type Visit = z.infer<typeof VisitSchema>;

/** A booking of this desk as `booking.create` / `booking.move` answer it. */
export const BookingResultSchema = z
  .object({
    visit: VisitSchema,
    /** The outbox item that carries it to the MIS. */
    outboxId: z.number().int().positive(),
  })
  .strict();

export const AlternativesSchema = z
  .object({
    /** The next free slots of the same doctor. */
    sameDoctor: z.array(FreeSlotSchema).max(20),
    /** The next free slots of the same specialty (other doctors), earliest first. */
    sameSpecialty: z.array(FreeSlotSchema).max(20),
  })
  .strict();
export type Alternatives = z.infer<typeof AlternativesSchema>;

export const bookingRequests = {
  /** Branches, doctors, services, specialties of the cached schedule, and its "data as of". */
  'schedule.catalog': { input: NoInput, output: ScheduleCatalogSchema },
  /** Free slots from cache.db by specialty / doctor / service, branch and ОМС / ДМС / платно (`kind` via the service). */
  'schedule.freeSlots': { input: FreeSlotsQuerySchema, output: FreeSlotsSchema },
  /**
   * Books a slot for a patient: the local booking (`pending`), the hold on its slot and the
   * outbox item `booking.create` with its idempotency key commit in one transaction. Refused
   * with `SLOT_TAKEN` when the cache or this desk already knows the slot is not free.
   */
  'booking.create': {
    input: z
      .object({
        patientMisId: MisIdSchema,
        slotId: ScheduleIdSchema,
        serviceId: ScheduleIdSchema,
        /** The call it was made on, so the wrap-up can be prefilled. */
        callId: CallIdSchema.nullable().default(null),
      })
      .strict(),
    output: BookingResultSchema,
  },
  /** Moves a visit (`Visit.id`) to another free slot: one `booking.move` write, applied by the MIS as a whole or not at all. */
  'booking.move': {
    input: z
      .object({
        visitId: z.string().min(1).max(200),
        slotId: ScheduleIdSchema,
        callId: CallIdSchema.nullable().default(null),
        /** The patient whose card lists the visit (names a MIS visit's patient without a search). */
        patientMisId: MisIdSchema.optional(),
      })
      .strict(),
    output: BookingResultSchema,
  },
  /** Cancels a visit: `booking.cancel` through the outbox; the slot frees when the MIS confirms. */
  'booking.cancel': {
    input: z
      .object({ visitId: z.string().min(1).max(200), callId: CallIdSchema.nullable().default(null), patientMisId: MisIdSchema.optional() })
      .strict(),
    output: z.object({ visit: VisitSchema }).strict(),
  },
  /** A patient's visits: the MIS's appointments on the cached card merged with this desk's bookings; upcoming first. */
  'booking.visits': {
    input: z.object({ patientMisId: MisIdSchema }).strict(),
    output: z.object({ visits: z.array(VisitSchema).max(200) }).strict(),
  },
  /** The next free slots of the same doctor and of the same specialty, for a rejected or a taken slot. */
  'booking.alternatives': {
    input: z.object({ slotId: ScheduleIdSchema }).strict(),
    output: AlternativesSchema,
  },
  /**
   * What the wrap-up of a call should say because of the bookings made during it: outcome
   * `booked` and the category of the (first) booked service's kind; null when nothing was booked.
   */
  'booking.forCall': {
    input: z.object({ callId: CallIdSchema }).strict(),
    output: z
      .object({
        prefill: z
          .object({ outcome: z.literal('booked'), category: z.string().max(80).nullable(), kind: ServiceKindSchema })
          .strict()
          .nullable(),
      })
      .strict(),
  },
} as const satisfies RequestTable;

export const bookingEvents = {
  /** A patient's visits changed (booked, confirmed, rejected, cancelled): an open card reloads them. */
  'booking:changed': z.object({ patientMisId: MisIdSchema }).strict(),
  /** The cached schedule changed (a sync page, a hold taken or released): an open grid reloads. */
  'schedule:changed': z.object({ dataAsOf: z.number().int().nonnegative().nullable() }).strict(),
} as const satisfies EventTable;
