// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { NOTIFICATION_PERMISSION_DELAY_MS, requestNotificationPermission, resetNotificationPermissionRequest } from './phone-alerts';

class FakeNotification {
  static permission: NotificationPermission = 'granted';
  static requestPermission = vi.fn(async () => FakeNotification.permission);
  static made: FakeNotification[] = [];
  onclick: (() => void) | null = null;
  closed = false;
  constructor(
    readonly title: string,
    readonly options: NotificationOptions,
  ) {
    FakeNotification.made.push(this);
  }
  close() {
    this.closed = true;
  }
}

let visibility: DocumentVisibilityState = 'hidden';

beforeEach(() => {
  FakeNotification.made = [];
  FakeNotification.permission = 'granted';
  visibility = 'hidden';
  vi.stubGlobal('Notification', FakeNotification);
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => visibility });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

async function renderDesk(language: 'ru' | 'en' = 'en') {
  const view = makeView({
    settings: { ...DEFAULT_SETTINGS, language, sip: { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@x.test', authUser: '1001' } },
    sipPasswordSet: true,
  });
  const desk = createFakeDesk({ view, sipPassword: 'secret' });
  const fake = fakePhoneFactory();
  render(<App desk={desk} i18n={createI18n(language)} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
  return fake.phones[0]!;
}

describe('notification permission', () => {
  it('is asked after the click that places or answers a call, not inside it (the call is set up first), and once per page', () => {
    vi.useFakeTimers();
    try {
      resetNotificationPermissionRequest();
      const permission = vi.fn((): NotificationPermission => 'default');
      Object.defineProperty(FakeNotification, 'permission', { configurable: true, get: permission, set: () => undefined });
      FakeNotification.requestPermission.mockClear();
      requestNotificationPermission();
      // Inside the click: not even the permission is read (a synchronous round trip to the browser).
      expect(permission).not.toHaveBeenCalled();
      expect(FakeNotification.requestPermission).not.toHaveBeenCalled();
      vi.advanceTimersByTime(NOTIFICATION_PERMISSION_DELAY_MS);
      expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
      requestNotificationPermission();
      vi.advanceTimersByTime(NOTIFICATION_PERMISSION_DELAY_MS);
      expect(FakeNotification.requestPermission).toHaveBeenCalledTimes(1);
    } finally {
      vi.useRealTimers();
      Object.defineProperty(FakeNotification, 'permission', { configurable: true, writable: true, value: 'granted' });
    }
  });
});

describe('incoming-call notification', () => {
  it('while the window is hidden: one notification without number or name; a click focuses the window; closed on answer', async () => {
    const phone = await renderDesk();
    const focus = vi.spyOn(window, 'focus').mockImplementation(() => undefined);
    await act(async () => void phone.ring({ id: 'c1', number: '+74951234567', displayName: 'Иванова Анна' }));
    expect(FakeNotification.made).toHaveLength(1);
    const [notification] = FakeNotification.made;
    expect(notification!.title).toBe('Incoming call');
    expect(notification!.options).toEqual({ body: 'Incoming call — click to answer', tag: 'c1' });
    expect(JSON.stringify(notification)).not.toMatch(/4951234567|Иванова/u);

    // Another snapshot while still ringing does not notify again.
    act(() => phone.setRegistration({ state: 'registered', since: 1, reason: null }));
    expect(FakeNotification.made).toHaveLength(1);

    notification!.onclick?.();
    expect(focus).toHaveBeenCalled();
    fireEvent.keyDown(document, { key: 'F6' });
    await waitFor(() => expect(phone.calls[0]?.state).toBe('active'));
    expect(notification!.closed).toBe(true);
    focus.mockRestore();
  });

  it('a call already ringing when the window is hidden gets its notification then; showing the window closes it', async () => {
    visibility = 'visible';
    const phone = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    expect(FakeNotification.made).toHaveLength(0);
    visibility = 'hidden';
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    expect(FakeNotification.made.map((n) => n.options.tag)).toEqual(['c1']);
    visibility = 'visible';
    act(() => void document.dispatchEvent(new Event('visibilitychange')));
    expect(FakeNotification.made[0]!.closed).toBe(true);
  });

  it('in Russian, too', async () => {
    const phone = await renderDesk('ru');
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    expect(FakeNotification.made[0]!.title).toBe('Входящий звонок');
  });

  it('none while the window is visible, or without permission', async () => {
    const phone = await renderDesk();
    visibility = 'visible';
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    expect(FakeNotification.made).toHaveLength(0);
    visibility = 'hidden';
    FakeNotification.permission = 'denied';
    await act(async () => void phone.ring({ id: 'c2', number: '102' }));
    expect(FakeNotification.made).toHaveLength(0);
    expect(screen.getAllByTestId('incoming-call')).toHaveLength(2);
  });

  it('a platform without Notification still rings in the pane', async () => {
    vi.stubGlobal('Notification', undefined);
    const phone = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    expect(screen.getByTestId('incoming-call')).toBeTruthy();
  });
});
