// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { SettingsView } from '../../../src-shared/settings/settings-schema';
import { AppStoreContext, createAppStore, useAppStore } from '../../app/app-store';
import { DeskContext } from '../../app/desk-context';
import { createI18n } from '../../i18n/i18n';
import { APP_INFO, createFakeDesk, makeView } from '../../test-support/fake-desk';
import { DesktopAppSettings } from './settings-desktop';

afterEach(cleanup);

/** The section as the settings pane draws it: with the stored view, following every save. */
function Current({ fallback }: { fallback: SettingsView }) {
  const view = useAppStore((state) => state.settingsView) ?? fallback;
  return <DesktopAppSettings view={view} />;
}

function mount(host: 'electron' | 'web', view: SettingsView = makeView()) {
  const desk = createFakeDesk({ view });
  const store = createAppStore({ bridge: 'open' });
  store.getState().setAppInfo({ ...APP_INFO, host });
  store.getState().setSettingsView(view);
  render(
    <I18nextProvider i18n={createI18n('ru')}>
      <DeskContext.Provider value={desk}>
        <AppStoreContext.Provider value={store}>
          <Current fallback={view} />
        </AppStoreContext.Provider>
      </DeskContext.Provider>
    </I18nextProvider>,
  );
  return { desk, store };
}

const box = (id: string) => screen.getByTestId(id) as HTMLInputElement;

describe('Settings → Desktop app', () => {
  it('is not shown in the browser host (no tray, no login item there)', () => {
    mount('web');
    expect(screen.queryByTestId('settings-desktop')).toBeNull();
  });

  it('shows both switches as set (autostart off, close-to-tray on by default) and saves each at once', async () => {
    const { desk } = mount('electron');
    expect(screen.getByText('Приложение на этом компьютере')).toBeTruthy();
    expect(box('settings-desktop-autostart').checked).toBe(false);
    expect(box('settings-desktop-close-to-tray').checked).toBe(true);
    fireEvent.click(box('settings-desktop-autostart'));
    await waitFor(() => expect(screen.getByTestId('settings-desktop-message').getAttribute('data-tone')).toBe('ok'));
    fireEvent.click(box('settings-desktop-close-to-tray'));
    await waitFor(() => expect(desk.callsTo('settings.update')).toHaveLength(2));
    expect(desk.callsTo('settings.update')).toEqual([{ desktop: { autostart: true } }, { desktop: { closeToTray: false } }]);
    expect(desk.view.settings.desktop).toEqual({ autostart: true, closeToTray: false });
    await waitFor(() => expect(box('settings-desktop-close-to-tray').checked).toBe(false));
    expect(box('settings-desktop-autostart').checked).toBe(true);
  });

  it('a switch IT manages is locked and says so', () => {
    mount('electron', makeView({ managed: ['desktop.autostart'] }));
    expect(box('settings-desktop-autostart').disabled).toBe(true);
    expect(screen.getByTestId('settings-desktop-autostart-managed')).toBeTruthy();
    expect(box('settings-desktop-close-to-tray').disabled).toBe(false);
  });

  it('a refused save says why and leaves the switch as stored', async () => {
    const { desk } = mount('electron');
    desk.fail('settings.update', new DeskError('SETTINGS_MANAGED', 'managed'));
    fireEvent.click(box('settings-desktop-autostart'));
    await waitFor(() => expect(screen.getByTestId('settings-desktop-message').getAttribute('data-tone')).toBe('error'));
    expect(screen.getByTestId('settings-desktop-message').textContent).toMatch(/^Не сохранено: /);
    expect(box('settings-desktop-autostart').checked).toBe(false);
  });
});
