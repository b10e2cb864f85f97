import { z } from 'zod';

/**
 * The patient card as the desk caches it: a read-only replica of what the MIS knows, trimmed
 * to what a contact-centre operator or cashier needs (docs/architecture.md, "Data" and "Privacy and security": cache only what the desk
 * needs). Every schema is strict so a connector cannot smuggle extra fields into the cache.
 */

/** ISO calendar date `YYYY-MM-DD` that really exists (no 31 February). */
export const IsoDateSchema = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date like 1985-03-12')
  .refine(isRealIsoDate, { message: 'is not a real calendar date' });

/** ISO 8601 timestamp with an explicit offset (`Z` or `+03:00`), so it means one instant. */
export const IsoDateTimeSchema = z.iso.datetime({ offset: true });

const personName = (max: number) =>
  z
    .string()
    .trim()
    .min(1)
    .max(max)
    // Letters of any script plus the punctuation real names carry (Римская-Корсакова, O'Neil,
    // Абу ибн Сина); no digits or control characters, which only arrive from broken exports.
    .regex(/^[\p{L}\p{M}][\p{L}\p{M}' .\u2019-]*$/u, 'must contain letters only');

export const SexSchema = z.enum(['male', 'female', 'unknown']);
export type Sex = z.infer<typeof SexSchema>;

export const PhoneKindSchema = z.enum(['mobile', 'home', 'work', 'relative']);
export type PhoneKind = z.infer<typeof PhoneKindSchema>;

/**
 * A phone already normalised by `normalizePhone` in the core: E.164 (11–15 digits; the desk
 * refuses shorter numbers because every key needs at least ten national digits) and its last
 * ten digits, which is the national number for +7 (Russia, Kazakhstan).
 */
export const PatientPhoneSchema = z
  .object({
    e164: z.string().regex(/^\+\d{11,15}$/, 'must be E.164 like +79161234567'),
    national10: z.string().regex(/^\d{10}$/, 'must be ten digits'),
    kind: PhoneKindSchema,
  })
  .strict()
  .refine((phone) => phone.e164.endsWith(phone.national10), {
    message: 'national10 must be the last ten digits of e164',
    path: ['national10'],
  });
export type PatientPhone = z.infer<typeof PatientPhoneSchema>;

export const AppointmentStatusSchema = z.enum(['booked', 'confirmed', 'cancelled', 'done']);
export type AppointmentStatus = z.infer<typeof AppointmentStatusSchema>;

export const AppointmentSchema = z
  .object({
    id: z.string().min(1).max(64),
    startsAt: IsoDateTimeSchema,
    doctor: z.string().trim().min(1).max(200),
    specialty: z.string().trim().min(1).max(100),
    service: z.string().trim().min(1).max(200),
    branch: z.string().trim().min(1).max(200),
    status: AppointmentStatusSchema,
  })
  .strict();
export type Appointment = z.infer<typeof AppointmentSchema>;

export const DmsPolicySchema = z
  .object({
    insurer: z.string().trim().min(1).max(200),
    policy: z.string().trim().min(1).max(64),
  })
  .strict();
export type DmsPolicy = z.infer<typeof DmsPolicySchema>;

export const PreferredChannelSchema = z.enum(['call', 'sms', 'email']);

export const PatientFlagsSchema = z
  .object({
    allergies: z.string().trim().max(1000).nullable(),
    vip: z.boolean(),
    preferredChannel: PreferredChannelSchema.nullable(),
    consentSms: z.boolean(),
    consentCalls: z.boolean(),
  })
  .strict();
export type PatientFlags = z.infer<typeof PatientFlagsSchema>;

/** MIS identifiers are opaque (1C GUIDs, FHIR ids, integers as text): printable, no spaces. */
export const MisIdSchema = z.string().regex(/^[\x21-\x7e]{1,64}$/, 'must be 1–64 printable ASCII characters');

/** How many phones and appointments one card may carry; beyond that the export is broken. */
export const MAX_PHONES_PER_CARD = 10;
export const MAX_APPOINTMENTS_PER_CARD = 50;

export const PatientCardSchema = z
  .object({
    misId: MisIdSchema,
    /** Monotonic per card in the MIS; the cache never lets a lower version overwrite a higher one. */
    version: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
    surname: personName(100),
    givenName: personName(100),
    patronymic: personName(100).nullable(),
    birthDate: IsoDateSchema,
    sex: SexSchema,
    phones: z.array(PatientPhoneSchema).max(MAX_PHONES_PER_CARD),
    email: z.string().trim().max(254).pipe(z.email()).nullable(),
    address: z.string().trim().min(1).max(500).nullable(),
    /** ОМС policy: the 16-digit unified number. */
    omsPolicy: z.string().regex(/^\d{16}$/, 'must be 16 digits').nullable(),
    dms: DmsPolicySchema.nullable(),
    /** СНИЛС without punctuation (`11223344595`, not `112-233-445 95`). */
    snils: z.string().regex(/^\d{11}$/, 'must be 11 digits without punctuation').nullable(),
    flags: PatientFlagsSchema,
    lastVisit: IsoDateSchema.nullable(),
    appointments: z.array(AppointmentSchema).max(MAX_APPOINTMENTS_PER_CARD),
  })
  .strict();
export type PatientCard = z.infer<typeof PatientCardSchema>;

/**
 * The flags as a role sees them: `allergies` is absent when the role's matrix hides
 * `allergies`; `vip`, `preferredChannel`, `consentSms` and `consentCalls` are absent when it
 * hides `contactPreferences` (src-shared/access/field-masking.ts).
 */
export const VisiblePatientFlagsSchema = PatientFlagsSchema.partial();
export type VisiblePatientFlags = z.infer<typeof VisiblePatientFlagsSchema>;

/**
 * The card as it leaves the core for the renderer (docs/architecture.md, "Privacy and
 * security"): the cached card minus the fields the role's matrix hides. A hidden field is
 * ABSENT from the JSON — not null (null still means "the MIS has none"), not empty. The name,
 * sex, birth date, MIS id and version are always there: without them nobody can tell two
 * patients apart. Which maskable field covers which key: `CARD_FIELD_GROUPS` in
 * src-shared/access/field-masking.ts (a test checks the two agree).
 */
export const VisiblePatientCardSchema = PatientCardSchema.partial({
  phones: true,
  email: true,
  address: true,
  omsPolicy: true,
  dms: true,
  snils: true,
  lastVisit: true,
  appointments: true,
}).extend({ flags: VisiblePatientFlagsSchema });
export type VisiblePatientCard = z.infer<typeof VisiblePatientCardSchema>;

/** True when `value` is `YYYY-MM-DD` and names a day that exists in the Gregorian calendar. */
export function isRealIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!match) return false;
  return isRealDate(Number(match[1]), Number(match[2]), Number(match[3]));
}

/** True when `year`-`month`-`day` (year ≥ 1) is a day of the Gregorian calendar. */
export function isRealDate(year: number, month: number, day: number): boolean {
  return year >= 1 && month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month);
}

/** Days in `month` (1–12) of `year`, Gregorian leap rules. */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}
