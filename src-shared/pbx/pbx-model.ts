/**
 * The switchboard as the desk sees it: queues, waiting callers, agents and today's numbers
 * (docs/architecture.md, "PBX, queue and callbacks"). One shape for every PBX connector; the
 * core keeps a live board of this shape and the queue view draws it.
 */
import { z } from 'zod';
import { CallIdSchema, CallNumberSchema } from '../calls/calls-contract';

/** Longest PBX-side name we keep (queue ids, display names, agent names, pause reasons). */
export const PBX_NAME_MAX = 80;
const PbxNameSchema = z.string().max(PBX_NAME_MAX);

/** An extension as the PBX dials it: digits, `*`, `#`, letters (some PBXes use names). */
export const ExtensionSchema = z.string().min(1).max(32).regex(/^[0-9A-Za-z*#_.-]+$/, 'An extension holds digits, letters and * # _ . -');

/** A queue's id as the PBX knows it (`reception`, MikoPBX's `QUEUE-5F3A…`). */
export const QueueIdSchema = z.string().min(1).max(PBX_NAME_MAX).regex(/^[\x21-\x7E]+$/, 'A queue id is printable ASCII without spaces');

/**
 * An agent's state: `ready` (free for the next call), `paused` (with a reason), `talking`,
 * `ringing` (a queue call is offered to it), `wrap-up` (after-call work), `offline` (not logged
 * in or its device is unavailable).
 */
export const AgentStateSchema = z.enum(['ready', 'paused', 'talking', 'ringing', 'wrap-up', 'offline']);
export type AgentState = z.infer<typeof AgentStateSchema>;

/** A queue and the name the operators know it by. */
export const PbxQueueSchema = z.object({ id: QueueIdSchema, name: PbxNameSchema }).strict();
export type PbxQueue = z.infer<typeof PbxQueueSchema>;

/** A caller waiting in a queue. `callId` is the PBX's id of the whole call (Asterisk: Linkedid). */
export const QueueCallerSchema = z
  .object({
    callId: CallIdSchema,
    number: CallNumberSchema,
    queue: QueueIdSchema,
    /** 1 = next to be answered. */
    position: z.number().int().min(1),
    /** When the caller joined the queue (ms since epoch). */
    joinedAt: z.number().int().nonnegative(),
  })
  .strict();
export type QueueCaller = z.infer<typeof QueueCallerSchema>;

/** The call an agent is on (or ringing with). */
export const AgentCallSchema = z
  .object({
    callId: CallIdSchema,
    number: CallNumberSchema,
    queue: QueueIdSchema.nullable(),
    since: z.number().int().nonnegative(),
  })
  .strict();
export type AgentCall = z.infer<typeof AgentCallSchema>;

export const QueueAgentSchema = z
  .object({
    extension: ExtensionSchema,
    name: PbxNameSchema,
    state: AgentStateSchema,
    /** When it entered `state` (ms since epoch). */
    since: z.number().int().nonnegative(),
    pauseReason: PbxNameSchema.nullable(),
    queues: z.array(QueueIdSchema).max(64),
    call: AgentCallSchema.nullable(),
  })
  .strict();
export type QueueAgent = z.infer<typeof QueueAgentSchema>;

/** Today's raw counts for one queue; averages and SLA % are derived from them ({@link queueFigures}). */
export const QueueCountersSchema = z
  .object({
    queue: QueueIdSchema,
    offered: z.number().int().nonnegative(),
    answered: z.number().int().nonnegative(),
    abandoned: z.number().int().nonnegative(),
    /** Answered within the SLA threshold (`queue.slaSeconds`). */
    answeredWithinSla: z.number().int().nonnegative(),
    /** Sum of the waits of answered calls (s). */
    waitSecTotal: z.number().nonnegative(),
    longestWaitSec: z.number().nonnegative(),
    /** Completed talks and their summed length (s). */
    talks: z.number().int().nonnegative(),
    talkSecTotal: z.number().nonnegative(),
  })
  .strict();
export type QueueCounters = z.infer<typeof QueueCountersSchema>;

export function emptyCounters(queue: string): QueueCounters {
  return { queue, offered: 0, answered: 0, abandoned: 0, answeredWithinSla: 0, waitSecTotal: 0, longestWaitSec: 0, talks: 0, talkSecTotal: 0 };
}

/** Everything the queue view shows, as of `at`. */
export const PbxSnapshotSchema = z
  .object({
    at: z.number().int().nonnegative(),
    queues: z.array(PbxQueueSchema).max(200),
    callers: z.array(QueueCallerSchema).max(5_000),
    agents: z.array(QueueAgentSchema).max(2_000),
    counters: z.array(QueueCountersSchema).max(200),
  })
  .strict();
export type PbxSnapshot = z.infer<typeof PbxSnapshotSchema>;

/** The figures the queue view prints for one queue. */
export interface QueueFigures {
  offered: number;
  answered: number;
  abandoned: number;
  avgWaitSec: number | null;
  longestWaitSec: number;
  avgTalkSec: number | null;
  /** Answered within the SLA over handled (answered + abandoned), 0..100; null before the first. */
  slaPercent: number | null;
}

export function queueFigures(counters: QueueCounters): QueueFigures {
  const handled = counters.answered + counters.abandoned;
  return {
    offered: counters.offered,
    answered: counters.answered,
    abandoned: counters.abandoned,
    avgWaitSec: counters.answered > 0 ? counters.waitSecTotal / counters.answered : null,
    longestWaitSec: counters.longestWaitSec,
    avgTalkSec: counters.talks > 0 ? counters.talkSecTotal / counters.talks : null,
    slaPercent: handled > 0 ? (100 * counters.answeredWithinSla) / handled : null,
  };
}
