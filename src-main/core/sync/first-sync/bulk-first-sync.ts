import { removeDatabaseFiles } from '../../db/cache-bulk-load';
import type { DatabaseCipher } from '../../db/open-database';
import type { MisConnector, MisFullExport } from '../../connectors/mis/mis-connector';
import { systemClock, type Clock } from '../../../../src-shared/time/clock';
import { PATIENTS_STREAM } from '../pull-sync';
import { ThroughputEta } from '../throughput-eta';
import { parseWorkerMessage, type FromWorker } from './bulk-load-protocol';
import { workerThreadBulkLoader, type BulkLoadWorker, type BulkLoadWorkerFactory } from './bulk-load-worker-entry';

/**
 * Cards asked of the MIS per export page: few round trips (200 at a million), and a page is
 * cloned into the worker on the desk's thread in ~10 ms, well inside a ring's budget.
 */
export const BULK_EXPORT_PAGE_SIZE = 5_000;
/**
 * Cards per message to the worker: serialised on the desk's thread in a few ms (a ring's lookup
 * waits at most that long), with a turn of the event loop between two chunks.
 */
export const BULK_CHUNK_CARDS = 1_000;
/** Chunks handed to the worker and not yet written: bounds the memory a fast MIS can fill. */
export const BULK_CHUNKS_IN_FLIGHT = 8;
/**
 * The index phase (indexes, FTS, term list) costs about this share of the loading phase's time
 * (measured at a million cards: see `npm run bench`); the ETA adds it while loading.
 */
export const INDEX_PHASE_SHARE = 0.6;
/**
 * Below this many cards the first sync pages instead: a few seconds of pages, each searchable as
 * it commits, beat a file that appears all at once (and a worker to start).
 */
export const BULK_FIRST_SYNC_MIN_CARDS = 50_000;

export interface BulkFirstSyncProgress {
  /** `loading` while pages arrive; `indexing` once every card is in (no count moves then). */
  stage: 'loading' | 'indexing';
  /** Cards of the export handled so far (written, quarantined or refused). */
  received: number;
  /** Cards in the export, when the MIS said. */
  total: number | null;
  /** Time left, loading and indexing; null until it can be told. */
  etaMs: number | null;
}

export interface BulkFirstSyncResult {
  /** Cards in the new file. */
  cards: number;
  /** Cards refused by the schema, kept in the new file's quarantine. */
  quarantined: number;
  /** Cards refused by the cache's shape rules or dropped as duplicates. */
  rejected: number;
  duplicatesDropped: number;
  /** The change-log position the file stands for (stored in it). */
  cursor: string;
  /** From the export's request to the file closed on disk. */
  wallMs: number;
  insertMs: number;
  indexMs: number;
}

/** The first sync was cancelled (or the desk stopped): the partial file is gone, nothing changed. */
export class BulkFirstSyncCancelled extends Error {
  constructor() {
    super('The first sync was cancelled.');
    this.name = 'BulkFirstSyncCancelled';
  }
}

/** The worker failed (a disk full, a database error); its partial file is gone. */
export class BulkLoadFailed extends Error {
  constructor(
    message: string,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'BulkLoadFailed';
  }
}

export interface BulkFirstSyncOptions {
  /** A connector with {@link MisConnector.fullExport}. */
  connector: MisConnector;
  /** Where the new file is written (`cache.db.loading`); the caller installs it. */
  snapshotPath: string;
  key: Buffer;
  cipher?: DatabaseCipher;
  /** The worker's page cache while loading (MiB); the loader's default otherwise. */
  cacheSizeMb?: number;
  /** The `cache_meta` rows the finished file carries (the fill record, the MIS identity), asked for at the end. */
  meta: () => Record<string, string>;
  worker?: BulkLoadWorkerFactory;
  pageSize?: number;
  chunksInFlight?: number;
  /** An export the MIS says is smaller than this is closed unread and the result is `null` (default {@link BULK_FIRST_SYNC_MIN_CARDS}; an export of unknown size is loaded). */
  minCards?: number;
  clock?: Clock;
  /** Cancels: the worker is stopped and the partial file removed; rejects with {@link BulkFirstSyncCancelled}. */
  signal?: AbortSignal;
  onProgress?: (progress: BulkFirstSyncProgress) => void;
}

/**
 * The first sync's bulk path: asks the MIS for its full export and streams the pages into a
 * worker thread that validates them and writes a fresh cache file with the bulk loader, then
 * builds its indexes there. The desk's thread only fetches pages (the connector's own I/O) and
 * hands them over as JSON chunks of {@link BULK_CHUNK_CARDS}, at most
 * {@link BULK_CHUNKS_IN_FLIGHT} ahead of the writer; the live cache is not touched. The worker
 * validates the JSON form of each card (what an HTTP MIS sent). Resolves when the snapshot — cards, quarantine, the export's cursor and `meta` —
 * is complete and on disk at `snapshotPath`; installing it is the caller's step (one rename).
 *
 * Resolves `null` without writing anything when the export is smaller than `minCards`.
 *
 * @throws MisError from the export, {@link BulkLoadFailed} from the worker,
 *   {@link BulkFirstSyncCancelled} when `signal` aborts. In every case the partial file is removed.
 */
export async function runBulkFirstSync(options: BulkFirstSyncOptions): Promise<BulkFirstSyncResult | null> {
  const { connector, signal } = options;
  if (typeof connector.fullExport !== 'function') throw new TypeError('This MIS connector offers no full export.');
  const clock = options.clock ?? systemClock;
  const started = clock.now();
  const pageSize = options.pageSize ?? BULK_EXPORT_PAGE_SIZE;
  const inFlightMax = Math.max(1, options.chunksInFlight ?? BULK_CHUNKS_IN_FLIGHT);
  if (signal?.aborted) throw new BulkFirstSyncCancelled();
  const exported: MisFullExport = await connector.fullExport({ pageSize });
  const total = typeof exported.total === 'number' && Number.isFinite(exported.total) ? exported.total : null;
  if (total !== null && total < (options.minCards ?? BULK_FIRST_SYNC_MIN_CARDS)) {
    exported.close?.();
    return null;
  }
  let worker: BulkLoadWorker | null = null;
  const link = new WorkerLink();
  const onAbort = () => link.fail(new BulkFirstSyncCancelled());
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal?.aborted) throw new BulkFirstSyncCancelled();
    worker = (options.worker ?? workerThreadBulkLoader)({
      path: options.snapshotPath,
      key: new Uint8Array(options.key),
      syncedAt: started,
      ...(options.cipher ? { cipher: options.cipher } : {}),
      ...(options.cacheSizeMb ? { cacheSizeMb: options.cacheSizeMb } : {}),
    });
    link.attach(worker);
    const eta = new ThroughputEta({ warmUpMs: 2_000 });
    eta.start(started);
    let received = 0;
    link.onPageDone = (message) => {
      received = message.loaded + message.quarantined + message.rejected;
      const loadingLeft = eta.estimate(clock.now(), received, total);
      // The index phase from the same fitted cost per card (never from the time since the start,
      // which carries the worker's start and the MIS's first answer).
      const indexing = total === null || loadingLeft === null || received >= total ? null : (loadingLeft / (total - received)) * total * INDEX_PHASE_SHARE;
      options.onProgress?.({ stage: 'loading', received, total, etaMs: loadingLeft === null || indexing === null ? null : Math.round(loadingLeft + indexing) });
    };
    let pageId = 0;
    for (;;) {
      link.throwIfFailed();
      const page = await link.race(exported.next());
      const cards = Array.isArray(page.cards) ? page.cards : [];
      for (let at = 0; at < cards.length; at += BULK_CHUNK_CARDS) {
        pageId += 1;
        await link.send({ type: 'page', id: pageId, json: serialiseChunk(cards.slice(at, at + BULK_CHUNK_CARDS)) }, inFlightMax);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      if (page.done) break;
    }
    await link.drained();
    const loadingMs = clock.now() - started;
    options.onProgress?.({ stage: 'indexing', received, total, etaMs: Math.round(loadingMs * INDEX_PHASE_SHARE) });
    link.post({ type: 'finish', cursor: { stream: PATIENTS_STREAM, cursor: exported.cursor }, meta: options.meta() });
    const done = await link.finished();
    return {
      cards: done.cards,
      quarantined: done.quarantined,
      rejected: done.rejected + done.duplicatesDropped,
      duplicatesDropped: done.duplicatesDropped,
      cursor: exported.cursor,
      wallMs: clock.now() - started,
      insertMs: Math.round(done.insertMs),
      indexMs: Math.round(done.indexMs),
    };
  } catch (error) {
    if (worker) await link.abort();
    removeDatabaseFiles(options.snapshotPath);
    throw error;
  } finally {
    signal?.removeEventListener('abort', onAbort);
    exported.close?.();
    await worker?.terminate().catch(() => undefined);
  }
}

/**
 * A chunk of raw cards as one JSON array. A card that is not JSON (a cycle, a BigInt) becomes a
 * placeholder the worker's schema refuses and quarantines, so it never takes its chunk with it.
 */
export function serialiseChunk(cards: readonly unknown[]): string {
  try {
    return JSON.stringify(cards);
  } catch {
    return `[${cards.map((card) => {
      try {
        return JSON.stringify(card) ?? 'null';
      } catch {
        return '{"unserialisable":true}';
      }
    }).join(',')}]`;
  }
}

type PageDone = Extract<FromWorker, { type: 'page-done' }>;
type Done = Extract<FromWorker, { type: 'done' }>;

/**
 * The desk's side of one worker: pages in flight, the end, and the first failure (a worker
 * message, the worker's exit, a cancel), which every wait rejects with from then on.
 */
class WorkerLink {
  onPageDone: (message: PageDone) => void = () => undefined;
  private worker: BulkLoadWorker | null = null;
  private inFlight = 0;
  private failure: Error | null = null;
  private ended = false;
  private waiters = new Set<{ check: () => boolean; resolve: () => void; reject: (error: Error) => void }>();
  private done: Done | null = null;
  private aborted: (() => void) | null = null;

  attach(worker: BulkLoadWorker): void {
    this.worker = worker;
    worker.onMessage((raw) => {
      const message = parseWorkerMessage(raw);
      if (!message) return this.fail(new BulkLoadFailed('The bulk-load worker sent a message the desk does not understand.', null));
      if (message.type === 'page-done') {
        this.inFlight -= 1;
        this.onPageDone(message);
      } else if (message.type === 'done') {
        this.done = message;
      } else if (message.type === 'failed') {
        this.fail(new BulkLoadFailed(message.message, message.code));
      } else if (message.type === 'aborted') {
        this.aborted?.();
      }
      this.settle();
    });
    worker.onExit((detail) => {
      this.ended = true;
      this.aborted?.();
      if (!this.done) this.fail(new BulkLoadFailed(`The bulk-load worker ended before the file was complete (${detail}).`, null));
    });
  }

  fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const waiter of this.waiters) waiter.reject(error);
    this.waiters.clear();
  }

  throwIfFailed(): void {
    if (this.failure) throw this.failure;
  }

  post(message: unknown): void {
    this.throwIfFailed();
    this.worker?.post(message);
  }

  /** Posts a page, then waits until fewer than `max` are in flight. */
  async send(message: { type: 'page'; id: number; json: string }, max: number): Promise<void> {
    this.post(message);
    this.inFlight += 1;
    await this.until(() => this.inFlight < max);
  }

  drained(): Promise<void> {
    return this.until(() => this.inFlight === 0);
  }

  async finished(): Promise<Done> {
    await this.until(() => this.done !== null);
    return this.done!;
  }

  /** `promise`, or the failure if one comes first (a cancel while the MIS is slow to answer). */
  race<T>(promise: Promise<T>): Promise<T> {
    this.throwIfFailed();
    return new Promise<T>((resolve, reject) => {
      const waiter = { check: () => false, resolve: () => undefined, reject };
      this.waiters.add(waiter);
      promise.then(
        (value) => {
          this.waiters.delete(waiter);
          if (this.failure) reject(this.failure);
          else resolve(value);
        },
        (error: unknown) => {
          this.waiters.delete(waiter);
          reject(this.failure ?? error);
        },
      );
    });
  }

  /** Asks the worker to remove its partial file and waits for it (or for its end). */
  abort(): Promise<void> {
    if (this.ended || !this.worker) return Promise.resolve();
    return new Promise<void>((resolve) => {
      this.aborted = resolve;
      try {
        this.worker?.post({ type: 'abort' });
      } catch {
        resolve();
      }
    });
  }

  private until(check: () => boolean): Promise<void> {
    this.throwIfFailed();
    if (check()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.waiters.add({ check, resolve, reject }));
  }

  private settle(): void {
    for (const waiter of [...this.waiters]) {
      if (waiter.check()) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  }
}
