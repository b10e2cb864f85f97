import { describe, expect, it } from 'vitest';
import { CacheRepository } from '../db/cache-repository';
import { CACHE_PAGE_SIZE } from '../db/cache-bulk-load';
import { damagePagesOf, randomKey, tempDatabasePath, testCard } from '../db/test-support';
import { createWorkerIntegrityCheck } from './integrity-check';

function cacheWithCards(): { path: string; key: Buffer } {
  const path = tempDatabasePath('cache.db');
  const key = randomKey();
  const repository = CacheRepository.open({ path, key, cacheSizeMb: 2 });
  // Long addresses, so the cards fill a few dozen pages.
  repository.applyCards(Array.from({ length: 400 }, (_, i) => testCard(i, { address: 'г. Москва, ул. Ленина, д. 1'.repeat(8) })));
  repository.close();
  return { path, key };
}

describe('the background integrity check (quick_check on a worker thread)', () => {
  const check = createWorkerIntegrityCheck();

  it('passes a whole file', async () => {
    const { path, key } = cacheWithCards();
    expect(await check({ path, key })).toMatchObject({ verdict: 'ok', ms: expect.any(Number) });
  });

  it('finds pages that fail their MAC anywhere in the file', async () => {
    const { path, key } = cacheWithCards();
    damagePagesOf({ path, key, pageSize: CACHE_PAGE_SIZE, names: ['patient_cards'] });
    expect(await check({ path, key })).toMatchObject({ verdict: 'damaged', detail: expect.any(String) });
  });

  it('a file that is not there is not checked; one this key cannot decrypt is damaged for this desk', async () => {
    expect(await check({ path: tempDatabasePath('missing.db'), key: randomKey() })).toMatchObject({ verdict: 'not-checked' });
    const { path } = cacheWithCards();
    // With another key every page fails to decrypt: SQLite says "not a database", which is damage for this key.
    expect(await check({ path, key: randomKey() })).toMatchObject({ verdict: 'damaged', detail: 'SQLITE_NOTADB' });
  });

  it('is abandoned when asked to stop or when it runs past its time limit', async () => {
    const { path, key } = cacheWithCards();
    const abort = new AbortController();
    abort.abort();
    expect(await check({ path, key, signal: abort.signal })).toMatchObject({ verdict: 'not-checked', reason: 'stopped' });
    expect(await createWorkerIntegrityCheck({ timeoutMs: 0 })({ path, key })).toMatchObject({ verdict: 'not-checked', reason: 'timed out' });
  });
});
