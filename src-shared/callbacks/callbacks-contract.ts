/**
 * The missed-call worklist: one task per number that is owed a call back, shared by every desk
 * on the same PBX (docs/architecture.md, "PBX, queue and callbacks").
 */
import { z } from 'zod';
import { CallNumberSchema } from '../calls/calls-contract';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';
import { ExtensionSchema, PBX_NAME_MAX, QueueIdSchema } from '../pbx/pbx-model';

/**
 * Why a number is owed a call back: it hung up in a queue (`abandoned`), a direct call rang out
 * (`missed`) or was declined (`rejected`), a queue ring went unanswered (`ringNoAnswer`), a talk
 * was cut by the network (`lost`), an operator's wrap-up asked for it (`requested`), or the MIS
 * refused a visit booked for the patient (`bookingRejected`: offer another time).
 */
export const CallbackReasonSchema = z.enum(['abandoned', 'missed', 'rejected', 'ringNoAnswer', 'lost', 'requested', 'bookingRejected']);
/** How many reasons there are: a task may carry each once. */
export const CALLBACK_REASONS_MAX = CallbackReasonSchema.options.length;
export type CallbackReason = z.infer<typeof CallbackReasonSchema>;

export const CallbackStateSchema = z.enum(['open', 'claimed', 'done']);
export type CallbackState = z.infer<typeof CallbackStateSchema>;

/** What the operator records after calling back. `noAnswer` keeps the task open (one more attempt). */
export const CallbackOutcomeSchema = z.enum(['reached', 'noAnswer', 'wrongNumber', 'notNeeded']);
export type CallbackOutcome = z.infer<typeof CallbackOutcomeSchema>;

/**
 * How a task was closed: the patient called again and got through to an operator, an operator
 * reached them, or an operator closed it without a talk (wrong number, not needed).
 */
export const CallbackClosedBySchema = z.enum(['patientGotThrough', 'operatorReached', 'operatorClosed']);
export type CallbackClosedBy = z.infer<typeof CallbackClosedBySchema>;

export const AgentRefSchema = z.object({ extension: ExtensionSchema, name: z.string().max(PBX_NAME_MAX) }).strict();
export type AgentRef = z.infer<typeof AgentRefSchema>;

export const CallbackTaskSchema = z
  .object({
    /** The task's id: the normalised number it is for (one open task per number). */
    id: z.string().min(1).max(80),
    number: CallNumberSchema,
    patientName: z.string().max(200).nullable(),
    state: CallbackStateSchema,
    /** Missed calls from this number folded into the task. */
    count: z.number().int().min(1),
    reasons: z.array(CallbackReasonSchema).max(CALLBACK_REASONS_MAX),
    lastReason: CallbackReasonSchema,
    queue: QueueIdSchema.nullable(),
    /** First and latest missed call (ms since epoch); the SLA runs from the first. */
    firstAt: z.number().int().nonnegative(),
    lastAt: z.number().int().nonnegative(),
    dueAt: z.number().int().nonnegative(),
    /** Call-back attempts that did not reach the patient. */
    attempts: z.number().int().nonnegative(),
    claimedBy: AgentRefSchema.nullable(),
    claimedAt: z.number().int().nonnegative().nullable(),
    /** The claim is this desk's own. */
    mine: z.boolean(),
    outcome: CallbackOutcomeSchema.nullable(),
    closedBy: CallbackClosedBySchema.nullable(),
    /** Who closed it (the operator who reached the patient or took the patient's call). */
    closedByAgent: AgentRefSchema.nullable(),
    closedAt: z.number().int().nonnegative().nullable(),
  })
  .strict();
export type CallbackTask = z.infer<typeof CallbackTaskSchema>;

/** Most tasks one list carries: the oldest open ones first, then today's done ones (at most 500). */
export const CALLBACK_LIST_MAX = 2_000;

export const CallbackListSchema = z
  .object({
    /** Open and claimed first (overdue first), then today's done ones. */
    tasks: z.array(CallbackTaskSchema).max(CALLBACK_LIST_MAX),
    /** Open or claimed tasks beyond {@link CALLBACK_LIST_MAX} (the newest), not listed; absent when none. */
    openNotListed: z.number().int().positive().optional(),
    slaMinutes: z.number().int().positive(),
    /** Claims reach the other desks (the PBX carries a shared record); false: this desk only. */
    shared: z.boolean(),
  })
  .strict();
export type CallbackList = z.infer<typeof CallbackListSchema>;

const TaskIdInput = z.object({ id: z.string().min(1).max(80) }).strict();

export const callbacksRequests = {
  'callbacks.list': { input: NoInput, output: CallbackListSchema },
  /** Claims an open task for this desk's agent; `CALLBACK_TAKEN` when another desk has it. */
  'callbacks.claim': { input: TaskIdInput, output: CallbackTaskSchema },
  /** Gives a claimed task back to the list. */
  'callbacks.release': { input: TaskIdInput, output: CallbackTaskSchema },
  /**
   * Calls the number back: with a PBX that can originate and no softphone (CTI mode) the PBX
   * rings this desk's phone and dials the patient (`via: 'pbx'`); otherwise the renderer dials
   * `number` on the softphone (`via: 'softphone'`). Claims the task first when it is open.
   */
  'callbacks.callBack': {
    input: TaskIdInput,
    output: z.object({ via: z.enum(['pbx', 'softphone']), number: CallNumberSchema }).strict(),
  },
  /** Records the outcome; `noAnswer` releases the task with one more attempt, the rest close it. */
  'callbacks.complete': {
    input: z.object({ id: z.string().min(1).max(80), outcome: CallbackOutcomeSchema }).strict(),
    output: CallbackTaskSchema,
  },
} as const satisfies RequestTable;

export const callbacksEvents = {
  'callbacks:changed': CallbackListSchema,
} as const satisfies EventTable;
