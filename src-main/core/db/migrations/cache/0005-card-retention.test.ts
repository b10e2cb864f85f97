import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { syntheticPatients } from '../../../demo/synthetic-patients';
import { CACHE_PAGE_SIZE } from '../../cache-bulk-load';
import { CacheRepository } from '../../cache-repository';
import { patientRowValues } from '../../cache-rows';
import { openEncryptedDatabase } from '../../open-database';
import { randomKey, tempDatabasePath } from '../../test-support';
import { migrate } from '../migrate';
import { migration0005CardRetention, quarantinedRecordId } from './0005-card-retention';
import { CACHE_MIGRATIONS } from './index';

/** Page numbers the WAL holds frames of (frame headers are not encrypted: page number first). */
function walPages(path: string): Set<number> {
  const wal = readFileSync(`${path}-wal`);
  const pages = new Set<number>();
  for (let offset = 32; offset + 24 + CACHE_PAGE_SIZE <= wal.length; offset += 24 + CACHE_PAGE_SIZE) pages.add(wal.readUInt32BE(offset));
  return pages;
}

describe('cache migration 0005-card-retention', () => {
  it('is cache step 5', () => {
    expect(CACHE_MIGRATIONS[4]).toBe(migration0005CardRetention);
    expect(CACHE_MIGRATIONS.map((m) => m.version).slice(0, 5)).toEqual([1, 2, 3, 4, 5]);
  });

  it('adds "last synced" and "last opened" to a cache full of cards without rewriting a card: existing cards count as synced at the upgrade', () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const cards = [...syntheticPatients({ count: 400, seed: 21 })];
    // A cache written by the previous release: schema 4, cards loaded, one quarantined card and one unnamed record.
    const old = openEncryptedDatabase({ path, key, dbName: 'cache', durability: 'normal', cacheSizeMb: 2, pageSize: CACHE_PAGE_SIZE });
    migrate(old, CACHE_MIGRATIONS.slice(0, 4), 'cache');
    const insert = old.prepare('INSERT INTO patients (id, mis_id, version, name_key, birth_date, oms_policy, snils) VALUES (?, ?, ?, ?, ?, ?, ?)');
    const insertCard = old.prepare('INSERT INTO patient_cards (patient_id, card) VALUES (?, ?)');
    old.transaction(() =>
      cards.forEach((card, i) => {
        const values = patientRowValues(card);
        insert.run(i + 1, ...values.slice(0, 6));
        insertCard.run(i + 1, values[6]);
      }),
    )();
    const quarantine = old.prepare("INSERT INTO quarantine (stream, reason, payload_excerpt, at) VALUES (?, ?, '{}', 1)");
    quarantine.run('patients', 'patients.csv line 17: card 1000042: birthDate: Invalid date');
    quarantine.run('patients', 'card without a valid misId: misId: Required');
    quarantine.run('schedule.slots', 'slot S-7: startsAt: Invalid');
    old.pragma('wal_checkpoint(TRUNCATE)');
    const tablePages = (table: string) => old.prepare<[string], number>('SELECT pageno FROM dbstat WHERE name = ?').pluck().all(table);
    const cardPages = [...tablePages('patient_cards'), ...tablePages('patients')];
    expect(cardPages.length).toBeGreaterThan(10);

    const before = Date.now();
    migrate(old, CACHE_MIGRATIONS, 'cache');
    const after = Date.now();
    // O(1) for the rows: not one page of the cards or their keys was written (the index is new pages).
    const written = walPages(path);
    expect(cardPages.filter((page) => written.has(page))).toEqual([]);
    const synced = old.prepare<[], number>('SELECT DISTINCT synced_at FROM patients').pluck().all();
    expect(synced).toHaveLength(1);
    expect(synced[0]).toBeGreaterThanOrEqual(before);
    expect(synced[0]).toBeLessThanOrEqual(after);
    expect(old.prepare('SELECT count(*) FROM patients WHERE opened_at IS NOT NULL').pluck().get()).toBe(0);
    expect(old.prepare('SELECT reason, record_id FROM quarantine ORDER BY id').all()).toEqual([
      { reason: 'patients.csv line 17: card 1000042: birthDate: Invalid date', record_id: '1000042' },
      { reason: 'card without a valid misId: misId: Required', record_id: null },
      { reason: 'slot S-7: startsAt: Invalid', record_id: null },
    ]);
    old.close();

    // Opened by this build: cards intact, the purge finds nothing to remove at once.
    const repo = CacheRepository.open({ path, key, cacheSizeMb: 2 });
    expect(repo.getCard(cards[7]!.misId)).toEqual(cards[7]);
    expect(repo.removeUnusedSince(before - 1, 100)).toEqual([]);
    expect(repo.removeUnusedSince(after + 1, 1_000)).toHaveLength(400);
    repo.close();
  });

  it('reads the card id out of a quarantine reason, with or without where it came from', () => {
    expect(quarantinedRecordId('card 1000042: birthDate: bad')).toBe('1000042');
    expect(quarantinedRecordId('Patient/abc: card urn:x:7: phones.0.e164: bad')).toBe('urn:x:7');
    expect(quarantinedRecordId('card without a valid misId: misId: Required')).toBeNull();
    expect(quarantinedRecordId('doctor D-1: name: Required')).toBeNull();
  });
});
