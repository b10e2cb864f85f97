import { closeSync, existsSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticPatient } from '../../src-main/core/demo/synthetic-patients';
import { seededRandom } from '../../src-shared/random/seeded-random';
import { bridgeRequest } from '../support/bridge';
import type { DeskHost } from '../support/desk-host';
import { writeConfig } from '../support/desk-host';
import { prebuildClinicCache } from '../support/prebuilt-clinic';
import { expect, openDesk, screenshot, test } from '../support/fixtures';

// Issue 10: the desk is honest under damage. A cache.db with random 64 KB regions overwritten
// in the middle (as a failing disk or a crash during a write leaves it) is noticed, set aside,
// announced and rebuilt while every search keeps answering; a lost database key keeps the old
// journal under a dated name and says what it held.

const PATIENTS = 20_000;
const REGIONS = 4;
const REGION_BYTES = 64 * 1024;
/** A still clinic (no evolution), so the counts cannot move; a slow one (150 ms a call), so the rebuild lasts long enough to be searched during it. */
const config = () => writeConfig({ connectors: { mis: { id: 'demo', config: { patients: PATIENTS, latencyMs: 150, evolveIntervalMs: 0 } } } });
/** Two-letter starts of common surnames: together they read most of the name index. */
const QUERIES = ['Ба', 'Ив', 'Пе', 'Ку', 'Се', 'Ма', 'Ер', 'Со', 'Ко', 'Ал', 'Ни', 'Ор', 'Фе', 'Ти', 'Ан', 'Бе', 'Во', 'Га', 'Да', 'Ле'];
const target = syntheticPatient(4242, 1);

interface SearchAnswer {
  total: number;
  source: 'cache' | 'mis' | 'cache-incomplete';
}

/** Overwrites REGIONS random 64 KB regions in the middle half of the file with random bytes. */
function damageMiddle(path: string, seed: number): number[] {
  // Seeded, so a failing damage pattern can be replayed with DAMAGE_SEED.
  const random = seededRandom(seed);
  const size = statSync(path).size;
  const offsets: number[] = [];
  const fd = openSync(path, 'r+');
  try {
    for (let i = 0; i < REGIONS; i++) {
      const offset = Math.floor(size / 4 + random() * (size / 2 - REGION_BYTES));
      const junk = Buffer.alloc(REGION_BYTES);
      for (let j = 0; j < junk.length; j++) junk[j] = Math.floor(random() * 256);
      writeSync(fd, junk, 0, junk.length, offset);
      offsets.push(offset);
    }
  } finally {
    closeSync(fd);
  }
  return offsets;
}

async function searchAll(desk: DeskHost): Promise<SearchAnswer[]> {
  const answers: SearchAnswer[] = [];
  for (const query of QUERIES) answers.push((await bridgeRequest(desk, 'patients.search', { query })) as SearchAnswer);
  return answers;
}

test('cache.db damaged in the middle: the notice comes within a sync cycle, every search answers (from the MIS while rebuilding), and the rebuilt cache is whole', async ({ page, launch, problems }) => {
  test.setTimeout(240_000);
  const seed = Number(process.env.DAMAGE_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`data-damage seed ${seed} (replay with DAMAGE_SEED=${seed})`);
  const args = ['--config', config()];
  // The whole clinic already cached, as a finished first sync leaves it (written by the same bulk loader).
  const first = prebuildClinicCache(PATIENTS);
  const cachePath = join(first.dataDir, 'cache.db');
  console.log(`damaged cache.db (${statSync(cachePath).size} bytes) at ${damageMiddle(cachePath, seed).join(', ')}`);

  const desk = await launch({ dataDir: first.dataDir, args });
  await openDesk(page, desk.url);
  await page.getByTestId('nav-patients').click();
  // Found by a query, the warm-up or the background check (a few seconds after start).
  const notice = page.getByTestId('cache-notice');
  await expect(notice).toHaveAttribute('data-state', /^(replacing|rebuilding)$/, { timeout: 20_000 });
  await expect(notice).toHaveAttribute('data-reason', /^(damaged|unreadable)$/);
  await expect(page.getByTestId('cache-notice-set-aside')).toContainText('cache.db.');
  await expect(page.getByTestId('status-sync')).toHaveAttribute('title', /заново/);
  await screenshot(page, 'cache-damaged-rebuilding');

  // Every search answers while the fresh cache fills; those that the partial cache cannot cover come from the MIS.
  const during = await searchAll(desk);
  expect(during.every((answer) => answer.source === 'mis' || answer.source === 'cache')).toBe(true);
  expect(during.some((answer) => answer.source === 'mis')).toBe(true);
  await page.getByTestId('patient-search').fill(`${target.surname} ${target.givenName}`);
  await expect(page.getByTestId('patient-result').filter({ hasText: target.surname }).first()).toBeVisible();

  await expect(notice).toHaveAttribute('data-state', 'rebuilt', { timeout: 180_000 });
  await screenshot(page, 'cache-damaged-rebuilt');
  const status = (await bridgeRequest(desk, 'cache.status', {})) as { cards: number; fill: { state: string; setAside: string } };
  expect(status.cards).toBe(PATIENTS);
  expect(status.fill.state).toBe('complete');
  expect(existsSync(status.fill.setAside), 'the damaged file is kept for IT').toBe(true);
  const after = await searchAll(desk);
  expect(after.every((answer) => answer.source === 'cache')).toBe(true);
  expect(after.reduce((sum, answer) => sum + answer.total, 0)).toBeGreaterThan(0);
  expect(problems.list).toEqual([]);
});

test('cache.db damaged with the MIS offline: the desk says the cache is set aside and waits for the MIS, never that it "never synced"', async ({ page, launch, problems }) => {
  test.setTimeout(240_000);
  const seed = Number(process.env.DAMAGE_SEED ?? Math.floor(Math.random() * 2 ** 31));
  console.log(`data-damage (MIS offline) seed ${seed} (replay with DAMAGE_SEED=${seed})`);
  const args = ['--config', config()];
  // The whole clinic already cached, as a finished first sync leaves it (written by the same bulk loader).
  const first = prebuildClinicCache(PATIENTS);
  damageMiddle(join(first.dataDir, 'cache.db'), seed);

  const desk = await launch({ dataDir: first.dataDir, args: [...args, '--mis-offline'] });
  await openDesk(page, desk.url);
  await page.getByTestId('nav-patients').click();
  const notice = page.getByTestId('cache-notice');
  await expect(notice).toHaveAttribute('data-state', 'rebuilding-mis-offline', { timeout: 20_000 });
  await expect(notice).toContainText('МИС сейчас недоступна');
  await expect(page.getByTestId('mis-offline-banner')).toHaveAttribute('data-state', 'rebuilding');
  await expect(page.getByTestId('mis-offline-banner')).not.toContainText('ни разу');
  await expect(page.getByTestId('patients-cache-empty')).toHaveAttribute('data-state', 'mis-offline');
  await expect(page.getByTestId('data-as-of')).toHaveAttribute('data-state', 'filling');
  await expect(page.getByTestId('status-sync')).toContainText('пересборка ждёт МИС');
  await expect(page.getByTestId('status-sync')).toHaveAttribute('title', /МИС недоступна/);
  await screenshot(page, 'cache-damaged-mis-offline');
  const offline = await searchAll(desk);
  expect(offline.every((answer) => answer.source === 'cache-incomplete')).toBe(true);

  // The MIS is back: the rebuild goes on by itself.
  await bridgeRequest(desk, 'demo.simulate', { action: 'set-offline', offline: false });
  await expect(notice).toHaveAttribute('data-state', 'rebuilt', { timeout: 180_000 });
  expect(((await bridgeRequest(desk, 'cache.status', {})) as { cards: number }).cards).toBe(PATIENTS);
  expect(problems.list).toEqual([]);
});

test('the database key deleted: the desk starts, keeps the old journal under a dated name and says what it held, syncs a new cache; nothing claims "not configured"', async ({ page, launch, problems }) => {
  test.setTimeout(240_000);
  const args = ['--config', writeConfig({ connectors: { mis: { id: 'demo', config: { patients: 5_000, evolveIntervalMs: 0 } } } })];
  const first = await launch({ args });
  await openDesk(page, first.url);
  await expect(page.getByTestId('status-sync')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  // A write the MIS never got: a new-patient draft saved while it was down.
  await bridgeRequest(first, 'demo.simulate', { action: 'set-offline', offline: true });
  await bridgeRequest(first, 'patients.createDraft', { callId: 'e2e-lost-key', phone: '+79990000001', surname: 'Новикова', givenName: 'Вера' });
  await expect.poll(async () => ((await bridgeRequest(first, 'outbox.undelivered', {})) as { items: unknown[] }).items.length).toBe(1);
  await page.goto('about:blank');
  await first.stop();

  rmSync(join(first.dataDir, 'secrets'), { recursive: true });
  const desk = await launch({ dataDir: first.dataDir, args });
  await openDesk(page, desk.url);
  const kept = page.getByTestId('journal-kept-notice');
  await expect(kept).toHaveAttribute('data-reason', 'key-lost');
  await expect(page.getByTestId('journal-kept-counts')).toContainText('не отправлено в МИС — 1');
  const journal = (await bridgeRequest(desk, 'journal.status', {})) as { state: string; kept: { path: string; undelivered: number }[] };
  expect(journal.state).toBe('open');
  expect(journal.kept[0]!.path).toMatch(/journal\.db\.key-lost-\d{4}-\d\d-\d\dT/);
  expect(existsSync(journal.kept[0]!.path), 'the old journal is kept').toBe(true);
  await expect(page.getByTestId('journal-kept-path')).toContainText(journal.kept[0]!.path);
  await expect(page.getByTestId('cache-notice')).toHaveAttribute('data-reason', 'key-lost');
  await screenshot(page, 'key-lost');

  // Nothing guesses: the MIS is the demo clinic and online, the journal works, the cache refills.
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', 'online');
  await expect(page.getByTestId('call-journal')).toHaveAttribute('data-state', 'ready');
  await expect(page.getByTestId('cache-notice')).toHaveAttribute('data-state', 'rebuilt', { timeout: 120_000 });
  expect(((await bridgeRequest(desk, 'cache.status', {})) as { cards: number }).cards).toBe(5_000);
  await page.getByTestId('journal-kept-acknowledge').click();
  await expect(kept).toHaveCount(0);
  expect(problems.list).toEqual([]);
});
