import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DatabaseError, withDatabaseErrors } from './database-error';
import { checkIntegrity, openEncryptedDatabase, type OpenDatabaseOptions } from './open-database';
import { randomKey, tempDatabasePath } from './test-support';

const SURNAME = 'Римская-Корсакова';

function options(path: string, key: Buffer, extra: Partial<OpenDatabaseOptions> = {}): OpenDatabaseOptions {
  return { path, key, dbName: 'cache', durability: 'normal', cacheSizeMb: 4, ...extra };
}

/** A closed encrypted file holding enough rows to span many pages. */
function filledDatabase(): { path: string; key: Buffer } {
  const path = tempDatabasePath();
  const key = randomKey();
  const db = openEncryptedDatabase(options(path, key));
  db.exec('CREATE TABLE people (name TEXT NOT NULL) STRICT');
  const insert = db.prepare('INSERT INTO people (name) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < 2_000; i++) insert.run(`${SURNAME} ${i} ${'x'.repeat(100)}`);
  })();
  db.close();
  return { path, key };
}

function errorOf(fn: () => unknown): DatabaseError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DatabaseError) return error;
    throw error;
  }
  throw new Error('expected a DatabaseError, nothing was thrown');
}

describe('openEncryptedDatabase', () => {
  it('configures WAL, foreign keys, synchronous per durability and in-memory temp storage', () => {
    const path = tempDatabasePath();
    const cache = openEncryptedDatabase(options(path, randomKey()));
    expect(cache.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(cache.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(cache.pragma('synchronous', { simple: true })).toBe(1);
    expect(cache.pragma('temp_store', { simple: true })).toBe(2);
    expect(cache.pragma('cache_size', { simple: true })).toBe(-4096);
    cache.close();
    // (SQLite3 Multiple Ciphers already turns secure_delete on when a key is set; the cache asks
    // for it explicitly, so its purge does not depend on that default.)
    const scrubbing = openEncryptedDatabase({ ...options(tempDatabasePath(), randomKey()), secureDelete: true });
    expect(scrubbing.pragma('secure_delete', { simple: true })).toBe(1);
    scrubbing.close();
    const journal = openEncryptedDatabase({ ...options(tempDatabasePath(), randomKey()), dbName: 'journal', durability: 'full' });
    expect(journal.pragma('synchronous', { simple: true })).toBe(2);
    journal.close();
  });

  it('reopens with the same key and keeps the data', () => {
    const { path, key } = filledDatabase();
    const db = openEncryptedDatabase(options(path, key));
    expect(db.prepare('SELECT count(*) FROM people').pluck().get()).toBe(2_000);
    db.close();
  });

  it('writes no plaintext: neither the SQLite header nor an inserted surname is in the file', () => {
    const { path } = filledDatabase();
    const raw = readFileSync(path);
    expect(raw.includes(Buffer.from('SQLite format 3'))).toBe(false);
    // Header bytes 21–23 are always 64, 32, 32 in a plain SQLite file; the sqleet layout
    // encrypts them too (the default chacha20 layout would leave bytes 16–23 readable).
    expect([...raw.subarray(21, 24)]).not.toEqual([64, 32, 32]);
    expect(raw.includes(Buffer.from(SURNAME, 'utf8'))).toBe(false);
    expect(raw.includes(Buffer.from('Корсакова', 'utf8'))).toBe(false);
  });

  it('keeps the WAL encrypted too', () => {
    const path = tempDatabasePath();
    const db = openEncryptedDatabase(options(path, randomKey()));
    db.exec('CREATE TABLE people (name TEXT) STRICT');
    db.prepare('INSERT INTO people VALUES (?)').run(SURNAME);
    // Still open: the row lives in the -wal file, not yet checkpointed.
    const wal = readFileSync(`${path}-wal`);
    expect(wal.length).toBeGreaterThan(0);
    expect(wal.includes(Buffer.from(SURNAME, 'utf8'))).toBe(false);
    db.close();
  });

  it('refuses a wrong key with WRONG_KEY_OR_NOT_A_DATABASE and says what happens next', () => {
    const { path } = filledDatabase();
    const cacheError = errorOf(() => openEncryptedDatabase(options(path, randomKey())));
    expect(cacheError.code).toBe('WRONG_KEY_OR_NOT_A_DATABASE');
    expect(cacheError.recovery).toBe('rebuild-cache');
    expect(cacheError.message).toMatch(/rebuilt from the MIS/);
    const journalError = errorOf(() => openEncryptedDatabase({ ...options(path, randomKey()), dbName: 'journal' }));
    expect(journalError.recovery).toBe('restore-journal');
    expect(journalError.message).toMatch(/kept untouched/);
  });

  it('needs the page size the file was created with (the header that records it is encrypted)', () => {
    const path = tempDatabasePath();
    const key = randomKey();
    openEncryptedDatabase(options(path, key, { pageSize: 16384 })).close();
    expect(errorOf(() => openEncryptedDatabase(options(path, key, { pageSize: 4096 }))).code).toBe('WRONG_KEY_OR_NOT_A_DATABASE');
    const db = openEncryptedDatabase(options(path, key, { pageSize: 16384 }));
    expect(db.pragma('page_size', { simple: true })).toBe(16384);
    db.close();
  });

  it('refuses a file that is not a database', () => {
    const path = tempDatabasePath();
    writeFileSync(path, 'patients,export\n'.repeat(500));
    expect(errorOf(() => openEncryptedDatabase(options(path, randomKey()))).code).toBe('WRONG_KEY_OR_NOT_A_DATABASE');
  });

  it('reports a truncated file as CORRUPT', () => {
    const { path, key } = filledDatabase();
    const raw = readFileSync(path);
    writeFileSync(path, raw.subarray(0, Math.floor(raw.length / 2)));
    const error = errorOf(() => {
      const db = openEncryptedDatabase(options(path, key));
      checkIntegrity(db, 'cache');
    });
    expect(error.code).toBe('CORRUPT');
    expect(error.recovery).toBe('rebuild-cache');
  });

  it('reports a flipped bit inside a data page as CORRUPT (every page is authenticated)', () => {
    const { path, key } = filledDatabase();
    const raw = Buffer.from(readFileSync(path));
    raw[4096 * 3 + 200]! ^= 0x01;
    writeFileSync(path, raw);
    const db = openEncryptedDatabase(options(path, key));
    const error = errorOf(() => withDatabaseErrors('cache', () => db.prepare('SELECT count(*) FROM people').get()));
    expect(error.code).toBe('CORRUPT');
    db.close();
  });

  it('cannot tell a flipped bit in page 1 from a wrong key, and says both', () => {
    const { path, key } = filledDatabase();
    const raw = Buffer.from(readFileSync(path));
    raw[60]! ^= 0x01;
    writeFileSync(path, raw);
    const error = errorOf(() => openEncryptedDatabase(options(path, key)));
    expect(error.code).toBe('WRONG_KEY_OR_NOT_A_DATABASE');
    expect(error.message).toMatch(/cannot be opened with this workstation's key, or it is not a database/);
  });

  // Tests run as root, and root writes through chmod 0444; a read-only connection and
  // `PRAGMA query_only` produce the same SQLITE_READONLY the desk sees on a read-only file.
  it('reports writes to a read-only database as READ_ONLY', () => {
    const { path, key } = filledDatabase();
    const readOnly = openEncryptedDatabase(options(path, key, { readonly: true }));
    const error = errorOf(() => withDatabaseErrors('cache', () => readOnly.prepare("INSERT INTO people VALUES ('x')").run()));
    expect(error.code).toBe('READ_ONLY');
    expect(error.recovery).toBe('fix-permissions');
    readOnly.close();
    const queryOnly = openEncryptedDatabase(options(path, key));
    queryOnly.pragma('query_only = 1');
    expect(errorOf(() => withDatabaseErrors('cache', () => queryOnly.prepare("INSERT INTO people VALUES ('x')").run())).code).toBe('READ_ONLY');
    queryOnly.close();
  });

  it('reports a full disk as DISK_FULL', () => {
    const { path, key } = filledDatabase();
    const db = openEncryptedDatabase(options(path, key));
    // Cap the file at its current size: the next page allocation fails exactly like a full disk.
    db.pragma(`max_page_count = ${Number(db.pragma('page_count', { simple: true }))}`);
    const insert = db.prepare('INSERT INTO people VALUES (?)');
    const error = errorOf(() =>
      withDatabaseErrors('cache', () =>
        db.transaction(() => {
          for (let i = 0; i < 500; i++) insert.run('y'.repeat(1000));
        })(),
      ),
    );
    expect(error.code).toBe('DISK_FULL');
    expect(error.message).toMatch(/Free some space/);
    db.close();
  });

  it('reports a missing folder as CANNOT_OPEN', () => {
    const path = join(tempDatabasePath(), 'missing', 'cache.db');
    expect(errorOf(() => openEncryptedDatabase(options(path, randomKey()))).code).toBe('CANNOT_OPEN');
  });

  it('refuses a key that is not 32 bytes before touching the file', () => {
    expect(() => openEncryptedDatabase(options(tempDatabasePath(), Buffer.alloc(16)))).toThrow(/must be 32 bytes, got 16/);
  });

  it('passes a healthy file through the integrity check', () => {
    const { path, key } = filledDatabase();
    const db = openEncryptedDatabase(options(path, key));
    expect(() => checkIntegrity(db, 'cache', 'full')).not.toThrow();
    db.close();
  });
});
