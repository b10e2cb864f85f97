import { existsSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CacheFill, CacheFillReason, CachePurgeView, CacheStatusView } from '../../../src-shared/cache/cache-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { DEFAULT_CACHE_RETENTION_DAYS } from '../../../src-shared/settings/settings-schema';
import { installCacheSnapshot, removeDatabaseFiles } from '../db/cache-bulk-load';
import { CacheRepository } from '../db/cache-repository';
import type { PatientSearchResult } from '../db/cache-search';
import { DatabaseError } from '../db/database-error';
import type { Logger } from '../log/logger';
import type { ScheduleReader } from '../schedule/schedule-reader';
import { ScheduleRepository } from '../schedule/schedule-repository';
import type { SecretStore } from '../secrets/secret-store';
import type { Service } from '../services/service-registry';
import { DAY_MS, purgeUnused, scrubRemoved, type MaintenanceContext } from './cache-retention';
import { DatabaseKeySource } from './database-key';
import { createWorkerIntegrityCheck, type IntegrityCheck, type IntegrityVerdict } from './integrity-check';

export interface PatientCacheOptions {
  dataDir: string;
  secrets: SecretStore;
  /** The run's database key, shared with journal.db (default: read from `secrets`). */
  keys?: DatabaseKeySource;
  logger: Logger;
  /** Page cache of cache.db; the default keeps a million cards' indexes resident. */
  cacheSizeMb?: number;
  /** The background check; default `quick_check` on a worker thread, `null` for none. */
  integrityCheck?: IntegrityCheck | null;
  /** First background check after start (default 5 s: after the start-up warm-up, never during it). */
  integrityCheckDelayMs?: number;
  /** Later checks (default every 6 hours while the desk runs). */
  integrityCheckIntervalMs?: number;
  now?: () => number;
  /**
   * Which MIS the desk is configured for (`demo`, `fhir-r4 https://…`). A file whose cards came
   * from another MIS is set aside at start (`mis-changed`) rather than mixed with the new one's.
   */
  misIdentity?: string;
  /**
   * Cards neither opened nor synced for this many days leave the cache (`privacy.cacheRetentionDays`,
   * read at each purge; default {@link DEFAULT_CACHE_RETENTION_DAYS}).
   */
  retentionDays?: () => number;
  /** First retention purge after start (default 3 s: after the start-up warm-up); `null` for none (tests call {@link PatientCacheService.purgeExpired}). */
  purgeDelayMs?: number | null;
  /** Later purges (default every hour while the desk runs). */
  purgeIntervalMs?: number;
  /** How long {@link PatientCacheService.scrubSoon} waits for removals to stop arriving before it scrubs (default 1 s). */
  scrubDelayMs?: number;
  /** Between two steps of a purge or scrub: lets lookups run. Default: `setImmediate`. */
  yieldBetweenSteps?: () => Promise<void>;
}

/** What the status bar, the Patients pane and the banners show about the cache. */
export type CacheStatus = CacheStatusView;

/** A part of the core that must follow the cache to a new file (the sync engine's own connection). */
export type CacheReplacedListener = () => Promise<void> | void;

/**
 * The background check reads the whole file on another thread; on a desk with two cores that
 * still competes with a ringing call's paint. So a ring stops a running check, and the next
 * one waits until no call has rung for this long.
 */
export const CHECK_QUIET_MS = 60_000;
/** Checks put off for calls in a row before one runs regardless (a desk that rings all day is still checked). */
export const MAX_CHECK_DEFERRALS = 10;

/** Set-aside files kept for IT; older ones are removed (the cache is a replica, and big). */
export const SET_ASIDE_KEPT = 2;
const SET_ASIDE_PATTERN = /^cache\.db\.(?:damaged|unreadable|key-lost|mis-changed)-([0-9TZ-]+)$/;

/** After a call rang, purge and scrub steps wait this long (a card is being looked at; its lookups come first). */
export const MAINTENANCE_QUIET_MS = 3_000;
/** A checkpoint refused because another connection was reading is tried again after this long. */
export const CHECKPOINT_RETRY_MS = 30_000;

/** Listens for cards leaving the cache (purged or deleted in the MIS); their MIS ids only. */
export type CardsRemovedListener = (misIds: readonly string[]) => void;

/**
 * Owns cache.db for the desk. The cache is a rebuildable replica of the MIS, so whatever goes
 * wrong with the file, the answer is the same and is said out loud: the file is set aside
 * (kept for IT, never silently deleted), a fresh one is started, a full sync refills it, and
 * the fill — why, since when, where the old file is — is recorded in the new file itself, so
 * banners and the status bar tell the truth across restarts.
 *
 * Damage is noticed three ways: at open (the file cannot be read), by any query on any
 * connection (`CacheRepository`'s `onDamage`), and by a background `quick_check` on a worker
 * thread (damage no query has touched yet; never on the screen pop's path). A cache written by
 * a newer version is left alone and reported instead.
 *
 * Retention: cards neither opened ({@link markOpened}) nor synced for `retentionDays` are purged
 * at start and every hour ({@link purgeExpired}), and every removal — purge or deletion from the
 * MIS ({@link cardsRemoved}) — is followed by a scrub that takes the removed text out of the
 * file and its WAL, in short steps that give way to lookups.
 */
export class PatientCacheService implements Service {
  readonly name = 'patient-cache';
  private repository: CacheRepository | null = null;
  /** The schedule reader on the repository's connection (prepared again when the connection changes). */
  private scheduleReader: ScheduleRepository | null = null;
  private key: Buffer | null = null;
  private problem: string | null = null;
  private fillState: CacheFill | null = null;
  /** Bumped each time a new file is put in place; connections of an older file report nothing. */
  private fileGeneration = 0;
  private replacing: Promise<void> | null = null;
  private readonly keys: DatabaseKeySource;
  private readonly integrityCheck: IntegrityCheck | null;
  private readonly changeListeners = new Set<() => void>();
  private readonly replacedListeners = new Set<CacheReplacedListener>();
  private checkTimer: ReturnType<typeof setTimeout> | null = null;
  private checkAbort: AbortController | null = null;
  private stopped = false;
  /** When a call last rang (a screen pop lookup); the background check waits for a quiet spell. */
  private lastRingAt = -Infinity;
  /** Checks put off or stopped for calls in a row; past {@link MAX_CHECK_DEFERRALS} one runs anyway. */
  private checkDeferrals = 0;
  private readonly removedListeners = new Set<CardsRemovedListener>();
  /** Purges and scrubs run one after another, never two at once. */
  private maintenanceChain: Promise<unknown> = Promise.resolve();
  private purgeTimer: ReturnType<typeof setTimeout> | null = null;
  private scrubTimer: ReturnType<typeof setTimeout> | null = null;
  /** Settles the callers of {@link scrubSoon} waiting for the scrub the timer will start. */
  private scrubWaiters: (() => void)[] = [];
  private lastPurgeView: CachePurgeView | null = null;

  constructor(private readonly options: PatientCacheOptions) {
    this.keys = options.keys ?? new DatabaseKeySource(options.secrets);
    this.integrityCheck = options.integrityCheck === undefined ? createWorkerIntegrityCheck() : options.integrityCheck;
  }

  get path(): string {
    return join(this.options.dataDir, 'cache.db');
  }

  /** Identifies the file in use; pass it back to {@link reportDamage} from another connection. */
  get generation(): number {
    return this.fileGeneration;
  }

  /** The database key (for the sync engine's own connection); null when there is none. */
  get databaseKey(): Buffer | null {
    return this.key;
  }

  start(): void {
    this.stopped = false;
    let key: Buffer;
    let createdNow: boolean;
    try {
      ({ key, createdNow } = this.keys.load());
    } catch (error) {
      this.problem = (error as Error).message;
      this.options.logger.error('cache.no-key', { error });
      return;
    }
    this.key = key;
    // A bulk load the desk was stopped (or killed) in the middle of: its partial file is of no use.
    if (existsSync(this.snapshotPath)) {
      removeDatabaseFiles(this.snapshotPath);
      this.options.logger.info('cache.partial-snapshot-removed', {});
    }
    try {
      this.repository = this.open(key);
      this.fillState = this.initialFill(this.repository);
    } catch (error) {
      if (error instanceof DatabaseError && (error.code === 'CORRUPT' || error.code === 'WRONG_KEY_OR_NOT_A_DATABASE')) {
        const reason: CacheFillReason = createdNow ? 'key-lost' : error.code === 'CORRUPT' ? 'damaged' : 'unreadable';
        try {
          this.startFreshFile(reason, error.code, 'open');
        } catch (freshError) {
          this.problem = freshError instanceof DatabaseError ? freshError.message : 'The patient cache could not be opened.';
          this.options.logger.error('cache.unavailable', { error: freshError });
        }
      } else {
        this.problem = error instanceof DatabaseError ? error.message : 'The patient cache could not be opened.';
        this.options.logger.error('cache.unavailable', { error });
      }
    }
    if (this.repository && this.options.misIdentity !== undefined) this.adoptMis(this.options.misIdentity, 'open');
    if (this.repository) this.scheduleCheck(this.options.integrityCheckDelayMs ?? 5_000);
    const purgeDelay = this.options.purgeDelayMs === undefined ? 3_000 : this.options.purgeDelayMs;
    if (this.repository && purgeDelay !== null) this.schedulePurge(purgeDelay);
  }

  /**
   * The desk now talks to the MIS `identity` (settings changed while it runs): when the open file
   * holds another MIS's cards, it is set aside and a fresh one filled — the sync engine follows
   * it like a replaced damaged file. Returns true when the file was replaced.
   */
  async useMis(identity: string): Promise<boolean> {
    if (!this.repository) return false;
    const replaced = this.adoptMis(identity, 'runtime');
    if (!replaced) return false;
    this.announce();
    for (const listener of this.replacedListeners) {
      try {
        await listener();
      } catch (error) {
        this.options.logger.error('cache.replaced-listener-failed', { error });
      }
    }
    return true;
  }

  /** Records `identity` in the open file, or sets the file aside when it holds another MIS's cards. A file from before the record is taken as this MIS's. */
  private adoptMis(identity: string, when: 'open' | 'runtime'): boolean {
    const repository = this.repository;
    if (!repository) return false;
    const recorded = repository.misIdentity();
    if (recorded === identity) return false;
    if (recorded === null) {
      repository.setMisIdentity(identity);
      return false;
    }
    this.options.logger.warn('cache.mis-changed', { from: recorded.split(' ')[0], to: identity.split(' ')[0] });
    repository.close();
    this.repository = null;
    this.startFreshFile('mis-changed', 'MIS_CHANGED', when);
    this.repository!.setMisIdentity(identity);
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.checkTimer = null;
    this.checkAbort?.abort();
    if (this.purgeTimer) clearTimeout(this.purgeTimer);
    this.purgeTimer = null;
    if (this.scrubTimer) clearTimeout(this.scrubTimer);
    this.scrubTimer = null;
    for (const settle of this.scrubWaiters.splice(0)) settle();
    // A purge or scrub in progress ends at its next step (its file is no longer current).
    await this.maintenanceChain;
    await this.replacing;
    this.repository?.close();
    this.repository = null;
  }

  /** A cache file is open (it may be one being refilled). */
  get isOpen(): boolean {
    return this.repository !== null;
  }

  /** Never throws: a damaged file is reported (and replaced) by the query that found it. */
  status(): CacheStatus {
    const repository = this.repository;
    return {
      available: repository !== null,
      cards: this.safely(() => repository?.count() ?? 0, 0),
      dataAsOf: this.lastSyncedAt(),
      problem: this.problem,
      fill: repository ? this.fillState : null,
      replacing: this.replacing !== null,
      lastPurge: this.lastPurgeView,
    };
  }

  /** How the file in use is being filled (in memory: no query), or null with no cache open. */
  get fill(): CacheFill | null {
    return this.repository ? this.fillState : null;
  }

  /**
   * True from the moment damage is found until the replacement file has had its first full
   * sync: the cache then lacks cards the MIS has, so searches ask the MIS instead.
   */
  get rebuilding(): boolean {
    if (this.replacing !== null) return true;
    const fill = this.fill;
    return fill !== null && fill.state === 'filling' && fill.reason !== 'new';
  }

  /**
   * The cache lacks cards the MIS has: a first fill or a rebuild is under way (paged, or a bulk
   * load writing the next file). Searches ask the MIS first then, and the screen pop says a miss
   * is not yet a new patient.
   */
  get incomplete(): boolean {
    return this.replacing !== null || this.fill?.state === 'filling';
  }

  /** Where a bulk load writes the next file (`cache.db.loading`), beside the live one. */
  get snapshotPath(): string {
    return `${this.path}.loading`;
  }

  /**
   * Puts a complete snapshot written by the bulk loader (`cache.db.loading`, carrying its cards,
   * cursor, fill record and MIS identity) in place of the file in use: the lookup connection is
   * closed, the snapshot renamed over cache.db in one step, and the new file opened. A crash at
   * any moment leaves the old file or the new one, never a mix. The caller (the MIS link, the
   * only other connection) has closed its own connection first and opens a new one after.
   *
   * @throws Error when the rename is refused (the old file is then reopened and stays in use).
   */
  async installSnapshot(snapshotPath: string = this.snapshotPath): Promise<void> {
    const key = this.key;
    if (!key || !this.repository) throw new Error('No cache is open to replace.');
    // No background check or purge may hold the old file while it is swapped.
    this.checkAbort?.abort();
    await this.maintenanceChain;
    this.repository.close();
    this.repository = null;
    try {
      installCacheSnapshot(snapshotPath, this.path);
    } finally {
      this.fileGeneration += 1;
      this.repository = this.open(key);
      this.fillState = this.initialFill(this.repository);
      this.announce();
    }
    this.options.logger.info('cache.snapshot-installed', { fill: this.fillState.state });
  }

  /**
   * "Data as of" without the card count (`status()` counts every card: a scan the screen pop
   * must not pay for). When a page from the MIS was last committed, read from cache.db itself (the
   * cursor's own timestamp, written in the page's transaction), so it survives a restart and
   * is exactly as old as the data the cashier is looking at.
   */
  dataAsOf(): string | null {
    return this.lastSyncedAt();
  }

  private lastSyncedAt(): string | null {
    const at = this.safely(() => this.repository?.lastSyncedAt() ?? null, null);
    return at === null ? null : new Date(at).toISOString();
  }

  /** A status read on a damaged file answers `fallback`; the damage itself is already reported. */
  private safely<T>(read: () => T, fallback: T): T {
    try {
      return read();
    } catch (error) {
      if (error instanceof DatabaseError) return fallback;
      throw error;
    }
  }

  /** The open repository, for lookups. */
  require(): CacheRepository {
    if (!this.repository) {
      if (this.replacing) throw new DeskError('CACHE_UNAVAILABLE', 'The patient cache was found damaged and is being replaced with a fresh one; it is refilled from the MIS.');
      throw new DeskError('CACHE_UNAVAILABLE', this.problem ?? 'The patient cache is not open.');
    }
    return this.repository;
  }

  /**
   * The cached schedule (branches, doctors, services, slots, the MIS's call tasks) on the
   * lookup connection; a replaced cache file gets a new reader.
   *
   * @throws DeskError `CACHE_UNAVAILABLE` when no cache is open.
   */
  get schedule(): ScheduleReader {
    const repository = this.require();
    if (this.scheduleReader?.connection !== repository.connection) this.scheduleReader = ScheduleRepository.on(repository);
    return this.scheduleReader;
  }

  search(query: string, limit: number, offset: number): PatientSearchResult {
    return this.require().search(query, { limit, offset });
  }

  getCard(misId: string): PatientCard | null {
    return this.require().getCard(misId);
  }

  /** Some number the cache holds, for warming the screen pop's path; `null` when there is none. */
  samplePhone(): string | null {
    try {
      return this.repository?.anyPhone() ?? null;
    } catch {
      return null;
    }
  }

  byPhone(phone: string): PatientCard[] {
    return this.require().byPhone(phone);
  }

  /**
   * The desk showed this card (`patients.get`, the screen pop): it stays cached for the retention
   * period from `at`. Cheap (one indexed update, at most once an hour per card) and never throws:
   * a failure only costs the card an earlier purge, and is logged without the id.
   */
  markOpened(misId: string, at: number = this.nowMs()): void {
    try {
      this.repository?.markOpened(misId, at);
    } catch (error) {
      this.options.logger.warn('cache.mark-opened-failed', { error });
    }
  }

  /**
   * The retention purge: removes every card neither opened nor synced in the last
   * `retentionDays` before `now` — in batches of {@link PURGE_BATCH} through the same path as a
   * deletion from the MIS, giving way to lookups between batches — with the quarantine rows and
   * set-aside files older than that, then scrubs their text out of the file ({@link scrubSoon}).
   * Runs at start and every hour; logs counts only. Returns how many cards were removed.
   */
  purgeExpired(now: number = this.nowMs()): Promise<number> {
    return this.serially(() => this.runPurge(now));
  }

  /** The last purge (when, how many cards), or null before the first; also in {@link status}. */
  get lastPurge(): CachePurgeView | null {
    return this.lastPurgeView;
  }

  /**
   * Cards left cache.db through another connection (the MIS link's sync applied a deletion or a
   * merge): the {@link onCardsRemoved} listeners hear their ids, and their text is scrubbed out of
   * the file right after ({@link scrubSoon}). Call it with the ids the sync removed.
   */
  cardsRemoved(misIds: readonly string[]): void {
    if (misIds.length === 0) return;
    this.tellRemoved(misIds);
    void this.scrubSoon();
  }

  /**
   * Scrubs removed cards' text out of the file once removals have stopped arriving for
   * `scrubDelayMs` (a sync paging through deletions gets one scrub, not one per page): rewrites
   * the FTS index so it drops their words, prunes `name_terms`, then checkpoints and truncates
   * the WAL. Resolves when done (or when the cache stops); never rejects — a failure is logged.
   */
  scrubSoon(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    const done = new Promise<void>((resolve) => this.scrubWaiters.push(resolve));
    if (this.scrubTimer) clearTimeout(this.scrubTimer);
    this.scrubTimer = setTimeout(() => {
      this.scrubTimer = null;
      const waiters = this.scrubWaiters.splice(0);
      void this.serially(() => this.runScrub())
        .catch((error: unknown) => this.options.logger.warn('cache.scrub-failed', { error }))
        .finally(() => {
          for (const settle of waiters) settle();
        });
    }, this.options.scrubDelayMs ?? 1_000);
    this.scrubTimer.unref?.();
    return done;
  }

  /** Tells `listener` the MIS ids of cards that left the cache (the purge's batches, {@link cardsRemoved}). */
  onCardsRemoved(listener: CardsRemovedListener): () => void {
    this.removedListeners.add(listener);
    return () => this.removedListeners.delete(listener);
  }

  /** Tells listeners (the core's `cache:changed`) that the status changed. */
  onChange(listener: () => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  /** Called after a new file was put in place, so other connections move to it. */
  onReplaced(listener: CacheReplacedListener): () => void {
    this.replacedListeners.add(listener);
    return () => this.replacedListeners.delete(listener);
  }

  /**
   * The first full pass of the MIS's changes has been applied to the file in use: the fill is
   * complete (a rebuild is over, searches come back to the cache).
   */
  markFilled(): void {
    const fill = this.fillState;
    if (!this.repository || !fill || fill.state === 'complete') return;
    const next: CacheFill = { ...fill, state: 'complete', completedAt: this.isoNow() };
    this.repository.setFill(next);
    this.fillState = next;
    if (fill.reason !== 'new') this.options.logger.info('cache.rebuilt', { reason: fill.reason, startedAt: fill.startedAt });
    this.announce();
  }

  /**
   * A connection found the file damaged (`CORRUPT`) or unreadable (`NOTADB`): set it aside and
   * start a fresh one, which the sync engine refills. Reports from an older file, or while a
   * replacement is already under way, change nothing.
   */
  reportDamage(error: DatabaseError, by: 'query' | 'sync' | 'check', generation = this.fileGeneration): void {
    if (this.stopped || this.replacing || !this.repository || generation !== this.fileGeneration) return;
    this.options.logger.warn('cache.damaged', { code: error.code, by });
    this.replacing = this.replace(error.code).finally(() => {
      this.replacing = null;
      this.announce();
    });
    this.announce();
  }

  /** Runs the background check now (tests; the timer does it in the app). */
  async checkNow(): Promise<IntegrityVerdict> {
    const key = this.key;
    if (!this.integrityCheck || !key || !this.repository) return { verdict: 'not-checked', ms: 0, reason: 'no cache open' };
    const generation = this.fileGeneration;
    this.checkAbort = new AbortController();
    const verdict = await this.integrityCheck({ path: this.path, key, signal: this.checkAbort.signal });
    this.checkAbort = null;
    if (verdict.verdict === 'not-checked') this.options.logger.info('cache.integrity-check', { verdict: verdict.verdict, ms: verdict.ms, reason: verdict.reason });
    else this.options.logger.info('cache.integrity-check', { verdict: verdict.verdict, ms: verdict.ms });
    if (verdict.verdict === 'damaged') {
      this.reportDamage(new DatabaseError('CORRUPT', 'cache', `The patient cache (cache.db) failed its integrity check (${verdict.detail}).`, 'rebuild-cache'), 'check', generation);
    }
    return verdict;
  }

  /**
   * A call rings (the screen pop asked the cache): a running background check stops — it is
   * run again once the desk has been quiet for {@link CHECK_QUIET_MS} — unless it has already
   * been put off {@link MAX_CHECK_DEFERRALS} times in a row.
   */
  callRinging(): void {
    this.lastRingAt = this.nowMs();
    if (this.checkAbort && this.checkDeferrals < MAX_CHECK_DEFERRALS) this.checkAbort.abort();
  }

  private scheduleCheck(delayMs: number): void {
    if (!this.integrityCheck || this.stopped) return;
    if (this.checkTimer) clearTimeout(this.checkTimer);
    this.checkTimer = setTimeout(() => {
      this.checkTimer = null;
      void this.runScheduledCheck();
    }, delayMs);
    this.checkTimer.unref?.();
  }

  private async runScheduledCheck(): Promise<void> {
    const quietFor = this.nowMs() - this.lastRingAt;
    if (quietFor < CHECK_QUIET_MS && this.checkDeferrals < MAX_CHECK_DEFERRALS) {
      this.checkDeferrals += 1;
      this.scheduleCheck(CHECK_QUIET_MS - quietFor);
      return;
    }
    const verdict = await this.checkNow();
    if (this.stopped) return;
    if (verdict.verdict === 'not-checked' && verdict.reason === 'stopped') {
      // A call rang while it ran: try again after a quiet spell.
      this.checkDeferrals += 1;
      this.scheduleCheck(CHECK_QUIET_MS);
      return;
    }
    this.checkDeferrals = 0;
    this.scheduleCheck(this.options.integrityCheckIntervalMs ?? 6 * 60 * 60_000);
  }

  private async replace(code: DatabaseError['code']): Promise<void> {
    const old = this.repository;
    this.repository = null;
    try {
      old?.close();
    } catch {
      // A damaged file may fail to close cleanly; it is set aside either way.
    }
    try {
      this.startFreshFile('damaged', code, 'runtime');
    } catch (error) {
      this.problem = error instanceof DatabaseError ? error.message : 'The patient cache could not be replaced.';
      this.options.logger.error('cache.unavailable', { error });
      return;
    }
    this.announce();
    for (const listener of this.replacedListeners) {
      try {
        await listener();
      } catch (error) {
        this.options.logger.error('cache.replaced-listener-failed', { error });
      }
    }
    if (this.repository) this.scheduleCheck(this.options.integrityCheckIntervalMs ?? 6 * 60 * 60_000);
  }

  /** Sets the current file aside, opens a fresh one and records why and where the old one went. */
  private startFreshFile(reason: CacheFillReason, code: string, when: 'open' | 'runtime'): void {
    const key = this.key;
    if (!key) throw new Error('no database key');
    const setAside = this.setAside(reason);
    this.fileGeneration += 1;
    const repository = this.open(key);
    const fill: CacheFill = { state: 'filling', reason, startedAt: this.isoNow(), completedAt: null, setAside };
    repository.setFill(fill);
    this.repository = repository;
    this.fillState = fill;
    this.options.logger.warn('cache.set-aside', { reason, code, when, keptAt: setAside });
  }

  /** A file opened for the first time gets its fill recorded; files from before migration 2 count as filled once synced. */
  private initialFill(repository: CacheRepository): CacheFill {
    const recorded = repository.fill();
    if (recorded) return recorded;
    const synced = repository.lastSyncedAt();
    const fill: CacheFill =
      synced === null
        ? { state: 'filling', reason: 'new', startedAt: this.isoNow(), completedAt: null, setAside: null }
        : { state: 'complete', reason: 'new', startedAt: new Date(synced).toISOString(), completedAt: new Date(synced).toISOString(), setAside: null };
    repository.setFill(fill);
    return fill;
  }

  private open(key: Buffer): CacheRepository {
    const generation = this.fileGeneration;
    const repository = CacheRepository.open({
      path: this.path,
      key,
      cacheSizeMb: this.options.cacheSizeMb,
      ...(this.options.now ? { now: this.options.now } : {}),
      onDamage: (error) => queueMicrotask(() => this.reportDamage(error, 'query', generation)),
    });
    try {
      // The encrypted file's pop pages; the core's start-up warm-up runs the rest of the path.
      repository.warmScreenPop();
    } catch (error) {
      // A warm-up only; a real lookup reports a broken file.
      this.options.logger.warn('cache.warm-up-failed', { error });
    }
    return repository;
  }

  /**
   * Never deletes the file in question: it and its WAL are renamed so IT can inspect them. Only
   * set-aside files older than the newest {@link SET_ASIDE_KEPT} are removed.
   */
  private setAside(reason: CacheFillReason): string | null {
    if (!existsSync(this.path)) return null;
    const aside = `${this.path}.${reason}-${new Date(this.nowMs()).toISOString().replace(/[:.]/g, '-')}`;
    for (const suffix of ['', '-wal', '-shm']) {
      if (existsSync(this.path + suffix)) renameSync(this.path + suffix, aside + suffix);
    }
    this.pruneSetAside();
    return aside;
  }

  private pruneSetAside(): void {
    const files = readdirSync(this.options.dataDir)
      .filter((name) => SET_ASIDE_PATTERN.test(name))
      .sort((a, b) => stamp(b).localeCompare(stamp(a)));
    for (const name of files.slice(SET_ASIDE_KEPT)) {
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(this.options.dataDir, name + suffix), { force: true });
      this.options.logger.info('cache.set-aside-removed', { file: name });
    }
  }

  private announce(): void {
    for (const listener of this.changeListeners) listener();
  }

  private retentionDays(): number {
    const days = this.options.retentionDays?.();
    return typeof days === 'number' && Number.isInteger(days) && days >= 1 ? days : DEFAULT_CACHE_RETENTION_DAYS;
  }

  private async runPurge(now: number): Promise<number> {
    const started = Date.now();
    const days = this.retentionDays();
    const cutoff = now - days * DAY_MS;
    const context = this.maintenanceContext();
    const counts = await purgeUnused(context, cutoff, (misIds) => this.tellRemoved(misIds));
    const setAside = this.removeSetAsideOlderThan(cutoff);
    if (counts.cards > 0) this.announce();
    const scrub = await scrubRemoved(context);
    if (context.repository() && !scrub.checkpointed) this.retryCheckpoint();
    this.lastPurgeView = { at: new Date(now).toISOString(), removed: counts.cards };
    this.options.logger.info('cache.purge', {
      removed: counts.cards,
      quarantineRemoved: counts.quarantined,
      setAsideRemoved: setAside,
      retentionDays: days,
      scrubbed: scrub.scrubbed,
      checkpointed: scrub.checkpointed,
      ms: Date.now() - started,
    });
    return counts.cards;
  }

  private async runScrub(): Promise<void> {
    const context = this.maintenanceContext();
    const scrub = await scrubRemoved(context);
    if (context.repository() && !scrub.checkpointed) this.retryCheckpoint();
    if (scrub.scrubbed) this.options.logger.info('cache.scrubbed', { checkpointed: scrub.checkpointed });
  }

  /** The repository of the file in use now, while it stays in use; steps give way to lookups and to a ringing call. */
  private maintenanceContext(): MaintenanceContext {
    const generation = this.fileGeneration;
    const step = this.options.yieldBetweenSteps ?? (() => new Promise<void>((resolve) => setImmediate(resolve)));
    return {
      repository: () => (this.stopped || generation !== this.fileGeneration ? null : this.repository),
      giveWay: async () => {
        await step();
        const quietFor = this.nowMs() - this.lastRingAt;
        if (quietFor < MAINTENANCE_QUIET_MS && !this.stopped) {
          await new Promise<void>((resolve) => setTimeout(resolve, MAINTENANCE_QUIET_MS - quietFor).unref?.());
        }
      },
    };
  }

  /** Runs `task` after every purge or scrub queued before it. */
  private serially<T>(task: () => Promise<T>): Promise<T> {
    const run = this.maintenanceChain.then(task, task);
    this.maintenanceChain = run.catch(() => undefined);
    return run;
  }

  private schedulePurge(delayMs: number): void {
    if (this.stopped) return;
    if (this.purgeTimer) clearTimeout(this.purgeTimer);
    this.purgeTimer = setTimeout(() => {
      this.purgeTimer = null;
      void this.purgeExpired()
        .catch((error: unknown) => this.options.logger.warn('cache.purge-failed', { error }))
        .finally(() => this.schedulePurge(this.options.purgeIntervalMs ?? 60 * 60_000));
    }, delayMs);
    this.purgeTimer.unref?.();
  }

  private retryCheckpoint(): void {
    if (this.stopped) return;
    const timer = setTimeout(() => void this.scrubSoon(), CHECKPOINT_RETRY_MS);
    timer.unref?.();
  }

  private tellRemoved(misIds: readonly string[]): void {
    for (const listener of this.removedListeners) {
      try {
        listener(misIds);
      } catch (error) {
        this.options.logger.error('cache.removed-listener-failed', { error });
      }
    }
  }

  /** Set-aside files older than the retention period hold cards nobody synced since: removed (their names are logged, never their content). */
  private removeSetAsideOlderThan(cutoff: number): number {
    let removed = 0;
    for (const name of readdirSync(this.options.dataDir)) {
      if (!SET_ASIDE_PATTERN.test(name)) continue;
      const at = Date.parse(stamp(name).replace(/^(\d{4}-\d{2}-\d{2}T\d{2})-(\d{2})-(\d{2})-(\d{3})Z$/, '$1:$2:$3.$4Z'));
      if (!Number.isFinite(at) || at >= cutoff) continue;
      for (const suffix of ['', '-wal', '-shm']) rmSync(join(this.options.dataDir, name + suffix), { force: true });
      this.options.logger.info('cache.set-aside-removed', { file: name, reason: 'retention' });
      removed += 1;
    }
    return removed;
  }

  private nowMs(): number {
    return (this.options.now ?? Date.now)();
  }

  private isoNow(): string {
    return new Date(this.nowMs()).toISOString();
  }
}

/** The time part of a set-aside file's name (sorts chronologically whatever the reason). */
function stamp(name: string): string {
  return SET_ASIDE_PATTERN.exec(name)?.[1] ?? '';
}
