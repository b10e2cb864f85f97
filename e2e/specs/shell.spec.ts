import { writeConfig } from '../support/desk-host';
import { expect, openDesk, screenshot, test } from '../support/fixtures';

test.describe('desk shell in the browser host', () => {
  test("a cashier's desk opens on Patients, with what a cashier uses: Patients, Phone, Settings", async ({ page, launch, problems }) => {
    const desk = await launch({ args: ['--config', writeConfig({ role: 'cashier' })] });
    await openDesk(page, desk.url);
    await expect(page.getByTestId('app-shell')).toHaveAttribute('data-pane', 'patients');
    await expect(page.getByTestId('nav-patients')).toHaveAttribute('aria-current', 'page');
    await expect(page.getByTestId('nav').getByRole('button')).toHaveText([/Пациенты\s*1/, /Телефон\s*2/, /Настройки\s*3/]);
    for (const id of ['nav-queue', 'nav-callbacks', 'nav-supervisor']) await expect(page.getByTestId(id)).toHaveCount(0);
    await expect(page.getByTestId('patient-search')).toBeVisible();
    await screenshot(page, 'cashier-desk');
    await page.keyboard.press('Control+2');
    await expect(page.getByTestId('app-shell')).toHaveAttribute('data-pane', 'phone');
    expect(problems.list).toEqual([]);
  });

  test('prints its ready line fast and shows the desk in Russian with no console errors', async ({ page, desk, problems }) => {
    console.log(`browser host ready line after ${desk.readyMs} ms`);
    expect(desk.readyMs).toBeLessThan(5_000);
    expect(desk.stdout().trim().split('\n')).toEqual([`Registratura ready: ${desk.url}`]);

    await openDesk(page, desk.url);
    await expect(page.locator('html')).toHaveAttribute('lang', 'ru');
    await expect(page.getByTestId('nav-settings')).toContainText('Настройки');
    await expect(page.getByTestId('nav-patients')).toContainText('Пациенты');
    for (const id of ['nav-phone', 'nav-patients', 'nav-queue', 'nav-callbacks', 'nav-settings']) {
      await expect(page.getByTestId(id)).toBeVisible();
    }
    // An operator does not see the supervisor pane.
    await expect(page.getByTestId('nav-supervisor')).toHaveCount(0);

    // Honest states: no softphone account yet; the built-in demo PBX (it delivers the desk-phone
    // calls) and the built-in demo clinic are up.
    await expect(page.getByTestId('status-sip')).toHaveAttribute('data-state', 'offline');
    await expect(page.getByTestId('status-pbx')).toHaveAttribute('data-state', 'online');
    await expect(page.getByTestId('status-mis')).toHaveAttribute('data-state', 'online');
    await expect(page.getByTestId('status-sync')).toHaveAttribute('data-state', 'idle', { timeout: 30_000 });
    await screenshot(page, 'desk-ru');
    expect(problems.list).toEqual([]);
  });

  test('switches to English from the settings screen', async ({ page, desk, problems }) => {
    await openDesk(page, desk.url);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-language').selectOption('en');
    await page.getByTestId('settings-save').click();
    await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    await expect(page.getByTestId('nav-settings')).toContainText('Settings');
    await expect(page.getByTestId('nav-patients')).toContainText('Patients');
    await screenshot(page, 'desk-en-settings');
    expect(problems.list).toEqual([]);
  });

  test('is usable from the keyboard', async ({ page, desk, problems }) => {
    await openDesk(page, desk.url);
    await page.keyboard.press('Control+2');
    await expect(page.getByTestId('nav-patients')).toHaveAttribute('aria-current', 'page');
    // An operator's fifth pane is the call lists and the sixth Settings (the keys follow the role's navigation).
    await page.keyboard.press('Control+5');
    await expect(page.getByTestId('nav-call-lists')).toHaveAttribute('aria-current', 'page');
    await page.keyboard.press('Control+6');
    await expect(page.getByTestId('nav-settings')).toHaveAttribute('aria-current', 'page');

    await page.getByTestId('nav-phone').focus();
    await page.keyboard.press('ArrowDown');
    await expect(page.getByTestId('nav-patients')).toBeFocused();
    await page.keyboard.press('End');
    await expect(page.getByTestId('nav-settings')).toBeFocused();
    await page.keyboard.press('Home');
    await expect(page.getByTestId('nav-phone')).toBeFocused();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('nav-patients')).toHaveAttribute('aria-current', 'page');
    expect(problems.list).toEqual([]);
  });
});
