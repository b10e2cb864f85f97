import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { DEMO_PHONE_INDEX_FILE, DemoMis } from '../../src-main/core/connectors/demo/demo-mis';
import { syntheticPatient, syntheticPatients } from '../../src-main/core/demo/synthetic-patients';
import { bridgeRequest } from '../support/bridge';
import { freshDataDir, writeConfig } from '../support/desk-host';
import { expect, openDesk, screenshot, test } from '../support/fixtures';
import { reportValue } from '../support/figures';
import { prebuildClinicCache } from '../support/prebuilt-clinic';
import { processMemory } from '../support/process-memory';

// The demo clinic is seeded, so the test knows a patient the MIS has without asking the desk.
const TARGET_INDEX = 4242;
const target = syntheticPatient(TARGET_INDEX, 1);

function ddmmyyyy(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${d}.${m}.${y}`;
}

/** Types into the search box and opens the result row that carries the target's full name. */
async function findAndOpen(page: Page, query: string, surname: string): Promise<void> {
  const box = page.getByTestId('patient-search');
  await box.fill(query);
  // Namesakes exist in a clinic of 20,000: the right row has the full name and the birth date.
  const row = page
    .getByTestId('patient-result')
    .filter({ hasText: [surname, target.givenName, target.patronymic].filter(Boolean).join(' ') })
    .filter({ hasText: ddmmyyyy(target.birthDate) })
    .first();
  await expect(row).toBeVisible();
  await row.click();
  await expect(page.getByTestId('patient-card')).toHaveAttribute('data-mis-id', target.misId);
}

test('first sync fills the cache with a visible progress bar; with the MIS offline the cashier still finds the card by name, phone digits and birth date', async ({ page, launch, problems }) => {
  test.setTimeout(120_000);
  expect(target.misId).toBe(String(1_000_000 + TARGET_INDEX));
  // A slow MIS (150 ms a page) so the first sync lasts long enough to be watched; a still clinic so the target does not change.
  const config = writeConfig({ connectors: { mis: { id: 'demo', config: { patients: 20_000, latencyMs: 150, evolveIntervalMs: 0 } } } });

  const online = await launch({ args: ['--config', config] });
  await openDesk(page, online.url);
  await page.getByTestId('nav-patients').click();
  await expect(page.getByTestId('sync-progress')).toBeVisible();
  await screenshot(page, 'patients-first-sync');
  await expect(page.getByTestId('sync-progress')).toBeHidden({ timeout: 90_000 });
  await expect(page.getByTestId('status-sync')).toHaveAttribute('data-state', 'idle');
  // Leave the page before stopping its host (an open page would keep retrying its bridge).
  await page.goto('about:blank');
  await online.stop();

  const offline = await launch({ dataDir: online.dataDir, args: ['--config', config, '--mis-offline'] });
  await openDesk(page, offline.url);
  await page.getByTestId('nav-patients').click();
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', 'offline');
  await expect(page.getByTestId('mis-offline-banner')).toBeVisible();
  await expect(page.getByTestId('data-as-of')).toContainText(/\d\d:\d\d/);

  const mobile = target.phones[0]!.national10;
  await findAndOpen(page, `${target.surname.slice(0, 4)} ${target.givenName.slice(0, 3)}`, target.surname);
  await findAndOpen(page, mobile.slice(-4), target.surname);
  await findAndOpen(page, ddmmyyyy(target.birthDate), target.surname);
  await screenshot(page, 'patients-offline-card');
  expect(problems.list).toEqual([]);

  // The cache and the journal are encrypted: no surname of the clinic appears in the raw files.
  const surnames = new Set(Array.from({ length: 300 }, (_, i) => syntheticPatient(i, 1).surname));
  const files = readdirSync(online.dataDir).filter((f) => /^(cache|journal)\.db(-wal)?$/.test(f));
  expect(files).toEqual(expect.arrayContaining(['cache.db', 'journal.db']));
  for (const file of files) {
    const raw = readFileSync(join(online.dataDir, file));
    for (const surname of surnames) expect(raw.includes(Buffer.from(surname)), `${surname} in ${file}`).toBe(false);
  }
});

test('a clinic of 100,000 patients: the first sync loads in bulk off the desk thread; meanwhile the bar says so, a ring and a search are answered by the MIS, then the cache answers', async ({ page, launch, problems }) => {
  // BULK_FIRST_SYNC_PATIENTS=1000000 runs it at a clinic network's scale by hand (CI: 100,000).
  const PATIENTS = Number(process.env.BULK_FIRST_SYNC_PATIENTS ?? 100_000);
  test.setTimeout(150_000 + PATIENTS / 10);
  // A caller whose mobile is nobody else's (a parent's number on a child's card would bring the chooser).
  // The clinic's MIS is up before the new desk: its caller index is built here, in its folder (as the desk's demo clinic keeps it).
  const dataDir = freshDataDir();
  mkdirSync(join(dataDir, 'demo-mis'), { recursive: true, mode: 0o700 });
  const clinic = new DemoMis({ patients: PATIENTS, seed: 1, phoneIndexPath: join(dataDir, 'demo-mis', DEMO_PHONE_INDEX_FILE) });
  clinic.warmPhoneIndex();
  const caller = Array.from({ length: 50 }, (_, i) => syntheticPatient(67_890 + i, 1)).find((card) => clinic.cardsByPhone(card.phones[0]!.e164).length === 1)!;
  clinic.close();
  // 400 ms a page of 5,000 (≥ 8 s of loading at 100,000): long enough to be watched and rung during; a bigger clinic at the demo's 60 ms.
  const config = writeConfig({ connectors: { mis: { id: 'demo', config: { patients: PATIENTS, latencyMs: PATIENTS > 100_000 ? 60 : 400, evolveIntervalMs: 0 } } } });
  const desk = await launch({ dataDir, args: ['--config', config] });
  await openDesk(page, desk.url);
  await page.getByTestId('nav-patients').click();
  const bar = page.getByTestId('sync-progress');
  await expect(bar).toHaveAttribute('data-bulk', 'loading', { timeout: 30_000 });
  await expect(bar.getByTestId('sync-progress-note')).toContainText('до тех пор поиск и карточка звонящего запрашиваются в МИС');
  await expect(bar.getByTestId('sync-progress-cancel')).toBeVisible();
  await screenshot(page, 'patients-first-sync-bulk');

  // A caller rings while the cards are still on their way: the pop asks the MIS and shows who it is.
  const { callId } = (await bridgeRequest(desk, 'demo.simulate', { action: 'pbx-ringing', number: caller.phones[0]!.e164, extension: '101' })) as { callId: string };
  const callerName = [caller.surname, caller.givenName, caller.patronymic].filter(Boolean).join(' ');
  // Not in the (empty) cache: the name on the call bar is the MIS's answer.
  await expect(page.locator(`[data-testid="call-bar-item"][data-call-id="${callId}"]`).getByTestId('call-bar-name')).toHaveText(callerName, { timeout: 20_000 });
  const log = () => readFileSync(join(desk.dataDir, 'logs', 'desk.log'), 'utf8');
  // The cashier's search is answered by the MIS, and says so.
  await page.getByTestId('patient-search').fill(`${caller.surname} ${caller.givenName}`);
  await expect(page.getByTestId('patient-search-source')).toHaveAttribute('data-source', /^(mis|cache-incomplete)$/);
  expect(log()).not.toContain('"sync.first-sync-bulk"');

  // The new file is swapped in whole: the bar goes, the cache holds every card and answers the search itself.
  await expect(bar).toBeHidden({ timeout: 120_000 });
  const bulk = log()
    .split('\n')
    .find((line) => line.includes('"sync.first-sync-bulk"'));
  expect(bulk, 'the bulk first sync was logged').toBeTruthy();
  const figures = (JSON.parse(bulk!) as { context: { cards: number; wallMs: number; insertMs: number; indexMs: number } }).context;
  expect(figures.cards).toBe(PATIENTS);
  console.log(`figure first sync in bulk: ${PATIENTS.toLocaleString('en')} cards in ${figures.wallMs} ms (demo MIS at ${PATIENTS > 100_000 ? 60 : 400} ms a page; worker insert ${figures.insertMs} ms, indexes ${figures.indexMs} ms)`);
  expect(((await bridgeRequest(desk, 'cache.status', {})) as { cards: number }).cards).toBe(PATIENTS);
  await page.getByTestId('patient-search').fill(`${caller.surname} ${caller.givenName} ${caller.patronymic ?? ''}`.trim());
  await expect(page.getByTestId('patient-result').filter({ hasText: caller.surname }).first()).toBeVisible();
  await expect(page.getByTestId('patient-search-source')).toHaveCount(0);
  // The host process after its bulk first sync: the load ran in a process of its own, and the
  // host gave back the heap the export's pages passed through, once.
  expect(log().split('\n').filter((line) => line.includes('"memory.heap-returned"'))).toHaveLength(1);
  const memory = processMemory(desk.pid);
  reportValue(`host RSS after a bulk first sync of ${PATIENTS.toLocaleString('en')} cards`, memory.rssMb, 'MB', 400, `peak ${Math.round(memory.peakRssMb)} MB during it`);
  expect(problems.list).toEqual([]);
});

test('an edit made in the MIS while the desk runs shows up on the open card without a restart', async ({ page, launch, problems }) => {
  const config = writeConfig({ connectors: { mis: { id: 'demo', config: { patients: 5_000, evolveIntervalMs: 0 } } } });
  const desk = await launch({ args: ['--config', config] });
  await openDesk(page, desk.url);
  await page.getByTestId('nav-patients').click();
  await expect(page.getByTestId('status-sync')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  await findAndOpen(page, ddmmyyyy(target.birthDate), target.surname);
  await expect(page.getByTestId('patient-card').getByRole('heading', { level: 2 })).toContainText(target.surname);

  const renamed = 'Переименованная';
  await bridgeRequest(desk, 'demo.simulate', { action: 'edit-patient', misId: target.misId, surname: renamed });
  await expect(page.getByTestId('patient-card').getByRole('heading', { level: 2 })).toContainText(renamed, { timeout: 15_000 });
  await expect(page.getByTestId('patient-card-updated')).toBeVisible();
  await screenshot(page, 'patients-card-updated');
  expect(problems.list).toEqual([]);
});

test('the search ranks "Александр Петров" as Петров Александр first, says "more than 300" for a capped list, finds a СНИЛС and explains characters it cannot use', async ({ page, launch, problems }) => {
  // The demo clinic as it ships (20,000 cards, seed 1), already synced, so the test starts searching at once.
  const PATIENTS = 20_000;
  const clinic = prebuildClinicCache(PATIENTS);
  const config = writeConfig({ connectors: { mis: { id: 'demo', config: { patients: PATIENTS, evolveIntervalMs: 0 } } } });
  const desk = await launch({ dataDir: clinic.dataDir, args: ['--config', config] });
  await openDesk(page, desk.url);
  await page.getByTestId('nav-patients').click();
  const box = page.getByTestId('patient-search');
  const rows = page.getByTestId('patient-result');
  const found = page.getByTestId('patient-search-found');
  const name = (c: { surname: string; givenName: string; patronymic: string | null }) => [c.surname, c.givenName, c.patronymic].filter(Boolean).join(' ');

  // Every Петров Александр comes before anything else, in either word order (it was 20th of 51).
  const alexanders = [...syntheticPatients({ count: PATIENTS, seed: 1 })].filter((c) => c.surname === 'Петров' && c.givenName === 'Александр');
  expect(alexanders.length).toBeGreaterThan(5);
  for (const query of ['Александр Петров', 'петров александр']) {
    await box.fill('');
    await expect(rows).toHaveCount(0);
    await box.fill(query);
    await expect(found).toHaveText('Найдено: 51');
    const shown = (await rows.allTextContents()).slice(0, 5);
    expect(shown).toHaveLength(5);
    for (const text of shown) expect(text).toMatch(/^Петров Александр /);
  }
  await screenshot(page, 'patients-search-ranked');

  // A common surname: the list is capped, and the count says so.
  await box.fill('Петров');
  await expect(found).toHaveText(/^Найдено больше 300 — уточните запрос$/);
  await expect(found).toHaveAttribute('data-complete', 'false');
  await expect(rows.first()).toContainText(/^Петров /);
  await screenshot(page, 'patients-search-more-than');

  // СНИЛС as it is printed on the card, and without punctuation.
  for (const query of [`${target.snils!.slice(0, 3)}-${target.snils!.slice(3, 6)}-${target.snils!.slice(6, 9)} ${target.snils!.slice(9)}`, target.snils!]) {
    await box.fill(query);
    await expect(found).toHaveText('Найдено: 1');
    await expect(page.getByTestId('patient-search-understood')).toHaveText(' · по СНИЛС');
    await expect(rows.first()).toContainText(name(target));
  }

  // Characters no query form uses are named instead of an empty list.
  await box.fill('"*"');
  await expect(page.getByTestId('patient-search-problem')).toHaveText(
    'Эти знаки не используются в поиске: " * — ищите по фамилии, телефону, полису, СНИЛС или дате рождения.',
  );
  await expect(rows).toHaveCount(0);
  expect(problems.list).toEqual([]);
});
