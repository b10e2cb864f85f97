import type { MisError, MisSubmitResult } from '../connectors/mis/mis-connector';
import type { OutboxItem, OutboxSettle } from './outbox';

/** What a domain does when one of its outbox items settles (each optional). */
export interface OutboxSettleHandler {
  /** The MIS applied the write (`applied` or `duplicate`: the same to the domain). */
  delivered?(item: OutboxItem, result: MisSubmitResult): void;
  /** The MIS refused it for good; `reason` is what the "not delivered" panel shows. */
  failed?(item: OutboxItem, error: MisError, reason: string): void;
}

/**
 * The outbox sender's settle hook, fanned out by kind: a domain subscribes to the kinds it
 * writes (`booking.` for `booking.create` / `.move` / `.cancel`, `call-list.` …) and hears of
 * each of its items once, inside the journal transaction that marks the item (the sender gives
 * every settlement a savepoint of its own, see {@link OutboxSettle}).
 *
 * Every matching handler runs even when one throws; the first error is rethrown afterwards, so
 * the item's savepoint undoes what all of its handlers wrote (one item, one outcome) while the
 * mark itself stands.
 */
export class OutboxSettleRegistry implements OutboxSettle {
  private readonly handlers: { prefix: string; handler: OutboxSettleHandler }[] = [];

  /**
   * Subscribes `handler` to every kind starting with `kindPrefix` (an exact kind works too).
   * Returns the unsubscribe.
   */
  on(kindPrefix: string, handler: OutboxSettleHandler): () => void {
    if (kindPrefix.length === 0) throw new Error('An outbox settle subscription names a kind or a kind prefix.');
    const entry = { prefix: kindPrefix, handler };
    this.handlers.push(entry);
    return () => {
      const index = this.handlers.indexOf(entry);
      if (index >= 0) this.handlers.splice(index, 1);
    };
  }

  delivered(item: OutboxItem, result: MisSubmitResult): void {
    this.each(item, (handler) => handler.delivered?.(item, result));
  }

  failed(item: OutboxItem, error: MisError, reason: string): void {
    this.each(item, (handler) => handler.failed?.(item, error, reason));
  }

  private each(item: OutboxItem, call: (handler: OutboxSettleHandler) => void): void {
    let first: { error: unknown } | null = null;
    for (const { prefix, handler } of [...this.handlers]) {
      if (!item.kind.startsWith(prefix)) continue;
      try {
        call(handler);
      } catch (error) {
        first ??= { error };
      }
    }
    if (first) throw first.error;
  }
}
