/**
 * Calls: the call journal (records, the list), the after-call wrap-up, a lost call.
 */
import { z } from 'zod';
import { MisIdSchema } from '../patients/patient-card';
import type { EventTable, RequestTable } from '../ipc/contract-table';

/**
 * A SIP.js session id: the Call-ID followed by the From tag (`Inviter`/`Invitation` set
 * `_id = callId + fromTag`). Both are RFC 3261 `word`/`token` characters, so printable ASCII
 * without spaces; Call-IDs from some PBXs are long, hence 256.
 */
/** Longest call id anywhere in the desk (the contract, the journal, the audit log). */
export const CALL_ID_MAX = 256;

export const CallIdSchema = z
  .string()
  .min(1)
  .max(CALL_ID_MAX)
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
/** The fields of a finished call, shared by the record the softphone sends and the journal's row. */
const callFields = {
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
};

export const CallRecordSchema = z
  .object(callFields)
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
    ...callFields,
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

/** Longest wrap-up note. */
export const WRAP_UP_NOTE_MAX = 2000;

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

export const callsRequests = {
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
} as const satisfies RequestTable;

export const callsEvents = {
  /**
   * A call was lost (answered, then the network took it): the callbacks feature turns it into a
   * callback task. Raised once per call, when the journal first records it.
   */
  'call:lost': z.object({ callId: CallIdSchema, number: CallNumberSchema, endedAt: z.iso.datetime() }).strict(),
} as const satisfies EventTable;
