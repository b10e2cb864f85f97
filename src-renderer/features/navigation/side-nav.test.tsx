// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { Role } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makeView } from '../../test-support/fake-desk';

afterEach(cleanup);

/** The desk for a role, loaded (the app info is requested last). */
async function renderDesk(role: Role) {
  const desk = createFakeDesk({ view: makeView({ settings: { role } }) });
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={null} />);
  await screen.findByTestId('app-info');
  return { desk };
}

/** The navigation as the user reads it: each item's label and its number key. */
const navItems = () =>
  within(screen.getByRole('navigation'))
    .getAllByRole('button')
    .map((item) => `${item.querySelector('.nav-key')!.textContent} ${item.querySelector('.nav-label')!.textContent}`);
const pane = () => screen.getByTestId('app-shell').getAttribute('data-pane');
const ctrl = (n: number) => fireEvent.keyDown(window, { key: String(n), code: `Digit${n}`, ctrlKey: true });

describe('Navigation by role', () => {
  it('before the role is known nothing is offered; a cashier then lands on Patients with the search box focused', async () => {
    const desk = createFakeDesk({ view: makeView({ settings: { role: 'cashier' } }), cache: makeCacheStatus({ cards: 3 }) });
    let settings!: () => void;
    desk.handle('settings.get', () => new Promise((resolve) => (settings = () => resolve(desk.view))));
    render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={null} />);
    await screen.findByTestId('app-info');
    expect(within(screen.getByRole('navigation')).queryAllByRole('button')).toEqual([]);
    expect(screen.getByTestId('pane-loading')).toBeTruthy();
    expect(screen.queryByTestId('pane-phone')).toBeNull();
    await act(async () => settings());
    expect(pane()).toBe('patients');
    expect(document.activeElement).toBe(await screen.findByTestId('patient-search'));
  });


  it('a cashier starts on Patients, with only what the till needs: Patients, Phone, Settings', async () => {
    await renderDesk('cashier');
    expect(pane()).toBe('patients');
    expect(screen.getByTestId('nav-patients').getAttribute('aria-current')).toBe('page');
    expect(navItems()).toEqual(['1 Пациенты', '2 Телефон', '3 Настройки']);
    for (const hidden of ['queue', 'callbacks', 'supervisor']) expect(screen.queryByTestId(`nav-${hidden}`)).toBeNull();
    // The number keys follow what is listed.
    ctrl(2);
    expect(pane()).toBe('phone');
    ctrl(3);
    expect(pane()).toBe('settings');
    ctrl(4);
    expect(pane()).toBe('settings');
    expect(screen.getByTestId('nav-settings').getAttribute('aria-keyshortcuts')).toBe('Control+3 Alt+3');
  });

  it('an operator starts on Phone with Phone, Patients, Queue, Callbacks, Call lists, Settings', async () => {
    await renderDesk('operator');
    expect(pane()).toBe('phone');
    expect(navItems()).toEqual(['1 Телефон', '2 Пациенты', '3 Очередь', '4 Перезвоны', '5 Обзвон', '6 Настройки']);
    ctrl(6);
    expect(pane()).toBe('settings');
  });

  it('a supervisor has the same plus Supervisor, before Settings', async () => {
    await renderDesk('supervisor');
    expect(pane()).toBe('phone');
    expect(navItems()).toEqual(['1 Телефон', '2 Пациенты', '3 Очередь', '4 Перезвоны', '5 Обзвон', '6 Супервизор', '7 Настройки']);
    ctrl(6);
    expect(pane()).toBe('supervisor');
  });

  it('changing the role in Settings keeps Settings open; a pane the new role lacks gives way to its start pane', async () => {
    const { desk } = await renderDesk('operator');
    fireEvent.click(screen.getByTestId('nav-settings'));
    act(() => desk.emit('settings:changed', makeView({ settings: { role: 'cashier' } })));
    expect(pane()).toBe('settings');
    expect(navItems()).toEqual(['1 Пациенты', '2 Телефон', '3 Настройки']);

    act(() => desk.emit('settings:changed', makeView({ settings: { role: 'operator' } })));
    fireEvent.click(screen.getByTestId('nav-queue'));
    act(() => desk.emit('settings:changed', makeView({ settings: { role: 'cashier' } })));
    expect(pane()).toBe('patients');
  });
});
