import type { DatabaseCipher } from '../../db/open-database';

/**
 * The messages between the desk's thread and the bulk-load worker (`bulk-load-worker.ts`).
 * Structured-cloned by `worker_threads`; the desk checks each one it receives with
 * {@link parseWorkerMessage} (the worker is our code, but a message is still data).
 */

/** What the worker is started with (`workerData`). */
export interface BulkLoadWorkerData {
  /** The snapshot file to write (`cache.db.loading`); an existing one is deleted first. */
  path: string;
  /** The database key (copied into the worker; never logged). */
  key: Uint8Array;
  cipher?: DatabaseCipher;
  /** The page cache while loading (MiB). */
  cacheSizeMb?: number;
  /** "Synced at" of every card (epoch ms): when the export started. */
  syncedAt: number;
}

/** Desk → worker. */
export type ToWorker =
  /**
   * A chunk of raw, unvalidated cards from the MIS's export, as one JSON text (an array): a flat
   * string crosses to the worker for the price of a copy, where a structured clone of the objects
   * would cost the desk's thread ~10 µs a card.
   */
  | { type: 'page'; id: number; json: string }
  /** The export is complete: build the indexes, store the cursor and the meta rows, close. */
  | { type: 'finish'; cursor: { stream: string; cursor: string }; meta: Record<string, string> }
  /** Stop: remove the partial file and end. */
  | { type: 'abort' };

/** Worker → desk. */
export type FromWorker =
  /** A page was written (its transaction may still be open): the counts so far. */
  | { type: 'page-done'; id: number; loaded: number; quarantined: number; rejected: number }
  /** Every page is in; the index phase has started. */
  | { type: 'indexing' }
  /** The snapshot file is complete, closed and on disk. */
  | { type: 'done'; cards: number; quarantined: number; rejected: number; duplicatesDropped: number; insertMs: number; indexMs: number }
  /** Loading failed; the partial file is removed. `code`: the database error code when there is one. */
  | { type: 'failed'; message: string; code: string | null }
  /** Aborted as asked; the partial file is removed. */
  | { type: 'aborted' };

const count = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const ms = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value) && value >= 0;

/** A worker message in the shape above, or null. */
export function parseWorkerMessage(message: unknown): FromWorker | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as Record<string, unknown>;
  switch (m.type) {
    case 'page-done':
      return count(m.id) && count(m.loaded) && count(m.quarantined) && count(m.rejected) ? { type: 'page-done', id: m.id, loaded: m.loaded, quarantined: m.quarantined, rejected: m.rejected } : null;
    case 'indexing':
      return { type: 'indexing' };
    case 'done':
      return count(m.cards) && count(m.quarantined) && count(m.rejected) && count(m.duplicatesDropped) && ms(m.insertMs) && ms(m.indexMs)
        ? { type: 'done', cards: m.cards, quarantined: m.quarantined, rejected: m.rejected, duplicatesDropped: m.duplicatesDropped, insertMs: m.insertMs, indexMs: m.indexMs }
        : null;
    case 'failed':
      return { type: 'failed', message: String(m.message ?? '').slice(0, 500), code: typeof m.code === 'string' ? m.code.slice(0, 60) : null };
    case 'aborted':
      return { type: 'aborted' };
    default:
      return null;
  }
}
