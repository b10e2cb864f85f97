import type { SyncProgress as SyncProgressEvent } from '../../../src-shared/cache/cache-contract';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/settings/settings-schema';
import type { StatusDetail } from '../../../src-shared/status/system-status';
import type { PatientCacheService } from '../cache/patient-cache-service';
import type { MisConnector } from '../connectors/mis/mis-connector';
import { CacheRepository } from '../db/cache-repository';
import { DatabaseError } from '../db/database-error';
import type { EventBus } from '../events/event-bus';
import type { JournalService } from '../journal/journal-service';
import type { Logger } from '../log/logger';
import { ScheduleRepository } from '../schedule/schedule-repository';
import { isScheduleCursorStream } from '../schedule/schedule-streams';
import type { Service } from '../services/service-registry';
import type { StatusService } from '../status/status-service';
import { OutboxSender, type SenderClock } from './outbox';
import { OutboxSettleRegistry, type OutboxSettleHandler } from './outbox-settle';
import { backoffDelay } from '../../../src-shared/time/backoff';
import { sleep, systemClock } from '../../../src-shared/time/clock';
import { BulkFirstSyncCancelled, BulkLoadFailed, runBulkFirstSync, type BulkFirstSyncResult } from './first-sync/bulk-first-sync';
import type { BulkLoadWorkerFactory } from './first-sync/bulk-load-worker-entry';
import { returnHeapToSystem, type HeapReturned } from '../memory/heap-memory';
import { PATIENTS_STREAM, PullSyncEngine, reportSyncFailure, scheduleStreams, type CommittedPage, type PullTarget, type StatusReporter } from './pull-sync';

export interface MisLinkOptions {
  /** The MIS connector (made by its connector module; null: none in this build for the configured MIS, or its config is invalid). */
  connector: () => MisConnector | null;
  /** Why `connector` gave none (default `connectorNotAvailable`; `notConfigured` for an invalid config). */
  unavailableReason?: () => StatusDetail;
  /** The link made the connector and releases it at stop (not the demo clinic's, which its service owns). */
  ownsConnector?: () => boolean;
  cache: PatientCacheService;
  journal: JournalService;
  logger: Logger;
  status: StatusService;
  events: EventBus;
  /** The outbox sender's clock and sleep (tests drive the sender with {@link MisLinkService.wakeOutbox}). */
  outboxClock?: SenderClock;
  /**
   * The effective settings, read before every schedule page (`schedule.timeZone` gives the
   * clinic's today, `schedule.horizonDays` how far ahead). Default: the defaults.
   */
  settings?: () => Settings;
  /** Now (epoch ms) for the clinic's today and the schedule events; default `Date.now`. */
  now?: () => number;
  /** The pull engine's poll interval when up to date (default 2 s: the demo MIS costs nothing to ask). */
  pollIntervalMs?: number;
  /** Starts the first sync's bulk-load worker (default: a worker thread); tests give their own. */
  bulkLoadWorker?: BulkLoadWorkerFactory;
  /** A first sync through the MIS's full export below this many cards pages instead (default `BULK_FIRST_SYNC_MIN_CARDS`). */
  bulkFirstSyncMinCards?: number;
}

/** A failed bulk first sync is tried again after a backoff; after this many worker (not MIS) failures in a row the sync pages instead. */
const BULK_WORKER_FAILURES_BEFORE_PAGING = 2;

/**
 * Cards per page transaction. Both connections live on the desk's one JS thread, so a page
 * holds it while it applies: 250 cards is ~15 ms here (1,000 was ~70 ms with validation),
 * well inside the 50 ms screen-pop budget.
 */
const SYNC_PAGE_SIZE = 250;
/** An in-process demo MIS costs nothing to poll; a real one gets a gentler interval. */
const DEMO_POLL_INTERVAL_MS = 2_000;
/** While a schedule stream pages through a change, an open grid reloads at most this often… */
export const SCHEDULE_CHANGED_MIN_GAP_MS = 1_000;
/** …and even with nothing changed, "data as of" is pushed again after this long. */
export const SCHEDULE_AS_OF_REFRESH_MS = 60_000;

/**
 * The desk's link to the clinic's MIS: the connector, the pull sync into cache.db (on its own
 * connection, following the cache to a new file when a damaged one is replaced) and the outbox
 * sender draining journal.db's outbox. Lookups never wait on any of it: the engine yields
 * between pages, and a dead MIS only changes the status bar.
 */
export class MisLinkService implements Service {
  readonly name = 'mis-link';
  private connector: MisConnector | null = null;
  private engine: PullSyncEngine | null = null;
  private sender: OutboxSender | null = null;
  private syncConnection: CacheRepository | null = null;
  private stopped = false;
  private readonly unsubscribes: (() => void)[] = [];
  /** Domains told when their outbox items settle (`onSettled`), in the transaction of the mark. */
  private readonly settled = new OutboxSettleRegistry();
  /** The bulk first sync in progress: its cancel, whether the user asked for it, its end. */
  private bulk: { abort: AbortController; byUser: boolean; done: Promise<void> } | null = null;
  /** The user cancelled the bulk load in this run of the desk: the first sync pages instead. */
  private bulkDeclined = false;
  private lastBulk: BulkFirstSyncResult | null = null;
  private lastReturned: HeapReturned | null = null;

  constructor(private readonly options: MisLinkOptions) {}

  start(): void {
    const { logger, status, cache, journal } = this.options;
    this.stopped = false;
    const connector = this.options.connector();
    if (!connector) {
      const reason = this.options.unavailableReason?.() ?? 'connectorNotAvailable';
      status.report('mis', 'disabled', reason);
      status.report('sync', 'disabled', reason);
      return;
    }
    this.connector = connector;
    // A source that knows when it changed (a new export in the watched folder) is pulled at once.
    const unwatch = connector.onChanged?.(() => this.engine?.wake());
    if (unwatch) this.unsubscribes.push(unwatch);
    status.report('mis', 'connecting', null);
    if (cache.isOpen) {
      this.startEngine();
    } else {
      // No cache (no key storage, a newer version's file): the MIS is there, but nothing can be synced into the cache.
      status.report('sync', 'error', 'cacheUnavailable');
    }
    // A damaged cache.db replaced while the desk runs: the engine follows it to the new file.
    this.unsubscribes.push(cache.onReplaced(() => this.followReplacedCache()));
    const outbox = journal.stores?.outbox;
    if (outbox) {
      this.sender = new OutboxSender({
        outbox,
        connector: this.connector,
        onDrained: (drained) => {
          // A write the MIS accepted is proof it is reachable again, even while the pull engine still waits out its backoff.
          if (drained.delivered > 0) status.report('mis', 'online', null);
          this.announceOutbox();
        },
        settle: this.settled,
        onSettleError: (item, error) => logger.error('outbox.settle-failed', { id: item.id, kind: item.kind, error }),
        ...this.options.outboxClock,
      });
      this.sender.start();
    }
  }

  async stop(): Promise<void> {
    const { logger } = this.options;
    this.stopped = true;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    await this.stopBulk();
    await this.engine?.stop();
    await this.sender?.stop();
    this.syncConnection?.close();
    this.syncConnection = null;
    this.engine = null;
    this.sender = null;
    if (this.options.ownsConnector?.()) {
      await this.connector?.release?.().catch((error: unknown) => logger.warn('mis.release-failed', { error: error instanceof Error ? error.message : String(error) }));
    }
    this.connector = null;
  }

  /** The MIS connector while the link runs (null: no MIS connector in this build for the configured MIS). */
  get mis(): MisConnector | null {
    return this.connector;
  }

  /**
   * Tells `handler` when an outbox item whose kind starts with `kindPrefix` settles (delivered,
   * or failed for good), inside the journal transaction that marks it: a domain's own state
   * (a booking confirmed or rejected) never disagrees with its outbox row. Returns the unsubscribe.
   */
  onSettled(kindPrefix: string, handler: OutboxSettleHandler): () => void {
    return this.settled.on(kindPrefix, handler);
  }

  /** A local change was queued (or a failed write retried): drain now rather than after the sender's idle sleep, and tell the badge. */
  wakeOutbox(): void {
    this.announceOutbox();
    this.sender?.wake();
  }

  /** Tells every window the outbox moved, so the status-bar badge reloads its list; the journal's summary follows. */
  private announceOutbox(): void {
    const { journal, events } = this.options;
    const outbox = journal.stores?.outbox;
    if (outbox) events.emit('outbox:changed', outbox.counts());
    journal.changed();
  }

  /**
   * Stops a bulk first sync in progress (its partial file removed, the live cache untouched); the
   * sync then pages through the changes in the background. False when none was running.
   */
  async cancelFirstSync(): Promise<boolean> {
    const bulk = this.bulk;
    if (!bulk) return false;
    bulk.byUser = true;
    bulk.abort.abort();
    await bulk.done;
    return true;
  }

  /** A bulk first sync is running. */
  get bulkLoading(): boolean {
    return this.bulk !== null;
  }

  /** The bulk first sync installed in this run of the desk (its figures), or null. */
  get lastBulkFirstSync(): BulkFirstSyncResult | null {
    return this.lastBulk;
  }

  /** The heap given back after the bulk first sync of this run of the desk (its figures), or null. */
  get heapReturnedAfterBulk(): HeapReturned | null {
    return this.lastReturned;
  }

  /** The sync of the cache file in use: a bulk first sync when the connector offers one and the file has nothing yet, else (and then) the pull engine. */
  private startEngine(): void {
    const { cache } = this.options;
    if (!cache.databaseKey || !this.connector || this.stopped) return;
    if (this.wantsBulkLoad()) {
      const abort = new AbortController();
      const bulk = { abort, byUser: false, done: Promise.resolve() };
      bulk.done = this.runBulkLoad(abort.signal, bulk).finally(() => {
        if (this.bulk === bulk) this.bulk = null;
      });
      this.bulk = bulk;
      return;
    }
    this.startPagingEngineReported();
  }

  /** The file is being filled and has no card cursor yet, and the MIS offers a full export. */
  private wantsBulkLoad(): boolean {
    const { cache } = this.options;
    if (this.bulkDeclined || typeof this.connector?.fullExport !== 'function' || cache.fill?.state !== 'filling') return false;
    try {
      return cache.require().getCursor(PATIENTS_STREAM) === null;
    } catch {
      return false;
    }
  }

  private async stopBulk(): Promise<void> {
    const bulk = this.bulk;
    if (!bulk) return;
    bulk.abort.abort();
    await bulk.done;
  }

  /**
   * The first sync's bulk path (`first-sync/`): the MIS's full export written into the next file
   * by a worker, then swapped in; retried after a backoff while the MIS fails; the pull engine
   * starts after it (deltas from the export's cursor), or instead of it when cancelled or when
   * the worker keeps failing. Searches and the screen pop ask the MIS meanwhile (the cache is
   * `incomplete`).
   */
  private async runBulkLoad(signal: AbortSignal, bulk: { byUser: boolean }): Promise<void> {
    const { cache, status, logger, events } = this.options;
    const connector = this.connector;
    const key = cache.databaseKey;
    if (!connector || !key) return;
    const generation = cache.generation;
    const reporter = this.syncStatus(status, generation);
    let failures = 0;
    let workerFailures = 0;
    const emit = (event: Omit<SyncProgressEvent, 'phase'>) => {
      if (generation === cache.generation && !this.stopped) events.emit('sync:progress', { phase: 'first-sync', ...event });
    };
    while (!signal.aborted && !this.stopped) {
      reporter.report('sync', 'syncing', null);
      try {
        const result = await runBulkFirstSync({
          connector,
          snapshotPath: cache.snapshotPath,
          key,
          signal,
          ...(this.options.bulkLoadWorker ? { worker: this.options.bulkLoadWorker } : {}),
          ...(this.options.bulkFirstSyncMinCards !== undefined ? { minCards: this.options.bulkFirstSyncMinCards } : {}),
          meta: () => {
            const fill = cache.fill;
            const now = new Date(this.now()).toISOString();
            return CacheRepository.snapshotMeta(
              { state: 'complete', reason: fill?.reason ?? 'new', startedAt: fill?.startedAt ?? now, completedAt: now, setAside: fill?.setAside ?? null },
              cache.require().misIdentity(),
            );
          },
          onProgress: (progress) => {
            status.report('mis', 'online', null);
            emit({ applied: progress.received, total: progress.total, etaSeconds: progress.etaMs === null ? null : Math.round(progress.etaMs / 1000), done: false, bulk: progress.stage });
          },
        });
        if (signal.aborted || this.stopped || generation !== cache.generation) return;
        if (result === null) break; // a small clinic: the pull engine pages it in seconds
        await cache.installSnapshot();
        logger.info('sync.first-sync-bulk', { cards: result.cards, quarantined: result.quarantined, rejected: result.rejected, wallMs: result.wallMs, insertMs: result.insertMs, indexMs: result.indexMs });
        this.lastBulk = result;
        const handled = result.cards + result.quarantined + result.rejected;
        // The file in use is the new one now (its own generation): told directly.
        events.emit('sync:progress', { phase: 'first-sync', applied: handled, total: handled, etaSeconds: 0, done: true });
        events.emit('cache:changed', cache.status());
        status.report('sync', 'syncing', null);
        // Reading a million cards' export grew the heap far past what the desk keeps. In a turn
        // of its own, after the swap's: a ring or a search waiting meanwhile is answered first.
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (this.stopped) return;
        const returned = returnHeapToSystem();
        if (returned) logger.info('memory.heap-returned', { after: 'first-sync-bulk', ...returned });
        this.lastReturned = returned;
        break;
      } catch (error) {
        if (error instanceof BulkFirstSyncCancelled || signal.aborted) {
          if (!bulk.byUser || this.stopped) return;
          logger.info('sync.first-sync-cancelled', { detail: 'the first sync continues page by page' });
          emit({ applied: 0, total: null, etaSeconds: null, done: true });
          break;
        }
        failures += 1;
        if (error instanceof BulkLoadFailed) {
          workerFailures += 1;
          logger.warn('sync.first-sync-bulk-failed', { code: error.code, error: error.message });
          if (workerFailures >= BULK_WORKER_FAILURES_BEFORE_PAGING) {
            this.bulkDeclined = true;
            break;
          }
        } else {
          logger.warn('sync.first-sync-bulk-failed', { kind: (error as { kind?: unknown }).kind ?? 'unknown' });
        }
        reportSyncFailure(reporter, error);
        try {
          await sleep(systemClock, backoffDelay({ baseMs: 1_000, capMs: 60_000, jitter: 'equal' }, failures, Math.random), signal);
        } catch {
          // Aborted while waiting: the loop ends.
        }
      }
    }
    if (this.stopped || (signal.aborted && !bulk.byUser)) return;
    if (bulk.byUser) this.bulkDeclined = true;
    this.startPagingEngineReported();
  }

  /**
   * The pull engine started, at start, after the bulk load or after a replaced file: a cache file
   * that cannot be opened now (its folder gone, a disk error) is reported on the sync indicator and
   * logged, never thrown into an asynchronous path as an unhandled rejection; the phone is untouched.
   */
  private startPagingEngineReported(): void {
    try {
      this.startPagingEngine();
    } catch (error) {
      if (this.stopped) return;
      const code = error instanceof DatabaseError ? error.code : 'unknown';
      this.options.logger.error('sync.engine-start-failed', { code });
      this.options.status.report('sync', 'error', 'cacheUnavailable');
    }
  }

  /** The pull engine on its own connection to the cache file in use. */
  private startPagingEngine(): void {
    const { cache, status } = this.options;
    const key = cache.databaseKey;
    if (!key || !this.connector || this.stopped) return;
    // An engine still finishing a page on a file that was since replaced reports nothing about the new one.
    const generation = cache.generation;
    const target = this.target(key);
    // The schedule is written through the engine's own connection, inside its page transactions.
    const schedule = ScheduleRepository.on(target.repository);
    const announceSchedule = this.scheduleAnnouncer(schedule, generation);
    const { logger } = this.options;
    this.engine = new PullSyncEngine({
      connector: this.connector,
      target: target.pull,
      streams: scheduleStreams({
        connector: this.connector,
        schedule,
        settings: () => (this.options.settings?.() ?? DEFAULT_SETTINGS).schedule,
        now: this.now,
      }),
      pageSize: SYNC_PAGE_SIZE,
      status: this.syncStatus(status, generation),
      pollIntervalMs: this.options.pollIntervalMs ?? this.connector.pollIntervalMs ?? DEMO_POLL_INTERVAL_MS,
      // A MIS that no longer knows a stream's cursor (the demo clinic restarted, a real MIS purged
      // its change log): that stream starts over; versions make the replay harmless.
      onCursorReset: (stream) => logger.warn('sync.cursor-expired', { stream, detail: 'the MIS no longer knows our cursor; starting this stream over' }),
      onPage: (page) => {
        if (isScheduleCursorStream(page.stream)) announceSchedule(page);
      },
      onProgress: (progress) => {
        if (generation !== cache.generation) return;
        const filling = cache.fill?.state === 'filling';
        const event: SyncProgressEvent = {
          phase: filling ? 'first-sync' : 'delta',
          applied: progress.applied,
          total: progress.total,
          etaSeconds: progress.etaMs === null ? null : Math.round(progress.etaMs / 1000),
          done: progress.done,
        };
        if (filling && progress.done) {
          cache.markFilled();
          // The cards are all in: the rebuild is over even while the schedule streams follow.
          status.report('sync', 'syncing', null);
        }
        this.options.events.emit('sync:progress', event);
        // cache.status() counts every card (a scan at a million): only when a poll changed something.
        if (progress.applied > 0 || (filling && progress.done)) this.options.events.emit('cache:changed', cache.status());
      },
    });
    this.engine.start();
  }

  /** After cache.db was replaced: stop the engine on the old file, start it on the new one. */
  private async followReplacedCache(): Promise<void> {
    await this.stopBulk();
    await this.engine?.stop();
    this.engine = null;
    this.syncConnection?.close();
    this.syncConnection = null;
    if (this.stopped) return;
    this.options.status.report('sync', 'syncing', 'cacheRebuilding');
    this.startEngine();
  }

  /**
   * The engine's reports, with the cache's state added: while a damaged cache is refilled the
   * sync indicator says so (and, when the MIS is down, that the rebuild waits for it).
   */
  private syncStatus(status: StatusService, generation: number): StatusReporter {
    const { cache } = this.options;
    return {
      report: ((system: 'mis' | 'sync', state: never, detail: StatusDetail | null = null) => {
        if (system === 'sync' && generation !== cache.generation) return;
        if (system === 'sync' && cache.rebuilding) {
          if (state === 'syncing' || state === 'idle') detail = 'cacheRebuilding';
          else if (state === 'error' && (detail === 'misUnreachable' || detail === 'misTimeout')) detail = 'cacheRebuildingMisUnreachable';
        }
        status.report(system, state, detail);
      }) as StatusReporter['report'],
    };
  }

  /**
   * `schedule:changed` after committed schedule pages: at once when a page changed records and
   * none was announced for {@link SCHEDULE_CHANGED_MIN_GAP_MS}, always at a stream's last page
   * when something changed since the last one, and, with nothing changed, at a last page once
   * the announced "data as of" is {@link SCHEDULE_AS_OF_REFRESH_MS} old (and after the first page ever).
   */
  private scheduleAnnouncer(schedule: ScheduleRepository, generation: number): (page: CommittedPage) => void {
    const { cache, events } = this.options;
    let pending = false;
    let announcedAt = -Infinity;
    return (page) => {
      if (generation !== cache.generation) return;
      if (page.inserted + page.updated + page.deleted > 0) pending = true;
      const now = this.now();
      const due = pending ? page.last || now - announcedAt >= SCHEDULE_CHANGED_MIN_GAP_MS : page.last && now - announcedAt >= SCHEDULE_AS_OF_REFRESH_MS;
      if (!due) return;
      pending = false;
      announcedAt = now;
      events.emit('schedule:changed', { dataAsOf: schedule.dataAsOf() });
    };
  }

  private readonly now = (): number => (this.options.now ?? Date.now)();

  /** The cache as the engine's target (its own connection); once the cache is filled, each changed card is announced. */
  private target(key: Buffer): { pull: PullTarget; repository: CacheRepository } {
    const { cache } = this.options;
    // The engine writes through its own connection: with WAL, lookups on the cache service's
    // connection read the last committed page and never wait for the writer's lock.
    const generation = cache.generation;
    const repository = CacheRepository.open({
      path: cache.path,
      key,
      cacheSizeMb: 32,
      onDamage: (error) => queueMicrotask(() => cache.reportDamage(error, 'sync', generation)),
    });
    this.syncConnection = repository;
    const announce = (ids: Iterable<string>) => {
      if (cache.fill?.state !== 'complete') return;
      for (const misId of ids) this.options.events.emit('patient:updated', { misId });
    };
    const pull: PullTarget = {
      transaction: (fn) => repository.transaction(fn),
      applyCards: (cards: readonly PatientCard[]) => {
        const result = repository.applyCards(cards);
        announce(cards.map((card) => card.misId));
        return result;
      },
      deleteCards: (ids) => {
        const deleted = repository.deleteCards(ids);
        announce(ids);
        // The removed text leaves the file soon after (secure_delete, the FTS merge, the WAL truncated).
        cache.cardsRemoved(ids);
        return deleted;
      },
      getCursor: (stream) => repository.getCursor(stream),
      setCursor: (stream, cursor) => repository.setCursor(stream, cursor),
      quarantine: (entry) => repository.quarantine(entry),
    };
    return { pull, repository };
  }
}
