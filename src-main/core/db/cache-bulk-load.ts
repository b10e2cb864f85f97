import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { isScheduleCursorStream } from '../schedule/schedule-streams';
import { BatchInsert, FILL_FTS_FROM_PATIENTS, patientRowValues, phoneRowValues } from './cache-rows';
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

export interface CacheSnapshotOptions {
  /** Where to write; an existing file there is deleted first. */
  path: string;
  key: Buffer;
  cards: Iterable<PatientCard>;
  /**
   * Stored with the data, so the snapshot and its sync position are one atomic unit. Only a
   * card stream's: the snapshot's schedule tables are empty, so their streams start from scratch.
   */
  cursor?: { stream: string; cursor: string };
  /** Called every {@link BULK_BATCH_SIZE} cards with the count so far (progress bar, ETA). */
  onProgress?: (loaded: number) => void;
  /** Page cache while loading; the index builds sort in memory within it. */
  cacheSizeMb?: number;
  cipher?: DatabaseCipher;
  /** Current time, injectable for tests. */
  now?: () => number;
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
  /** Milliseconds spent inserting rows, then building indexes, FTS and the term list. */
  insertMs: number;
  indexMs: number;
  /** Milliseconds per step of the index phase, for the bench table. */
  steps: Record<string, number>;
}

/** Cards per transaction while loading: large enough to amortise commits, small enough to report progress. */
export const BULK_BATCH_SIZE = 20_000;

/** How many rejected cards a report lists by name (the count is always exact). */
export const MAX_REPORTED_REJECTS = 100;

/** Page cache while appending rows (KiB). */
const INSERT_CACHE_KIB = 16 * 1024;

/**
 * Page size of cache.db, needed at every open (the header is encrypted). 16 KiB pages append
 * faster than 4 KiB (fewer page MACs and B-tree splits) while a cache miss on a screen pop
 * still decrypts only 16 KiB.
 */
export const CACHE_PAGE_SIZE: PageSize = 16_384;

/**
 * Writes a complete, encrypted, migrated cache file at `options.path` from `cards`.
 * On any failure the partial file is removed and the error rethrown (classified).
 */
export function writeCacheSnapshot(options: CacheSnapshotOptions): CacheSnapshotReport {
  if (options.cursor && isScheduleCursorStream(options.cursor.stream)) {
    throw new TypeError(`A cache snapshot holds cards only; it cannot carry the cursor of ${options.cursor.stream}.`);
  }
  removeDatabaseFiles(options.path);
  let db: Db | undefined;
  try {
    db = openEncryptedDatabase({
      path: options.path,
      key: options.key,
      dbName: 'cache',
      durability: 'normal',
      cacheSizeMb: options.cacheSizeMb ?? 256,
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
    // aborting a million-card load (measured: −8% insert time).
    db.pragma('ignore_check_constraints = ON');
    const report = loadInto(db, options);
    db.pragma('locking_mode = NORMAL');
    db.close();
    db = undefined;
    fsyncFile(options.path);
    return report;
  } catch (error) {
    try {
      db?.close();
    } catch {
      // Already failing; the file is removed below either way.
    }
    removeDatabaseFiles(options.path);
    throw classifyDatabaseError(error, 'cache') ?? error;
  }
}

function loadInto(db: Db, options: CacheSnapshotOptions): CacheSnapshotReport {
  const deferred = db
    .prepare<[], { name: string; sql: string }>(
      "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL AND tbl_name IN ('patients', 'patient_phones')",
    )
    .all();
  for (const index of deferred) db.exec(`DROP INDEX ${quoteIdentifier(index.name)}`);

  // Appending needs few pages in memory, and a small cache spills dirty pages steadily
  // instead of flushing hundreds of MB at each commit (measured: ~10% faster inserts).
  db.pragma(`cache_size = ${-INSERT_CACHE_KIB}`);
  const patients = new BatchInsert(db, 'patients', ['id', 'mis_id', 'version', 'name_key', 'birth_date', 'oms_policy', 'snils', 'synced_at']);
  // Every card of a snapshot was delivered by the MIS now (retention counts from here).
  const syncedAt = (options.now ?? Date.now)();
  const cards = new BatchInsert(db, 'patient_cards', ['patient_id', 'card']);
  const phones = new BatchInsert(db, 'patient_phones', ['patient_id', 'e164', 'reversed_digits', 'kind']);
  const flush = () => {
    patients.flush();
    cards.flush();
    phones.flush();
  };
  const insertStarted = performance.now();
  const rejected: CacheSnapshotReport['rejected'] = [];
  let rejectedCount = 0;
  let id = 0;
  db.exec('BEGIN');
  for (const card of options.cards) {
    const problem = checkCardShape(card);
    if (problem !== null) {
      rejectedCount += 1;
      if (rejected.length < MAX_REPORTED_REJECTS) rejected.push({ misId: String(card.misId).slice(0, 64), reason: problem });
      continue;
    }
    id += 1;
    const [misId, version, nameKey, birthDate, omsPolicy, snils, stored] = patientRowValues(card);
    patients.add(id, misId, version, nameKey, birthDate, omsPolicy, snils, syncedAt);
    cards.add(id, stored);
    for (const [e164, reversed, kind] of phoneRowValues(card)) phones.add(id, e164, reversed, kind);
    if (id % BULK_BATCH_SIZE === 0) {
      flush();
      db.exec('COMMIT');
      options.onProgress?.(id);
      db.exec('BEGIN');
    }
  }
  flush();
  db.exec('COMMIT');
  const insertMs = performance.now() - insertStarted;

  // Index builds sort in memory (temp_store=MEMORY) and read the whole table: give them room.
  // (`PRAGMA threads = 2` was measured too: no gain beyond run-to-run noise.)
  db.pragma(`cache_size = ${-Math.round((options.cacheSizeMb ?? 256) * 1024)}`);
  const steps: Record<string, number> = {};
  const step = (name: string, fn: () => void) => {
    const started = performance.now();
    fn();
    steps[name] = Math.round(performance.now() - started);
  };
  const indexStarted = performance.now();
  let duplicatesDropped = 0;
  for (const index of deferred) {
    step(index.name, () => {
      duplicatesDropped += createIndexDroppingDuplicates(db, index);
    });
  }
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
  if (options.cursor) {
    db.prepare('INSERT INTO sync_cursors (stream, cursor, updated_at) VALUES (?, ?, ?)').run(
      options.cursor.stream,
      options.cursor.cursor,
      (options.now ?? Date.now)(),
    );
  }
  // No ANALYZE: every cache query is an equality or range on one index, which the planner
  // picks without statistics (the EXPLAIN QUERY PLAN tests hold on an un-analyzed file), and
  // at a million rows ANALYZE costs ~0.5 s of first sync for nothing.
  const indexMs = performance.now() - indexStarted;
  options.onProgress?.(id - duplicatesDropped);
  return { cards: id - duplicatesDropped, duplicatesDropped, rejectedCount, rejected, insertMs, indexMs, steps };
}

const PHONE_KINDS = new Set(['mobile', 'home', 'work', 'relative']);

/**
 * The CHECK constraints of cache migration 0001, in JS (the bulk path disables SQLite's
 * evaluation of them). Returns why the card cannot be stored, or `null`.
 */
export function checkCardShape(card: PatientCard): string | null {
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
function createIndexDroppingDuplicates(db: Db, index: { name: string; sql: string }): number {
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
