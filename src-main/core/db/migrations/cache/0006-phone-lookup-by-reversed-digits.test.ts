import { describe, expect, it } from 'vitest';
import { CACHE_PAGE_SIZE } from '../../cache-bulk-load';
import { CacheRepository } from '../../cache-repository';
import { FILL_FTS_FROM_PATIENTS, patientRowValues, phoneRowValues, prepareCardWriter } from '../../cache-rows';
import { openEncryptedDatabase } from '../../open-database';
import { randomKey, tempDatabasePath, testCard } from '../../test-support';
import { migrate } from '../migrate';
import { migration0006PhoneLookupByReversedDigits } from './0006-phone-lookup-by-reversed-digits';
import { CACHE_MIGRATIONS } from './index';

describe('cache migration 0006-phone-lookup-by-reversed-digits', () => {
  it('is cache step 6', () => {
    expect(CACHE_MIGRATIONS[5]).toBe(migration0006PhoneLookupByReversedDigits);
    expect(CACHE_MIGRATIONS.map((m) => m.version)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('drops the E.164 index of a filled cache, and the pop and the search still find every number, a shared one own-number first, through the reversed digits', () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const shared = '+79160000042';
    const cards = [
      ...Array.from({ length: 300 }, (_, i) => testCard(i)),
      // A family number: the mother's own mobile is the son's contact number.
      testCard(1_000, { misId: 'MOTHER', surname: 'Петрова', phones: [{ e164: shared, national10: shared.slice(2), kind: 'mobile' }] }),
      testCard(1_001, { misId: 'SON', surname: 'Абрамов', phones: [{ e164: shared, national10: shared.slice(2), kind: 'relative' }] }),
    ];
    // A cache written by the previous release: schema 5, cards and their phones in it.
    const old = openEncryptedDatabase({ path, key, dbName: 'cache', durability: 'normal', cacheSizeMb: 2, pageSize: CACHE_PAGE_SIZE });
    migrate(old, CACHE_MIGRATIONS.slice(0, 5), 'cache');
    const writer = prepareCardWriter(old);
    old.transaction(() => {
      for (const card of cards) writer.insertPhones(writer.insertPatient(patientRowValues(card), Date.now()), phoneRowValues(card));
      old.exec(FILL_FTS_FROM_PATIENTS);
    })();
    const indexes = (db: typeof old) => db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'patient_phones'").pluck().all();
    expect(indexes(old)).toContain('patient_phones_e164');
    old.close();

    const repo = CacheRepository.open({ path, key, cacheSizeMb: 2 });
    expect(repo.connection.pragma('user_version', { simple: true })).toBe(6);
    expect(indexes(repo.connection).sort()).toEqual(['patient_phones_patient', 'patient_phones_reversed']);
    // Every card is still found by its number, however it was typed.
    for (const card of cards.slice(0, 300)) expect(repo.byPhone(card.phones[0]!.national10).map((found) => found.misId)).toEqual([card.misId]);
    expect(repo.byPhone(`8 (916) 000-00-42`).map((found) => found.misId)).toEqual(['MOTHER', 'SON']);
    // The full number typed into the search is an exact match; a number nobody has finds nobody.
    expect(repo.search('+7 916 000 00 42').items.map((found) => found.misId).sort()).toEqual(['MOTHER', 'SON']);
    expect(repo.byPhone('+79169999999')).toEqual([]);
    repo.close();
  });
});
