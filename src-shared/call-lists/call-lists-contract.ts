/**
 * Outbound call lists (docs/architecture.md, "Booking"): "confirm tomorrow's visits" (built by
 * the desk from the cached schedule), "recall: repeat visit due" and "results ready" (from the
 * MIS). Desks share a list the way they share the callback worklist: a claim on one desk is
 * seen by the others, so no patient is called twice.
 */
import { z } from 'zod';
import { AgentRefSchema } from '../callbacks/callbacks-contract';
import { CallNumberSchema } from '../calls/calls-contract';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';
import { IsoDateSchema, IsoDateTimeSchema, MisIdSchema } from '../patients/patient-card';
import { ScheduleIdSchema } from '../schedule/schedule-model';

export const CallListKindSchema = z.enum(['confirm-tomorrow', 'recall', 'results']);
export type CallListKind = z.infer<typeof CallListKindSchema>;

/** A list's id: its kind and the clinic-local day it is for (`confirm-tomorrow:2026-12-07`). */
export const CallListIdSchema = z.string().regex(/^(confirm-tomorrow|recall|results):\d{4}-\d{2}-\d{2}$/, 'must be kind:YYYY-MM-DD');

/**
 * What the operator records: the patient `confirmed` the visit, `cancelled` it (the slot is
 * freed in the MIS), it was `moved` (booked elsewhere from the card), `booked` (a recall ended
 * in a booking), `informed` (results ready: told), no answer (tried again after the retry
 * delay, up to the attempt limit), or a wrong number.
 */
export const CallListOutcomeSchema = z.enum(['confirmed', 'cancelled', 'moved', 'booked', 'informed', 'noAnswer', 'wrongNumber']);
export type CallListOutcome = z.infer<typeof CallListOutcomeSchema>;

/**
 * - `open`: to be called now;
 * - `claimed`: an operator is on it (`mine` when it is this desk);
 * - `waiting`: no answer; due again at `nextAttemptAt`;
 * - `done`: an outcome closed it (or the attempts ran out: outcome `noAnswer`);
 * - `blocked`: must not be called (`blockedBy` says why).
 */
export const CallListTaskStateSchema = z.enum(['open', 'claimed', 'waiting', 'done', 'blocked']);
export type CallListTaskState = z.infer<typeof CallListTaskStateSchema>;

export const CallListTaskSchema = z
  .object({
    id: z.string().min(1).max(160),
    listId: CallListIdSchema,
    patientMisId: MisIdSchema,
    patientName: z.string().max(200).nullable(),
    /** The number to call (the patient's own mobile first); null when the card has none. */
    number: CallNumberSchema.nullable(),
    /** Why this patient is on the list, ready to say (`приём у терапевта`, `готовы анализы`). */
    reason: z.string().max(200),
    /** The visit to confirm (confirm-tomorrow), else null. */
    visit: z
      .object({ slotId: ScheduleIdSchema, appointmentId: ScheduleIdSchema.nullable(), startsAt: IsoDateTimeSchema, doctor: z.string().max(200), room: z.string().max(40).nullable() })
      .strict()
      .nullable(),
    state: CallListTaskStateSchema,
    blockedBy: z.enum(['noConsent', 'noPhone']).nullable(),
    attempts: z.number().int().nonnegative(),
    nextAttemptAt: z.number().int().nonnegative().nullable(),
    claimedBy: AgentRefSchema.nullable(),
    mine: z.boolean(),
    outcome: CallListOutcomeSchema.nullable(),
    closedAt: z.number().int().nonnegative().nullable(),
  })
  .strict();
export type CallListTask = z.infer<typeof CallListTaskSchema>;

export const CallListCountersSchema = z
  .object({
    total: z.number().int().nonnegative(),
    /** Closed by an outcome (including attempts run out). */
    done: z.number().int().nonnegative(),
    open: z.number().int().nonnegative(),
    waiting: z.number().int().nonnegative(),
    blocked: z.number().int().nonnegative(),
    confirmed: z.number().int().nonnegative(),
    cancelled: z.number().int().nonnegative(),
    noAnswer: z.number().int().nonnegative(),
  })
  .strict();
export type CallListCounters = z.infer<typeof CallListCountersSchema>;

export const CallListSummarySchema = z
  .object({
    id: CallListIdSchema,
    kind: CallListKindSchema,
    /** The clinic-local day it is for (the visits' day for confirm-tomorrow; the due day otherwise). */
    day: IsoDateSchema,
    counters: CallListCountersSchema,
  })
  .strict();
export type CallListSummary = z.infer<typeof CallListSummarySchema>;

/** Why a call cannot be placed right now (the list still shows the task). */
export const CallWindowSchema = z
  .object({
    /** Inside the clinic's calling window now. */
    open: z.boolean(),
    from: z.string().regex(/^\d{2}:\d{2}$/),
    to: z.string().regex(/^\d{2}:\d{2}$/),
    timeZone: z.string().max(64),
  })
  .strict();

export const CallListOverviewSchema = z
  .object({
    lists: z.array(CallListSummarySchema).max(50),
    window: CallWindowSchema,
    /** Claims reach the other desks (through the PBX's shared record); false: this desk only. */
    shared: z.boolean(),
  })
  .strict();
export type CallListOverview = z.infer<typeof CallListOverviewSchema>;

const TaskIdInput = z.object({ id: z.string().min(1).max(160) }).strict();

export const callListsRequests = {
  /** The lists of today (and what the MIS sent), each with its progress counters, and the calling window. */
  'callLists.overview': { input: NoInput, output: CallListOverviewSchema },
  /** One list's tasks: this desk's claim first, then open ones in order, waiting, blocked, done. */
  'callLists.tasks': {
    input: z.object({ listId: CallListIdSchema }).strict(),
    output: z.object({ tasks: z.array(CallListTaskSchema).max(5_000), counters: CallListCountersSchema }).strict(),
  },
  /**
   * Claims the next task this desk may call now (open, or waiting and due; consent given; inside
   * the calling window) and returns it, or null with why there is none.
   */
  'callLists.next': {
    input: z.object({ listId: CallListIdSchema }).strict(),
    output: z.object({ task: CallListTaskSchema.nullable(), why: z.enum(['empty', 'outsideWindow', 'allClaimed', 'allWaiting']).nullable() }).strict(),
  },
  'callLists.release': { input: TaskIdInput, output: CallListTaskSchema },
  /** Dials the task's number like `callbacks.callBack`: PBX originate in CTI mode, else the softphone. Refused outside the window or without consent. */
  'callLists.call': {
    input: TaskIdInput,
    output: z.object({ via: z.enum(['pbx', 'softphone']), number: CallNumberSchema }).strict(),
  },
  /**
   * Records the outcome of a claimed task. `cancelled` also cancels the visit (`booking.cancel`
   * through the outbox, in the same transaction); `noAnswer` puts it back after the retry delay
   * until the attempts run out. Every outcome goes to the MIS through the outbox (`call-list.outcome`).
   */
  'callLists.complete': {
    input: z.object({ id: z.string().min(1).max(160), outcome: CallListOutcomeSchema }).strict(),
    output: CallListTaskSchema,
  },
} as const satisfies RequestTable;

export const callListsEvents = {
  /** A list moved (a claim, an outcome, a retry came due, a new list): the pane reloads. */
  'callLists:changed': z.object({ listId: CallListIdSchema.nullable() }).strict(),
} as const satisfies EventTable;
