import { describe, expect, it } from 'vitest';
import { BatchInsert } from './cache-rows';
import { openEncryptedDatabase } from './open-database';
import { randomKey, tempDatabasePath } from './test-support';

function database() {
  return openEncryptedDatabase({ path: tempDatabasePath(), key: randomKey(), dbName: 'cache', durability: 'normal', cacheSizeMb: 2 });
}

describe('BatchInsert', () => {
  it('writes every row, full batches and the remainder, in order', () => {
    const db = database();
    db.exec('CREATE TABLE t (a INTEGER, b TEXT) STRICT');
    const insert = new BatchInsert(db, 't', ['a', 'b'], 8);
    for (let i = 0; i < 21; i++) insert.add(i, `row ${i}`);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(16);
    insert.flush();
    insert.flush();
    expect(db.prepare('SELECT a FROM t ORDER BY rowid').pluck().all()).toEqual(Array.from({ length: 21 }, (_, i) => i));
    // The buffer is reused: rows after a flush are not mixed with earlier ones.
    insert.add(100, null);
    insert.flush();
    expect(db.prepare('SELECT b FROM t WHERE a = 100').pluck().get()).toBeNull();
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(22);
    db.close();
  });

  it('writes constant columns into every row without binding them', () => {
    const db = database();
    db.exec('CREATE TABLE t (a INTEGER, at INTEGER NOT NULL) STRICT');
    const insert = new BatchInsert(db, 't', ['a'], 4, { at: 1_700_000_000_000 });
    for (let i = 0; i < 6; i++) insert.add(i);
    insert.flush();
    expect(db.prepare('SELECT DISTINCT at FROM t').pluck().all()).toEqual([1_700_000_000_000]);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(6);
    expect(() => new BatchInsert(db, 't', ['a'], 4, { at: Number.NaN })).toThrow(TypeError);
    db.close();
  });
});
