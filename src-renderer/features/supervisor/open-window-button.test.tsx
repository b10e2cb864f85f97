// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Role } from '../../../src-shared/settings/settings-schema';
import { createAppStore, AppStoreContext, type DeskWindowKind } from '../../app/app-store';
import { DeskContext } from '../../app/desk-context';
import { TOKEN_STORAGE_KEY } from '../../bridge/desk-client';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView } from '../../test-support/fake-desk';
import { OpenSupervisorWindowButton } from './open-window-button';

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  sessionStorage.clear();
});

function renderButton(options: { role?: Role; windowKind?: DeskWindowKind } = {}) {
  const desk = createFakeDesk();
  const store = createAppStore({ bridge: 'open', windowKind: options.windowKind ?? 'desk' });
  act(() => store.getState().setSettingsView(makeView({ settings: { role: options.role ?? 'supervisor' } })));
  const open = vi.spyOn(window, 'open').mockImplementation(() => null);
  render(
    <I18nextProvider i18n={createI18n('ru')}>
      <DeskContext.Provider value={desk}>
        <AppStoreContext.Provider value={store}>
          <OpenSupervisorWindowButton />
        </AppStoreContext.Provider>
      </DeskContext.Provider>
    </I18nextProvider>,
  );
  return { desk, store, open };
}

describe('the supervisor pane’s «open in a separate window»', () => {
  it('in the browser host main answers `route`: this tab opens /supervisor in a new tab, with its token, noopener', async () => {
    sessionStorage.setItem(TOKEN_STORAGE_KEY, 'tab-token');
    const { desk, open } = renderButton();
    desk.handle('app.openSupervisor', () => ({ opened: 'route' }));
    fireEvent.click(screen.getByTestId('sv-open-window'));
    await waitFor(() => expect(open).toHaveBeenCalledWith('/supervisor?token=tab-token', '_blank', 'noopener'));
    expect(desk.callsTo('app.openSupervisor')).toEqual([{}]);
  });

  it('in Electron main opens the window itself (`window`): the page opens nothing', async () => {
    const { desk, open } = renderButton();
    desk.handle('app.openSupervisor', () => ({ opened: 'window' }));
    fireEvent.click(screen.getByTestId('sv-open-window'));
    await waitFor(() => expect(desk.callsTo('app.openSupervisor')).toHaveLength(1));
    await waitFor(() => expect((screen.getByTestId('sv-open-window') as HTMLButtonElement).disabled).toBe(false));
    expect(open).not.toHaveBeenCalled();
  });

  it('a refusal is a line beside the button in words, never a throw', async () => {
    const { desk, open } = renderButton();
    desk.fail('app.openSupervisor', new DeskError('FORBIDDEN', 'no'));
    fireEvent.click(screen.getByTestId('sv-open-window'));
    expect((await screen.findByTestId('sv-open-window-error')).textContent).toBe('Окно супервизора не открылось: Это недоступно для вашей роли.');
    expect(open).not.toHaveBeenCalled();
  });

  it.each<[Role, DeskWindowKind]>([
    ['operator', 'desk'],
    ['cashier', 'desk'],
    ['supervisor', 'supervisor'],
  ])('is not there for a %s desk in its %s window', (role, windowKind) => {
    renderButton({ role, windowKind });
    expect(screen.queryByTestId('sv-open-window')).toBeNull();
  });
});
