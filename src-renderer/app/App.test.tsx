// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskError } from '../../src-shared/ipc/errors';
import { createI18n } from '../i18n/i18n';
import { createFakeDesk, makeStatus, makeView, type FakeDesk } from '../test-support/fake-desk';
import { loadSupervisorPane } from '../features/supervisor';
import { App } from './App';
import { createAppStore, type AppStore } from './app-store';

afterEach(cleanup);

function renderApp(desk: FakeDesk = createFakeDesk(), store?: AppStore) {
  const i18n = createI18n('ru');
  const utils = render(<App desk={desk} i18n={i18n} store={store} />);
  return { ...utils, desk, i18n };
}

/** The app has loaded once the app info (requested last) is on screen. */
async function loaded() {
  await screen.findByTestId('app-info');
}

describe('App shell', () => {
  it('loads settings, status, app info, the cache and journal state, the undelivered outbox, the queue board and the callbacks on start and subscribes to pushes', async () => {
    const { desk } = renderApp();
    await loaded();
    // calls.recent: the call journal on the Phone pane, the pane a desk opens on; queue.view and
    // callbacks.list once the role (an operator's) is known: the status bar and the navigation show them.
    await waitFor(() => expect(desk.callsTo('callbacks.list')).toHaveLength(1));
    expect(desk.calls.map((call) => call.name).sort()).toEqual([
      'app.info',
      // a tel:/sip: link the desk was started with, if any
      'app.takeDialRequest',
      'cache.status',
      'callbacks.list',
      'calls.recent',
      'journal.status',
      'outbox.undelivered',
      'queue.view',
      'session.get',
      'settings.get',
      'status.snapshot',
    ]);
    expect(screen.getByTestId('app-shell')).toBeTruthy();
    expect(screen.getByTestId('app-info').textContent).toContain('0.1.0');
  });

  it('hides the supervisor pane from operators and shows it to supervisors', async () => {
    renderApp(createFakeDesk({ view: makeView({ settings: { role: 'operator' } }) }));
    await loaded();
    expect(screen.queryByTestId('nav-supervisor')).toBeNull();
    cleanup();

    renderApp(createFakeDesk({ view: makeView({ settings: { role: 'supervisor' } }) }));
    expect(await screen.findByTestId('nav-supervisor')).toBeTruthy();
  });

  it('shows the role change pushed by main without a reload', async () => {
    const { desk } = renderApp();
    await loaded();
    expect(screen.queryByTestId('nav-supervisor')).toBeNull();
    act(() => desk.emit('settings:changed', makeView({ settings: { role: 'supervisor' } })));
    expect(screen.getByTestId('nav-supervisor')).toBeTruthy();
  });

  it('opens Patients with Ctrl+2 (and Settings, sixth for an operator, with Alt+6) and focuses the pane heading', async () => {
    renderApp();
    await loaded();
    fireEvent.keyDown(window, { key: '2', code: 'Digit2', ctrlKey: true });
    const heading = await screen.findByRole('heading', { level: 1, name: 'Пациенты' });
    expect(document.activeElement).toBe(heading);
    expect(screen.getByTestId('nav-patients').getAttribute('aria-current')).toBe('page');
    expect(screen.getByTestId('patients-cache-empty').textContent).toContain('Кэш карточек пуст');

    fireEvent.keyDown(window, { key: '6', code: 'Digit6', altKey: true });
    expect(await screen.findByRole('heading', { level: 1, name: 'Настройки' })).toBe(document.activeElement);
  });

  it('does not open the supervisor pane by shortcut for an operator: there is no seventh pane', async () => {
    renderApp();
    await loaded();
    fireEvent.keyDown(window, { key: '7', code: 'Digit7', ctrlKey: true });
    expect(screen.getByTestId('app-shell').getAttribute('data-pane')).toBe('phone');
  });

  it('moves focus inside the navigation with arrows, Home and End (one tab stop), and opens with a click', async () => {
    renderApp();
    await loaded();
    const nav = screen.getByRole('navigation');
    const phone = within(nav).getByTestId('nav-phone');
    expect(phone.tabIndex).toBe(0);
    expect(within(nav).getByTestId('nav-queue').tabIndex).toBe(-1);

    phone.focus();
    fireEvent.keyDown(phone, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByTestId('nav-patients'));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(screen.getByTestId('nav-queue'));
    expect(screen.getByTestId('nav-queue').tabIndex).toBe(0);
    fireEvent.keyDown(document.activeElement!, { key: 'End' });
    expect(document.activeElement).toBe(screen.getByTestId('nav-settings'));
    fireEvent.keyDown(document.activeElement!, { key: 'ArrowDown' });
    expect(document.activeElement).toBe(phone); // wraps around
    fireEvent.keyDown(phone, { key: 'ArrowUp' });
    expect(document.activeElement).toBe(screen.getByTestId('nav-settings'));
    fireEvent.keyDown(document.activeElement!, { key: 'Home' });
    expect(document.activeElement).toBe(phone);

    fireEvent.click(screen.getByTestId('nav-callbacks'));
    expect(await screen.findByRole('heading', { level: 1, name: 'Перезвоны' })).toBe(document.activeElement);
  });

  it('Phone pane says the softphone is not set up and its button opens Settings', async () => {
    renderApp();
    await loaded();
    expect(screen.getByTestId('phone-empty').textContent).toContain('Софтфон не настроен');
    fireEvent.click(screen.getByTestId('phone-open-settings'));
    expect(await screen.findByTestId('settings-form')).toBeTruthy();
  });

  it('status indicators expose the state from main and the softphone, with the time of the change', async () => {
    const status = makeStatus({
      pbx: { state: 'online', since: '2025-03-14T09:05:00.000Z', detail: null },
      mis: { state: 'degraded', since: '2025-03-14T09:06:00.000Z', detail: 'notConfigured' },
    });
    const { desk } = renderApp(createFakeDesk({ status }));
    await waitFor(() => expect(screen.getByTestId('status-pbx').getAttribute('data-state')).toBe('online'));
    expect(screen.getByTestId('status-mis').getAttribute('data-state')).toBe('degraded');
    expect(screen.getByTestId('status-sync').getAttribute('data-state')).toBe('disabled');
    const sip = screen.getByTestId('status-sip');
    expect(sip.getAttribute('data-state')).toBe('offline');
    expect(sip.getAttribute('title')).toContain('Софтфон не настроен');

    const hhmm = new Intl.DateTimeFormat('ru', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(
      new Date('2025-03-14T09:06:00.000Z'),
    );
    const mis = screen.getByTestId('status-mis');
    expect(mis.textContent).toContain(hhmm);
    expect(mis.getAttribute('title')).toContain(hhmm);
    expect(mis.getAttribute('title')).toContain('Пока не настроено');

    act(() => desk.emit('status:changed', makeStatus({ pbx: { state: 'offline', since: '2025-03-14T09:10:00.000Z', detail: null } })));
    expect(screen.getByTestId('status-pbx').getAttribute('data-state')).toBe('offline');
  });

  it('shows when the bridge is down and reloads the state when it comes back', async () => {
    const { desk } = renderApp();
    await loaded();
    expect(screen.queryByTestId('status-bridge')).toBeNull();
    act(() => desk.setBridge('reconnecting'));
    expect(screen.getByTestId('status-bridge').getAttribute('data-state')).toBe('reconnecting');
    desk.status = makeStatus({ sync: { state: 'idle', since: '2025-03-14T09:30:00.000Z', detail: null } });
    act(() => desk.setBridge('open'));
    expect(screen.queryByTestId('status-bridge')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('status-sync').getAttribute('data-state')).toBe('idle'));
    expect(desk.callsTo('status.snapshot')).toHaveLength(2);
  });

  it('when the desk service stops, greys every indicator to unknown and says the host stopped and to open the link it prints; all comes back with the bridge', async () => {
    const since = '2025-03-14T09:00:00.000Z';
    const desk = createFakeDesk({
      status: makeStatus({ pbx: { state: 'online', since, detail: null }, mis: { state: 'online', since, detail: null }, sync: { state: 'idle', since, detail: null } }),
    });
    renderApp(desk);
    await loaded();
    await waitFor(() => expect(screen.getByTestId('status-mis').getAttribute('data-tone')).toBe('ok'));
    expect(screen.queryByTestId('host-stopped')).toBeNull();

    act(() => desk.setBridge('reconnecting'));
    for (const id of ['status-sip', 'status-pbx', 'status-mis', 'status-sync']) {
      const indicator = screen.getByTestId(id);
      expect(indicator.getAttribute('data-state')).toBe('unknown');
      expect(indicator.getAttribute('data-tone')).toBe('off');
      expect(indicator.getAttribute('title')).toContain('Нет связи со службой рабочего места — состояние неизвестно.');
    }
    const banner = screen.getByTestId('host-stopped');
    expect(banner.getAttribute('role')).toBe('alert');
    expect(banner.textContent).toContain('Служба рабочего места остановлена.');
    expect(banner.textContent).toContain('откройте ссылку, которую она напечатает');
    // The banner stands above whichever pane is open.
    fireEvent.keyDown(window, { key: '2', code: 'Digit2', ctrlKey: true });
    expect(await screen.findByTestId('host-stopped')).toBeTruthy();

    act(() => desk.setBridge('open'));
    expect(screen.queryByTestId('host-stopped')).toBeNull();
    await waitFor(() => expect(screen.getByTestId('status-mis').getAttribute('data-state')).toBe('online'));
    expect(screen.getByTestId('status-pbx').getAttribute('data-tone')).toBe('ok');
  });

  it('a failed start-up request shows the specific error and Retry loads again', async () => {
    const desk = createFakeDesk();
    desk.fail('status.snapshot', new DeskError('BRIDGE_DISCONNECTED', 'lost'));
    renderApp(desk);
    const banner = await screen.findByTestId('app-error');
    expect(banner.getAttribute('data-code')).toBe('BRIDGE_DISCONNECTED');
    expect(banner.textContent).toContain('Нет связи со службой рабочего места');
    expect(banner.textContent).not.toContain('lost');

    desk.handle('status.snapshot', () => makeStatus({ pbx: { state: 'online', since: '2025-03-14T09:05:00.000Z', detail: null } }));
    fireEvent.click(screen.getByTestId('app-error-retry'));
    await waitFor(() => expect(screen.getByTestId('status-pbx').getAttribute('data-state')).toBe('online'));
    expect(screen.queryByTestId('app-error')).toBeNull();
  });

  it('applies the language from settings to the UI and the document', async () => {
    renderApp(createFakeDesk({ view: makeView({ settings: { language: 'en' } }) }));
    expect(await screen.findByText('Patients')).toBeTruthy();
    expect(document.documentElement.lang).toBe('en');
    expect(screen.getByTestId('nav-settings').textContent).toContain('Settings');
  });

  it('the supervisor window opens the supervisor pane once the role is known', async () => {
    const desk = createFakeDesk({ view: makeView({ settings: { role: 'supervisor' } }) });
    // The pane is loaded on first use: its module is loaded first, so the wait is for the pane, not the transform.
    await loadSupervisorPane();
    renderApp(desk, createAppStore({ bridge: 'open', initialPane: 'supervisor' }));
    expect(await screen.findByTestId('supervisor-pane')).toBeTruthy();
    expect(screen.getByTestId('nav-supervisor').getAttribute('aria-current')).toBe('page');
  });
});
