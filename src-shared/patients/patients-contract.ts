/**
 * Patients: the cashier's search, one card (audited), a new-patient draft, a patient's history.
 */
import { z } from 'zod';
import { CallDirectionSchema, CallIdSchema, CallOutcomeSchema, WrapUpOutcomeSchema, WRAP_UP_NOTE_MAX } from '../calls/calls-contract';
import type { EventTable, RequestTable } from '../ipc/contract-table';
import { IsoDateSchema, MisIdSchema, VisiblePatientCardSchema } from './patient-card';
import { MAX_QUERY_LENGTH } from './search-query';

export const PatientSearchResultSchema = z
  .object({
    /** The matching cards as the role may see them (hidden fields absent). */
    items: z.array(VisiblePatientCardSchema),
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

/** Longest new-patient note. */
export const DRAFT_NOTE_MAX = 500;

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

export const patientsRequests = {
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
   * an access to patient data and is written to the audit log with its reason and call. The
   * fields the role's matrix hides are absent from the card.
   */
  'patients.get': {
    input: z
      .object({
        misId: MisIdSchema,
        reason: z.enum(['search', 'call', 'journal', 'refresh']).default('search'),
        /** The call the card was opened for: the same ids every call request takes (long PBX Call-IDs included). */
        callId: CallIdSchema.nullable().default(null),
      })
      .strict(),
    output: z.object({ card: VisiblePatientCardSchema.nullable() }).strict(),
  },
  /** A new-patient draft from an unknown caller: kept in journal.db and sent to the MIS through the outbox. */
  'patients.createDraft': {
    input: PatientDraftInputSchema,
    output: z.object({ draftId: z.string().min(1).max(64) }).strict(),
  },
  /**
   * The patient's recent calls and wrap-up notes (local, before the MIS confirmed them), newest
   * first. A role whose matrix hides `notes` gets the calls only, and `notesHidden: true`.
   */
  'patients.history': {
    input: z.object({ misId: MisIdSchema }).strict(),
    output: z
      .object({
        items: z.array(PatientHistoryItemSchema).max(PATIENT_HISTORY_LIMIT),
        /** Present (true) when the role may not see wrap-up notes and they were left out. */
        notesHidden: z.literal(true).optional(),
      })
      .strict(),
  },
} as const satisfies RequestTable;

export const patientsEvents = {
  /** A cached card changed (sync applied an edit); open views refresh it. */
  'patient:updated': z.object({ misId: MisIdSchema }).strict(),
} as const satisfies EventTable;
