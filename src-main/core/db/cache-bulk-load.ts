import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { isScheduleCursorStream } from '../schedule/schedule-streams';
import { INSERT_QUARANTINE_SQL, quarantineRowValues, type QuarantineEntry } from './cache-quarantine';
import { BatchInsert, FILL_FTS_FROM_PATIENTS, patientRowValues, phoneRowValues, type PatientRowValues, type PhoneRowValues } from './cache-rows';
import { classifyDatabaseError, DatabaseError } from './database-error';
import { CACHE_MIGRATIONS } from './migrations/cache';
import { migrate } from './migrations/migrate';
import { openEncryptedDatabase, type DatabaseCipher, type Db, type PageSize } from './open-database';

/**
 * First sync (and full rebuild) of the cache: write a complete new file beside the live one,
 * then swap it in with one rename.
 *
 * Why a separate file: the fast path runs with `journal_mode=MEMORY` and `synchronous=OFF`
 * (rollback journal in RAM, no fsync per commit), which is only safe when a crash can cost
 * nothing. A crash mid-load leaves a half-written `cache.db.loading` that the next load
 * deletes; the live `cache.db` is untouched until the final atomic rename. Secondary indexes
 * and the FTS index are built once at the end (sorted builds instead of a million random
 * B-tree inserts each).
 */

export interface CacheSnapshotWriterOptions {
  /** Where to write; an existing file there (and its `-wal`/`-shm`/`-journal`) is deleted first. */
  path: string;
  key: Buffer;
  /** Page cache of the index phase (MB, default 64); the index builds' sorts and the FTS buffer take memory beside it. */
  cacheSizeMb?: number;
  cipher?: DatabaseCipher;
  /** Current time, injectable for tests: `synced_at` of every card, the cursor's and quarantine rows' time. */
  now?: () => number;
  /** Called every {@link BULK_BATCH_SIZE} cards with the count so far (progress bar, ETA), and once more at the end with the final count. */
  onProgress?: (loaded: number) => void;
}

export interface CacheSnapshotOptions extends CacheSnapshotWriterOptions {
  cards: Iterable<PatientCard>;
  /**
   * Stored with the data, so the snapshot and its sync position are one atomic unit. Only a
   * card stream's: the snapshot's schedule tables are empty, so their streams start from scratch.
   */
  cursor?: { stream: string; cursor: string };
}

/** What {@link CacheSnapshotWriter.finish} stores besides the cards, in the same file. */
export interface CacheSnapshotFinishOptions {
  /** The card stream's position the cards correspond to (`sync_cursors`); never a schedule stream's. */
  cursor?: { stream: string; cursor: string };
  /** `cache_meta` rows, key → value already serialised (the fill record, the MIS identity); checked like any write to that table. */
  meta?: Readonly<Record<string, string>>;
}

export interface CacheSnapshotReport {
  /** Distinct cards in the new file. */
  cards: number;
  /** Cards dropped because a later copy of the same MIS id with a higher (or equal) version won. */
  duplicatesDropped: number;
  /** Cards skipped because they break the cache's shape rules (the caller quarantines them). */
  rejectedCount: number;
  /** The first {@link MAX_REPORTED_REJECTS} rejected cards and why. */
  rejected: { misId: string; reason: string }[];
  /** Milliseconds spent inserting rows (from open to finish, the caller's waits between pages included), then building indexes, FTS and the term list. */
  insertMs: number;
  indexMs: number;
  /** Milliseconds per step of the index phase, and `fsync` (the final flush to disk, after `indexMs`), for the bench table. */
  steps: Record<string, number>;
}

/** Cards per transaction while loading: large enough to amortise commits, small enough to report progress. */
export const BULK_BATCH_SIZE = 20_000;

/** How many rejected cards a report lists by name (the count is always exact). */
export const MAX_REPORTED_REJECTS = 100;

/** Page cache while appending rows (KiB). */
const INSERT_CACHE_KIB = 16 * 1024;

/**
 * Page cache of the index phase (MB). 160 MB held the whole `patients` table of a million cards
 * (~112 MB) for the builds after the first; 64 MB costs ~0.7 s of index phase (ingest 63–65k
 * instead of 66k cards/s) and lowers a desk's peak during its million-card first sync from
 * 641 to 509 MiB, and its RSS after it from 392 to 375 MiB (the worker's memory is not all
 * returned to the system): on an office PC the desk's footprint matters more.
 */
const INDEX_CACHE_MB = 64;

/** Rows per multi-row INSERT statement (see {@link BatchInsert}). */
const BULK_STATEMENT_ROWS = 256;

/**
 * Page size of cache.db, needed at every open (the header is encrypted). 16 KiB pages append
 * faster than 4 KiB (fewer page MACs and B-tree splits) while a cache miss on a screen pop
 * still decrypts only 16 KiB.
 */
export const CACHE_PAGE_SIZE: PageSize = 16_384;

/**
 * Writes a complete, encrypted, migrated cache file at `options.path` from `cards` (a
 * {@link CacheSnapshotWriter} fed from an iterable). On any failure the partial file is
 * removed and the error rethrown (classified).
 */
export function writeCacheSnapshot(options: CacheSnapshotOptions): CacheSnapshotReport {
  checkSnapshotCursor(options.cursor);
  const writer = CacheSnapshotWriter.open(options);
  try {
    for (const card of options.cards) writer.add(card);
  } catch (error) {
    writer.abort();
    throw classifyDatabaseError(error, 'cache') ?? error;
  }
  return writer.finish(options.cursor ? { cursor: options.cursor } : {});
}

/**
 * A fresh cache file written card by card, for cards that arrive asynchronously (a first sync's
 * pages from the MIS, fed by a worker thread): {@link open}, {@link add} each card (and
 * {@link quarantine} what the caller's validation refused), then {@link finish} — or
 * {@link abort}. Synchronous and single-connection: one writer per file, used from one thread.
 *
 * The file is not a usable cache until `finish` returns (its secondary indexes, FTS and term
 * list are built there); install it with {@link installCacheSnapshot}. Any failure of `add`,
 * `quarantine` or `finish` removes the partial file before the (classified) error is thrown;
 * the writer is then closed and every later call but `abort` throws.
 */
export class CacheSnapshotWriter {
  private readonly patients: BatchInsert;
  private readonly cards: BatchInsert;
  private readonly phones: BatchInsert;
  private readonly insertQuarantine: (entry: QuarantineEntry) => void;
  private readonly syncedAt: number;
  private readonly insertStarted = performance.now();
  private readonly rejected: CacheSnapshotReport['rejected'] = [];
  private rejectedCount = 0;
  private id = 0;
  private state: 'open' | 'finished' | 'aborted' = 'open';

  private constructor(
    private db: Db | undefined,
    private readonly options: CacheSnapshotWriterOptions,
    private readonly deferred: readonly DeferredIndex[],
  ) {
    const live = this.connection();
    // Every card of a snapshot was delivered by the MIS now (retention counts from here).
    this.syncedAt = Math.trunc(this.now());
    this.patients = new BatchInsert(live, 'patients', ['id', 'mis_id', 'version', 'name_key', 'birth_date', 'oms_policy', 'snils'], BULK_STATEMENT_ROWS, { synced_at: this.syncedAt });
    this.cards = new BatchInsert(live, 'patient_cards', ['patient_id', 'card'], BULK_STATEMENT_ROWS);
    this.phones = new BatchInsert(live, 'patient_phones', ['patient_id', 'e164', 'reversed_digits', 'kind'], BULK_STATEMENT_ROWS);
    const insertQuarantine = live.prepare<ReturnType<typeof quarantineRowValues>>(INSERT_QUARANTINE_SQL);
    this.insertQuarantine = (entry) => insertQuarantine.run(...quarantineRowValues(entry, this.now()));
  }

  /**
   * Deletes any file at `options.path` (and its `-wal`/`-shm`/`-journal`), creates and migrates
   * a new one, drops the indexes built at {@link finish} and begins the first transaction.
   *
   * @throws DatabaseError when the file cannot be created (nothing is left behind).
   */
  static open(options: CacheSnapshotWriterOptions): CacheSnapshotWriter {
    removeDatabaseFiles(options.path);
    let db: Db | undefined;
    try {
      db = openEncryptedDatabase({
        path: options.path,
        key: options.key,
        dbName: 'cache',
        durability: 'normal',
        cacheSizeMb: INSERT_CACHE_KIB / 1024,
        pageSize: CACHE_PAGE_SIZE,
        // Nothing here needs to survive a crash (see the file comment): journal in RAM, no fsync.
        journalMode: 'memory',
        // The file goes live as it is: an older copy of a card dropped below leaves no trace.
        secureDelete: true,
        ...(options.cipher ? { cipher: options.cipher } : {}),
      });
      migrate(db, CACHE_MIGRATIONS, 'cache');
      db.pragma('synchronous = OFF');
      db.pragma('locking_mode = EXCLUSIVE');
      // Every phone and card row is written for the patient row just inserted; checking the
      // reference per row would only cost time.
      db.pragma('foreign_keys = OFF');
      // The same shape rules are checked in JS per card (checkCardShape), ~10× cheaper than
      // SQLite evaluating them per row, and a bad card is skipped and reported instead of
      // aborting a million-card load (measured: −8% insert time). Back on in `finish`.
      db.pragma('ignore_check_constraints = ON');
      const deferred = db
        .prepare<[], DeferredIndex>(
          "SELECT name, tbl_name AS \"table\", sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('patients', 'patient_phones')",
        )
        .all();
      for (const index of deferred) db.exec(`DROP INDEX ${quoteIdentifier(index.name)}`);
      // Appending needs few pages in memory, and a small cache spills dirty pages steadily
      // instead of flushing hundreds of MB at each commit (measured: ~10% faster inserts).
      db.pragma(`cache_size = ${-INSERT_CACHE_KIB}`);
      const writer = new CacheSnapshotWriter(db, options, deferred);
      db.exec('BEGIN');
      return writer;
    } catch (error) {
      closeQuietly(db);
      removeDatabaseFiles(options.path);
      throw classifyDatabaseError(error, 'cache') ?? error;
    }
  }

  /** Cards appended so far (accepted; a later duplicate of the same MIS id is counted until {@link finish} drops it). */
  get loaded(): number {
    return this.id;
  }

  /**
   * Appends one card. A card that breaks the cache's shape rules ({@link checkCardShape}) is
   * counted and listed in the report and skipped: returns false.
   */
  add(card: PatientCard): boolean {
    const db = this.connection();
    const problem = checkCardShape(card);
    if (problem !== null) {
      this.reject(card, problem);
      return false;
    }
    let values: PatientRowValues;
    let phones: PhoneRowValues[];
    try {
      values = patientRowValues(card);
      phones = phoneRowValues(card);
    } catch {
      // A card the shape check let through but that cannot be turned into rows (a field of the
      // wrong type) is skipped the same way: one bad record never costs the whole load.
      this.reject(card, 'the card cannot be stored');
      return false;
    }
    const id = this.id + 1;
    const [misId, version, nameKey, birthDate, omsPolicy, snils, stored] = values;
    try {
      this.patients.add(id, misId, version, nameKey, birthDate, omsPolicy, snils);
      this.cards.add(id, stored);
      for (const [e164, reversed, kind] of phones) this.phones.add(id, e164, reversed, kind);
      this.id = id;
      if (id % BULK_BATCH_SIZE === 0) {
        this.flush();
        db.exec('COMMIT');
        db.exec('BEGIN');
      }
    } catch (error) {
      this.fail(error);
    }
    if (this.id % BULK_BATCH_SIZE === 0) this.options.onProgress?.(this.id);
    return true;
  }

  /**
   * Keeps a record the caller's validation refused in the new file's `quarantine` table, exactly
   * as `CacheRepository.quarantine` writes it (excerpt, reason, time, record id).
   */
  quarantine(entry: QuarantineEntry): void {
    this.connection();
    this.run(() => this.insertQuarantine(entry));
  }

  /**
   * Commits the cards, builds the secondary indexes (dropping older duplicates of a MIS id),
   * the FTS index and the term list, writes the cursor and the meta rows, closes and fsyncs.
   * The file is then a complete cache, ready for {@link installCacheSnapshot}.
   */
  finish(options: CacheSnapshotFinishOptions = {}): CacheSnapshotReport {
    const db = this.connection();
    return this.run(() => {
      checkSnapshotCursor(options.cursor);
      this.flush();
      db.exec('COMMIT');
      const insertMs = performance.now() - this.insertStarted;
      const indexStarted = performance.now();
      const steps: Record<string, number> = {};
      const duplicatesDropped = buildDeferredIndexes(db, this.deferred, this.options.cacheSizeMb ?? INDEX_CACHE_MB, steps);
      // What follows is ordinary writes: SQLite checks them again.
      db.pragma('ignore_check_constraints = OFF');
      db.transaction(() => {
        if (options.cursor) {
          db.prepare('INSERT INTO sync_cursors (stream, cursor, updated_at) VALUES (?, ?, ?)').run(options.cursor.stream, options.cursor.cursor, this.now());
        }
        const setMeta = db.prepare<[string, string]>('INSERT INTO cache_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
        for (const [key, value] of Object.entries(options.meta ?? {})) setMeta.run(key, value);
      })();
      const indexMs = performance.now() - indexStarted;
      db.pragma('locking_mode = NORMAL');
      db.close();
      this.db = undefined;
      const syncStarted = performance.now();
      fsyncFile(this.options.path);
      steps.fsync = Math.round(performance.now() - syncStarted);
      this.state = 'finished';
      const cards = this.id - duplicatesDropped;
      this.options.onProgress?.(cards);
      return { cards, duplicatesDropped, rejectedCount: this.rejectedCount, rejected: this.rejected, insertMs, indexMs, steps };
    });
  }

  /** Closes the connection and removes the partial file. Idempotent; safe after a failed {@link add} or {@link finish}; does nothing after a successful `finish`. */
  abort(): void {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    closeQuietly(this.db);
    this.db = undefined;
    removeDatabaseFiles(this.options.path);
  }

  private reject(card: unknown, reason: string): void {
    this.rejectedCount += 1;
    if (this.rejected.length < MAX_REPORTED_REJECTS) {
      const misId = typeof card === 'object' && card !== null ? (card as { misId?: unknown }).misId : undefined;
      this.rejected.push({ misId: String(misId).slice(0, 64), reason });
    }
  }

  /** Runs one step; a failure aborts the writer (the partial file goes) and is rethrown classified. */
  private run<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): never {
    this.abort();
    throw classifyDatabaseError(error, 'cache') ?? error;
  }

  private connection(): Db {
    if (this.state !== 'open' || this.db === undefined) throw new Error(`This cache snapshot writer is ${this.state === 'open' ? 'closed' : this.state}.`);
    return this.db;
  }

  private flush(): void {
    this.patients.flush();
    this.cards.flush();
    this.phones.flush();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

interface DeferredIndex {
  name: string;
  table: string;
  sql: string;
}

/**
 * The index phase: the secondary indexes of `patients` (dropped at open), then the FTS index and
 * the term list (they read `patients` too), then those of `patient_phones`. Times each step into
 * `steps`; returns how many duplicate cards the unique MIS-id index made it drop.
 *
 * Each `CREATE INDEX` reads its whole table. Grouped by table, every build after the first finds
 * the table in the page cache (sized for that by the caller) instead of reading and decrypting
 * it again. The MIS-id index comes first, so the duplicates it drops are gone before anything
 * else indexes them. (`PRAGMA threads` cannot help: with `temp_store = MEMORY` SQLite sorts in
 * one thread, in memory.)
 */
function buildDeferredIndexes(db: Db, deferred: readonly DeferredIndex[], cacheSizeMb: number, steps: Record<string, number>): number {
  db.pragma(`cache_size = ${-Math.round(cacheSizeMb * 1024)}`);
  const step = (name: string, fn: () => void) => {
    const started = performance.now();
    fn();
    steps[name] = Math.round(performance.now() - started);
  };
  let duplicatesDropped = 0;
  const build = (index: DeferredIndex) =>
    step(index.name, () => {
      duplicatesDropped += createIndexDroppingDuplicates(db, index);
    });
  const onPatients = deferred.filter((index) => index.table === 'patients');
  const misId = onPatients.filter((index) => index.name === 'patients_mis_id');
  for (const index of [...misId, ...onPatients.filter((index) => index.name !== 'patients_mis_id')]) build(index);
  step('patients_fts', () => {
    // A 64 MB pending-terms buffer (default 1 MB) flushes the whole index as one segment
    // instead of dozens that then have to be merged (measured −10% on the FTS step); reset
    // afterwards so incremental writes flush small transactions as usual.
    db.exec(`INSERT INTO patients_fts (patients_fts, rank) VALUES ('hashsize', ${64 * 1024 * 1024})`);
    db.exec(FILL_FTS_FROM_PATIENTS);
    // Merges whatever segments remain into one b-tree: fewer seeks per query (a no-op when
    // the buffer held everything).
    db.exec("INSERT INTO patients_fts (patients_fts) VALUES ('optimize')");
    db.exec(`INSERT INTO patients_fts (patients_fts, rank) VALUES ('hashsize', ${1024 * 1024})`);
  });
  // The term list straight from the FTS vocabulary: exactly the tokens the index holds,
  // read in C in one pass instead of tokenising every name again in JS.
  step('name_terms', () =>
    db.exec(`
      CREATE VIRTUAL TABLE temp.fts_terms USING fts5vocab(main, patients_fts, 'row');
      INSERT OR IGNORE INTO name_terms (term) SELECT term FROM temp.fts_terms;
      DROP TABLE temp.fts_terms;
    `),
  );
  for (const index of deferred.filter((index) => index.table !== 'patients')) build(index);
  // No ANALYZE: every cache query is an equality or range on one index, which the planner
  // picks without statistics (the EXPLAIN QUERY PLAN tests hold on an un-analyzed file), and
  // at a million rows ANALYZE costs ~0.5 s of first sync for nothing.
  return duplicatesDropped;
}

function checkSnapshotCursor(cursor: { stream: string } | undefined): void {
  if (cursor && isScheduleCursorStream(cursor.stream)) {
    throw new TypeError(`A cache snapshot holds cards only; it cannot carry the cursor of ${cursor.stream}.`);
  }
}

function closeQuietly(db: Db | undefined): void {
  try {
    if (db?.open) db.close();
  } catch {
    // Already failing; the file is removed by the caller either way.
  }
}

const PHONE_KINDS = new Set(['mobile', 'home', 'work', 'relative']);

/**
 * The CHECK constraints of cache migration 0001, in JS (the bulk path disables SQLite's
 * evaluation of them). Returns why the card cannot be stored, or `null`.
 */
export function checkCardShape(card: PatientCard): string | null {
  if (typeof card !== 'object' || card === null) return 'not a card';
  if (typeof card.misId !== 'string' || card.misId.length === 0) return 'misId is missing';
  if (!Number.isInteger(card.version) || card.version < 0) return 'version is not a non-negative integer';
  if (typeof card.birthDate !== 'string' || card.birthDate.length !== 10 || card.birthDate[4] !== '-') return 'birthDate is not YYYY-MM-DD';
  if (card.omsPolicy !== null && (typeof card.omsPolicy !== 'string' || card.omsPolicy.length !== 16)) return 'omsPolicy is not 16 digits';
  if (card.snils !== null && (typeof card.snils !== 'string' || card.snils.length !== 11)) return 'snils is not 11 digits';
  if (typeof card.surname !== 'string' || typeof card.givenName !== 'string') return 'name is missing';
  if (!Array.isArray(card.phones)) return 'phones is not a list';
  for (const phone of card.phones) {
    if (typeof phone.e164 !== 'string' || phone.e164[0] !== '+' || phone.e164.length < 12 || phone.e164.length > 16) return 'a phone is not E.164';
    if (!PHONE_KINDS.has(phone.kind)) return 'a phone has an unknown kind';
  }
  return null;
}

/**
 * Recreates one deferred index. The unique MIS-id index fails if a MIS page sent the same
 * card twice (it changed while we paged); then the lower version (or the earlier copy) is
 * dropped with its phones and the index built again. Returns how many rows were dropped.
 */
function createIndexDroppingDuplicates(db: Db, index: DeferredIndex): number {
  try {
    db.exec(index.sql);
    return 0;
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (index.name !== 'patients_mis_id' || code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
    const dropped = dropDuplicateMisIds(db);
    db.exec(index.sql);
    return dropped;
  }
}

function dropDuplicateMisIds(db: Db): number {
  db.exec(`
    CREATE TEMP TABLE losers AS
      SELECT id FROM (
        SELECT id, row_number() OVER (PARTITION BY mis_id ORDER BY version DESC, id DESC) AS rn FROM patients
      ) WHERE rn > 1;
    DELETE FROM patient_phones WHERE patient_id IN (SELECT id FROM temp.losers);
    DELETE FROM patient_cards WHERE patient_id IN (SELECT id FROM temp.losers);
    DELETE FROM patients WHERE id IN (SELECT id FROM temp.losers);
  `);
  const dropped = Number(db.prepare('SELECT count(*) FROM temp.losers').pluck().get());
  db.exec('DROP TABLE temp.losers');
  return dropped;
}

/**
 * Moves a finished snapshot over the live cache file. The live file must be closed by every
 * connection first: its `-wal`/`-shm` would otherwise be replayed onto the new file.
 *
 * @throws Error when the live file still has a WAL (some connection is open).
 */
export function installCacheSnapshot(snapshotPath: string, livePath: string): void {
  if (!existsSync(snapshotPath)) throw new Error(`No cache snapshot at ${snapshotPath} to install.`);
  // A clean close of the last connection checkpoints and deletes the WAL; if it is still
  // there, another connection is open and swapping the file under it would corrupt its view.
  if (existsSync(`${livePath}-wal`)) {
    throw new DatabaseError(
      'BUSY',
      'cache',
      'The patient cache is still open elsewhere (its write-ahead log is present), so the rebuilt cache was not installed. Close other windows of the app and retry.',
      'retry-later',
    );
  }
  rmSync(`${livePath}-shm`, { force: true });
  renameSync(snapshotPath, livePath);
  fsyncDirectory(dirname(livePath));
}

/** Deletes a database file and its journal/WAL companions, if present. */
export function removeDatabaseFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function fsyncDirectory(path: string): void {
  // Makes the rename durable on POSIX; Windows cannot open directories and does not need it.
  if (process.platform === 'win32') return;
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function quoteIdentifier(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
