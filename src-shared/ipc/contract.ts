import { z } from 'zod';
import { IsoDateSchema, MisIdSchema, PatientCardSchema } from '../patients/patient-card';
import { MAX_QUERY_LENGTH } from '../patients/search-query';
import { SettingsPatchSchema, SettingsViewSchema } from '../settings/settings-schema';
import { DiagnosticReportSchema } from '../diagnostics/diagnostic-event';
import { CoreStatusSchema } from '../status/system-status';

/**
 * The one source of truth for everything that crosses from the renderer to main.
 * The preload's allow-list, main's handler table and the browser host's WebSocket bridge are
 * all derived from these two objects: adding a call is one entry here plus one handler.
 */

const NoInput = z.object({}).strict();

export const AppInfoSchema = z
  .object({
    name: z.literal('Registratura'),
    version: z.string(),
    host: z.enum(['electron', 'web']),
    dataDir: z.string(),
  })
  .strict();
export type AppInfo = z.infer<typeof AppInfoSchema>;

export const PatientSearchResultSchema = z
  .object({
    items: z.array(PatientCardSchema),
    /** Matches among the examined candidates. */
    total: z.number().int().nonnegative(),
    /** False when the query matched more candidates than were examined: ask to narrow it. */
    complete: z.boolean(),
    /**
     * True when more cards than `total` are known to match (the bound cut a list of matches):
     * the UI says "more than {total} — refine the query", never a bare count.
     */
    moreThanTotal: z.boolean(),
    /** How the box understood the text, so the UI can say "searched by phone". */
    understoodAs: z.enum(['empty', 'invalid', 'identifier', 'criteria']),
    /** Why the text is not a usable query (too few digits, bad date …), safe to show. */
    problem: z.string().max(300).nullable(),
    /**
     * Who answered: `cache` (the local cache, as always); `mis` (the cache is being rebuilt
     * after damage, so the MIS was asked online); `cache-incomplete` (it is being rebuilt and
     * the MIS is unreachable: the part of the cache refilled so far, which may miss patients).
     */
    source: z.enum(['cache', 'mis', 'cache-incomplete']),
  })
  .strict();
export type PatientSearchResultView = z.infer<typeof PatientSearchResultSchema>;

/**
 * Why the cache file in use was started: `new` (the desk's first sync), `damaged` (a query or
 * the background integrity check found the previous file damaged), `unreadable` (the previous
 * file could not be opened at start) or `key-lost` (the database key was lost or replaced, so
 * the previous file could no longer be read).
 */
export const CacheFillReasonSchema = z.enum(['new', 'damaged', 'unreadable', 'key-lost']);
export type CacheFillReason = z.infer<typeof CacheFillReasonSchema>;

/** How the cache file in use was filled (kept in the file itself, so it survives restarts). */
export const CacheFillSchema = z
  .object({
    /** `filling` until the first full pass of the MIS's change stream has been applied. */
    state: z.enum(['filling', 'complete']),
    reason: CacheFillReasonSchema,
    /** When this file was started (and, for a rebuild, when the previous one was set aside). */
    startedAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    /** Where the previous file was kept for IT (a path on this desk); null for a first fill. */
    setAside: z.string().max(1000).nullable(),
  })
  .strict();
export type CacheFill = z.infer<typeof CacheFillSchema>;

export const CacheStatusSchema = z
  .object({
    available: z.boolean(),
    cards: z.number().int().nonnegative(),
    /** ISO time of the last successful sync with the MIS: the cashier's "data as of HH:MM". */
    dataAsOf: z.string().nullable(),
    problem: z.string().max(500).nullable(),
    /** How the file in use was filled; null while no cache is open. */
    fill: CacheFillSchema.nullable(),
    /**
     * The file in use was found damaged and is being replaced right now (between the detection
     * and the fresh file); searches meanwhile go to the MIS.
     */
    replacing: z.boolean(),
  })
  .strict();
export type CacheStatusView = z.infer<typeof CacheStatusSchema>;

/**
 * One write the MIS has not confirmed, as the "not delivered" panel shows it. Never the
 * payload: it may hold patient data, and the panel only needs what happened to the write.
 */
export const OutboxItemViewSchema = z
  .object({
    id: z.number().int().positive(),
    /** A code identifier (`wrapup`, `note`, `booking`); the panel localizes the known ones. */
    kind: z.string().min(1).max(64),
    state: z.enum(['pending', 'inflight', 'failed']),
    attempts: z.number().int().nonnegative(),
    /** Why the last attempt failed, as the connector said it; null before any failure. */
    lastError: z.string().max(500).nullable(),
    createdAt: z.iso.datetime(),
    /** When the sender tries again; null when it will not on its own (failed, or in flight now). */
    nextAttemptAt: z.iso.datetime().nullable(),
  })
  .strict();
export type OutboxItemView = z.infer<typeof OutboxItemViewSchema>;

/** Most items the panel lists; a desk with more has a bigger problem than a long list shows. */
export const OUTBOX_VIEW_LIMIT = 500;

export const OutboxCountsSchema = z
  .object({
    /** Waiting or in flight: the sender is still trying. */
    pending: z.number().int().nonnegative(),
    /** Refused for good by the MIS: waits for someone to press retry. */
    failed: z.number().int().nonnegative(),
  })
  .strict();
export type OutboxCounts = z.infer<typeof OutboxCountsSchema>;

/**
 * A SIP.js session id: the Call-ID followed by the From tag (`Inviter`/`Invitation` set
 * `_id = callId + fromTag`). Both are RFC 3261 `word`/`token` characters, so printable ASCII
 * without spaces; Call-IDs from some PBXs are long, hence 256.
 */
export const CallIdSchema = z
  .string()
  .min(1)
  .max(256)
  .regex(/^[\x21-\x7E]+$/, 'A call id is printable ASCII without spaces');

/**
 * The remote party as the softphone sanitised it (`sanitiseRemoteNumber`: the SIP user part,
 * RFC 3261 §25.1 `user` characters without escapes); empty when the INVITE carried none.
 */
export const CallNumberSchema = z
  .string()
  .max(64)
  .regex(/^[0-9A-Za-z+*#._-]*$/, 'A call number holds only digits, letters and + * # . _ -');

/** Longest display name, in code points (what the softphone cuts to, and SQLite's `length`). */
export const CALL_DISPLAY_NAME_MAX = 80;
const DISPLAY_NAME_MESSAGE = `A display name is at most ${CALL_DISPLAY_NAME_MAX} characters`;

/**
 * The caller's display name, counted in code points rather than UTF-16 units: the softphone
 * cuts to 80 code points, and a caller calling as 80 emoji must still be journalled. The
 * UTF-16 bound (two units per code point at most) refuses a huge string before it is walked.
 */
export const CallDisplayNameSchema = z
  .string()
  .max(CALL_DISPLAY_NAME_MAX * 2, DISPLAY_NAME_MESSAGE)
  .refine((text) => codePointCount(text) <= CALL_DISPLAY_NAME_MAX, DISPLAY_NAME_MESSAGE);

function codePointCount(text: string): number {
  let count = 0;
  for (const _ of text) count += 1;
  return count;
}

export const CallDirectionSchema = z.enum(['incoming', 'outgoing']);
export type CallDirection = z.infer<typeof CallDirectionSchema>;

/**
 * How a call ended. `missed`: nobody answered; `rejected`: declined by either side; `failed`:
 * could not be set up; `answered`: talked and hung up; `lost`: talked, then the network took it
 * and recovery failed (a callback is owed).
 */
export const CallOutcomeSchema = z.enum(['answered', 'missed', 'rejected', 'failed', 'lost']);
export type CallOutcome = z.infer<typeof CallOutcomeSchema>;

/** Outcomes of a call that was answered: exactly these have an `answeredAt`. */
export const ANSWERED_OUTCOMES: readonly CallOutcome[] = ['answered', 'lost'];

/**
 * One finished call as the call journal (journal.db `calls`) keeps it. The renderer's softphone
 * sends it once per call when it ends; the id makes a retry harmless. Durations are not stored:
 * talk time is `endedAt - answeredAt`, ring time `(answeredAt ?? endedAt) - startedAt`.
 * Times are not required to be ordered: a wall-clock step during a call must not cost the
 * journal its record (a lost call would then never become a callback).
 */
export const CallRecordSchema = z
  .object({
    id: CallIdSchema,
    direction: CallDirectionSchema,
    number: CallNumberSchema,
    /** Caller-supplied text (SIP display name), control and bidi characters already stripped. */
    displayName: CallDisplayNameSchema,
    startedAt: z.iso.datetime(),
    /** When the call was answered; null for a call that never was. */
    answeredAt: z.iso.datetime().nullable(),
    endedAt: z.iso.datetime(),
    outcome: CallOutcomeSchema,
  })
  .strict()
  .refine((call) => (call.answeredAt !== null) === ANSWERED_OUTCOMES.includes(call.outcome), {
    message: 'answeredAt must be set exactly when the outcome is answered or lost',
    path: ['answeredAt'],
  });
export type CallRecord = z.infer<typeof CallRecordSchema>;

/** Most calls `calls.recent` returns at once. */
export const CALLS_RECENT_LIMIT = 500;

/** Which calls the journal view lists: `mine` = answered or placed by this desk (outcome answered). */
export const CallsFilterSchema = z.enum(['all', 'today', 'missed', 'mine']);
export type CallsFilter = z.infer<typeof CallsFilterSchema>;

/** What the operator recorded as the result of a call in the wrap-up. */
export const WrapUpOutcomeSchema = z.enum(['booked', 'information', 'transferred', 'callback', 'wrong-number']);
export type WrapUpOutcome = z.infer<typeof WrapUpOutcomeSchema>;

/** A call journal row as `calls.recent` lists it: the record plus what the desk learnt about it. */
export const CallJournalItemSchema = z
  .object({
    id: CallIdSchema,
    direction: CallDirectionSchema,
    number: CallNumberSchema,
    displayName: CallDisplayNameSchema,
    startedAt: z.iso.datetime(),
    answeredAt: z.iso.datetime().nullable(),
    endedAt: z.iso.datetime(),
    outcome: CallOutcomeSchema,
    /** The patient of the call: from its wrap-up, else from the card shown by the pop. */
    misId: MisIdSchema.nullable(),
    /** That patient's name from the cache ("Surname Given Patronymic"); null when not cached. */
    patientName: z.string().max(400).nullable(),
    /** The PBX queue the call came through; null until the PBX reports queues. */
    queue: z.string().max(128).nullable(),
    /** The wrap-up's category and outcome; null before (or without) a wrap-up. */
    category: z.string().max(80).nullable(),
    wrapUpOutcome: WrapUpOutcomeSchema.nullable(),
    /** Talk time in whole seconds (`endedAt - answeredAt`); null for a call never answered. */
    durationSec: z.number().int().nonnegative().nullable(),
  })
  .strict();
export type CallJournalItem = z.infer<typeof CallJournalItemSchema>;

/**
 * The call id (or its prefix) of the screen pop's warm-ups: the core's at start and the
 * renderer's rehearsal at registration. A lookup with it is not a ring.
 */
export const SCREEN_POP_WARM_UP_CALL_ID = 'screen-pop-warm-up';

/** Most cards a screen pop offers for one number. */
export const SCREEN_POP_MATCH_LIMIT = 20;

export const ScreenPopLookupSchema = z
  .object({
    /** E.164 after normalisation; null when the number is not a phone number (extension, anonymous). */
    numberKey: z.string().max(32).nullable(),
    /** Cached cards with that number (cache.db only, never the MIS), the remembered choice first. */
    matches: z.array(PatientCardSchema).max(SCREEN_POP_MATCH_LIMIT),
    /** The last choice made for this number, only when it is among the matches. */
    chosenMisId: MisIdSchema.nullable(),
    /** The cache's last successful sync: "cached HH:MM". */
    dataAsOf: z.iso.datetime().nullable(),
    /** Time the core spent on the lookup. */
    lookupMs: z.number().nonnegative(),
  })
  .strict();
export type ScreenPopLookup = z.infer<typeof ScreenPopLookupSchema>;

export const ScreenPopRefreshSchema = z
  .object({
    status: z.enum(['updated', 'unreachable']),
    at: z.iso.datetime(),
    /** The MIS's cards for the number (applied to the cache) or, when unreachable, the cached ones. */
    matches: z.array(PatientCardSchema).max(SCREEN_POP_MATCH_LIMIT),
  })
  .strict();
export type ScreenPopRefresh = z.infer<typeof ScreenPopRefreshSchema>;

/** Longest wrap-up note and new-patient note. */
export const WRAP_UP_NOTE_MAX = 2000;
export const DRAFT_NOTE_MAX = 500;

export const CallWrapUpInputSchema = z
  .object({
    callId: CallIdSchema,
    misId: MisIdSchema.nullable(),
    /** Must be one of `settings.wrapUp.categories` (checked by the core: INVALID_INPUT). */
    category: z.string().trim().min(1).max(80),
    outcome: WrapUpOutcomeSchema,
    note: z.string().max(WRAP_UP_NOTE_MAX),
    /** After-call work the operator spent, in seconds. */
    acwSec: z.number().int().nonnegative(),
  })
  .strict();
export type CallWrapUpInput = z.infer<typeof CallWrapUpInputSchema>;

const NameFieldSchema = z.string().trim().min(1).max(100);

export const PatientDraftInputSchema = z
  .object({
    callId: CallIdSchema,
    /** The caller's number as the phone gave it; normalised by the core. */
    phone: z.string().trim().min(1).max(64),
    surname: NameFieldSchema,
    givenName: NameFieldSchema,
    patronymic: z.string().trim().max(100).optional(),
    birthDate: IsoDateSchema.optional(),
    note: z.string().max(DRAFT_NOTE_MAX).optional(),
  })
  .strict();
export type PatientDraftInput = z.infer<typeof PatientDraftInputSchema>;

export const PATIENT_HISTORY_LIMIT = 50;

/**
 * One line of a patient's history: a call (as data — the renderer words it in the UI language)
 * or a wrap-up's note (the operator's text). Patient data: never logged.
 */
export const PatientHistoryItemSchema = z.discriminatedUnion('kind', [
  z
    .object({
      at: z.iso.datetime(),
      kind: z.literal('call'),
      callId: CallIdSchema,
      direction: CallDirectionSchema,
      outcome: CallOutcomeSchema,
      /** The wrap-up's category and outcome; null before (or without) a wrap-up. */
      category: z.string().max(80).nullable(),
      wrapUpOutcome: WrapUpOutcomeSchema.nullable(),
    })
    .strict(),
  z
    .object({
      at: z.iso.datetime(),
      kind: z.literal('note'),
      callId: CallIdSchema.nullable(),
      text: z.string().max(WRAP_UP_NOTE_MAX),
    })
    .strict(),
]);
export type PatientHistoryItem = z.infer<typeof PatientHistoryItemSchema>;

/** Why a journal was set aside: its key was lost or replaced, it could not be read, or it was damaged. */
export const KeptJournalReasonSchema = z.enum(['key-lost', 'unreadable', 'damaged']);

/** A journal.db this desk set aside and replaced with a fresh one; kept, never deleted automatically. */
export const KeptJournalSchema = z
  .object({
    id: z.number().int().positive(),
    /** Where the file is kept (a path on this desk, for IT). */
    path: z.string().min(1).max(1000),
    reason: KeptJournalReasonSchema,
    keptAt: z.iso.datetime(),
    /** Writes to the MIS it held that were not delivered, when last counted; null when never counted. */
    undelivered: z.number().int().nonnegative().nullable(),
    /** Access-audit entries it held, when last counted; null when never counted. */
    auditEntries: z.number().int().nonnegative().nullable(),
    /** When those counts were taken (the journal's summary file); null when unknown. */
    countedAt: z.iso.datetime().nullable(),
    /** Someone closed the notice (the file stays kept). */
    acknowledged: z.boolean(),
  })
  .strict();
export type KeptJournal = z.infer<typeof KeptJournalSchema>;

/** journal.db as the desk has it: open, or not (and why), plus the files it had to set aside. */
export const JournalStatusSchema = z
  .object({
    state: z.enum(['open', 'unavailable']),
    /** Why it is unavailable, safe to show; null when open. */
    problem: z.string().max(500).nullable(),
    kept: z.array(KeptJournalSchema).max(20),
  })
  .strict();
export type JournalStatus = z.infer<typeof JournalStatusSchema>;

/** One submission the demo MIS ledger applied (for e2e: "exactly one delivery"). */
export const DemoLedgerEntrySchema = z
  .object({
    kind: z.string().min(1).max(64),
    /** The idempotency key it was applied under. */
    key: z.string().min(1).max(128),
    /** The demo MIS's reference for it (what its `submit` answered). */
    ref: z.string().max(256),
    /** The desk's id of the change (`payload.localId`: the draft id, `wrapup:<callId>`), else the key. */
    localId: z.string().max(512),
    /** How many times that key was received (1 = first delivery only; more = retries answered duplicate). */
    receipts: z.number().int().positive(),
  })
  .strict();

export const requests = {
  /** Which build and which host the renderer is running under. */
  'app.info': { input: NoInput, output: AppInfoSchema },
  /** Effective settings, the paths IT manages, and whether a SIP password is stored. */
  'settings.get': { input: NoInput, output: SettingsViewSchema },
  /** Change settings from the settings screen; managed (provisioned) paths are refused. */
  'settings.update': { input: SettingsPatchSchema, output: SettingsViewSchema },
  /** Store the SIP password in the secret store (`null` removes it); it is never read back. */
  'settings.setSipPassword': {
    input: z.object({ password: z.string().min(1).max(512).nullable() }).strict(),
    output: SettingsViewSchema,
  },
  /**
   * The stored SIP password (`null` when none is stored), for the renderer's softphone to
   * REGISTER with. This is the ONLY place a secret crosses from main to the renderer, and only
   * because it must: WebRTC and SIP over WebSocket run in Chromium, so the digest
   * authentication (RFC 3261 §22) is computed there. The contract is served only to the desk's
   * own page (the web host checks the session token and Origin, Electron the sender frame), the
   * answer is never logged on either side, and the renderer keeps it only inside the phone.
   */
  'sip.credentials': {
    input: z.object({}).strict(),
    output: z.object({ password: z.string().min(1).max(512).nullable() }).strict(),
  },
  /** The cashier's search box: phone (full or last digits), policy, СНИЛС, birth date, name words. */
  'patients.search': {
    input: z
      .object({
        query: z.string().max(MAX_QUERY_LENGTH),
        limit: z.number().int().min(1).max(200).default(50),
        offset: z.number().int().min(0).max(10_000).default(0),
      })
      .strict(),
    output: PatientSearchResultSchema,
  },
  /**
   * One cached card by MIS id; null when it is not (or no longer) in the cache. Every call is
   * an access to patient data and is written to the audit log with its reason and call.
   */
  'patients.get': {
    input: z
      .object({
        misId: MisIdSchema,
        reason: z.enum(['search', 'call', 'journal', 'refresh']).default('search'),
        callId: z.string().min(1).max(128).nullable().default(null),
      })
      .strict(),
    output: z.object({ card: PatientCardSchema.nullable() }).strict(),
  },
  /**
   * Drives the embedded demo clinic (training, sales demos, tests): edit a patient as the MIS
   * staff would, or take the MIS offline. Refused when the MIS is not the demo clinic.
   */
  'demo.simulate': {
    input: z.discriminatedUnion('action', [
      z
        .object({
          action: z.literal('edit-patient'),
          misId: MisIdSchema,
          surname: z.string().trim().min(1).max(100).optional(),
          givenName: z.string().trim().min(1).max(100).optional(),
        })
        .strict(),
      z.object({ action: z.literal('set-offline'), offline: z.boolean() }).strict(),
      /** The demo PBX rings this desk's extension (CTI mode): `pbx:call` ringing with a fresh call id. */
      z
        .object({
          action: z.literal('pbx-ringing'),
          number: CallNumberSchema.min(1),
          extension: z.string().min(1).max(32),
        })
        .strict(),
      /** The demo PBX answers the call on the desk phone: `pbx:call` answered. */
      z.object({ action: z.literal('pbx-answered'), callId: CallIdSchema }).strict(),
      /** The demo PBX ends the call: `pbx:call` ended. */
      z.object({ action: z.literal('pbx-ended'), callId: CallIdSchema }).strict(),
    ]),
    /** `callId`: the call a `pbx-ringing` created (absent for the other actions). */
    output: z.object({ applied: z.boolean(), callId: CallIdSchema.optional() }).strict(),
  },
  /**
   * The demo MIS's persisted ledger of applied submissions (what e2e counts to prove "exactly
   * once"), optionally of one kind, oldest first. Refused when the MIS is not the demo clinic.
   */
  'demo.ledger': {
    input: z.object({ kind: z.string().min(1).max(64).optional() }).strict(),
    output: z.object({ entries: z.array(DemoLedgerEntrySchema) }).strict(),
  },
  /**
   * An event the renderer wants in the desk's log (a SIP message the softphone refused …):
   * codes only, rate-limited by main. `logged: false` when the limit dropped it.
   */
  'diagnostics.report': { input: DiagnosticReportSchema, output: z.object({ logged: z.boolean() }).strict() },
  /** Whether the local cache is open and how many cards it holds. */
  'cache.status': { input: NoInput, output: CacheStatusSchema },
  /** Whether journal.db is open, and the journals this desk had to set aside (lost key, damage). */
  'journal.status': { input: NoInput, output: JournalStatusSchema },
  /** The notice about a kept journal was read: it is no longer shown (the file stays). */
  'journal.acknowledgeKept': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: JournalStatusSchema,
  },
  /** State of PBX, MIS and sync as main sees them. */
  'status.snapshot': { input: NoInput, output: CoreStatusSchema },
  /** Writes to the MIS not delivered yet (pending, in flight, failed), oldest first, without payloads. */
  'outbox.undelivered': {
    input: NoInput,
    output: z.object({ items: z.array(OutboxItemViewSchema).max(OUTBOX_VIEW_LIMIT) }).strict(),
  },
  /** The panel's retry button: a failed write is due again now, with its original idempotency key. */
  'outbox.retry': {
    input: z.object({ id: z.number().int().positive() }).strict(),
    output: z.object({ retried: z.boolean() }).strict(),
  },
  /**
   * The softphone's record of a call that ended, into the call journal. Idempotent by call id:
   * `recorded: false` when that call is already journalled (a retry after a bridge
   * reconnect), and the first record stands. A newly recorded `lost` call raises `call:lost`.
   */
  'calls.record': {
    input: CallRecordSchema,
    output: z.object({ recorded: z.boolean() }).strict(),
  },
  /**
   * The call journal, newest first (by `startedAt`), with the patient, category and outcome the
   * desk learnt; `filter` (default all; `today` = started since local midnight) and `misId`
   * (that patient's calls) narrow it.
   */
  'calls.recent': {
    input: z
      .object({
        limit: z.number().int().min(1).max(CALLS_RECENT_LIMIT).default(100),
        filter: CallsFilterSchema.default('all'),
        misId: MisIdSchema.optional(),
      })
      .strict(),
    output: z.object({ items: z.array(CallJournalItemSchema).max(CALLS_RECENT_LIMIT) }).strict(),
  },
  /**
   * The after-call wrap-up: one per call (`saved: false` when the call already has one). The
   * row, its outbox item (kind `wrapup`) and, for outcome `callback`, a callback request commit
   * together. A category not in `settings.wrapUp.categories` is refused (INVALID_INPUT).
   */
  'calls.wrapUp': {
    input: CallWrapUpInputSchema,
    output: z.object({ saved: z.boolean(), outboxId: z.number().int().positive().nullable() }).strict(),
  },
  /**
   * Screen pop, step 1: the caller's cached cards by number (cache.db only, never the MIS), the
   * remembered choice first. Fast: one indexed lookup plus the choice table.
   */
  'screenPop.lookup': {
    input: z
      .object({
        callId: CallIdSchema,
        /** Raw, as the phone or PBX gave it. */
        number: z.string().min(1).max(64),
        source: z.enum(['sip', 'pbx']),
      })
      .strict(),
    output: ScreenPopLookupSchema,
  },
  /**
   * A card is on screen for a call: an audit entry (reason `screen-pop`, with the call id); when
   * `chosen` (picked in the chooser), misId is remembered as the choice for the number.
   */
  'screenPop.show': {
    input: z
      .object({
        callId: CallIdSchema,
        misId: MisIdSchema,
        chosen: z.boolean(),
        /** The number's key when the lookup of this call id was not made by this core run. */
        numberKey: z.string().min(1).max(32).optional(),
      })
      .strict(),
    output: z.object({ recorded: z.literal(true) }).strict(),
  },
  /**
   * Screen pop, step 2: the MIS asked online for the number; its cards are applied to the cache.
   * `unreachable` (with the cached matches) when the MIS cannot answer; never an error for that.
   */
  'screenPop.refresh': {
    input: z.object({ callId: CallIdSchema, numberKey: z.string().min(1).max(32) }).strict(),
    output: ScreenPopRefreshSchema,
  },
  /** A new-patient draft from an unknown caller: kept in journal.db and sent to the MIS through the outbox. */
  'patients.createDraft': {
    input: PatientDraftInputSchema,
    output: z.object({ draftId: z.string().min(1).max(64) }).strict(),
  },
  /** The patient's recent calls and wrap-up notes (local, before the MIS confirmed them), newest first. */
  'patients.history': {
    input: z.object({ misId: MisIdSchema }).strict(),
    output: z.object({ items: z.array(PatientHistoryItemSchema).max(PATIENT_HISTORY_LIMIT) }).strict(),
  },
} as const satisfies Record<string, { input: z.ZodType; output: z.ZodType }>;

export const SyncProgressSchema = z
  .object({
    /** `first-sync` fills an empty cache (progress bar); `delta` keeps it current. */
    phase: z.enum(['first-sync', 'delta']),
    applied: z.number().int().nonnegative(),
    total: z.number().int().nonnegative().nullable(),
    etaSeconds: z.number().nonnegative().nullable(),
    done: z.boolean(),
  })
  .strict();
export type SyncProgress = z.infer<typeof SyncProgressSchema>;

/** The phone actions a hotkey can trigger; the in-app keys and the Electron global ones share them. */
export const PhoneHotkeyActionSchema = z.enum(['answer', 'hold', 'mute', 'hangup', 'focusDialer']);
export type PhoneHotkeyAction = z.infer<typeof PhoneHotkeyActionSchema>;

export const events = {
  'status:changed': CoreStatusSchema,
  'sync:progress': SyncProgressSchema,
  /** A cached card changed (sync applied an edit); open views refresh it. */
  'patient:updated': z.object({ misId: MisIdSchema }).strict(),
  'cache:changed': CacheStatusSchema,
  /** journal.db opened, failed, or a kept journal's notice was acknowledged. */
  'journal:changed': JournalStatusSchema,
  'settings:changed': SettingsViewSchema,
  /** The outbox moved (delivered, failed, retried): the status-bar badge reloads its list. */
  'outbox:changed': OutboxCountsSchema,
  /**
   * A global (system-wide) phone hotkey was pressed while another application had focus.
   * Electron only; the browser host has no global hotkeys.
   */
  'hotkey:pressed': z.object({ action: PhoneHotkeyActionSchema }).strict(),
  /**
   * A call was lost (answered, then the network took it): the callbacks feature turns it into a
   * callback task. Raised once per call, when the journal first records it.
   */
  'call:lost': z.object({ callId: CallIdSchema, number: CallNumberSchema, endedAt: z.iso.datetime() }).strict(),
  /**
   * CTI mode (an operator on a hardware desk phone): the PBX reports a call on this desk's
   * extension. The renderer pops the card on `ringing` as it does for a softphone INVITE.
   */
  'pbx:call': z
    .object({
      event: z.enum(['ringing', 'answered', 'ended']),
      callId: CallIdSchema,
      number: CallNumberSchema,
      extension: z.string().min(1).max(32),
    })
    .strict(),
} as const satisfies Record<string, z.ZodType>;

export type Requests = typeof requests;
export type RequestName = keyof Requests;
export type RequestInput<N extends RequestName> = z.input<Requests[N]['input']>;
export type RequestOutput<N extends RequestName> = z.output<Requests[N]['output']>;
export type ParsedRequestInput<N extends RequestName> = z.output<Requests[N]['input']>;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;

export const requestNames = Object.keys(requests) as RequestName[];
export const eventNames = Object.keys(events) as EventName[];

export function isRequestName(name: unknown): name is RequestName {
  return typeof name === 'string' && Object.hasOwn(requests, name);
}

export function isEventName(name: unknown): name is EventName {
  return typeof name === 'string' && Object.hasOwn(events, name);
}

/** What `window.desk` offers (Electron preload) and what the WebSocket client implements. */
export interface DeskApi {
  request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>>;
  on<E extends EventName>(name: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** Electron IPC channel names; the only two the preload touches. */
export const IPC_REQUEST_CHANNEL = 'desk:request';
export const IPC_EVENT_CHANNEL = 'desk:event';
