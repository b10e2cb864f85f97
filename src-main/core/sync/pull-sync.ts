import type { z } from 'zod';
import { MisIdSchema, PatientCardSchema, type PatientCard } from '../../../src-shared/patients/patient-card';
import { clinicDate, clinicInstant } from '../../../src-shared/schedule/clinic-time';
import { SCHEDULE_RECORD_SCHEMAS, ScheduleIdSchema, type ScheduleStream } from '../../../src-shared/schedule/schedule-model';
import type { LinkState, StatusDetail, SyncState } from '../../../src-shared/status/system-status';
import type { ApplyCardsResult, QuarantineEntry } from '../db/cache-repository';
import { isMisError, type MisConnector } from '../connectors/mis/mis-connector';
import type { ApplyRecordsResult, ScheduleRecordOf } from '../schedule/schedule-repository';
import { SCHEDULE_RECORD_NOUNS, scheduleCursorStream } from '../schedule/schedule-streams';
import type { Random } from '../../../src-shared/random/seeded-random';
import { backoffDelay, type BackoffPolicy } from '../../../src-shared/time/backoff';
import { sleep, systemClock, type Clock } from '../../../src-shared/time/clock';
import { ThroughputEta } from './throughput-eta';

/**
 * What the pull engine needs from the cache. `CacheRepository` satisfies it as is; the
 * interface exists so the engine can run on its own connection (a second `CacheRepository`
 * on the same file) and so tests can inject a failure between two steps of one page.
 * `transaction`, the cursors and the quarantine serve every stream; `applyCards` and
 * `deleteCards` are the patients stream's writes.
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

/** One page of a stream as the engine handles it: raw records, ids gone, the position after it. */
export interface PullPage {
  /** Raw, UNVALIDATED records: the engine validates each with its stream's schema. */
  records: unknown[];
  /** Ids of records gone from the MIS (deleted, merged away, removed from the schedule). */
  removed: unknown[];
  nextCursor: string;
  hasMore: boolean;
  /** Records remaining from the requested cursor, when the MIS knows it. */
  total?: number;
  /** Where each record came from (`patients.csv line 17`), parallel to `records`; put before a quarantine reason. */
  origins?: readonly (string | null)[];
}

/** Where a page sits in its stream, for a stream that keeps track of passes. */
export interface PagePosition {
  /** Fetched from the start of the stream: no cursor yet, or the MIS forgot ours. */
  fromStart: boolean;
  /** The stream's last page for now (`hasMore` false). */
  last: boolean;
}

/** What applying one page of a stream did. */
export interface PullApplyResult extends ApplyCardsResult {
  /** Records that left the cache (removed, merged away, swept, pruned). */
  deleted: number;
}

/** How a stream's records are validated and named in quarantine reasons. */
export interface RecordRule<T> {
  schema: z.ZodType<T>;
  /** What one record is called in a reason: `card`, `slot`. */
  noun: string;
  /** The field that names a record, and what its value must look like to be quoted in a reason. */
  idKey: string;
  idSchema: z.ZodType<string>;
}

/**
 * One MIS stream the engine pulls: the patients, or one of the schedule streams. The engine
 * owns everything else (the cursor, validation, quarantine, the one transaction, backoff).
 */
export interface PullStream<T = unknown> {
  /** Its cursor's name in `sync_cursors`, also the `stream` of its quarantine rows. */
  readonly name: string;
  readonly rule: RecordRule<T>;
  /** The page after `cursor` (`null`: from the start). May throw `MisError`. */
  fetch(cursor: string | null, limit: number): Promise<PullPage>;
  /**
   * Writes a page's valid records and removals. The engine calls it inside the target's
   * transaction, with the page's quarantine rows and new cursor: it must write through the
   * target's connection.
   */
  apply(records: readonly T[], removed: readonly string[], position: PagePosition): PullApplyResult;
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

/** A page of some stream committed (told after the commit, for "changed" events). */
export interface CommittedPage extends PullApplyResult {
  stream: string;
  quarantined: number;
  /** The stream's last page for now. */
  last: boolean;
  /** When it committed (the engine's clock). */
  syncedAt: number;
}

export interface PullSyncOptions {
  connector: MisConnector;
  target: PullTarget;
  /** The stream name under which the patients' cursor is stored. */
  stream?: string;
  /** Streams pulled after the patients in each run, in order, on the same target (the schedule: {@link scheduleStreams}). */
  streams?: readonly PullStream[];
  /** Change records asked for per page (one transaction each). */
  pageSize?: number;
  /** Wait between two runs when up to date. */
  pollIntervalMs?: number;
  /** Retry policy while the MIS is unreachable. Default 1 s doubling to 60 s, equal jitter. */
  backoff?: BackoffPolicy;
  status?: StatusReporter;
  /** The patients stream's progress (the first-sync bar). */
  onProgress?: (progress: SyncProgress) => void;
  /** After every committed page of any stream. */
  onPage?: (page: CommittedPage) => void;
  /** The MIS refused a stored cursor (`rejected`): the stream starts over from the beginning. */
  onCursorReset?: (stream: string) => void;
  /** The clock it reads and waits on; tests give their own so they never wait. */
  clock?: Clock;
  /** The backoff's jitter source, `[0, 1)`; tests pin it. */
  random?: Random;
  /** Run after each page: lets other work on this event loop run (screen pops on the same process). Default: `setImmediate`. */
  yieldBetweenPages?: () => Promise<void>;
  /** Before this much of a run has passed there is no ETA (default 3 s; see {@link ThroughputEta}). */
  etaWarmUpMs?: number;
}

/** What one run did on one stream. */
export interface StreamRunResult {
  pages: number;
  inserted: number;
  updated: number;
  skipped: number;
  deleted: number;
  quarantined: number;
  /** The stream's cursor after the run. */
  cursor: string | null;
}

/** What one {@link PullSyncEngine.syncOnce} did: totals over its streams, each stream's own, the patients' cursor. */
export interface SyncRunResult extends StreamRunResult {
  /** By stream name (`patients`, `schedule.slots` …), in the order they ran. */
  streams: Record<string, StreamRunResult>;
}

export const PATIENTS_STREAM = 'patients';

/** Detail keys (`status.detail.*`) this engine reports. */
export const SYNC_DETAIL = {
  unreachable: 'misUnreachable',
  timeout: 'misTimeout',
  rejected: 'misRejectedSync',
  auth: 'misAuthFailed',
  protocol: 'misProtocol',
  failed: 'syncFailed',
} as const;

/** Cards: `PatientCardSchema`, named by `misId`. */
export const CARD_RULE: RecordRule<PatientCard> = { schema: PatientCardSchema, noun: 'card', idKey: 'misId', idSchema: MisIdSchema };

/**
 * Pull sync of the MIS's streams into the cache (docs/architecture.md, "Sync and outbox"): the
 * patients first, then each stream of `streams` (the schedule), one after the other in each run.
 *
 * Invariants, the same for every stream:
 * - a page's valid records, its removals, its quarantined records and the new cursor are
 *   committed in ONE transaction: a crash leaves either the whole page or none of it, so the
 *   stored cursor is never ahead of the data;
 * - every record is validated with its stream's schema before it reaches the cache; an invalid
 *   one goes to quarantine with a reason (field paths, never values) and is never half-applied;
 * - a lower record version never overwrites a higher one (the cache skips it), so MIS wins on
 *   its fields and replays after a crash are harmless;
 * - a stored cursor the MIS refuses (`rejected`) starts that stream over from the beginning;
 * - after each page the engine yields to the event loop, so lookups are never blocked for
 *   longer than one page's transaction;
 * - one run, one backoff: a failure on any stream ends the run (pages committed stay), and the
 *   next run resumes every stream from its stored cursor.
 */
export class PullSyncEngine {
  private readonly patients: PullStream<PatientCard>;
  private readonly streams: readonly PullStream[];
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
    this.patients = patientsStream(options.connector, options.target, options.stream ?? PATIENTS_STREAM);
    this.streams = [this.patients as PullStream, ...(options.streams ?? [])];
    this.pageSize = options.pageSize ?? 1_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 15_000;
    this.backoff = options.backoff ?? { baseMs: 1_000, capMs: 60_000, jitter: 'equal' };
    this.clock = options.clock ?? systemClock;
    this.random = options.random ?? Math.random;
    this.yieldBetweenPages = options.yieldBetweenPages ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
  }

  /** When the last page of any stream was committed (epoch ms), for "data as of HH:MM". */
  get lastSyncedAt(): number | null {
    return this.syncedAt;
  }

  /**
   * Pulls every stream, from its stored cursor until the MIS says there is no more.
   *
   * @throws the connector's error (MisError) or a database error; pages committed before the
   *   failure stay committed, and the next run resumes from their cursors.
   */
  async syncOnce(): Promise<SyncRunResult> {
    const { target } = this.options;
    const result: SyncRunResult = { ...emptyRun(target.getCursor(this.patients.name)), streams: {} };
    this.options.status?.report('sync', 'syncing', null);
    for (const [index, stream] of this.streams.entries()) {
      if (index > 0) {
        await this.yieldBetweenPages();
        if (this.abort?.signal.aborted) break;
      }
      const run = await this.pullStream(stream);
      result.streams[stream.name] = run;
      result.pages += run.pages;
      result.inserted += run.inserted;
      result.updated += run.updated;
      result.skipped += run.skipped;
      result.deleted += run.deleted;
      result.quarantined += run.quarantined;
      if (stream === this.patients) result.cursor = run.cursor;
      if (this.abort?.signal.aborted) break;
    }
    this.options.status?.report('sync', 'idle', null);
    return result;
  }

  /**
   * Runs forever until {@link stop}: sync, wait the poll interval, repeat. While the MIS
   * fails, waits with capped exponential backoff (with jitter) and resumes from the stored cursors.
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
          await this.nap(this.pollIntervalMs, signal);
        } catch (error) {
          failures += 1;
          this.reportFailure(error);
          await this.nap(backoffDelay(this.backoff, failures, this.random), signal);
        }
      }
    })().finally(() => {
      this.running = null;
    });
  }

  /**
   * The source says it changed (a new export in the watched folder): the loop stops waiting and
   * syncs now — also out of a backoff, since the change may be the fix.
   */
  wake(): void {
    this.napping?.abort();
  }

  private napping: AbortController | null = null;

  private async nap(ms: number, signal: AbortSignal): Promise<void> {
    const nap = new AbortController();
    this.napping = nap;
    // Not AbortSignal.any([signal, nap.signal]): with a long-lived source signal it keeps ~170 B
    // per call in Node 22.23 (nodejs/node#64476) — megabytes over days of 2 s polls.
    const stop = () => nap.abort();
    signal.addEventListener('abort', stop, { once: true });
    if (signal.aborted) nap.abort();
    try {
      await sleep(this.clock, ms, nap.signal);
    } finally {
      signal.removeEventListener('abort', stop);
      if (this.napping === nap) this.napping = null;
    }
  }

  /** Stops the loop after the page in progress (which commits or rolls back as a whole). */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.running;
  }

  /** Pages one stream from its stored cursor to its end (or until stopped). */
  private async pullStream(stream: PullStream): Promise<StreamRunResult> {
    const run = emptyRun(this.options.target.getCursor(stream.name));
    const progress = stream === this.patients ? this.options.onProgress : undefined;
    const eta = new ThroughputEta({ warmUpMs: this.options.etaWarmUpMs });
    eta.start(this.clock.now());
    let applied = 0;
    let total: number | null = null;
    for (;;) {
      const { page, fromStart } = await this.fetch(stream, run.cursor);
      this.options.status?.report('mis', 'online', null);
      if (total === null && typeof page.total === 'number' && Number.isFinite(page.total)) total = page.total;
      const done = !page.hasMore;
      const pageResult = this.applyPage(stream, page, { fromStart, last: done });
      this.syncedAt = this.clock.now();
      run.pages += 1;
      run.inserted += pageResult.inserted;
      run.updated += pageResult.updated;
      run.skipped += pageResult.skipped;
      run.deleted += pageResult.deleted;
      run.quarantined += pageResult.quarantined;
      run.cursor = page.nextCursor;
      applied += page.records.length + page.removed.length;
      this.options.onPage?.({ stream: stream.name, ...pageResult, last: done, syncedAt: this.syncedAt });
      progress?.({
        applied,
        total,
        etaMs: done ? 0 : eta.estimate(this.clock.now(), applied, total),
        quarantined: run.quarantined,
        syncedAt: this.syncedAt,
        done,
      });
      if (done) break;
      await this.yieldBetweenPages();
      if (this.abort?.signal.aborted) break;
    }
    return run;
  }

  /** The page after `cursor`; a stored cursor the MIS no longer knows (`rejected`) starts the stream over, once. */
  private async fetch(stream: PullStream, cursor: string | null): Promise<{ page: PullPage; fromStart: boolean }> {
    try {
      return { page: await stream.fetch(cursor, this.pageSize), fromStart: cursor === null };
    } catch (error) {
      if (cursor === null || !isMisError(error) || error.kind !== 'rejected') throw error;
      this.options.onCursorReset?.(stream.name);
      return { page: await stream.fetch(null, this.pageSize), fromStart: true };
    }
  }

  private reportFailure(error: unknown): void {
    const status = this.options.status;
    if (status) reportSyncFailure(status, error);
  }

  /** Validates, then commits the page, its quarantine rows and its cursor in one transaction. */
  private applyPage(stream: PullStream, page: PullPage, position: PagePosition): PullApplyResult & { quarantined: number } {
    const valid: unknown[] = [];
    const refused: QuarantineEntry[] = [];
    page.records.forEach((raw, index) => {
      const parsed = stream.rule.schema.safeParse(raw);
      if (parsed.success) {
        valid.push(parsed.data);
        return;
      }
      refused.push(quarantineEntry(stream.name, raw, parsed.error, stream.rule, page.origins?.[index]));
    });
    const gone = page.removed.filter((id): id is string => typeof id === 'string');
    if (typeof page.nextCursor !== 'string' || page.nextCursor.length === 0) {
      throw new TypeError('The MIS connector returned a page without a cursor.');
    }
    const { target } = this.options;
    return target.transaction(() => {
      const applied = stream.apply(valid, gone, position);
      for (const entry of refused) target.quarantine(entry);
      target.setCursor(stream.name, page.nextCursor);
      return { ...applied, quarantined: refused.length };
    });
  }
}

/** How a failed sync run shows on the status bar (the MIS link's state and the sync's), for every path that pulls. */
export function reportSyncFailure(status: StatusReporter, error: unknown): void {
  if (isMisError(error)) {
    if (error.kind === 'unreachable') status.report('mis', 'offline', SYNC_DETAIL.unreachable);
    else if (error.kind === 'timeout') status.report('mis', 'degraded', SYNC_DETAIL.timeout);
    else if (error.kind === 'auth') status.report('mis', 'failed', SYNC_DETAIL.auth);
    else if (error.kind === 'protocol') status.report('mis', 'degraded', SYNC_DETAIL.protocol);
    status.report('sync', 'error', SYNC_DETAIL[error.kind]);
    return;
  }
  status.report('sync', 'error', SYNC_DETAIL.failed);
}

function emptyRun(cursor: string | null): StreamRunResult {
  return { pages: 0, inserted: 0, updated: 0, skipped: 0, deleted: 0, quarantined: 0, cursor };
}

/**
 * The patients stream: `changesSince` pages of cards, deletions and merges (the merged-away
 * card goes; the survivor arrives among the cards), written by the target's `applyCards` and
 * `deleteCards`, upserts before removals.
 */
export function patientsStream(connector: MisConnector, target: PullTarget, name: string = PATIENTS_STREAM): PullStream<PatientCard> {
  return {
    name,
    rule: CARD_RULE,
    fetch: async (cursor, limit) => {
      const page = await connector.changesSince(cursor, limit);
      return {
        records: page.cards,
        removed: [...page.deletions, ...page.merges.map((merge) => merge.from)],
        nextCursor: page.nextCursor,
        hasMore: page.hasMore,
        ...(page.total === undefined ? {} : { total: page.total }),
        ...(page.origins && { origins: page.origins }),
      };
    },
    apply: (cards, removed) => {
      const applied = target.applyCards(cards);
      const deleted = target.deleteCards(removed);
      return { ...applied, deleted };
    },
  };
}

/** What the schedule streams write to: `ScheduleRepository` on the target's connection. */
export interface ScheduleSyncTarget {
  applyRecords<S extends ScheduleStream>(stream: S, records: readonly ScheduleRecordOf<S>[]): ApplyRecordsResult;
  removeRecords(stream: ScheduleStream, ids: readonly string[]): number;
  prunePast(beforeMs: number): number;
  startPass(stream: ScheduleStream): void;
  finishPass(stream: ScheduleStream): number;
}

export interface ScheduleStreamsOptions {
  connector: MisConnector;
  schedule: ScheduleSyncTarget;
  /** The clinic's time zone and how many days ahead to cache (`settings.schedule`), read before every page. */
  settings: () => { horizonDays: number; timeZone: string };
  /** Now (epoch ms), for the clinic's today. Default `Date.now`. */
  now?: () => number;
}

/**
 * The schedule streams a connector offers, in dependency order: `branches`, `doctors`,
 * `services`, `slots` with the `schedule` capability, `call-tasks` with `callLists`; none
 * without `streamChangesSince`. Each page asks for the clinic's today and horizon from the
 * settings; a page from the start begins a pass that replaces the stream when it ends; after a
 * slots page, the slots of days gone by are dropped in the same transaction.
 */
export function scheduleStreams(options: ScheduleStreamsOptions): PullStream[] {
  const { connector, schedule } = options;
  if (typeof connector.streamChangesSince !== 'function') return [];
  const fetchStream: NonNullable<MisConnector['streamChangesSince']> = (...args) => {
    // Looked up at each call, like `changesSince`: a connector may be wrapped or replaced in tests.
    if (typeof connector.streamChangesSince !== 'function') throw new TypeError('The MIS connector no longer offers its schedule streams.');
    return connector.streamChangesSince(...args);
  };
  const capabilities = new Set(connector.manifest.capabilities);
  const now = options.now ?? Date.now;
  const wanted = [
    ...(capabilities.has('schedule') ? (['branches', 'doctors', 'services', 'slots'] as const) : []),
    ...(capabilities.has('callLists') ? (['call-tasks'] as const) : []),
  ];
  const today = () => {
    const { horizonDays, timeZone } = options.settings();
    const date = clinicDate(now(), timeZone);
    return { today: date, horizonDays, startsAtMs: clinicInstant(date, 0, timeZone) };
  };
  return wanted.map((stream): PullStream => ({
    name: scheduleCursorStream(stream),
    rule: { schema: SCHEDULE_RECORD_SCHEMAS[stream] as z.ZodType<unknown>, noun: SCHEDULE_RECORD_NOUNS[stream], idKey: 'id', idSchema: ScheduleIdSchema },
    fetch: async (cursor, limit) => {
      const { today: date, horizonDays } = today();
      const page = await fetchStream(stream, cursor, limit, { today: date, horizonDays });
      return {
        records: page.records,
        removed: page.removed,
        nextCursor: page.nextCursor,
        hasMore: page.hasMore,
        ...(page.total === undefined ? {} : { total: page.total }),
      };
    },
    apply: (records, removed, position) => {
      if (position.fromStart) schedule.startPass(stream);
      const applied = schedule.applyRecords(stream, records as readonly ScheduleRecordOf<typeof stream>[]);
      let deleted = schedule.removeRecords(stream, removed);
      if (position.last) deleted += schedule.finishPass(stream);
      if (stream === 'slots') deleted += schedule.prunePast(today().startsAtMs);
      return { ...applied, deleted };
    },
  }));
}

/**
 * The reason kept with a quarantined record: its id when it is a plausible one, and each
 * failing field path with the schema's message — never the offending values (they may be
 * patient data or a 10 MB string).
 */
export function describeIssues(raw: unknown, error: z.ZodError, rule: Pick<RecordRule<unknown>, 'noun' | 'idKey' | 'idSchema'> = CARD_RULE): string {
  const id = recordIdOf(raw, rule);
  const who = id !== null ? `${rule.noun} ${id}` : `${rule.noun} without a valid ${rule.idKey}`;
  const issues = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`);
  const more = error.issues.length > 5 ? `; +${error.issues.length - 5} more` : '';
  return `${who}: ${issues.join('; ')}${more}`;
}

/**
 * The quarantine row of a record its stream's schema refused: the reason ({@link describeIssues},
 * after where it came from), an excerpt of the payload, and its id when plausible — so removing
 * that record (a deletion from the MIS, the retention purge) removes the row too. The one rule for
 * the paging engine and the first sync's bulk loader alike.
 */
export function quarantineEntry(stream: string, raw: unknown, error: z.ZodError, rule: RecordRule<unknown>, origin?: string | null): QuarantineEntry {
  const reason = describeIssues(raw, error, rule);
  return {
    stream,
    reason: typeof origin === 'string' && origin !== '' ? `${origin.slice(0, 200)}: ${reason}` : reason,
    payload: excerpt(raw),
    recordId: recordIdOf(raw, rule),
  };
}

/** The id a refused record names, when it is a plausible one (`1000042`, `S-7`); else null. */
function recordIdOf(raw: unknown, rule: Pick<RecordRule<unknown>, 'idKey' | 'idSchema'>): string | null {
  const id = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>)[rule.idKey] : undefined;
  return rule.idSchema.safeParse(id).success ? (id as string) : null;
}

function excerpt(raw: unknown): string {
  try {
    const json = JSON.stringify(raw, (_key, value: unknown) => (typeof value === 'string' && value.length > 500 ? `${value.slice(0, 500)}…(${value.length} chars)` : typeof value === 'bigint' ? String(value) : value));
    return typeof json === 'string' ? json : String(raw);
  } catch {
    return '(unserialisable payload)';
  }
}
