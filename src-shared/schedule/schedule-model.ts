/**
 * The clinic's schedule as the desk caches it (docs/architecture.md, "Booking"): branches,
 * doctors, services and slots, each a MIS stream of its own synced into cache.db, plus the
 * MIS's own call tasks (recalls, results ready) that feed the outbound call lists. Every
 * schema is strict: a connector cannot smuggle fields into the cache, and a record that fails
 * goes to quarantine with its reason.
 */
import { z } from 'zod';
import { IsoDateSchema, IsoDateTimeSchema, MisIdSchema } from '../patients/patient-card';

/** Ids of schedule records are opaque MIS ids (1C GUIDs, FHIR ids), like patient ids. */
export const ScheduleIdSchema = z.string().regex(/^[\x21-\x7e]{1,96}$/, 'must be 1–96 printable ASCII characters');

/** How a service is paid: ОМС (state insurance), ДМС (voluntary insurance), платно (paid), a check-up programme. */
export const ServiceKindSchema = z.enum(['oms', 'dms', 'paid', 'checkup']);
export type ServiceKind = z.infer<typeof ServiceKindSchema>;

const text = (max: number) => z.string().trim().min(1).max(max);

export const BranchSchema = z
  .object({
    id: ScheduleIdSchema,
    version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    name: text(200),
    address: text(300),
  })
  .strict();
export type Branch = z.infer<typeof BranchSchema>;

export const DoctorSchema = z
  .object({
    id: ScheduleIdSchema,
    version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    /** Full name as the MIS writes it (`Смирнова Ольга Петровна`). */
    name: text(200),
    /** The specialty as the clinic names it (`терапевт`, `ЛОР`, `УЗИ`). */
    specialty: text(100),
    branchId: ScheduleIdSchema,
    room: text(40),
  })
  .strict();
export type Doctor = z.infer<typeof DoctorSchema>;

export const ServiceSchema = z
  .object({
    id: ScheduleIdSchema,
    version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    name: text(200),
    specialty: text(100),
    durationMin: z.number().int().min(5).max(480),
    kind: ServiceKindSchema,
    /** Price in roubles for paid, ДМС and check-up services; null for ОМС (free to the patient). */
    priceRub: z.number().int().min(0).max(10_000_000).nullable(),
    /** What the patient should bring or do before (`паспорт, полис ОМС`, `натощак`); read back on confirming. */
    prepare: z.string().trim().max(300).nullable(),
  })
  .strict();
export type Service = z.infer<typeof ServiceSchema>;

export const SlotStateSchema = z.enum(['free', 'booked', 'blocked']);
export type SlotState = z.infer<typeof SlotStateSchema>;

export const SlotSchema = z
  .object({
    id: ScheduleIdSchema,
    version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    doctorId: ScheduleIdSchema,
    startsAt: IsoDateTimeSchema,
    durationMin: z.number().int().min(5).max(480),
    state: SlotStateSchema,
    /** Who holds a booked slot (for "confirm tomorrow's visits"); null when free or blocked, or when the MIS does not say. */
    patientMisId: MisIdSchema.nullable(),
    /** The MIS's appointment id of a booked slot (what a move or a cancel names); null otherwise. */
    appointmentId: ScheduleIdSchema.nullable(),
    /** The booked service, when the MIS says. */
    serviceId: ScheduleIdSchema.nullable(),
  })
  .strict()
  .refine((slot) => slot.state === 'booked' || (slot.patientMisId === null && slot.appointmentId === null), {
    message: 'only a booked slot names a patient or an appointment',
    path: ['patientMisId'],
  });
export type Slot = z.infer<typeof SlotSchema>;

/** Outbound lists a MIS generates (the desk generates `confirm-tomorrow` itself from the cached slots). */
export const MisCallListKindSchema = z.enum(['recall', 'results']);
export type MisCallListKind = z.infer<typeof MisCallListKindSchema>;

/** One patient a MIS list asks the contact centre to call. */
export const MisCallTaskSchema = z
  .object({
    id: ScheduleIdSchema,
    version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    list: MisCallListKindSchema,
    patientMisId: MisIdSchema,
    /** Why to call, as the MIS words it (`повторный приём у кардиолога`, `готовы анализы`); never a diagnosis. */
    reason: text(200),
    /** The day the call is due from (clinic-local date). */
    dueDate: IsoDateSchema,
    /** The specialty a recall is for, so the operator can book on the spot. */
    specialty: text(100).nullable(),
  })
  .strict();
export type MisCallTask = z.infer<typeof MisCallTaskSchema>;

/** The MIS streams beside `patients`, each with its own cursor in cache.db. */
export const SCHEDULE_STREAMS = ['branches', 'doctors', 'services', 'slots', 'call-tasks'] as const;
export type ScheduleStream = (typeof SCHEDULE_STREAMS)[number];

/** The record schema of each stream. */
export const SCHEDULE_RECORD_SCHEMAS = {
  branches: BranchSchema,
  doctors: DoctorSchema,
  services: ServiceSchema,
  slots: SlotSchema,
  'call-tasks': MisCallTaskSchema,
} as const satisfies Record<ScheduleStream, z.ZodType>;

/** The default schedule horizon the desk caches, in days from today. */
export const DEFAULT_SCHEDULE_HORIZON_DAYS = 14;
export const SCHEDULE_HORIZON_MAX_DAYS = 62;

/** Why a MIS refused a booking write: the operator is told which, never a generic error. */
export const BookingRejectionSchema = z.enum([
  /** Another channel (the front desk, the patient app, another desk) booked the slot first. */
  'slot-taken',
  /** The slot is not in the schedule any more (the doctor's day changed, blocked). */
  'slot-gone',
  /** The MIS does not know the patient. */
  'patient-unknown',
  /** The appointment to move or cancel is not there (already cancelled, already done). */
  'appointment-unknown',
  /** Anything else the MIS refused; its message is kept. */
  'refused',
]);
export type BookingRejection = z.infer<typeof BookingRejectionSchema>;
