import Database from 'better-sqlite3-multiple-ciphers';
import { classifyDatabaseError, type DatabaseName } from './database-error';

/** A better-sqlite3 connection (the multiple-ciphers build). */
export type Db = InstanceType<typeof Database>;

/**
 * Page cipher of both files: ChaCha20-Poly1305 in its sqleet layout (`legacy = 1`), which
 * encrypts every byte of the file including the header. The default chacha20 layout leaves
 * header bytes 16–23 (page size, reserved bytes) readable; SQLCipher v4 (AES-256-CBC +
 * HMAC-SHA512) also encrypts everything but bulk-loads slower here (`npm run bench`, figures
 * in db/README.md). Every page carries a MAC, so a flipped bit is a `CORRUPT` error, never
 * silently wrong data.
 */
export const DEFAULT_CIPHER: DatabaseCipher = 'chacha20';

/**
 * Ciphers the bench compares. `aegis` (AES-NI) is measured for reference only: it leaves
 * header bytes 16–23 in clear, so the desk does not use it.
 */
export type DatabaseCipher = 'chacha20' | 'sqlcipher' | 'aegis';

/** Page sizes SQLite accepts; a file's page size is fixed when it is created. */
export type PageSize = 4096 | 8192 | 16384 | 32768 | 65536;

export interface OpenDatabaseOptions {
  path: string;
  /** 32 random bytes (from the OS keychain); used as the raw page key, no KDF. */
  key: Buffer;
  dbName: DatabaseName;
  /** `normal` for the rebuildable cache, `full` for the journal that must never lose a commit. */
  durability: 'normal' | 'full';
  /** SQLite page cache; size it to keep the phone and name indexes resident. */
  cacheSizeMb: number;
  /** Open without write access (viewer tools, tests of the read-only path). */
  readonly?: boolean;
  /**
   * The file's page size (default 4096). Needed at every open, not just at creation: with the
   * header encrypted, SQLite cannot read it from the file, and a mismatch reads as a wrong key.
   * Large pages suit the bulk-loaded cache.
   */
  pageSize?: PageSize;
  /** How long a writer waits for another connection's lock before failing. */
  busyTimeoutMs?: number;
  cipher?: DatabaseCipher;
  /**
   * `wal` (default) for every live file. `memory` only for a snapshot being built that is
   * thrown away if anything fails (bulk load): the rollback journal stays in RAM, and appends
   * to a fresh file journal almost nothing. Chosen at open, because a file in WAL mode cannot
   * switch modes while other statements are prepared. (`off` is refused: better-sqlite3 runs
   * SQLite in defensive mode, which forbids it.)
   */
  journalMode?: 'wal' | 'memory';
  /**
   * `PRAGMA secure_delete = ON`: every deleted row, freed page and replaced cell is overwritten
   * with zeros, so deleted text leaves the file (after the WAL is checkpointed) instead of
   * lingering in free space. On for cache.db, whose retention purge and MIS deletions must
   * remove a patient's text from the file itself. (SQLite3 Multiple Ciphers already turns it on
   * for a keyed connection; asked for explicitly so the cache does not depend on that default.)
   */
  secureDelete?: boolean;
}

/**
 * Opens (or creates) an encrypted SQLite file and configures it: raw 256-bit key, WAL,
 * foreign keys, busy timeout, `synchronous` per durability, page cache, in-memory temp
 * storage. The key is checked by a first read, so a wrong key fails here with
 * `WRONG_KEY_OR_NOT_A_DATABASE` instead of on the first screen pop.
 *
 * @throws DatabaseError for a wrong key, corrupt file, read-only or missing location.
 */
export function openEncryptedDatabase(options: OpenDatabaseOptions): Db {
  if (!Buffer.isBuffer(options.key) || options.key.length !== 32) {
    throw new TypeError(`The ${options.dbName} database key must be 32 bytes, got ${Buffer.isBuffer(options.key) ? options.key.length : typeof options.key}.`);
  }
  let db: Db | undefined;
  try {
    db = new Database(options.path, { readonly: options.readonly ?? false, timeout: options.busyTimeoutMs ?? 5_000 });
    applyKey(db, options.key, options.cipher ?? DEFAULT_CIPHER, options.pageSize ?? 4096);
    // The first read decrypts page 1: a wrong key or a foreign file fails here (SQLITE_NOTADB).
    db.prepare('SELECT count(*) FROM sqlite_master').get();
    configureConnection(db, options);
    return db;
  } catch (error) {
    db?.close();
    throw classifyDatabaseError(error, options.dbName) ?? error;
  }
}

/**
 * Sets the cipher and the raw key. `x'<64 hex>'` is the SQLCipher raw-key syntax that
 * SQLite3 Multiple Ciphers accepts for every cipher: the bytes are the page key and the
 * PBKDF2 step (64,007 iterations for chacha20, ~50 ms per open) is skipped; the key is
 * already random, so a KDF would add nothing.
 */
export function applyKey(db: Db, key: Buffer, cipher: DatabaseCipher, pageSize: PageSize): void {
  for (const pragma of keyPragmas(key, cipher, pageSize)) db.pragma(pragma);
}

/**
 * The pragmas {@link applyKey} runs, in order: for a connection opened where this module cannot
 * be imported (the integrity check's worker thread gets them as data).
 */
export function keyPragmas(key: Buffer, cipher: DatabaseCipher, pageSize: PageSize): string[] {
  const pragmas = [`cipher = '${cipher}'`];
  // chacha20 legacy 1 = sqleet layout, sqlcipher legacy 4 = SQLCipher v4 layout: both encrypt
  // page 1 entirely, so the page size must be supplied rather than read from the header.
  if (cipher === 'chacha20') pragmas.push('legacy = 1');
  if (cipher === 'sqlcipher') pragmas.push('legacy = 4');
  if (cipher !== 'aegis') pragmas.push(`legacy_page_size = ${pageSize}`);
  pragmas.push(`key = "x'${key.toString('hex')}'"`);
  return pragmas;
}

function configureConnection(db: Db, options: OpenDatabaseOptions): void {
  const writable = !(options.readonly ?? false);
  // page_size only takes effect before the first page is written (a new, empty file).
  if (writable && db.pragma('page_count', { simple: true }) === 0) db.pragma(`page_size = ${options.pageSize ?? 4096}`);
  if (writable) db.pragma(`journal_mode = ${options.journalMode === 'memory' ? 'MEMORY' : 'WAL'}`);
  db.pragma(`synchronous = ${options.durability === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 5_000}`);
  db.pragma(`cache_size = ${-Math.max(1, Math.round(options.cacheSizeMb * 1024))}`);
  // Sorts and temp tables stay in memory: SQLite3 Multiple Ciphers does not encrypt temp
  // files, so a spilled index build would otherwise put names on disk in clear text.
  db.pragma('temp_store = MEMORY');
  if (options.secureDelete === true) db.pragma('secure_delete = ON');
}

/**
 * Runs SQLite's consistency check (`quick` is O(pages), `full` also checks every index
 * entry). At a million cards `quick` reads the whole file: run it off the screen-pop path.
 *
 * @throws DatabaseError `CORRUPT` when the check reports a problem.
 */
export function checkIntegrity(db: Db, dbName: DatabaseName, mode: 'quick' | 'full' = 'quick'): void {
  let rows: unknown;
  try {
    rows = db.pragma(mode === 'quick' ? 'quick_check' : 'integrity_check');
  } catch (error) {
    throw classifyDatabaseError(error, dbName) ?? error;
  }
  const first = Array.isArray(rows) ? (rows[0] as Record<string, unknown> | undefined) : undefined;
  const verdict = first ? Object.values(first)[0] : undefined;
  if (verdict !== 'ok') {
    throw classifyDatabaseError({ code: 'SQLITE_CORRUPT', message: 'integrity check failed' }, dbName);
  }
}
