import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { OUTBOX_VIEW_LIMIT, type JournalStatus, type OutboxItemView, type SyncProgress as SyncProgressEvent } from '../../../src-shared/ipc/contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import type { Settings } from '../../../src-shared/settings/settings-schema';
import type { StatusDetail } from '../../../src-shared/status/system-status';
import { AuditLog, type AuditInput } from '../audit/audit-log';
import { CallJournal } from '../calls/call-journal';
import { DEMO_PHONE_INDEX_FILE, DemoMis, DemoMisConfigSchema, type DemoMisConfig } from '../connectors/demo/demo-mis';
import { isMisError, type MisConnector } from '../connectors/mis/mis-connector';
import { CacheRepository } from '../db/cache-repository';
import { DatabaseError } from '../db/database-error';
import type { Db } from '../db/open-database';
import type { EventBus } from '../events/event-bus';
import type { Logger } from '../log/logger';
import type { SecretStore } from '../secrets/secret-store';
import type { Service } from '../services/service-registry';
import type { StatusService } from '../status/status-service';
import { openJournalDatabase } from '../sync/journal-database';
import { JournalSummaryWriter } from '../sync/journal-summary';
import { KeptJournals, setJournalAside, type KeptJournalReason } from '../sync/kept-journals';
import { Outbox, OutboxSender, type OutboxItem, type SenderClock } from '../sync/outbox';
import { WrapUps } from '../calls/wrap-ups';
import { PopChoices } from '../screen-pop/pop-choices';
import { PullSyncEngine, type PullTarget, type StatusReporter } from '../sync/pull-sync';
import type { DatabaseKeySource, DatabaseKeyState } from './database-key';
import type { PatientCacheService } from './patient-cache-service';

/** Runtime overrides from the browser host's command line (`--demo-patients`, `--mis-offline`). */
export interface DemoOverrides {
  patients?: number;
  offline?: boolean;
}

export interface ClinicLinkOptions {
  dataDir: string;
  secrets: SecretStore;
  /** The run's database key, shared with cache.db. */
  keys: DatabaseKeySource;
  logger: Logger;
  status: StatusService;
  events: EventBus;
  cache: PatientCacheService;
  mis: Settings['connectors']['mis'];
  demo?: DemoOverrides;
  /** The outbox sender's clock and sleep (tests drive the sender with {@link ClinicLinkService.wakeOutbox}). */
  outboxClock?: Partial<SenderClock>;
  now?: () => number;
}

/** The demo clinic keeps living while the desk runs, so delta sync always has work. */
const DEMO_DESK_DEFAULTS: Partial<DemoMisConfig> = { evolveIntervalMs: 20_000 };
/**
 * Cards per page transaction. Both connections live on the desk's one JS thread, so a page
 * holds it while it applies: 250 cards is ~15 ms here (1,000 was ~70 ms with validation),
 * well inside the 50 ms screen-pop budget.
 */
const SYNC_PAGE_SIZE = 250;
/** An in-process demo MIS costs nothing to poll; a real one gets a gentler interval. */
const DEMO_POLL_INTERVAL_MS = 2_000;

/**
 * The desk's link to the clinic's MIS: the connector, the pull sync into cache.db, the outbox
 * sender, the access audit log and the call journal, all in journal.db. Lookups never wait on any of it: the
 * engine yields between pages, and a dead MIS only changes the status bar.
 */
export class ClinicLinkService implements Service {
  readonly name = 'clinic-link';
  private journal: Db | null = null;
  private journalProblem: string | null = null;
  private connector: MisConnector | null = null;
  private demo: DemoMis | null = null;
  private engine: PullSyncEngine | null = null;
  private sender: OutboxSender | null = null;
  private auditLog: AuditLog | null = null;
  private outboxStore: Outbox | null = null;
  private callJournal: CallJournal | null = null;
  private wrapUpStore: WrapUps | null = null;
  private popChoiceStore: PopChoices | null = null;
  private keptJournals: KeptJournals | null = null;
  private summary: JournalSummaryWriter | null = null;
  private syncConnection: CacheRepository | null = null;
  private stopped = false;
  private readonly unsubscribes: (() => void)[] = [];

  constructor(private readonly options: ClinicLinkOptions) {}

  start(): void {
    const { logger, status, cache } = this.options;
    this.stopped = false;
    let keyState: DatabaseKeyState;
    try {
      keyState = this.options.keys.load();
    } catch (error) {
      // The cache service has said why (no protected storage); nothing can be opened without a key.
      logger.error('journal.no-key', { error });
      this.journalProblem = (error as Error).message;
      status.report('mis', 'disabled', 'cacheUnavailable');
      status.report('sync', 'error', 'cacheUnavailable');
      return;
    }
    this.openJournal(keyState);

    if (this.options.mis.id !== 'demo') {
      status.report('mis', 'disabled', 'connectorNotAvailable');
      status.report('sync', 'disabled', 'connectorNotAvailable');
      return;
    }
    this.demo = this.createDemo();
    this.connector = withCursorReset(this.demo, () => {
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
    if (this.outboxStore) {
      this.sender = new OutboxSender({
        outbox: this.outboxStore,
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
    this.demo?.close();
    this.summary?.flush();
    this.summary = null;
    // Its statements die with the connection: later requests get JOURNAL_UNAVAILABLE, not a crash.
    this.callJournal = null;
    this.wrapUpStore = null;
    this.popChoiceStore = null;
    this.auditLog = null;
    this.outboxStore = null;
    this.keptJournals = null;
    this.journal?.close();
    this.engine = null;
    this.sender = null;
    this.journal = null;
  }

  /**
   * Opens journal.db. When it cannot be read with this run's key (the key was lost or replaced)
   * or is damaged, it is never deleted: it is kept under a dated name, a fresh journal is
   * started, and the fresh one records what the kept file held (from its summary file) so the
   * user and IT are told. Any other failure (read-only folder, full disk, newer version) leaves
   * the desk without a journal and says why.
   */
  private openJournal(keyState: DatabaseKeyState): void {
    const { logger, status } = this.options;
    const path = join(this.options.dataDir, 'journal.db');
    let kept: { path: string; reason: KeptJournalReason; keptAt: number; summary: ReturnType<typeof setJournalAside>['summary'] } | null = null;
    try {
      try {
        this.journal = openJournalDatabase({ path, key: keyState.key });
      } catch (error) {
        if (!(error instanceof DatabaseError) || (error.code !== 'WRONG_KEY_OR_NOT_A_DATABASE' && error.code !== 'CORRUPT')) throw error;
        const reason: KeptJournalReason = keyState.createdNow ? 'key-lost' : error.code === 'CORRUPT' ? 'damaged' : 'unreadable';
        const keptAt = this.now();
        kept = { ...setJournalAside(path, reason, keptAt), reason, keptAt };
        logger.warn('journal.kept-aside', {
          reason,
          code: error.code,
          keptAt: kept.path,
          undeliveredInKept: kept.summary?.undelivered ?? 'unknown',
          auditEntriesInKept: kept.summary?.auditEntries ?? 'unknown',
          countedAt: kept.summary?.countedAt ?? null,
        });
        this.journal = openJournalDatabase({ path, key: keyState.key });
      }
    } catch (error) {
      logger.error('journal.unavailable', { error });
      this.journalProblem = error instanceof DatabaseError ? error.message : 'The call journal (journal.db) could not be opened.';
      status.report('sync', 'error', 'journalUnavailable');
      return;
    }
    const journal = this.journal;
    this.auditLog = new AuditLog(journal);
    this.outboxStore = new Outbox(journal);
    this.callJournal = new CallJournal(journal);
    this.wrapUpStore = new WrapUps(journal, this.outboxStore);
    this.popChoiceStore = new PopChoices(journal);
    this.keptJournals = new KeptJournals(journal, () => this.now());
    if (kept) this.keptJournals.add(kept);
    this.summary = new JournalSummaryWriter(journal, path, { now: () => this.now(), onError: (error) => logger.warn('journal.summary-failed', { error }) });
    this.summary.flush();
    const recovered = this.outboxStore.recoverInflight();
    if (recovered > 0) logger.info('outbox.recovered-inflight', { items: recovered });
  }

  /** journal.db as the UI shows it: open or not, and the journals set aside before this one. */
  journalStatus(): JournalStatus {
    return {
      state: this.journal ? 'open' : 'unavailable',
      problem: this.journal ? null : (this.journalProblem ?? 'The call journal (journal.db) is not open.'),
      kept: this.keptJournals?.list() ?? [],
    };
  }

  /** The notice about a kept journal was read. @throws DeskError `JOURNAL_UNAVAILABLE` without a journal. */
  acknowledgeKeptJournal(id: number): JournalStatus {
    if (!this.keptJournals) throw new DeskError('JOURNAL_UNAVAILABLE', 'The journal of this desk is not open.');
    if (this.keptJournals.acknowledge(id)) this.options.logger.info('journal.kept-acknowledged', { id });
    const view = this.journalStatus();
    this.options.events.emit('journal:changed', view);
    return view;
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

  /** Records an access to a card; a desk without its journal still works, and says so in the log. */
  audit(input: AuditInput): void {
    if (!this.auditLog) {
      this.options.logger.warn('audit.unavailable', { action: input.action });
      return;
    }
    this.auditLog.append(input);
    this.summary?.touch();
  }

  get audits(): AuditLog | null {
    return this.auditLog;
  }

  get outbox(): Outbox | null {
    return this.outboxStore;
  }

  /** The call journal in journal.db; null while the journal is not open. */
  get calls(): CallJournal | null {
    return this.callJournal;
  }

  /** Wrap-ups, callback requests and new-patient drafts in journal.db; null while it is not open. */
  get wrapUps(): WrapUps | null {
    return this.wrapUpStore;
  }

  /** The screen pop's choices and the card shown per call; null while journal.db is not open. */
  get popChoices(): PopChoices | null {
    return this.popChoiceStore;
  }

  /** journal.db itself (for a transaction spanning several of its stores); null while it is not open. */
  get journalDb(): Db | null {
    return this.journal;
  }

  /** The MIS connector while the link runs (null: no MIS configured, or the journal did not open). */
  get mis(): MisConnector | null {
    return this.connector;
  }

  /** A local change was queued: drain now rather than after the sender's idle sleep, and tell the badge. */
  wakeOutbox(): void {
    this.announceOutbox();
    this.sender?.wake();
  }

  /**
   * The "not delivered" panel's list: every write the MIS has not confirmed, oldest first,
   * without payloads (they may hold patient data). Empty when the journal is not open: there
   * is then nothing this desk could show, and the status bar already says why.
   */
  undelivered(): OutboxItemView[] {
    return (this.outboxStore?.listUndelivered() ?? []).slice(0, OUTBOX_VIEW_LIMIT).map(toOutboxView);
  }

  /**
   * The panel's retry button: a failed write becomes due now with its original key, and the
   * sender is woken so the operator sees the result without waiting for its idle sleep.
   *
   * @returns false when the item is not (or no longer) failed.
   * @throws DeskError `JOURNAL_UNAVAILABLE` when journal.db is not open.
   */
  retryOutbox(id: number): boolean {
    if (!this.outboxStore) throw new DeskError('JOURNAL_UNAVAILABLE', 'The journal of this desk is not open, so its outbox cannot be retried.');
    const retried = this.outboxStore.retry(id);
    if (retried) {
      this.options.logger.info('outbox.retry', { id });
      this.announceOutbox();
      this.sender?.wake();
    }
    return retried;
  }

  /** Tells every window the outbox moved, so the status-bar badge reloads its list. */
  private announceOutbox(): void {
    if (this.outboxStore) this.options.events.emit('outbox:changed', this.outboxStore.counts());
    this.summary?.touch();
  }

  /** The embedded demo clinic, when it is the MIS (for the demo controls). */
  get demoMis(): DemoMis | null {
    return this.demo;
  }

  private createDemo(): DemoMis {
    const config = DemoMisConfigSchema.parse({ ...DEMO_DESK_DEFAULTS, ...this.options.mis.config, ...stripUndefined(this.options.demo ?? {}) });
    const ledgerDir = join(this.options.dataDir, 'demo-mis');
    mkdirSync(ledgerDir, { recursive: true, mode: 0o700 });
    const demo = new DemoMis({
      patients: config.patients,
      seed: config.seed,
      ledgerPath: join(ledgerDir, 'ledger.db'),
      phoneIndexPath: join(ledgerDir, DEMO_PHONE_INDEX_FILE),
      latencyMs: config.latencyMs,
      errorRate: config.errorRate,
      timeoutRate: config.timeoutRate,
    });
    demo.setOffline(config.offline);
    if (config.evolveIntervalMs > 0) demo.startEvolving(config.evolveIntervalMs);
    // Index the clinic's phones now (loaded, or built in slices), so the first caller's refresh does not wait for it.
    void demo.preparePhoneIndex();
    this.options.logger.info('demo-mis.started', { patients: config.patients, offline: config.offline });
    return demo;
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

  private now(): number {
    return (this.options.now ?? Date.now)();
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

/** The contract's view of an outbox row: what happened to the write, never what it carries. */
export function toOutboxView(item: OutboxItem): OutboxItemView {
  const { state } = item;
  // listUndelivered never returns these; a delivered row in the panel would be a lie.
  if (state === 'delivered') throw new Error(`outbox item ${item.id} is delivered`);
  return {
    id: item.id,
    kind: item.kind,
    state,
    attempts: item.attempts,
    lastError: item.lastError,
    createdAt: new Date(item.createdAt).toISOString(),
    nextAttemptAt: state === 'pending' ? new Date(item.nextAttemptAt).toISOString() : null,
  };
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
