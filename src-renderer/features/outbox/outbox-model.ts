import type { OutboxItemView } from '../../../src-shared/outbox/outbox-contract';

/** A pending write older than this is worth a look: the sender normally delivers in seconds. */
export const STALE_PENDING_MS = 60_000;

/**
 * Outbox kinds the panel has a localized label for (kind → key under `outbox.kind`; kinds
 * may contain dots, which i18next reads as nesting, so they are mapped, not used as keys);
 * any other kind is shown as its code.
 */
const OUTBOX_KIND_LABELS: Readonly<Record<string, string>> = {
  note: 'note',
  wrapup: 'wrapup',
  booking: 'booking',
  callback: 'callback',
  'callback-outcome': 'callbackOutcome',
  'new-patient': 'newPatient',
  'booking.create': 'bookingCreate',
  'booking.move': 'bookingMove',
  'booking.cancel': 'bookingCancel',
  'call-list.outcome': 'callListOutcome',
};

/** The `outbox.kind.*` key of a kind's label, or null when the panel shows the code itself. */
export function outboxKindLabelKey(kind: string): string | null {
  return Object.hasOwn(OUTBOX_KIND_LABELS, kind) ? `outbox.kind.${OUTBOX_KIND_LABELS[kind]}` : null;
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
