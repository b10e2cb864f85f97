// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { SignInChoice } from '../../../src-shared/access/access-contract';
import type { Person, SessionView } from '../../../src-shared/access/access-model';
import { DeskError } from '../../../src-shared/ipc/errors';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView, type FakeDesk } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { activityPingMs, isLockShortcut } from './session-actions';

afterEach(cleanup);

// Synthetic staff only.
const OLGA: Person = { id: 'olga', name: 'Оператор Ольга', role: 'operator' };
const ZOYA: Person = { id: 'zoya', name: 'Кассир Зоя', role: 'cashier' };
const CHOICES: SignInChoice[] = [
  { ...OLGA, hasPin: true },
  { ...ZOYA, hasPin: false },
];
const view = (state: SessionView['state'], person: Person | null): SessionView => ({ state, role: person?.role ?? 'operator', person, idleLockMinutes: 5, retryAfter: null });

async function openDesk(session: SessionView): Promise<FakeDesk> {
  const desk = createFakeDesk({ view: makeView({ settings: { language: 'ru', access: { people: [OLGA, ZOYA], idleLockMinutes: 5 } } }) });
  let current = session;
  desk.handle('session.get', () => current);
  desk.handle('session.people', () => ({ people: CHOICES }));
  desk.handle('session.signIn', (input) => {
    const { personId, pin } = input as { personId: string; pin: string };
    if (personId === 'olga' && pin !== '1357') throw new DeskError('WRONG_PIN', 'Wrong PIN.');
    current = view('signed-in', personId === 'olga' ? OLGA : ZOYA);
    desk.emit('session:changed', current);
    return current;
  });
  desk.handle('session.unlock', (input) => {
    if ((input as { pin?: string }).pin !== '1357') throw new DeskError('WRONG_PIN', 'Wrong PIN.');
    current = view('signed-in', OLGA);
    desk.emit('session:changed', current);
    return current;
  });
  desk.handle('session.lock', () => {
    current = view('locked', current.person);
    desk.emit('session:changed', current);
    return current;
  });
  desk.handle('session.signOut', () => {
    current = view('signed-out', null);
    desk.emit('session:changed', current);
    return current;
  });
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={fakePhoneFactory().factory} />);
  await screen.findByTestId('app-info');
  return desk;
}

describe('sign-in, lock and sign-out in the window', () => {
  it('signed out: no navigation and no pane, only the staff list; a wrong PIN is said, the right one opens the desk', async () => {
    const desk = await openDesk(view('signed-out', null));
    await screen.findByTestId('sign-in');
    expect(screen.queryByTestId('nav')).toBeNull();
    expect(screen.queryByTestId('pane-loading')).toBeNull();
    fireEvent.click(await screen.findByTestId('sign-in-person-olga'));
    fireEvent.change(screen.getByTestId('sign-in-pin'), { target: { value: '0000' } });
    fireEvent.click(screen.getByTestId('sign-in-submit'));
    expect((await screen.findByTestId('sign-in-error')).textContent).toBe('Неверный PIN-код.');
    fireEvent.change(screen.getByTestId('sign-in-pin'), { target: { value: '1357' } });
    fireEvent.click(screen.getByTestId('sign-in-submit'));
    expect((await screen.findByTestId('session-person')).textContent).toBe('Оператор Ольга');
    expect(screen.getByTestId('nav')).toBeTruthy();
    expect(desk.callsTo('session.signIn')).toEqual([
      { personId: 'olga', pin: '0000' },
      { personId: 'olga', pin: '1357' },
    ]);
  });

  it('a first sign-in asks for the new PIN twice and refuses two that differ before sending', async () => {
    const desk = await openDesk(view('signed-out', null));
    fireEvent.click(await screen.findByTestId('sign-in-person-zoya'));
    fireEvent.change(screen.getByTestId('sign-in-pin'), { target: { value: '2468' } });
    fireEvent.change(screen.getByTestId('sign-in-pin-repeat'), { target: { value: '2469' } });
    fireEvent.click(screen.getByTestId('sign-in-submit'));
    expect((await screen.findByTestId('sign-in-error')).textContent).toBe('PIN-коды не совпадают.');
    expect(desk.callsTo('session.signIn')).toHaveLength(0);
    fireEvent.change(screen.getByTestId('sign-in-pin-repeat'), { target: { value: '2468' } });
    fireEvent.click(screen.getByTestId('sign-in-submit'));
    expect((await screen.findByTestId('session-person')).textContent).toBe('Кассир Зоя');
  });

  it('Ctrl+L locks: the pane is unmounted, the person and a PIN box shown; the PIN unlocks', async () => {
    const desk = await openDesk(view('signed-in', OLGA));
    await screen.findByTestId('session-person');
    fireEvent.click(screen.getByTestId('nav-patients'));
    await screen.findByTestId('patients-cache-empty');
    act(() => {
      fireEvent.keyDown(window, { key: 'l', code: 'KeyL', ctrlKey: true });
    });
    await screen.findByTestId('lock-screen');
    expect(desk.callsTo('session.lock')).toHaveLength(1);
    expect(screen.queryByTestId('patients-cache-empty')).toBeNull();
    expect(screen.getByTestId('lock-person').textContent).toContain('Оператор Ольга');
    fireEvent.change(screen.getByTestId('unlock-pin'), { target: { value: '9999' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    expect((await screen.findByTestId('unlock-error')).textContent).toBe('Неверный PIN-код.');
    fireEvent.change(screen.getByTestId('unlock-pin'), { target: { value: '1357' } });
    fireEvent.click(screen.getByTestId('unlock-submit'));
    await waitFor(() => expect(screen.queryByTestId('lock-screen')).toBeNull());
    expect(await screen.findByTestId('patients-cache-empty')).toBeTruthy();
  });

  it('sign-out from the bar clears the desk back to the staff list', async () => {
    await openDesk(view('signed-in', ZOYA));
    fireEvent.click(await screen.findByTestId('session-sign-out'));
    await screen.findByTestId('sign-in');
    expect(screen.queryByTestId('session-bar')).toBeNull();
    expect(screen.queryByTestId('nav')).toBeNull();
  });

  it('an open desk (no staff list) shows no bar and locks to a «Продолжить» button', async () => {
    const desk = createFakeDesk({ view: makeView({ settings: { language: 'ru' } }) });
    desk.handle('session.get', () => view('locked', null));
    desk.handle('session.unlock', () => view('open', null));
    render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} phoneFactory={fakePhoneFactory().factory} />);
    fireEvent.click(await screen.findByTestId('unlock-continue'));
    await waitFor(() => expect(desk.callsTo('session.unlock')).toEqual([{}]));
    expect(screen.queryByTestId('session-bar')).toBeNull();
  });
});

describe('the window half of the idle lock', () => {
  it('Ctrl+L and ⌘L (also on a Russian layout) lock; other keys do not', () => {
    const key = (over: Partial<KeyboardEvent>) => ({ key: 'l', code: 'KeyL', ctrlKey: false, metaKey: false, altKey: false, shiftKey: false, ...over });
    expect(isLockShortcut(key({ ctrlKey: true }))).toBe(true);
    expect(isLockShortcut(key({ metaKey: true }))).toBe(true);
    expect(isLockShortcut(key({ key: 'д', ctrlKey: true }))).toBe(true);
    expect(isLockShortcut(key({}))).toBe(false);
    expect(isLockShortcut(key({ ctrlKey: true, shiftKey: true }))).toBe(false);
    expect(isLockShortcut(key({ key: 'k', code: 'KeyK', ctrlKey: true }))).toBe(false);
  });

  it('input is reported every 10 s, or a quarter of a short idle time, so a busy desk never locks early', () => {
    expect(activityPingMs(5)).toBe(10_000);
    expect(activityPingMs(0.1)).toBe(1_500);
    expect(activityPingMs(0)).toBe(10_000);
    expect(activityPingMs(undefined)).toBe(10_000);
  });
});
