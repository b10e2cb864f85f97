import { describe, expect, it } from 'vitest';
import { BatchInsert } from './cache-rows';
import { openEncryptedDatabase } from './open-database';
import { randomKey, tempDatabasePath } from './test-support';

describe('BatchInsert', () => {
  it('writes every row, full batches and the remainder, in order', () => {
    const db = openEncryptedDatabase({ path: tempDatabasePath(), key: randomKey(), dbName: 'cache', durability: 'normal', cacheSizeMb: 2 });
    db.exec('CREATE TABLE t (a INTEGER, b TEXT) STRICT');
    const insert = new BatchInsert(db, 't', ['a', 'b'], 8);
    for (let i = 0; i < 21; i++) insert.add(i, `row ${i}`);
    expect(db.prepare('SELECT count(*) FROM t').pluck().get()).toBe(16);
    insert.flush();
    insert.flush();
    expect(db.prepare('SELECT a FROM t ORDER BY rowid').pluck().all()).toEqual(Array.from({ length: 21 }, (_, i) => i));
    db.close();
  });
});
