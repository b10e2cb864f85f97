import { describe, expect, it } from 'vitest';
import { openEncryptedDatabase } from '../../open-database';
import { randomKey, tempDatabasePath } from '../../test-support';
import { migrate } from '../migrate';
import { migration0001Patients } from './0001-patients';
import { migration0002CacheMeta } from './0002-cache-meta';
import { CACHE_MIGRATIONS } from './index';

function cacheAt1() {
  const db = openEncryptedDatabase({ path: tempDatabasePath(), key: randomKey(), dbName: 'cache', durability: 'normal', cacheSizeMb: 2 });
  migrate(db, [migration0001Patients], 'cache');
  return db;
}

describe('cache migration 0002-cache-meta', () => {
  it('is cache step 2', () => {
    expect(CACHE_MIGRATIONS[1]).toBe(migration0002CacheMeta);
    expect(CACHE_MIGRATIONS.map((m) => m.version).slice(0, 2)).toEqual([1, 2]);
  });

  it('adds a STRICT key/value table to a cache that already holds cards, keeping them', () => {
    const db = cacheAt1();
    db.prepare("INSERT INTO patients (id, mis_id, version, name_key, birth_date) VALUES (1, 'P-1', 1, 'иванов|иван|', '1980-01-01')").run();
    expect(migrate(db, [migration0001Patients, migration0002CacheMeta], 'cache')).toEqual({ from: 1, to: 2, applied: ['0002-cache-meta'] });
    const strict = db.prepare<[], number>("SELECT strict FROM pragma_table_list WHERE name = 'cache_meta'").pluck().get();
    expect(strict).toBe(1);
    expect(db.prepare('SELECT count(*) FROM patients').pluck().get()).toBe(1);
    db.prepare("INSERT INTO cache_meta (key, value) VALUES ('fill', '{}')").run();
    expect(() => db.prepare("INSERT INTO cache_meta (key, value) VALUES ('fill', '{}')").run()).toThrow(/UNIQUE/);
    expect(() => db.prepare("INSERT INTO cache_meta (key, value) VALUES ('', '{}')").run()).toThrow(/CHECK/);
    db.close();
  });
});
