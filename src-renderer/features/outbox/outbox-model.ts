import type { OutboxItemView } from '../../../src-shared/outbox/outbox-contract';

/** A pending write older than this is worth a look: the sender normally delivers in seconds. */
export const STALE_PENDING_MS = 60_000;

/** Outbox kinds the panel has a localized label for; any other kind is shown as its code. */
export const KNOWN_OUTBOX_KINDS = ['note', 'wrapup', 'booking', 'callback'] as const;
export type KnownOutboxKind = (typeof KNOWN_OUTBOX_KINDS)[number];

/** Whether the panel has a label for this kind (else it shows the code itself). */
export function isKnownOutboxKind(kind: string): kind is KnownOutboxKind {
  return (KNOWN_OUTBOX_KINDS as readonly string[]).includes(kind);
}

/** What the status-bar badge shows. */
export interface OutboxAttention {
  /** Whether the badge is shown at all. */
  show: boolean;
  /** Writes not delivered (every state), the badge's "N". */
  count: number;
  /** Refused for good by the MIS: the badge turns red. */
  failed: number;
}

/**
 * The badge appears when a write failed for good, or one is still pending after a minute. A
 * write that is seconds old is normal traffic: flashing a badge for it would teach operators
 * to ignore the badge.
 */
export function outboxAttention(items: readonly OutboxItemView[], now: number): OutboxAttention {
  const failed = items.filter((item) => item.state === 'failed').length;
  const stale = items.some((item) => item.state !== 'failed' && now - Date.parse(item.createdAt) >= STALE_PENDING_MS);
  return { show: failed > 0 || stale, count: items.length, failed };
}
