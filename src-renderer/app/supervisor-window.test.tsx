// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { createI18n } from '../i18n/i18n';
import { createFakeDesk, makeView } from '../test-support/fake-desk';
import { App } from './App';
import { createAppStore } from './app-store';
import { isSupervisorWindow } from './window-kind';

afterEach(cleanup);

describe('which window this page is', () => {
  it('the supervisor window is `?window=supervisor` (Electron) or the browser host’s /supervisor', () => {
    expect(isSupervisorWindow({ pathname: '/index.html', search: '?window=supervisor' })).toBe(true);
    expect(isSupervisorWindow({ pathname: '/supervisor', search: '' })).toBe(true);
    expect(isSupervisorWindow({ pathname: '/supervisor', search: '?token=t' })).toBe(true);
    expect(isSupervisorWindow({ pathname: '/', search: '?token=t' })).toBe(false);
    expect(isSupervisorWindow({ pathname: '/index.html', search: '' })).toBe(false);
    expect(isSupervisorWindow({ pathname: '/supervisor/x', search: '' })).toBe(false);
  });
});

describe('the supervisor window on a desk of another role', () => {
  function renderWindow(role: 'operator' | 'cashier' | 'supervisor', windowKind: 'desk' | 'supervisor' = 'supervisor') {
    const desk = createFakeDesk({ view: makeView({ settings: { role } }) });
    render(
      <App
        desk={desk}
        i18n={createI18n('ru')}
        store={createAppStore({ bridge: 'open', initialPane: windowKind === 'supervisor' ? 'supervisor' : null, windowKind })}
        phoneFactory={windowKind === 'supervisor' ? null : undefined}
      />,
    );
    return desk;
  }

  it.each(['operator', 'cashier'] as const)('a %s desk sees a forbidden state, never the pane nor the navigation', async (role) => {
    renderWindow(role);
    const forbidden = await screen.findByTestId('supervisor-forbidden');
    expect(forbidden.getAttribute('data-state')).toBe(role);
    expect(forbidden.textContent).toContain('Это окно открывается только на рабочем месте супервизора.');
    expect(forbidden.textContent).toContain(role === 'operator' ? '«Оператор»' : '«Кассир»');
    expect(screen.queryByTestId('pane-supervisor')).toBeNull();
    expect(screen.queryByTestId('nav-supervisor')).toBeNull();
    expect(screen.queryByTestId('nav-phone')).toBeNull();
  });

  it('follows the role: the pane once it is a supervisor desk, the forbidden state again when it is not', async () => {
    const desk = renderWindow('operator');
    await screen.findByTestId('supervisor-forbidden');
    act(() => desk.emit('settings:changed', makeView({ settings: { role: 'supervisor' } })));
    expect(screen.queryByTestId('supervisor-forbidden')).toBeNull();
    // The pane is loaded on first use (its module's first import can take seconds on a busy machine).
    expect(await screen.findByTestId('pane-supervisor', {}, { timeout: 10_000 })).toBeTruthy();
    act(() => desk.emit('settings:changed', makeView({ settings: { role: 'operator' } })));
    expect(screen.getByTestId('supervisor-forbidden')).toBeTruthy();
    expect(screen.queryByTestId('pane-supervisor')).toBeNull();
    act(() => desk.emit('settings:changed', makeView({ settings: { role: 'supervisor' } })));
    expect(await screen.findByTestId('pane-supervisor')).toBeTruthy();
  });

  it('a supervisor desk gets the pane; an operator’s own desk window is never forbidden', async () => {
    renderWindow('supervisor');
    expect(await screen.findByTestId('pane-supervisor', {}, { timeout: 10_000 })).toBeTruthy();
    expect(screen.queryByTestId('supervisor-forbidden')).toBeNull();
    cleanup();
    renderWindow('operator', 'desk');
    expect(await screen.findByTestId('nav-phone')).toBeTruthy();
    expect(screen.queryByTestId('supervisor-forbidden')).toBeNull();
  });
});
