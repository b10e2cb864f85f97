import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { syntheticPatient } from '../../src-main/core/demo/synthetic-patients';
import { bridgeRequest } from '../support/bridge';
import { writeConfig } from '../support/desk-host';
import { expect, openDesk, screenshot, test } from '../support/fixtures';

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
