import type { z } from 'zod';
import { PatientCardSchema, type PatientCard } from '../../../src-shared/patients/patient-card';
import type { LinkState, StatusDetail, SyncState } from '../../../src-shared/status/system-status';
import type { ApplyCardsResult, QuarantineEntry } from '../db/cache-repository';
import { isMisError, type MisChangesPage, type MisConnector } from '../connectors/mis/mis-connector';
import type { Random } from '../../../src-shared/random/seeded-random';
import { backoffDelay, type BackoffPolicy } from '../../../src-shared/time/backoff';
import { sleep, systemClock, type Clock } from '../../../src-shared/time/clock';
import { ThroughputEta } from './throughput-eta';

/**
 * What the pull engine needs from the cache. `CacheRepository` satisfies it as is; the
 * interface exists so the engine can run on its own connection (a second `CacheRepository`
 * on the same file) and so tests can inject a failure between two steps of one page.
 */
export interface PullTarget {
  /** Runs `fn` in one transaction; nested calls must become savepoints (better-sqlite3 does). */
  transaction<T>(fn: () => T): T;
  applyCards(cards: readonly PatientCard[]): ApplyCardsResult;
  deleteCards(misIds: readonly string[]): number;
  getCursor(stream: string): string | null;
  setCursor(stream: string, cursor: string): void;
  quarantine(entry: QuarantineEntry): void;
}

/** The part of `StatusService` the engine reports to (same signature as its `report`). */
export interface StatusReporter {
  report(system: 'mis', state: LinkState, detail?: StatusDetail | null): void;
  report(system: 'sync', state: SyncState, detail?: StatusDetail | null): void;
}

/** Progress of a sync run, for the first-sync bar and "data as of". */
export interface SyncProgress {
  /** Change records (cards, deletions, merges) processed in this run. */
  applied: number;
  /** Records this run has to process, when the MIS said; null when unknown. */
  total: number | null;
  /** Estimated time left, from this run's throughput; null until it can be estimated. */
  etaMs: number | null;
  /** Cards refused by validation in this run (kept in quarantine with the reason). */
  quarantined: number;
  /** When the last page was committed (epoch ms), or null if none yet. */
  syncedAt: number | null;
  /** True on the last report of a run that reached the end of the stream. */
  done: boolean;
}

export interface PullSyncOptions {
  connector: MisConnector;
  target: PullTarget;
  /** The stream name under which the cursor is stored. */
  stream?: string;
  /** Change records asked for per page (one transaction each). */
  pageSize?: number;
  /** Wait between two runs when up to date. */
  pollIntervalMs?: number;
  /** Retry policy while the MIS is unreachable. Default 1 s doubling to 60 s, equal jitter. */
  backoff?: BackoffPolicy;
  status?: StatusReporter;
  onProgress?: (progress: SyncProgress) => void;
  /** The clock it reads and waits on; tests give their own so they never wait. */
  clock?: Clock;
  /** The backoff's jitter source, `[0, 1)`; tests pin it. */
  random?: Random;
  /** Run after each page: lets other work on this event loop run (screen pops on the same process). Default: `setImmediate`. */
  yieldBetweenPages?: () => Promise<void>;
  /** Before this much of a run has passed there is no ETA (default 3 s; see {@link ThroughputEta}). */
  etaWarmUpMs?: number;
}

/** What one {@link PullSyncEngine.syncOnce} did. */
export interface SyncRunResult {
  pages: number;
  inserted: number;
  updated: number;
  skipped: number;
  deleted: number;
  quarantined: number;
  cursor: string | null;
}

export const PATIENTS_STREAM = 'patients';

/** Detail keys (`status.detail.*`) this engine reports. */
export const SYNC_DETAIL = {
  unreachable: 'misUnreachable',
  timeout: 'misTimeout',
  rejected: 'misRejectedSync',
  failed: 'syncFailed',
} as const;

/**
 * Pull sync of one MIS stream into the cache (docs/architecture.md, "Sync and outbox").
 *
 * Invariants:
 * - a page's valid cards, its deletions and merges, its quarantined records and the new cursor
 *   are committed in ONE transaction: a crash leaves either the whole page or none of it, so
 *   the stored cursor is never ahead of the data;
 * - every card is validated with `PatientCardSchema` before it reaches the cache; an invalid
 *   one goes to quarantine with a reason and never half-applied;
 * - a lower card version never overwrites a higher one (the cache skips it), so MIS wins on
 *   its fields and replays after a crash are harmless;
 * - after each page the engine yields to the event loop, so lookups are never blocked for
 *   longer than one page's transaction.
 */
export class PullSyncEngine {
  private readonly stream: string;
  private readonly pageSize: number;
  private readonly pollIntervalMs: number;
  private readonly backoff: BackoffPolicy;
  private readonly clock: Clock;
  private readonly random: Random;
  private readonly yieldBetweenPages: () => Promise<void>;
  private abort: AbortController | null = null;
  private running: Promise<void> | null = null;
  private syncedAt: number | null = null;

  constructor(private readonly options: PullSyncOptions) {
    this.stream = options.stream ?? PATIENTS_STREAM;
    this.pageSize = options.pageSize ?? 1_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 15_000;
    this.backoff = options.backoff ?? { baseMs: 1_000, capMs: 60_000, jitter: 'equal' };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.yieldBetweenPages = options.yieldBetweenPages ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  }

  /** When the last page was committed (epoch ms), for "data as of HH:MM". */
  get lastSyncedAt(): number | null {
    return this.syncedAt;
  }

  /**
   * Pulls pages from the stored cursor until the MIS says there is no more.
   *
   * @throws the connector's error (MisError) or a database error; pages committed before the
   *   failure stay committed, and the next run resumes from their cursor.
   */
  async syncOnce(): Promise<SyncRunResult> {
    const { target, connector } = this.options;
    const result: SyncRunResult = { pages: 0, inserted: 0, updated: 0, skipped: 0, deleted: 0, quarantined: 0, cursor: target.getCursor(this.stream) };
    const eta = new ThroughputEta({ warmUpMs: this.options.etaWarmUpMs });
    eta.start(this.clock.now());
    let applied = 0;
    let total: number | null = null;
    this.options.status?.report('sync', 'syncing', null);
    for (;;) {
      const page = await connector.changesSince(result.cursor, this.pageSize);
      this.options.status?.report('mis', 'online', null);
      if (total === null && typeof page.total === 'number' && Number.isFinite(page.total)) total = page.total;
      const pageResult = this.applyPage(page);
      this.syncedAt = this.clock.now();
      result.pages += 1;
      result.inserted += pageResult.inserted;
      result.updated += pageResult.updated;
      result.skipped += pageResult.skipped;
      result.deleted += pageResult.deleted;
      result.quarantined += pageResult.quarantined;
      result.cursor = page.nextCursor;
      applied += page.cards.length + page.deletions.length + page.merges.length;
      const done = !page.hasMore;
      this.options.onProgress?.({
        applied,
        total,
        etaMs: done ? 0 : eta.estimate(this.clock.now(), applied, total),
        quarantined: result.quarantined,
        syncedAt: this.syncedAt,
        done,
      });
      if (done) break;
      await this.yieldBetweenPages();
      if (this.abort?.signal.aborted) break;
    }
    this.options.status?.report('sync', 'idle', null);
    return result;
  }

  /**
   * Runs forever until {@link stop}: sync, wait the poll interval, repeat. While the MIS
   * fails, waits with capped exponential backoff (with jitter) and resumes from the stored cursor.
   */
  start(): void {
    if (this.running) return;
    this.abort = new AbortController();
    const signal = this.abort.signal;
    this.running = (async () => {
      let failures = 0;
      while (!signal.aborted) {
        try {
          await this.syncOnce();
          failures = 0;
          await sleep(this.clock, this.pollIntervalMs, signal);
        } catch (error) {
          failures += 1;
          this.reportFailure(error);
          await sleep(this.clock, backoffDelay(this.backoff, failures, this.random), signal);
        }
      }
    })().finally(() => {
      this.running = null;
    });
  }

  /** Stops the loop after the page in progress (which commits or rolls back as a whole). */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
  }

  private reportFailure(error: unknown): void {
    const status = this.options.status;
    if (!status) return;
    if (isMisError(error)) {
      if (error.kind === 'unreachable') status.report('mis', 'offline', SYNC_DETAIL.unreachable);
      else if (error.kind === 'timeout') status.report('mis', 'degraded', SYNC_DETAIL.timeout);
      status.report('sync', 'error', error.kind === 'rejected' ? SYNC_DETAIL.rejected : error.kind === 'timeout' ? SYNC_DETAIL.timeout : SYNC_DETAIL.unreachable);
      return;
    }
    status.report('sync', 'error', SYNC_DETAIL.failed);
  }

  /** Validates, then commits the page and its cursor in one transaction. */
  private applyPage(page: MisChangesPage): ApplyCardsResult & { deleted: number; quarantined: number } {
    const valid: PatientCard[] = [];
    const refused: QuarantineEntry[] = [];
    for (const raw of page.cards) {
      const parsed = PatientCardSchema.safeParse(raw);
      if (parsed.success) valid.push(parsed.data);
      else refused.push({ stream: this.stream, reason: describeIssues(raw, parsed.error), payload: excerpt(raw) });
    }
    const gone = [...page.deletions, ...page.merges.map((merge) => merge.from)].filter((id): id is string => typeof id === 'string');
    if (typeof page.nextCursor !== 'string' || page.nextCursor.length === 0) {
      throw new TypeError('The MIS connector returned a page without a cursor.');
    }
    const { target } = this.options;
    return target.transaction(() => {
      const applied = target.applyCards(valid);
      const deleted = target.deleteCards(gone);
      for (const entry of refused) target.quarantine(entry);
      target.setCursor(this.stream, page.nextCursor);
      return { ...applied, deleted, quarantined: refused.length };
    });
  }
}

/**
 * The reason kept with a quarantined card: the id when it is a plausible one, and each failing
 * field path with the schema's message — never the offending values (they may be patient data
 * or a 10 MB string).
 */
export function describeIssues(raw: unknown, error: z.ZodError): string {
  const id = (raw as { misId?: unknown } | null)?.misId;
  const who = typeof id === 'string' && /^[\x21-\x7e]{1,64}$/.test(id) ? `card ${id}` : 'card without a valid misId';
  const issues = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = error.issues.length > 5 ? `; +${error.issues.length - 5} more` : '';
  return `${who}: ${issues.join('; ')}${more}`;
}

function excerpt(raw: unknown): string {
  try {
    const json = JSON.stringify(raw, (_key, value: unknown) => (typeof value === 'string' && value.length > 500 ? `${value.slice(0, 500)}…(${value.length} chars)` : typeof value === 'bigint' ? String(value) : value));
    return typeof json === 'string' ? json : String(raw);
  } catch {
    return '(unserialisable payload)';
  }
}
