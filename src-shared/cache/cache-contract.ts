/**
 * The local card cache: its state, how it was filled (first sync, rebuild after damage), sync progress.
 */
import { z } from 'zod';
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';

/**
 * Why the cache file in use was started: `new` (the desk's first sync), `damaged` (a query or
 * the background integrity check found the previous file damaged), `unreadable` (the previous
 * file could not be opened at start) or `key-lost` (the database key was lost or replaced, so
 * the previous file could no longer be read), `mis-changed` (the desk was pointed at another MIS:
 * the cards of the previous one are set aside, not mixed with the new one's).
 */
export const CacheFillReasonSchema = z.enum(['new', 'damaged', 'unreadable', 'key-lost', 'mis-changed']);
export type CacheFillReason = z.infer<typeof CacheFillReasonSchema>;

/** How the cache file in use was filled (kept in the file itself, so it survives restarts). */
export const CacheFillSchema = z
  .object({
    /** `filling` until the first full pass of the MIS's change stream has been applied. */
    state: z.enum(['filling', 'complete']),
    reason: CacheFillReasonSchema,
    /** When this file was started (and, for a rebuild, when the previous one was set aside). */
    startedAt: z.iso.datetime(),
    completedAt: z.iso.datetime().nullable(),
    /** Where the previous file was kept for IT (a path on this desk); null for a first fill. */
    setAside: z.string().max(1000).nullable(),
  })
  .strict();
export type CacheFill = z.infer<typeof CacheFillSchema>;

/** The cache's last retention purge: when it ran and how many cards it removed (never which). */
export const CachePurgeSchema = z
  .object({
    at: z.iso.datetime(),
    removed: z.number().int().nonnegative(),
  })
  .strict();
export type CachePurgeView = z.infer<typeof CachePurgeSchema>;

export const CacheStatusSchema = z
  .object({
    available: z.boolean(),
    cards: z.number().int().nonnegative(),
    /** ISO time of the last successful sync with the MIS: the cashier's "data as of HH:MM". */
    dataAsOf: z.string().nullable(),
    problem: z.string().max(500).nullable(),
    /** How the file in use was filled; null while no cache is open. */
    fill: CacheFillSchema.nullable(),
    /**
     * The file in use was found damaged and is being replaced right now (between the detection
     * and the fresh file); searches meanwhile go to the MIS.
     */
    replacing: z.boolean(),
    /** The last retention purge since the desk started (cards neither opened nor synced for `privacy.cacheRetentionDays`); null before it. */
    lastPurge: CachePurgeSchema.nullable().optional(),
  })
  .strict();
export type CacheStatusView = z.infer<typeof CacheStatusSchema>;

export const SyncProgressSchema = z
  .object({
    /** `first-sync` fills an empty cache (progress bar); `delta` keeps it current. */
    phase: z.enum(['first-sync', 'delta']),
    applied: z.number().int().nonnegative(),
    total: z.number().int().nonnegative().nullable(),
    etaSeconds: z.number().nonnegative().nullable(),
    done: z.boolean(),
    /**
     * Present for a first sync through the MIS's full export: the cards are written into the next
     * cache file off the desk's thread and appear all at once when it is swapped in, so until then
     * searches and the screen pop ask the MIS. `loading` while pages arrive, `indexing` once every
     * card is in and the search index is built. It can be cancelled (`cache.cancelFirstSync`).
     */
    bulk: z.enum(['loading', 'indexing']).optional(),
  })
  .strict();
export type SyncProgress = z.infer<typeof SyncProgressSchema>;

/**
 * Records a connector sent that the desk refused (validation), newest first: which stream, why
 * (field paths and where the record came from, e.g. `patients.csv line 17: card …: birthDate: …`)
 * and when. Never the payload: that stays in cache.db for IT.
 */
export const QuarantineViewSchema = z
  .object({
    total: z.number().int().nonnegative(),
    items: z.array(z.object({ stream: z.string().max(64), reason: z.string().max(600), at: z.string() }).strict()).max(200),
  })
  .strict();
export type QuarantineView = z.infer<typeof QuarantineViewSchema>;

export const cacheRequests = {
  /** Whether the local cache is open and how many cards it holds. */
  'cache.status': { input: NoInput, output: CacheStatusSchema },
  /**
   * Stops a first sync through the MIS's full export (its partial file is removed; the live cache
   * is untouched) and lets the sync continue page by page, gently, in the background. `cancelled`
   * is false when no such load was running.
   */
  'cache.cancelFirstSync': { input: NoInput, output: z.object({ cancelled: z.boolean() }).strict() },
  /** The newest refused records (at most `limit`) and how many there are. */
  'cache.quarantine': { input: z.object({ limit: z.number().int().min(1).max(200).default(50) }).strict(), output: QuarantineViewSchema },
} as const satisfies RequestTable;

export const cacheEvents = {
  'cache:changed': CacheStatusSchema,
  'sync:progress': SyncProgressSchema,
} as const satisfies EventTable;
