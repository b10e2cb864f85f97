/**
 * The outbox as the "not delivered" panel sees it: what happened to each write, never what it carries.
 */
import { z } from 'zod';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';

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

export const outboxRequests = {
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
} as const satisfies RequestTable;

export const outboxEvents = {
  /** The outbox moved (delivered, failed, retried): the status-bar badge reloads its list. */
  'outbox:changed': OutboxCountsSchema,
} as const satisfies EventTable;
