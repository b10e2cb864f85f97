import { describe, expect, it } from 'vitest';
import { syntheticPatients } from '../../../demo/synthetic-patients';
import { CACHE_PAGE_SIZE } from '../../cache-bulk-load';
import { CacheRepository } from '../../cache-repository';
import { patientRowValues } from '../../cache-rows';
import { openEncryptedDatabase } from '../../open-database';
import { randomKey, tempDatabasePath } from '../../test-support';
import { migrate } from '../migrate';
import { migration0001Patients } from './0001-patients';
import { migration0003SnilsIndex } from './0003-snils-index';
import { CACHE_MIGRATIONS } from './index';

describe('cache migration 0003-snils-index', () => {
  it('is cache step 3', () => {
    expect(CACHE_MIGRATIONS[2]).toBe(migration0003SnilsIndex);
  });

  it('indexes the СНИЛС of the cards an existing cache already holds, and lookups by it become index searches', () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const cards = [...syntheticPatients({ count: 200, seed: 11 })];
    // A cache written by the previous release: schema 1 only, cards loaded.
    const old = openEncryptedDatabase({ path, key, dbName: 'cache', durability: 'normal', cacheSizeMb: 2, pageSize: CACHE_PAGE_SIZE });
    migrate(old, [migration0001Patients], 'cache');
    const insert = old.prepare('INSERT INTO patients (id, mis_id, version, name_key, birth_date, oms_policy, snils) VALUES (?, ?, ?, ?, ?, ?, ?)');
    cards.forEach((card, i) => insert.run(i + 1, ...patientRowValues(card).slice(0, 6)));
    old.close();

    // Opening it with this build migrates it.
    const repo = CacheRepository.open({ path, key, cacheSizeMb: 2 });
    const db = repo.connection;
    expect(db.pragma('user_version', { simple: true })).toBe(CACHE_MIGRATIONS.at(-1)!.version);
    const withSnils = cards.filter((card) => card.snils !== null);
    expect(withSnils.length).toBeGreaterThan(100);
    expect(db.prepare('SELECT count(*) FROM patients INDEXED BY patients_snils WHERE snils IS NOT NULL').pluck().get()).toBe(withSnils.length);
    const sample = withSnils[37]!;
    expect(db.prepare('SELECT mis_id FROM patients WHERE snils = ?').pluck().get(sample.snils)).toBe(sample.misId);
    const plan = db
      .prepare<[string], { detail: string }>('EXPLAIN QUERY PLAN SELECT id FROM patients WHERE snils = ? LIMIT 10')
      .all(sample.snils!)
      .map((row) => row.detail)
      .join('\n');
    expect(plan).toMatch(/SEARCH patients USING COVERING INDEX patients_snils \(snils=\?\)/);
    repo.close();
  });
});
