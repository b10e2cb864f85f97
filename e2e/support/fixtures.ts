import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type Page } from '@playwright/test';
import { ARTIFACTS, startDeskHost, type DeskHost } from './desk-host';

type Launch = (options?: Parameters<typeof startDeskHost>[0]) => Promise<DeskHost>;

export interface ConsoleProblems {
  list: string[];
}

/**
 * `desk`: a fresh browser host per test, stopped by its PID afterwards.
 * `launch`: start more hosts (restarts, provisioning); every one is stopped at teardown, even
 * when the test failed half-way.
 * `problems`: every console error and uncaught page error seen by `page` (must stay empty).
 */
export const test = base.extend<{ desk: DeskHost; launch: Launch; problems: ConsoleProblems }>({
  // eslint-disable-next-line no-empty-pattern
  launch: async ({}, use) => {
    const started: DeskHost[] = [];
    await use(async (options) => {
      const host = await startDeskHost(options);
      started.push(host);
      return host;
    });
    await Promise.all(started.map((host) => host.stop()));
  },
  // Playwright reads fixture dependencies from the destructuring pattern; this one has none.
  // eslint-disable-next-line no-empty-pattern
  desk: async ({}, use) => {
    const host = await startDeskHost();
    await use(host);
    await host.stop();
  },
  problems: async ({ page }, use) => {
    const problems: ConsoleProblems = { list: [] };
    page.on('console', (message) => {
      if (message.type() === 'error') problems.list.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => problems.list.push(`pageerror: ${error.message}`));
    await use(problems);
  },
});

export { expect };

export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = join(ARTIFACTS, 'screenshots');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Opens the desk and waits until it has talked to the host (settings applied). */
export async function openDesk(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await expect(page.getByTestId('app-shell')).toBeVisible();
  await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', /.+/);
}
