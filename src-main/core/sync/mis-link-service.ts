import type { SyncProgress as SyncProgressEvent } from '../../../src-shared/cache/cache-contract';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import type { StatusDetail } from '../../../src-shared/status/system-status';
import type { PatientCacheService } from '../cache/patient-cache-service';
import { isMisError, type MisConnector } from '../connectors/mis/mis-connector';
import { CacheRepository } from '../db/cache-repository';
import type { EventBus } from '../events/event-bus';
import type { JournalService } from '../journal/journal-service';
import type { Logger } from '../log/logger';
import type { Service } from '../services/service-registry';
import type { StatusService } from '../status/status-service';
import { OutboxSender, type SenderClock } from './outbox';
import { PullSyncEngine, type PullTarget, type StatusReporter } from './pull-sync';

export interface MisLinkOptions {
  /** The MIS connector (made by its connector module; null: none in this build for the configured MIS). */
  connector: () => MisConnector | null;
  cache: PatientCacheService;
  journal: JournalService;
  logger: Logger;
  status: StatusService;
  events: EventBus;
  /** The outbox sender's clock and sleep (tests drive the sender with {@link MisLinkService.wakeOutbox}). */
  outboxClock?: SenderClock;
}

/**
 * Cards per page transaction. Both connections live on the desk's one JS thread, so a page
 * holds it while it applies: 250 cards is ~15 ms here (1,000 was ~70 ms with validation),
 * well inside the 50 ms screen-pop budget.
 */
const SYNC_PAGE_SIZE = 250;
/** An in-process demo MIS costs nothing to poll; a real one gets a gentler interval. */
const DEMO_POLL_INTERVAL_MS = 2_000;

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

  constructor(private readonly options: MisLinkOptions) {}

  start(): void {
    const { logger, status, cache, journal } = this.options;
    this.stopped = false;
    const connector = this.options.connector();
    if (!connector) {
      status.report('mis', 'disabled', 'connectorNotAvailable');
      status.report('sync', 'disabled', 'connectorNotAvailable');
      return;
    }
    this.connector = withCursorReset(connector, () => {
      logger.warn('sync.cursor-expired', { detail: 'the MIS no longer knows our cursor; starting a full sync' });
    });
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
        onDrained: () => this.announceOutbox(),
        ...this.options.outboxClock,
      });
      this.sender.start();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribes.splice(0)) unsubscribe();
    await this.engine?.stop();
    await this.sender?.stop();
    this.syncConnection?.close();
    this.syncConnection = null;
    this.engine = null;
    this.sender = null;
    this.connector = null;
  }

  /** The MIS connector while the link runs (null: no MIS connector in this build for the configured MIS). */
  get mis(): MisConnector | null {
    return this.connector;
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

  /** The pull engine on its own connection to the cache file in use. */
  private startEngine(): void {
    const { cache, status } = this.options;
    const key = cache.databaseKey;
    if (!key || !this.connector || this.stopped) return;
    // An engine still finishing a page on a file that was since replaced reports nothing about the new one.
    const generation = cache.generation;
    this.engine = new PullSyncEngine({
      connector: this.connector,
      target: this.target(key),
      pageSize: SYNC_PAGE_SIZE,
      status: this.syncStatus(status, generation),
      pollIntervalMs: DEMO_POLL_INTERVAL_MS,
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
        if (filling && progress.done) cache.markFilled();
        this.options.events.emit('sync:progress', event);
        this.options.events.emit('cache:changed', cache.status());
      },
    });
    this.engine.start();
  }

  /** After cache.db was replaced: stop the engine on the old file, start it on the new one. */
  private async followReplacedCache(): Promise<void> {
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

  /** The cache as the engine's target; once the cache is filled, each changed card is announced. */
  private target(key: Buffer): PullTarget {
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
    return {
      transaction: (fn) => repository.transaction(fn),
      applyCards: (cards: readonly PatientCard[]) => {
        const result = repository.applyCards(cards);
        announce(cards.map((card) => card.misId));
        return result;
      },
      deleteCards: (ids) => {
        const deleted = repository.deleteCards(ids);
        announce(ids);
        return deleted;
      },
      getCursor: (stream) => repository.getCursor(stream),
      setCursor: (stream, cursor) => repository.setCursor(stream, cursor),
      quarantine: (entry) => repository.quarantine(entry),
    };
  }
}

/**
 * A MIS that no longer knows our cursor (the demo clinic restarted, a real MIS purged its
 * change log) answers `rejected`; the standard answer is a full resync from the start. Card
 * versions make the replay harmless: nothing newer is overwritten.
 */
function withCursorReset(connector: MisConnector, onReset: () => void): MisConnector {
  return new Proxy(connector, {
    get(target, property, receiver) {
      if (property !== 'changesSince') return Reflect.get(target, property, receiver) as unknown;
      return async (cursor: string | null, limit: number) => {
        try {
          return await target.changesSince(cursor, limit);
        } catch (error) {
          if (cursor === null || !isMisError(error) || error.kind !== 'rejected') throw error;
          onReset();
          return target.changesSince(null, limit);
        }
      };
    },
  });
}
