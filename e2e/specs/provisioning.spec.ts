import { freshDataDir, runDeskHostExpectingFailure, writeConfig } from '../support/desk-host';
import { expect, openDesk, screenshot, test } from '../support/fixtures';

test('a provisioning file sets role, language and the SIP account; those fields are locked in the UI', async ({ page, launch, problems }) => {
  const config = writeConfig({
    role: 'supervisor',
    language: 'en',
    sip: { server: 'ws://127.0.0.1:9/ws', uri: 'sip:2001@pbx.clinic.test', authUser: '2001', password: 'provisioned-secret' },
  });
  const desk = await launch({ args: ['--config', config] });
  await openDesk(page, desk.url);
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await expect(page.getByTestId('nav-supervisor')).toBeVisible();
  await page.getByTestId('nav-settings').click();
  await expect(page.getByTestId('settings-role')).toBeDisabled();
  await expect(page.getByTestId('settings-sip-server')).toBeDisabled();
  await expect(page.getByTestId('settings-sip-server')).toHaveValue('ws://127.0.0.1:9/ws');
  await expect(page.getByTestId('settings-sip-password-state')).toHaveAttribute('data-state', 'stored');
  // Not provisioned, so still the operator's to change.
  await expect(page.getByTestId('settings-sip-display-name')).toBeEnabled();
  await screenshot(page, 'settings-provisioned');
  // The softphone really connects to the configured PBX: a loopback port with nothing on it (tests
  // never leave 127.0.0.1), so the connection is refused and Chromium logs
  // each failed WebSocket as a console error. Nothing else may appear.
  expect(problems.list.filter((problem) => !problem.startsWith("console: WebSocket connection to 'ws://127.0.0.1:9/ws' failed"))).toEqual([]);
});

test('a broken provisioning file stops the host with a line naming the file and field', async () => {
  const config = writeConfig({ role: 'operator', sip: { server: 'http://not-websocket' } });
  const result = await runDeskHostExpectingFailure(['--port', '0', '--data-dir', freshDataDir(), '--config', config]);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  expect(result.stderr).toContain(config);
  expect(result.stderr).toContain('sip.server: must be a ws:// or wss:// URL');
});
