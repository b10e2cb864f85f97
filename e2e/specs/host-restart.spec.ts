import { createServer } from 'node:net';
import type { Page } from '@playwright/test';
import { writeConfig } from '../support/desk-host';
import { expect, openDesk, screenshot, test } from '../support/fixtures';

// The tab of a browser host that stopped must not lie: every indicator grey "unknown", a banner
// that says the host stopped and to open the link it prints, requests in flight ending with an
// error. With a fixed --port (and the same data folder) the same address works again after a
// restart, and the open tab comes back by itself.

const INDICATORS = ['status-sip', 'status-pbx', 'status-mis', 'status-sync'] as const;

/** A small, still clinic, so the first sync is quick and the data do not change under the test. */
const smallClinic = () => writeConfig({ connectors: { mis: { id: 'demo', config: { patients: 5_000, evolveIntervalMs: 0 } } } });

/** A port that was free a moment ago (the suite runs alone in its network namespace). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Chromium logs every failed bridge attempt to a stopped host; that is expected here, nothing else is. */
function unexpected(problems: string[], port: number): string[] {
  return problems.filter((problem) => !problem.startsWith(`console: WebSocket connection to 'ws://127.0.0.1:${port}/bridge`));
}

async function expectHostStopped(page: Page): Promise<void> {
  const banner = page.getByTestId('host-stopped');
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Служба рабочего места остановлена.');
  await expect(banner).toContainText('откройте ссылку, которую она напечатает');
  for (const id of INDICATORS) {
    await expect(page.getByTestId(id)).toHaveAttribute('data-state', 'unknown');
    await expect(page.getByTestId(id)).toHaveAttribute('data-tone', 'off');
  }
}

async function search(page: Page, query: string): Promise<void> {
  await page.getByTestId('patient-search').fill(query);
}

test('fixed --port: a stopped host greys the tab and ends the search in flight; restarted on the same port and data folder, the same tab and address work again', async ({
  page,
  launch,
  problems,
}) => {
  test.setTimeout(120_000);
  const port = await freePort();
  const config = smallClinic();
  const first = await launch({ port, args: ['--config', config] });
  expect(first.port).toBe(port);
  await openDesk(page, first.url);
  await page.getByTestId('nav-patients').click();
  await expect(page.getByTestId('status-sync')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-tone', 'ok');
  const summary = page.getByTestId('patient-search-summary');
  await search(page, 'Ива');
  await expect(page.getByTestId('patient-search-found')).toBeVisible();
  await search(page, '');
  await expect(summary).toHaveAttribute('data-tone', 'info');
  await expect(page.getByTestId('patient-search-found')).toBeHidden();

  // A search the host never answers: frozen (SIGSTOP, by PID), then killed (SIGKILL, by PID).
  process.kill(first.pid, 'SIGSTOP');
  await search(page, 'Пет');
  await expect(summary).toHaveText('Поиск…');
  await first.kill();
  await expect(summary).toHaveAttribute('data-tone', 'error');
  await expect(summary).toContainText('Поиск не удался. Нет связи со службой рабочего места (она остановлена или перезапускается).');
  await expectHostStopped(page);
  await screenshot(page, 'host-stopped');

  // A search typed while the host is down fails at once instead of showing "Поиск…".
  await search(page, 'Сид');
  await expect(summary).toContainText('Поиск не удался.');
  await expect(summary).not.toHaveText('Поиск…');

  // Same port, same data folder (the killed host's lock is stale and replaced): same address.
  const second = await launch({ port, dataDir: first.dataDir, args: ['--config', config] });
  expect(second.url).toBe(first.url);
  await expect(page.getByTestId('host-stopped')).toBeHidden({ timeout: 10_000 });
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', 'online');
  await expect(page.getByTestId('status-sync')).not.toHaveAttribute('data-state', 'unknown');
  await search(page, 'Пет');
  await expect(page.getByTestId('patient-search-found')).toBeVisible();

  // A reload of this tab (its address no longer carries the token) and the first run's link both work.
  await page.reload();
  await expect(page.getByTestId('app-shell')).toBeVisible();
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', 'online');
  await expect(page.getByTestId('host-stopped')).toBeHidden();
  await openDesk(page, first.url);
  await expect(page.getByTestId('host-stopped')).toBeHidden();
  expect(unexpected(problems.list, port)).toEqual([]);
});

test('--port 0: after a restart the old tab keeps saying the host stopped (new port, new token); the link the new host prints opens the desk', async ({
  page,
  launch,
  problems,
}) => {
  const first = await launch();
  await openDesk(page, first.url);
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-tone', 'ok');
  await first.stop();
  await expectHostStopped(page);

  const second = await launch({ dataDir: first.dataDir });
  expect(second.token).not.toBe(first.token);
  // Wait for the tab's next attempt to reach the old address after the new host is up: still refused.
  await page.waitForEvent('console', (message) => message.text().startsWith(`WebSocket connection to 'ws://127.0.0.1:${first.port}/bridge`));
  await expectHostStopped(page);

  await openDesk(page, second.url);
  await expect(page.getByTestId('host-stopped')).toBeHidden();
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-tone', 'ok');
  expect(unexpected(problems.list, first.port)).toEqual([]);
});
