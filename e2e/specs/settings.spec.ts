import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, openDesk, screenshot, test } from '../support/fixtures';

const PASSWORD = 'Sip-Pa55-Регистр';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

test('settings survive a restart of the host; the SIP password is never stored or logged in clear text', async ({ page, launch, problems }) => {
  const first = await launch();
  await openDesk(page, first.url);
  await page.getByTestId('nav-settings').click();
  await page.getByTestId('settings-role').selectOption('supervisor');
  await page.getByTestId('settings-language').selectOption('en');
  await page.getByTestId('settings-sip-server').fill('ws://127.0.0.1:9/ws');
  await page.getByTestId('settings-sip-uri').fill('sip:1001@pbx.clinic.test');
  await page.getByTestId('settings-sip-auth-user').fill('1001');
  await page.getByTestId('settings-sip-display-name').fill('Регистратура 1');
  await page.getByTestId('settings-sip-password').fill(PASSWORD);
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-sip-password-state')).toHaveAttribute('data-state', 'stored');
  await expect(page.getByTestId('nav-supervisor')).toBeVisible();
  await expect(page.getByTestId('settings-sip-password')).toHaveValue('');

  // Leave the page first, as an operator closing the tab would: an open page keeps retrying its
  // bridge to the stopped host, and each refused retry is (rightly) a console error.
  await page.goto('about:blank');
  const stopped = await first.stop();
  console.log(`browser host stopped ${stopped.exitMs} ms after SIGTERM (code ${stopped.code})`);
  expect(stopped.code).toBe(0);
  expect(stopped.exitMs).toBeLessThan(2_000);

  const second = await launch({ dataDir: first.dataDir });
  await openDesk(page, second.url);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('nav-supervisor')).toBeVisible();
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('settings-role')).toHaveValue('supervisor');
  await expect(page.getByTestId('settings-sip-server')).toHaveValue('ws://127.0.0.1:9/ws');
  await expect(page.getByTestId('settings-sip-display-name')).toHaveValue('Регистратура 1');
  await expect(page.getByTestId('settings-sip-password-state')).toHaveAttribute('data-state', 'stored');
  await expect(page.getByTestId('settings-sip-password')).toHaveValue('');
  await screenshot(page, 'settings-after-restart');
  await second.stop();

  const files = filesUnder(first.dataDir);
  expect(files.some((f) => f.endsWith('settings.json'))).toBe(true);
  expect(files.some((f) => f.endsWith('desk.log'))).toBe(true);
  for (const file of files) {
    expect(readFileSync(file).includes(Buffer.from(PASSWORD)), file).toBe(false);
  }
  expect(first.stderr() + second.stderr()).not.toContain(PASSWORD);
  // The softphone really connects to the configured PBX: a loopback port with nothing on it (tests
  // never leave 127.0.0.1), so the connection is refused and Chromium logs
  // each failed WebSocket as a console error. Nothing else may appear.
  expect(problems.list.filter((problem) => !problem.startsWith("console: WebSocket connection to 'ws://127.0.0.1:9/ws' failed"))).toEqual([]);
});
