import { Buffer } from 'node:buffer';
import { z } from 'zod';
import { CallListOutcomeSchema, CallListIdSchema, CallListKindSchema, type CallListKind } from '../../../src-shared/call-lists/call-lists-contract';
import { AgentRefSchema } from '../../../src-shared/callbacks/callbacks-contract';
import { CallNumberSchema } from '../../../src-shared/calls/calls-contract';
import { IsoDateTimeSchema, MisIdSchema } from '../../../src-shared/patients/patient-card';
import { ScheduleIdSchema } from '../../../src-shared/schedule/schedule-model';
import { SHARED_VALUE_MAX } from '../connectors/pbx/pbx-connector';
import { lastWriterWins, nextVersion } from '../shared-records/last-writer-wins';

/** A task's id: its list and what it came from (`confirm-tomorrow:2026-12-07/<slot id>`, `recall:2026-12-06/<MIS task id>`). */
export const CallListTaskIdSchema = z.string().min(1).max(160);

/**
 * The status of one task as the desks share it through the PBX (key `cl/<task id>`): who is on
 * it, how many calls went unanswered, when it is due again, how it ended. No patient data: the
 * patient, the number and the visit stay on each desk (every desk builds the same lists from the
 * same cached schedule). Copies meet in {@link mergeStatus}: last writer wins by (`version`,
 * `writer`), the rule of `shared-records/last-writer-wins.ts`.
 *
 * States: `open` (to call), `claimed`, `waiting` (no answer; due again at `nextAttemptAt`),
 * `done`. `blocked` is not shared: each desk decides it from the patient's card.
 */
export const CallListStatusSchema = z
  .object({
    id: CallListTaskIdSchema,
    version: z.number().int().nonnegative(),
    writer: z.string().max(32),
    state: z.enum(['open', 'claimed', 'waiting', 'done']),
    claimedBy: AgentRefSchema.nullable(),
    claimedAt: z.number().int().nonnegative().nullable(),
    attempts: z.number().int().nonnegative().max(1_000),
    nextAttemptAt: z.number().int().nonnegative().nullable(),
    outcome: CallListOutcomeSchema.nullable(),
    closedAt: z.number().int().nonnegative().nullable(),
  })
  .strict();
export type CallListStatus = z.infer<typeof CallListStatusSchema>;

/** What this desk's list says about a task (from the cached schedule and card); never shared. */
export const CallListDetailsSchema = z
  .object({
    listId: CallListIdSchema,
    kind: CallListKindSchema,
    /** What the task came from: the slot (confirm-tomorrow) or the MIS's call task. */
    sourceId: ScheduleIdSchema,
    patientMisId: MisIdSchema,
    patientName: z.string().max(200).nullable(),
    number: CallNumberSchema.nullable(),
    reason: z.string().max(200),
    visit: z
      .object({ slotId: ScheduleIdSchema, appointmentId: ScheduleIdSchema.nullable(), startsAt: IsoDateTimeSchema, doctor: z.string().max(200), room: z.string().max(40).nullable() })
      .strict()
      .nullable(),
    blockedBy: z.enum(['noConsent', 'noPhone']).nullable(),
    /** Order in the list (the visit's time; the MIS's order). */
    position: z.number().int(),
  })
  .strict();
export type CallListDetails = z.infer<typeof CallListDetailsSchema>;

/** One row of `call_list_tasks`: the details and the shared status. */
export const StoredCallListTaskSchema = z.object({ details: CallListDetailsSchema, status: CallListStatusSchema }).strict();
export type StoredCallListTask = z.infer<typeof StoredCallListTaskSchema>;

export function taskIdOf(listId: string, sourceId: string): string {
  return `${listId}/${sourceId}`;
}

/** The MIS's task (or the slot) behind a task, the same whatever day's list it is on. */
export function sourceKeyOf(kind: CallListKind, sourceId: string): string {
  return `${kind}/${sourceId}`;
}

/** `confirm-tomorrow:2026-12-07` → kind and day. */
export function parseListId(listId: string): { kind: CallListKind; day: string } | null {
  const match = /^(confirm-tomorrow|recall|results):(\d{4}-\d{2}-\d{2})$/.exec(listId);
  return match ? { kind: match[1] as CallListKind, day: match[2]! } : null;
}

/** The list of a task id (everything before the first `/`). */
export function listIdOfTask(taskId: string): string | null {
  const slash = taskId.indexOf('/');
  return slash > 0 && parseListId(taskId.slice(0, slash)) ? taskId.slice(0, slash) : null;
}

export function freshStatus(id: string): CallListStatus {
  return { id, version: 0, writer: '', state: 'open', claimedBy: null, claimedAt: null, attempts: 0, nextAttemptAt: null, outcome: null, closedAt: null };
}

/** A status change by `writer`: one version on. */
export function withStatus(status: CallListStatus, writer: string, change: Partial<Omit<CallListStatus, 'id' | 'version' | 'writer'>>): CallListStatus {
  return nextVersion(status, writer, change);
}

const STATE_RANK = { open: 0, claimed: 1, waiting: 2, done: 3 } as const;

function rankOf(status: CallListStatus): string {
  // Every status field, so equal ranks are equal statuses (the pick stays commutative).
  return `${STATE_RANK[status.state]}${JSON.stringify([status.claimedBy, status.claimedAt, status.attempts, status.nextAttemptAt, status.outcome, status.closedAt])}`;
}

/** Merges two copies of one task's status. Commutative, associative, idempotent. */
export function mergeStatus(a: CallListStatus, b: CallListStatus): CallListStatus {
  return lastWriterWins(a, b, rankOf);
}

export function sameStatus(a: CallListStatus, b: CallListStatus): boolean {
  return encodeStatus(a) === encodeStatus(b);
}

/**
 * One line of JSON for the shared channel (keys in schema order), at most {@link SHARED_VALUE_MAX}
 * UTF-8 bytes: a status too long travels with the claimer's name cut (it is only shown).
 */
export function encodeStatus(status: CallListStatus): string {
  const record = CallListStatusSchema.parse(status);
  const line = JSON.stringify(record);
  if (Buffer.byteLength(line, 'utf8') <= SHARED_VALUE_MAX || record.claimedBy === null) return line;
  const name = Array.from(record.claimedBy.name);
  for (let keep = name.length - 1; keep >= 0; keep--) {
    const cut = JSON.stringify({ ...record, claimedBy: { ...record.claimedBy, name: name.slice(0, keep).join('') } });
    if (Buffer.byteLength(cut, 'utf8') <= SHARED_VALUE_MAX) return cut;
  }
  return JSON.stringify({ ...record, claimedBy: { ...record.claimedBy, name: '' } });
}

/** A status from another desk, or null when it is not one (logged by the caller, never applied). */
export function decodeStatus(value: string): CallListStatus | null {
  try {
    const parsed = CallListStatusSchema.safeParse(JSON.parse(value));
    return parsed.success && listIdOfTask(parsed.data.id) !== null ? parsed.data : null;
  } catch {
    return null;
  }
}
