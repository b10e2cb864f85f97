import { z } from 'zod';
import { DEFAULT_CLINIC_TIME_ZONE, isKnownTimeZone } from '../schedule/clinic-time';
import { DEFAULT_SCHEDULE_HORIZON_DAYS, SCHEDULE_HORIZON_MAX_DAYS } from '../schedule/schedule-model';

import { DEFAULT_HIDDEN_FIELDS, FieldVisibilitySchema, PersonSchema, PinSchema, RoleSchema } from '../access/access-model';

export { RoleSchema, type Role } from '../access/access-model';

export const LanguageSchema = z.enum(['ru', 'en']);
export type Language = z.infer<typeof LanguageSchema>;

const trimmed = (max: number) => z.string().trim().max(max);

/** ws:// or wss:// URL of the SIP server's WebSocket transport (RFC 7118), or empty. */
export const SipServerUrlSchema = trimmed(2048).refine(
  (value) => value === '' || (/^wss?:\/\//i.test(value) && URL.canParse(value)),
  { message: 'must be a ws:// or wss:// URL' },
);

/** sip:user@host (RFC 3261 §19.1), or empty while the account is not set up. */
export const SipUriSchema = trimmed(256).refine(
  (value) => value === '' || /^sips?:[^@\s<>"]+@[^@\s<>"]+$/i.test(value),
  { message: 'must look like sip:1001@pbx.example' },
);

export const IceServerSchema = z
  .object({
    urls: z.union([z.string().min(1).max(512), z.array(z.string().min(1).max(512)).min(1).max(8)]),
    username: z.string().max(256).optional(),
    credential: z.string().max(256).optional(),
  })
  .strict();

export const DtmfModeSchema = z.enum(['rfc4733', 'info']);

/** The SIP account's fields, every one required: what a patch may set, without defaults. */
const sipAccountFields = {
  server: SipServerUrlSchema,
  uri: SipUriSchema,
  authUser: trimmed(128),
  displayName: trimmed(128),
  /** None by default: a LAN desk must not wait on a public STUN server. */
  iceServers: z.array(IceServerSchema).max(8),
  iceGatheringTimeoutMs: z.number().int().min(100).max(10_000),
  /** Answer intercom INVITEs (`Call-Info: answer-after=N`) by themselves. Off unless IT turns it on. */
  autoAnswerIntercom: z.boolean(),
  /** `rfc4733`: telephone-events in the media, SIP INFO if the call has none; `info`: always SIP INFO. */
  dtmfMode: DtmfModeSchema,
};

/**
 * The stored SIP account. Fields added after the first release have defaults, so a settings
 * file written by an older desk still loads.
 */
export const SipAccountSchema = z
  .object({
    ...sipAccountFields,
    autoAnswerIntercom: sipAccountFields.autoAnswerIntercom.default(false),
    dtmfMode: sipAccountFields.dtmfMode.default('rfc4733'),
  })
  .strict();
const SipAccountPatchSchema = z.object(sipAccountFields).partial().strict();
export type SipAccount = z.infer<typeof SipAccountSchema>;

/** A `MediaDeviceInfo.deviceId`, or `''` for the system default. */
const DeviceIdSchema = z.string().max(256);

/** Audio devices of this workstation: call audio in the headset, the ringtone on the loudspeaker. */
const audioDeviceFields = { microphoneId: DeviceIdSchema, speakerId: DeviceIdSchema, ringerId: DeviceIdSchema };
export const AudioDevicesSchema = z
  .object({
    microphoneId: DeviceIdSchema.default(''),
    speakerId: DeviceIdSchema.default(''),
    ringerId: DeviceIdSchema.default(''),
  })
  .strict();
const AudioDevicesPatchSchema = z.object(audioDeviceFields).partial().strict();
export type AudioDevices = z.infer<typeof AudioDevicesSchema>;

/** The seed clinic's six call categories: what a fresh desk offers in the wrap-up. */
export const DEFAULT_WRAP_UP_CATEGORIES: readonly string[] = [
  'Запись на платные услуги',
  'Медицинский осмотр',
  'Запись по ОМС',
  'Запись по ДМС',
  'Программа Check-Up',
  'Справочная информация (результаты, справки, цены)',
];
export const DEFAULT_ACW_LIMIT_SEC = 60;

/** Most wrap-up categories, longest category name, longest after-call-work limit (s): one rule for main and the settings form. */
export const WRAP_UP_CATEGORIES_MAX = 20;
export const WRAP_UP_CATEGORY_LENGTH = 80;
export const ACW_LIMIT_MAX = 900;

/** One wrap-up category as the operator picks it: trimmed, 1..80 characters. */
export const WrapUpCategorySchema = z.string().trim().min(1).max(WRAP_UP_CATEGORY_LENGTH);

/** The wrap-up's categories (1..20, unique after trimming) and the after-call-work limit. */
const wrapUpFields = {
  categories: z
    .array(WrapUpCategorySchema)
    .min(1)
    .max(WRAP_UP_CATEGORIES_MAX)
    .refine((items) => new Set(items).size === items.length, { message: 'categories must be unique' }),
  /** After-call-work limit in seconds; 0 = no limit. */
  acwLimitSec: z.number().int().min(0).max(ACW_LIMIT_MAX),
};
export const WrapUpSettingsSchema = z
  .object({
    categories: wrapUpFields.categories.default(() => [...DEFAULT_WRAP_UP_CATEGORIES]),
    acwLimitSec: wrapUpFields.acwLimitSec.default(DEFAULT_ACW_LIMIT_SEC),
  })
  .strict();
const WrapUpSettingsPatchSchema = z.object(wrapUpFields).partial().strict();
export type WrapUpSettings = z.infer<typeof WrapUpSettingsSchema>;

/**
 * This desk's agent on the PBX: its extension (empty: the user part of `sip.uri`) and the name
 * colleagues see. The field schemas below are exported for the settings form (one rule for both).
 */
export const agentFields = {
  extension: z.string().trim().max(32).regex(/^[0-9A-Za-z*#_.-]*$/, 'an extension holds digits, letters and * # _ . -'),
  name: trimmed(80),
};
export const AgentSettingsSchema = z.object({ extension: agentFields.extension.default(''), name: agentFields.name.default('') }).strict();
const AgentSettingsPatchSchema = z.object(agentFields).partial().strict();
export type AgentSettings = z.infer<typeof AgentSettingsSchema>;

/** The queue's service level: a call answered within `slaSeconds` counts as answered in time. */
export const DEFAULT_QUEUE_SLA_SECONDS = 20;
export const queueFields = { slaSeconds: z.number().int().min(1).max(600) };
export const QueueSettingsSchema = z.object({ slaSeconds: queueFields.slaSeconds.default(DEFAULT_QUEUE_SLA_SECONDS) }).strict();
const QueueSettingsPatchSchema = z.object(queueFields).partial().strict();

/**
 * The supervisor's board: when a pause or after-call work turns amber and red, the alert
 * thresholds (0 = off) and how much of a caller's name the board shows (medical secrecy: the
 * board is read across the room, so initials unless the clinic chooses otherwise).
 */
export const SupervisorPatientNamesSchema = z.enum(['full', 'initials', 'none']);
export type SupervisorPatientNames = z.infer<typeof SupervisorPatientNamesSchema>;
export const supervisorFields = {
  pauseAmberMinutes: z.number().int().min(1).max(480),
  pauseRedMinutes: z.number().int().min(1).max(480),
  wrapUpAmberSeconds: z.number().int().min(5).max(3_600),
  wrapUpRedSeconds: z.number().int().min(5).max(3_600),
  /** Alert when this many callers wait in a queue, or in all of them together (0: off). */
  alertWaitingCallers: z.number().int().min(0).max(1_000),
  /** Alert when someone has waited this long (0: off). */
  alertLongestWaitSeconds: z.number().int().min(0).max(3_600),
  /** Alert when today's SLA % falls below this (0: off). */
  slaTargetPercent: z.number().int().min(0).max(100),
  patientNames: SupervisorPatientNamesSchema,
};
export const DEFAULT_SUPERVISOR_SETTINGS = {
  pauseAmberMinutes: 10,
  pauseRedMinutes: 20,
  wrapUpAmberSeconds: 60,
  wrapUpRedSeconds: 180,
  alertWaitingCallers: 5,
  alertLongestWaitSeconds: 120,
  slaTargetPercent: 80,
  patientNames: 'initials',
} as const satisfies { [K in keyof typeof supervisorFields]: z.infer<(typeof supervisorFields)[K]> };
const d = DEFAULT_SUPERVISOR_SETTINGS;
export const SupervisorSettingsSchema = z
  .object({
    pauseAmberMinutes: supervisorFields.pauseAmberMinutes.default(d.pauseAmberMinutes),
    pauseRedMinutes: supervisorFields.pauseRedMinutes.default(d.pauseRedMinutes),
    wrapUpAmberSeconds: supervisorFields.wrapUpAmberSeconds.default(d.wrapUpAmberSeconds),
    wrapUpRedSeconds: supervisorFields.wrapUpRedSeconds.default(d.wrapUpRedSeconds),
    alertWaitingCallers: supervisorFields.alertWaitingCallers.default(d.alertWaitingCallers),
    alertLongestWaitSeconds: supervisorFields.alertLongestWaitSeconds.default(d.alertLongestWaitSeconds),
    slaTargetPercent: supervisorFields.slaTargetPercent.default(d.slaTargetPercent),
    patientNames: supervisorFields.patientNames.default(d.patientNames),
  })
  .strict();
export type SupervisorSettings = z.infer<typeof SupervisorSettingsSchema>;
export const SupervisorSettingsPatchSchema = z.object(supervisorFields).partial().strict();
export type SupervisorSettingsPatch = z.infer<typeof SupervisorSettingsPatchSchema>;

/**
 * The callback worklist: a task is due `slaMinutes` after the first missed call; an agent whose
 * queue rings go unanswered `pauseAfterRingNoAnswer` times in a row is paused ("не отвечает"; 0 = never).
 */
export const DEFAULT_CALLBACK_SLA_MINUTES = 15;
export const DEFAULT_PAUSE_AFTER_RING_NO_ANSWER = 3;
export const callbackFields = {
  slaMinutes: z.number().int().min(1).max(24 * 60),
  pauseAfterRingNoAnswer: z.number().int().min(0).max(20),
};
export const CallbackSettingsSchema = z
  .object({
    slaMinutes: callbackFields.slaMinutes.default(DEFAULT_CALLBACK_SLA_MINUTES),
    pauseAfterRingNoAnswer: callbackFields.pauseAfterRingNoAnswer.default(DEFAULT_PAUSE_AFTER_RING_NO_ANSWER),
  })
  .strict();
const CallbackSettingsPatchSchema = z.object(callbackFields).partial().strict();

/** The pause reasons an operator picks from (sent to the PBX as the pause's reason). */
export const DEFAULT_PAUSE_REASONS: readonly string[] = ['Обед', 'Обучение', 'Документы'];
/** Most pause reasons, longest pause reason: one rule for main and the settings form. */
export const PAUSE_REASONS_MAX = 12;
export const PAUSE_REASON_LENGTH = 40;
export const PauseReasonSchema = z.string().trim().min(1).max(PAUSE_REASON_LENGTH).regex(/^[^\r\n:]+$/, 'a pause reason is one line without ":"');
export const agentStatusFields = {
  pauseReasons: z
    .array(PauseReasonSchema)
    .min(1)
    .max(PAUSE_REASONS_MAX)
    .refine((items) => new Set(items).size === items.length, { message: 'pause reasons must be unique' }),
};
export const AgentStatusSettingsSchema = z
  .object({ pauseReasons: agentStatusFields.pauseReasons.default(() => [...DEFAULT_PAUSE_REASONS]) })
  .strict();
const AgentStatusSettingsPatchSchema = z.object(agentStatusFields).partial().strict();

/** The cached schedule: how many days ahead, and the clinic's time zone (every schedule time is on its clock). */
export const scheduleFields = {
  horizonDays: z.number().int().min(1).max(SCHEDULE_HORIZON_MAX_DAYS),
  timeZone: z.string().min(1).max(64).refine(isKnownTimeZone, { message: 'must be an IANA time zone like Europe/Moscow' }),
};
export const ScheduleSettingsSchema = z
  .object({ horizonDays: scheduleFields.horizonDays.default(DEFAULT_SCHEDULE_HORIZON_DAYS), timeZone: scheduleFields.timeZone.default(DEFAULT_CLINIC_TIME_ZONE) })
  .strict();
const ScheduleSettingsPatchSchema = z.object(scheduleFields).partial().strict();

/** A clinic-local time of day `HH:MM` (00:00 … 24:00). */
export const TimeOfDaySchema = z.string().regex(/^(?:[01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time like 09:00');
export const DEFAULT_CALL_WINDOW = { from: '09:00', to: '21:00' } as const;
export const DEFAULT_CALL_LIST_RETRY_MINUTES = 30;
export const DEFAULT_CALL_LIST_MAX_ATTEMPTS = 3;
/** Outbound lists: the retry delay after no answer, the attempts before giving up, the calling window. */
export const callListFields = {
  retryMinutes: z.number().int().min(1).max(24 * 60),
  maxAttempts: z.number().int().min(1).max(10),
  windowFrom: TimeOfDaySchema,
  windowTo: TimeOfDaySchema,
};
export const CallListSettingsSchema = z
  .object({
    retryMinutes: callListFields.retryMinutes.default(DEFAULT_CALL_LIST_RETRY_MINUTES),
    maxAttempts: callListFields.maxAttempts.default(DEFAULT_CALL_LIST_MAX_ATTEMPTS),
    windowFrom: callListFields.windowFrom.default(DEFAULT_CALL_WINDOW.from),
    windowTo: callListFields.windowTo.default(DEFAULT_CALL_WINDOW.to),
  })
  .strict()
  .refine((s) => s.windowFrom < s.windowTo, { message: 'the calling window must start before it ends', path: ['windowTo'] });
const CallListSettingsPatchSchema = z.object(callListFields).partial().strict();

/** The wrap-up category a booking of each service kind fills in (names from the seed clinic's categories). */
export const DEFAULT_BOOKING_CATEGORIES = {
  oms: 'Запись по ОМС',
  dms: 'Запись по ДМС',
  paid: 'Запись на платные услуги',
  checkup: 'Программа Check-Up',
} as const;
export const bookingFields = {
  categoryByKind: z
    .object({ oms: WrapUpCategorySchema, dms: WrapUpCategorySchema, paid: WrapUpCategorySchema, checkup: WrapUpCategorySchema })
    .strict(),
};
export const BookingSettingsSchema = z.object({ categoryByKind: bookingFields.categoryByKind.default(() => ({ ...DEFAULT_BOOKING_CATEGORIES })) }).strict();
const BookingSettingsPatchSchema = z.object(bookingFields).partial().strict();

/**
 * Who may sign in (IT's list; empty: the desk is "open" and works as its `role` says) and the
 * idle lock. Each person's PIN is kept as a salted scrypt hash in the secret store.
 */
export const DEFAULT_IDLE_LOCK_MINUTES = 5;
export const PEOPLE_MAX = 500;
export const accessFields = {
  people: z
    .array(PersonSchema)
    .max(PEOPLE_MAX)
    .refine((items) => new Set(items.map((p) => p.id)).size === items.length, { message: 'person ids must be unique' }),
  /** Minutes without input before the desk locks (0: never). Fractions allowed for drills and tests. */
  idleLockMinutes: z.number().min(0).max(240),
};
export const AccessSettingsSchema = z
  .object({ people: accessFields.people.default(() => []), idleLockMinutes: accessFields.idleLockMinutes.default(DEFAULT_IDLE_LOCK_MINUTES) })
  .strict();
const AccessSettingsPatchSchema = z.object(accessFields).partial().strict();
export type AccessSettings = z.infer<typeof AccessSettingsSchema>;

/**
 * What each role receives of a card, how the supervisor's board shows phone numbers, and how
 * long cards and the audit log are kept.
 */
export const DEFAULT_CACHE_RETENTION_DAYS = 30;
export const DEFAULT_AUDIT_RETENTION_YEARS = 5;
export const privacyFields = {
  hiddenFields: FieldVisibilitySchema,
  /** `masked`: `+7 916 ***-**-67` on the board; `full`: the whole number. */
  boardPhones: z.enum(['masked', 'full']),
  /** Cards neither opened nor synced for this many days leave the cache. */
  cacheRetentionDays: z.number().int().min(1).max(3_650),
  /** Audit entries older than this many years are removed (the chain stays verifiable from an anchor). */
  auditRetentionYears: z.number().int().min(1).max(50),
};
export const PrivacySettingsSchema = z
  .object({
    hiddenFields: privacyFields.hiddenFields.default(() => structuredClone(DEFAULT_HIDDEN_FIELDS)),
    boardPhones: privacyFields.boardPhones.default('masked'),
    cacheRetentionDays: privacyFields.cacheRetentionDays.default(DEFAULT_CACHE_RETENTION_DAYS),
    auditRetentionYears: privacyFields.auditRetentionYears.default(DEFAULT_AUDIT_RETENTION_YEARS),
  })
  .strict();
const PrivacySettingsPatchSchema = z.object(privacyFields).partial().strict();
export type PrivacySettings = z.infer<typeof PrivacySettingsSchema>;

/** The desktop app's own behaviour (Electron only; the browser host ignores it). */
export const desktopFields = {
  /** Start with the OS (login item). */
  autostart: z.boolean(),
  /** Closing the window hides it to the tray; quitting is in the tray's menu. */
  closeToTray: z.boolean(),
};
export const DesktopSettingsSchema = z
  .object({ autostart: desktopFields.autostart.default(false), closeToTray: desktopFields.closeToTray.default(true) })
  .strict();
const DesktopSettingsPatchSchema = z.object(desktopFields).partial().strict();
export type DesktopSettings = z.infer<typeof DesktopSettingsSchema>;

export const ConnectorChoiceSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'lowercase letters, digits and dashes'),
    config: z.record(z.string(), z.unknown()),
  })
  .strict();

export const SettingsSchema = z
  .object({
    schemaVersion: z.literal(1),
    role: RoleSchema,
    language: LanguageSchema,
    sip: SipAccountSchema,
    audio: AudioDevicesSchema.default({ microphoneId: '', speakerId: '', ringerId: '' }),
    wrapUp: WrapUpSettingsSchema.default(() => ({
      categories: [...DEFAULT_WRAP_UP_CATEGORIES],
      acwLimitSec: DEFAULT_ACW_LIMIT_SEC,
    })),
    agent: AgentSettingsSchema.default({ extension: '', name: '' }),
    queue: QueueSettingsSchema.default({ slaSeconds: DEFAULT_QUEUE_SLA_SECONDS }),
    callbacks: CallbackSettingsSchema.default({ slaMinutes: DEFAULT_CALLBACK_SLA_MINUTES, pauseAfterRingNoAnswer: DEFAULT_PAUSE_AFTER_RING_NO_ANSWER }),
    agentStatus: AgentStatusSettingsSchema.default(() => ({ pauseReasons: [...DEFAULT_PAUSE_REASONS] })),
    schedule: ScheduleSettingsSchema.default({ horizonDays: DEFAULT_SCHEDULE_HORIZON_DAYS, timeZone: DEFAULT_CLINIC_TIME_ZONE }),
    callLists: CallListSettingsSchema.default({
      retryMinutes: DEFAULT_CALL_LIST_RETRY_MINUTES,
      maxAttempts: DEFAULT_CALL_LIST_MAX_ATTEMPTS,
      windowFrom: DEFAULT_CALL_WINDOW.from,
      windowTo: DEFAULT_CALL_WINDOW.to,
    }),
    booking: BookingSettingsSchema.default(() => ({ categoryByKind: { ...DEFAULT_BOOKING_CATEGORIES } })),
    supervisor: SupervisorSettingsSchema.default(() => ({ ...DEFAULT_SUPERVISOR_SETTINGS })),
    access: AccessSettingsSchema.default(() => ({ people: [], idleLockMinutes: DEFAULT_IDLE_LOCK_MINUTES })),
    privacy: PrivacySettingsSchema.default(() => ({
      hiddenFields: structuredClone(DEFAULT_HIDDEN_FIELDS),
      boardPhones: 'masked' as const,
      cacheRetentionDays: DEFAULT_CACHE_RETENTION_DAYS,
      auditRetentionYears: DEFAULT_AUDIT_RETENTION_YEARS,
    })),
    desktop: DesktopSettingsSchema.default({ autostart: false, closeToTray: true }),
    connectors: z.object({ mis: ConnectorChoiceSchema, pbx: ConnectorChoiceSchema }).strict(),
  })
  .strict();
export type Settings = z.infer<typeof SettingsSchema>;

export const DEFAULT_SETTINGS: Settings = {
  schemaVersion: 1,
  role: 'operator',
  language: 'ru',
  sip: {
    server: '',
    uri: '',
    authUser: '',
    displayName: '',
    iceServers: [],
    iceGatheringTimeoutMs: 500,
    autoAnswerIntercom: false,
    dtmfMode: 'rfc4733',
  },
  audio: { microphoneId: '', speakerId: '', ringerId: '' },
  wrapUp: { categories: [...DEFAULT_WRAP_UP_CATEGORIES], acwLimitSec: DEFAULT_ACW_LIMIT_SEC },
  agent: { extension: '', name: '' },
  queue: { slaSeconds: DEFAULT_QUEUE_SLA_SECONDS },
  callbacks: { slaMinutes: DEFAULT_CALLBACK_SLA_MINUTES, pauseAfterRingNoAnswer: DEFAULT_PAUSE_AFTER_RING_NO_ANSWER },
  agentStatus: { pauseReasons: [...DEFAULT_PAUSE_REASONS] },
  schedule: { horizonDays: DEFAULT_SCHEDULE_HORIZON_DAYS, timeZone: DEFAULT_CLINIC_TIME_ZONE },
  callLists: { retryMinutes: DEFAULT_CALL_LIST_RETRY_MINUTES, maxAttempts: DEFAULT_CALL_LIST_MAX_ATTEMPTS, windowFrom: DEFAULT_CALL_WINDOW.from, windowTo: DEFAULT_CALL_WINDOW.to },
  booking: { categoryByKind: { ...DEFAULT_BOOKING_CATEGORIES } },
  supervisor: { ...DEFAULT_SUPERVISOR_SETTINGS },
  access: { people: [], idleLockMinutes: DEFAULT_IDLE_LOCK_MINUTES },
  privacy: {
    hiddenFields: structuredClone(DEFAULT_HIDDEN_FIELDS),
    boardPhones: 'masked',
    cacheRetentionDays: DEFAULT_CACHE_RETENTION_DAYS,
    auditRetentionYears: DEFAULT_AUDIT_RETENTION_YEARS,
  },
  desktop: { autostart: false, closeToTray: true },
  connectors: {
    mis: { id: 'demo', config: {} },
    pbx: { id: 'demo', config: {} },
  },
};

/** What the settings screen may change; every field optional, unknown keys refused. */
export const SettingsPatchSchema = z
  .object({
    role: RoleSchema.optional(),
    language: LanguageSchema.optional(),
    sip: SipAccountPatchSchema.optional(),
    audio: AudioDevicesPatchSchema.optional(),
    wrapUp: WrapUpSettingsPatchSchema.optional(),
    agent: AgentSettingsPatchSchema.optional(),
    queue: QueueSettingsPatchSchema.optional(),
    callbacks: CallbackSettingsPatchSchema.optional(),
    agentStatus: AgentStatusSettingsPatchSchema.optional(),
    schedule: ScheduleSettingsPatchSchema.optional(),
    callLists: CallListSettingsPatchSchema.optional(),
    booking: BookingSettingsPatchSchema.optional(),
    supervisor: SupervisorSettingsPatchSchema.optional(),
    access: AccessSettingsPatchSchema.optional(),
    privacy: PrivacySettingsPatchSchema.optional(),
    desktop: DesktopSettingsPatchSchema.optional(),
    connectors: z
      .object({ mis: ConnectorChoiceSchema.optional(), pbx: ConnectorChoiceSchema.optional() })
      .strict()
      .optional(),
  })
  .strict();
export type SettingsPatch = z.infer<typeof SettingsPatchSchema>;

/**
 * The `--config FILE` provisioning file IT rolls out to many desks: the same fields as the
 * settings screen, plus the SIP password, which is moved into the secret store at start and
 * never written to the settings file.
 */
export const ProvisioningSchema = SettingsPatchSchema.extend({
  sip: SipAccountPatchSchema
    .extend({ password: z.string().min(1).max(512).optional() })
    .strict()
    .optional(),
  /** People may come with a first PIN: hashed into the secret store at start, never written to settings. */
  access: z
    .object({
      people: z.array(PersonSchema.extend({ pin: PinSchema.optional() }).strict()).max(PEOPLE_MAX).optional(),
      idleLockMinutes: accessFields.idleLockMinutes.optional(),
    })
    .strict()
    .optional(),
}).strict();
export type Provisioning = z.infer<typeof ProvisioningSchema>;

/** Dotted paths of every leaf a patch sets, e.g. `sip.server`; connectors count as one leaf each. */
export function patchedPaths(patch: SettingsPatch | Provisioning): string[] {
  const paths: string[] = [];
  if (patch.role !== undefined) paths.push('role');
  if (patch.language !== undefined) paths.push('language');
  for (const [key, value] of Object.entries(patch.sip ?? {})) {
    if (value !== undefined && key !== 'password') paths.push(`sip.${key}`);
  }
  for (const [key, value] of Object.entries(patch.audio ?? {})) {
    if (value !== undefined) paths.push(`audio.${key}`);
  }
  for (const group of ['wrapUp', 'agent', 'queue', 'callbacks', 'agentStatus', 'schedule', 'callLists', 'booking', 'supervisor', 'access', 'privacy', 'desktop'] as const) {
    for (const [key, value] of Object.entries(patch[group] ?? {})) {
      if (value !== undefined) paths.push(`${group}.${key}`);
    }
  }
  for (const [key, value] of Object.entries(patch.connectors ?? {})) {
    if (value !== undefined) paths.push(`connectors.${key}`);
  }
  return paths;
}

/** Applies a patch on top of settings; the result is validated as a whole. */
export function applySettingsPatch(base: Settings, patch: SettingsPatch): Settings {
  const { password: _password, ...sipPatch } = (patch.sip ?? {}) as Provisioning['sip'] & object;
  return SettingsSchema.parse({
    ...base,
    ...(patch.role !== undefined && { role: patch.role }),
    ...(patch.language !== undefined && { language: patch.language }),
    sip: { ...base.sip, ...stripUndefined(sipPatch) },
    audio: { ...base.audio, ...stripUndefined(patch.audio ?? {}) },
    wrapUp: { ...base.wrapUp, ...stripUndefined(patch.wrapUp ?? {}) },
    agent: { ...base.agent, ...stripUndefined(patch.agent ?? {}) },
    queue: { ...base.queue, ...stripUndefined(patch.queue ?? {}) },
    callbacks: { ...base.callbacks, ...stripUndefined(patch.callbacks ?? {}) },
    agentStatus: { ...base.agentStatus, ...stripUndefined(patch.agentStatus ?? {}) },
    schedule: { ...base.schedule, ...stripUndefined(patch.schedule ?? {}) },
    callLists: { ...base.callLists, ...stripUndefined(patch.callLists ?? {}) },
    booking: { ...base.booking, ...stripUndefined(patch.booking ?? {}) },
    supervisor: { ...base.supervisor, ...stripUndefined(patch.supervisor ?? {}) },
    access: { ...base.access, ...stripUndefined(patch.access ?? {}) },
    privacy: { ...base.privacy, ...stripUndefined(patch.privacy ?? {}) },
    desktop: { ...base.desktop, ...stripUndefined(patch.desktop ?? {}) },
    connectors: { ...base.connectors, ...stripUndefined(patch.connectors ?? {}) },
  });
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export const SecretStorageKindSchema = z.enum(['os-keychain', 'key-file', 'unavailable']);
export type SecretStorageKind = z.infer<typeof SecretStorageKindSchema>;

/** What the renderer sees: effective settings, which paths IT manages, and secret presence only. */
export const SettingsViewSchema = z
  .object({
    settings: SettingsSchema,
    managed: z.array(z.string()),
    sipPasswordSet: z.boolean(),
    secretStorage: SecretStorageKindSchema,
    /** Set when the stored settings file was unreadable and was moved aside. */
    recoveredFrom: z.string().nullable(),
  })
  .strict();
export type SettingsView = z.infer<typeof SettingsViewSchema>;

/**
 * The user part of a SIP URI when it can be an extension (`sip:1001@pbx` → `1001`), else ''.
 * The desk's agent extension when `agent.extension` is empty: one rule for main and the form.
 */
export function sipUriExtension(uri: string): string {
  const user = /^sips?:([^@]+)@/i.exec(uri)?.[1] ?? '';
  return /^[0-9A-Za-z*#_.-]{1,32}$/.test(user) ? user : '';
}
