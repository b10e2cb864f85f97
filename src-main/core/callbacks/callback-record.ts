import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  AgentRefSchema,
  CALLBACK_REASONS_MAX,
  CallbackClosedBySchema,
  CallbackOutcomeSchema,
  CallbackReasonSchema,
  CallbackStateSchema,
  type AgentRef,
  type CallbackReason,
} from '../../../src-shared/callbacks/callbacks-contract';
import { CallNumberSchema } from '../../../src-shared/calls/calls-contract';
import { QueueIdSchema } from '../../../src-shared/pbx/pbx-model';
import { SHARED_VALUE_MAX } from '../connectors/pbx/pbx-connector';
import { lastWriterWins, nextVersion } from '../shared-records/last-writer-wins';

/** Call ids a task remembers (to fold a repeat of the same call only once). */
export const TASK_CALL_IDS_MAX = 10;

/**
 * A callback task as the desks share it (docs/architecture.md, "PBX, queue and callbacks").
 * Every desk keeps its own copy in journal.db and publishes its changes through the PBX; copies
 * meet in {@link mergeRecords}, which is commutative, associative and idempotent, so desks that
 * see changes in different orders, twice, or after a restart end with the same task.
 *
 * - `episode`: when this run of missed calls began. A missed call after the task was done
 *   starts a new episode; the newer episode wins whole.
 * - Within an episode the history part (calls, count, reasons, times, attempts) is a union /
 *   max, and the status part (state, claim, outcome) is last-writer-wins by (`version`, `writer`).
 */
export const TaskRecordSchema = z
  .object({
    id: z.string().min(1).max(80),
    number: CallNumberSchema,
    episode: z.number().int().nonnegative(),
    count: z.number().int().min(1).max(1_000_000),
    /** Short fingerprints of the folded calls ({@link callFingerprint}). */
    callIds: z.array(z.string().min(1).max(16)).max(TASK_CALL_IDS_MAX),
    reasons: z.array(CallbackReasonSchema).max(CALLBACK_REASONS_MAX),
    lastReason: CallbackReasonSchema,
    queue: QueueIdSchema.nullable(),
    firstAt: z.number().int().nonnegative(),
    lastAt: z.number().int().nonnegative(),
    attempts: z.number().int().nonnegative(),
    version: z.number().int().nonnegative(),
    writer: z.string().max(32),
    state: CallbackStateSchema,
    claimedBy: AgentRefSchema.nullable(),
    claimedAt: z.number().int().nonnegative().nullable(),
    outcome: CallbackOutcomeSchema.nullable(),
    closedBy: CallbackClosedBySchema.nullable(),
    closedByAgent: AgentRefSchema.nullable(),
    closedAt: z.number().int().nonnegative().nullable(),
  })
  .strict();
export type TaskRecord = z.infer<typeof TaskRecordSchema>;

/**
 * An episode's stamp: the minute its first call was seen. Every desk stamps the episode on its
 * own clock when the PBX's event reaches it, milliseconds apart; stamped to the millisecond, two
 * copies of one run of calls would look like two episodes and the "newer" one would win whole,
 * dropping the other desk's claim.
 */
export const EPISODE_STAMP_MS = 60_000;

/** A fresh task (a new episode) for a missed call. */
export function newTask(input: { id: string; number: string; callId: string; reason: CallbackReason; queue: string | null; at: number }): TaskRecord {
  return {
    id: input.id,
    number: input.number,
    episode: Math.floor(input.at / EPISODE_STAMP_MS) * EPISODE_STAMP_MS,
    count: 1,
    callIds: [input.callId],
    reasons: [input.reason],
    lastReason: input.reason,
    queue: input.queue,
    firstAt: input.at,
    lastAt: input.at,
    attempts: 0,
    version: 0,
    writer: '',
    state: 'open',
    claimedBy: null,
    claimedAt: null,
    outcome: null,
    closedBy: null,
    closedByAgent: null,
    closedAt: null,
  };
}

/**
 * Folds one more missed call into a task: the same call again changes nothing; another call
 * while the task is open or claimed counts once more and keeps the earliest time; a call after
 * the task was done starts a new episode.
 */
export function foldMissedCall(task: TaskRecord | null, input: Parameters<typeof newTask>[0]): TaskRecord {
  if (task === null) return newTask(input);
  if (task.state === 'done' && input.at > (task.closedAt ?? task.lastAt)) {
    // After the close: a new episode, later than the one it follows (every desk derives the same from the shared record).
    const fresh = newTask(input);
    return fresh.episode > task.episode ? fresh : { ...fresh, episode: task.episode + 1 };
  }
  // Call ids and reasons are kept sorted, the form mergeRecords gives them, so a copy merged with itself is unchanged.
  if (task.callIds.includes(input.callId)) {
    if (task.reasons.includes(input.reason)) return task;
    return { ...task, reasons: [...task.reasons, input.reason].sort() };
  }
  if (task.state === 'done') return task;
  return {
    ...task,
    count: task.count + 1,
    // The new call's id always stays (a repeat of it must not count twice).
    callIds: [...task.callIds, input.callId].slice(-TASK_CALL_IDS_MAX).sort(),
    reasons: task.reasons.includes(input.reason) ? task.reasons : [...task.reasons, input.reason].sort(),
    lastReason: input.at >= task.lastAt ? input.reason : task.lastReason,
    queue: input.at >= task.lastAt ? (input.queue ?? task.queue) : task.queue,
    firstAt: Math.min(task.firstAt, input.at),
    lastAt: Math.max(task.lastAt, input.at),
  };
}

/** A change of the status part by `writer` (claim, release, outcome, a close): one version on. */
export function withStatus(task: TaskRecord, writer: string, change: Partial<Pick<TaskRecord, 'state' | 'claimedBy' | 'claimedAt' | 'outcome' | 'closedBy' | 'closedByAgent' | 'closedAt' | 'attempts'>>): TaskRecord {
  return nextVersion(task, writer, change);
}

/** Merges two copies of one task (see {@link TaskRecordSchema}). */
export function mergeRecords(a: TaskRecord, b: TaskRecord): TaskRecord {
  if (a.episode !== b.episode) return a.episode > b.episode ? a : b;
  const status = lastWriterWins(a, b, rankOf);
  const callIds = [...new Set([...a.callIds, ...b.callIds])].sort().slice(-TASK_CALL_IDS_MAX);
  // Ties broken on everything the pick carries, so the merge is commutative.
  const later = a.lastAt === b.lastAt ? (JSON.stringify([a.lastReason, a.queue]) <= JSON.stringify([b.lastReason, b.queue]) ? a : b) : a.lastAt > b.lastAt ? a : b;
  const reasons = [...new Set([...a.reasons, ...b.reasons])].sort();
  return {
    id: a.id,
    number: a.number <= b.number ? a.number : b.number,
    episode: a.episode,
    // Calls folded on different desks add up (the kept ids, not their untruncated union: that would not be associative).
    count: Math.max(a.count, b.count, callIds.length),
    callIds,
    reasons,
    lastReason: later.lastReason,
    queue: later.queue,
    firstAt: Math.min(a.firstAt, b.firstAt),
    lastAt: Math.max(a.lastAt, b.lastAt),
    attempts: Math.max(a.attempts, b.attempts),
    version: status.version,
    writer: status.writer,
    state: status.state,
    claimedBy: status.claimedBy,
    claimedAt: status.claimedAt,
    outcome: status.outcome,
    closedBy: status.closedBy,
    closedByAgent: status.closedByAgent,
    closedAt: status.closedAt,
  };
}

/** The tie-break of two status changes of the same version by the same writer: a close raced it (done wins). */
function rankOf(task: TaskRecord): string {
  // Every status field: two desks writing "the same" close may differ in a detail (the closer's name).
  return `${task.state === 'done' ? 2 : task.state === 'claimed' ? 1 : 0}${JSON.stringify([task.claimedBy, task.claimedAt, task.outcome, task.closedBy, task.closedByAgent, task.closedAt])}`;
}

export function sameRecord(a: TaskRecord, b: TaskRecord): boolean {
  return encodeRecord(a) === encodeRecord(b);
}

/**
 * One line of JSON for the shared channel (keys in schema order, so equal tasks encode equally),
 * at most {@link SHARED_VALUE_MAX} UTF-8 bytes: a task too long for one AMI line travels with its
 * agents' names cut (they are only shown; 80 Cyrillic letters are 160 bytes each), and as a last
 * resort without its queue.
 */
export function encodeRecord(task: TaskRecord): string {
  const record = TaskRecordSchema.parse(task);
  const line = JSON.stringify(record);
  return fits(line) ? line : JSON.stringify(fitted(record));
}

function fits(line: string): boolean {
  return Buffer.byteLength(line, 'utf8') <= SHARED_VALUE_MAX;
}

function fitted(record: TaskRecord): TaskRecord {
  const longest = Math.max(...[record.claimedBy, record.closedByAgent].map((ref) => Array.from(ref?.name ?? '').length));
  for (let keep = longest - 1; keep >= 0; keep--) {
    const cut = withNamesCut(record, keep);
    if (fits(JSON.stringify(cut))) return cut;
  }
  return { ...withNamesCut(record, 0), queue: null };
}

function withNamesCut(record: TaskRecord, keep: number): TaskRecord {
  const cut = (ref: AgentRef | null): AgentRef | null => ref && { ...ref, name: Array.from(ref.name).slice(0, keep).join('') };
  return { ...record, claimedBy: cut(record.claimedBy), closedByAgent: cut(record.closedByAgent) };
}

/** A record from another desk, or null when it is not one (logged by the caller, never applied). */
export function decodeRecord(value: string): TaskRecord | null {
  try {
    const parsed = TaskRecordSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export function agentRef(agent: { extension: string; name: string }): AgentRef {
  return { extension: agent.extension, name: agent.name.slice(0, 80) };
}

/**
 * A call id as a task keeps it: 12 hex digits of its SHA-256, so a shared record stays well
 * inside one AMI line whatever the PBX's call ids look like (some Call-IDs run to 256 characters).
 */
export function callFingerprint(callId: string): string {
  return createHash('sha256').update(callId).digest('hex').slice(0, 12);
}
