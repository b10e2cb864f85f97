/**
 * The screen pop: the caller's cached cards while it rings, the card shown (audited), the MIS's refresh.
 */
import { z } from 'zod';
import { CallIdSchema } from '../calls/calls-contract';
import type { RequestTable } from '../ipc/contract-table';
import { MisIdSchema, VisiblePatientCardSchema } from '../patients/patient-card';
import { TransferContextSchema } from '../supervisor/supervisor-model';

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
    /**
     * Cached cards with that number (cache.db only, never the MIS), the remembered choice first,
     * as the role may see them (hidden fields absent). Empty while the desk is locked or signed out.
     */
    matches: z.array(VisiblePatientCardSchema).max(SCREEN_POP_MATCH_LIMIT),
    /** The last choice made for this number, only when it is among the matches. */
    chosenMisId: MisIdSchema.nullable(),
    /** The cache's last successful sync: "cached HH:MM". */
    dataAsOf: z.iso.datetime().nullable(),
    /** Time the core spent on the lookup. */
    lookupMs: z.number().nonnegative(),
    /**
     * A supervisor sent this caller to this desk's agent with a note ("transfer with context"):
     * the card they had (`misId`, placed first and chosen) and the one line for the operator.
     */
    transfer: TransferContextSchema.nullable(),
    /**
     * Present only while the desk is locked or signed out: no card leaves the core then
     * (`matches` empty, `chosenMisId` and `transfer` null), and this is how many cached cards
     * match — so the pop can say "known patient" (> 0) without a name. Absent otherwise.
     */
    withheld: z.number().int().nonnegative().max(SCREEN_POP_MATCH_LIMIT).optional(),
    /**
     * Present (true) only while the cache lacks cards the MIS has (its first fill, a rebuild): no
     * match does not mean a new patient yet — the pop says it is asking the MIS, and
     * `screenPop.refresh` decides.
     */
    cacheIncomplete: z.literal(true).optional(),
  })
  .strict();
export type ScreenPopLookup = z.infer<typeof ScreenPopLookupSchema>;

export const ScreenPopRefreshSchema = z
  .object({
    status: z.enum(['updated', 'unreachable']),
    at: z.iso.datetime(),
    /** The MIS's cards for the number (applied to the cache) or, when unreachable, the cached ones; hidden fields absent. */
    matches: z.array(VisiblePatientCardSchema).max(SCREEN_POP_MATCH_LIMIT),
  })
  .strict();
export type ScreenPopRefresh = z.infer<typeof ScreenPopRefreshSchema>;

export const screenPopRequests = {
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
} as const satisfies RequestTable;
