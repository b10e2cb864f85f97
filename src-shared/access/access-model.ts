/**
 * Who sits at the desk and what they may see (docs/architecture.md, "Privacy and security"):
 * the roles, the people IT provisions, the field-visibility matrix and the session the core
 * keeps. Pure: shared by main (which enforces it at the contract's handlers) and the renderer
 * (which only draws what it was given).
 */
import { z } from 'zod';

/**
 * Who sits at the desk. `admin` changes settings and provisioning only: every request that
 * returns patient data is refused to it.
 */
export const RoleSchema = z.enum(['operator', 'supervisor', 'cashier', 'admin']);
export type Role = z.infer<typeof RoleSchema>;
/** The roles that work with patients (everyone but `admin`). */
export const PATIENT_ROLES = ['operator', 'supervisor', 'cashier'] as const satisfies readonly Role[];
export type PatientRole = (typeof PATIENT_ROLES)[number];

/** A person's id in the provisioned list: short, stable, safe in logs and the audit log. */
export const PersonIdSchema = z.string().regex(/^[a-z0-9][a-z0-9._-]{0,47}$/, 'lowercase letters, digits and . _ -');
export type PersonId = z.infer<typeof PersonIdSchema>;

/** One person who may sign in, as IT provisions them (the PIN's hash lives in the secret store, never here). */
export const PersonSchema = z
  .object({
    id: PersonIdSchema,
    /** As the sign-in list and the audit log show it: «Иванова А.», «Кассир 2». */
    name: z.string().trim().min(1).max(80),
    role: RoleSchema,
  })
  .strict();
export type Person = z.infer<typeof PersonSchema>;

/** Shortest and longest PIN or password. */
export const PIN_MIN = 4;
export const PIN_MAX = 64;
export const PinSchema = z.string().min(PIN_MIN).max(PIN_MAX);

/**
 * The card fields the matrix can hide, each a group of a card's fields (and `notes`: the
 * wrap-up notes in a patient's history). Name, sex and birth date are never hidden from a
 * patient role: without them nobody can tell two patients apart.
 */
export const MASKABLE_FIELDS = [
  'phones',
  'email',
  'address',
  'omsPolicy',
  'dms',
  'snils',
  'allergies',
  'contactPreferences',
  'lastVisit',
  'appointments',
  'notes',
] as const;
export const MaskableFieldSchema = z.enum(MASKABLE_FIELDS);
export type MaskableField = z.infer<typeof MaskableFieldSchema>;

/** Which fields each patient role does not receive at all (absent from the contract's answers). */
export const FieldVisibilitySchema = z
  .object({
    operator: z.array(MaskableFieldSchema).max(MASKABLE_FIELDS.length),
    supervisor: z.array(MaskableFieldSchema).max(MASKABLE_FIELDS.length),
    cashier: z.array(MaskableFieldSchema).max(MASKABLE_FIELDS.length),
  })
  .strict();
export type FieldVisibility = z.infer<typeof FieldVisibilitySchema>;

/**
 * The defaults a data-protection officer signs off: the cashier takes payment, so it sees the
 * name, birth date, phones, policies, СНИЛС and contacts, but not the notes, allergies, or the
 * visits (which say which doctor a patient sees, i.e. why).
 */
export const DEFAULT_HIDDEN_FIELDS: FieldVisibility = {
  operator: [],
  supervisor: [],
  cashier: ['allergies', 'notes', 'appointments', 'lastVisit'],
};

/**
 * The session the core keeps (docs/architecture.md, "Privacy and security"). `open`: no staff
 * list is provisioned, the desk works as its `role` setting says and the audit log names the
 * SIP account; `signed-out` and `locked`: no patient data leaves the core (a ring's pop says
 * only "known patient"); `signed-in`: the person's role decides.
 */
export const SessionStateSchema = z.enum(['open', 'signed-out', 'signed-in', 'locked']);
export type SessionState = z.infer<typeof SessionStateSchema>;

export const SessionViewSchema = z
  .object({
    state: SessionStateSchema,
    /** The role the desk works in now (the signed-in person's, or the desk's setting while open). */
    role: RoleSchema,
    /** Who is signed in (also while locked); null while open or signed out. */
    person: PersonSchema.nullable(),
    /** Minutes without input before the lock (0: never). */
    idleLockMinutes: z.number().min(0).max(240),
    /** Wrong PINs left before a wait; the wait's end (epoch ms) when one is running. */
    retryAfter: z.number().int().nonnegative().nullable(),
  })
  .strict();
export type SessionView = z.infer<typeof SessionViewSchema>;

/** Whether patient data may leave the core in this state. */
export function mayReadPatientData(state: SessionState, role: Role): boolean {
  return (state === 'open' || state === 'signed-in') && role !== 'admin';
}
