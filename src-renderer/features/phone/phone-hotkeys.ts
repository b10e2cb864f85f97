import { useEffect } from 'react';
import { useAppStoreApi } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { firstRingingOf, focusedCallOf, runPhoneAction, usePhoneStoreApi, type PhoneStore } from './phone-store';

/**
 * In-app phone hotkeys (the window must have focus). Function keys, so they never clash with
 * typing or with the Ctrl/Alt+1…6 pane shortcuts; they work in every pane.
 *
 * - F6 — answer the ringing call (the oldest, if several ring)
 * - F7 — hold / resume the current call
 * - F8 — mute / unmute the current call
 * - F9 — hang up the current call; with none, reject the ringing call
 * - Ctrl+Shift+D — open the Phone pane and focus the number box
 */
export type PhoneHotkey = 'answer' | 'hold' | 'mute' | 'hangup' | 'focusDialer';

/** The keys as shown in hints and `aria-keyshortcuts`. */
export const HOTKEY_LABELS: Record<PhoneHotkey, string> = {
  answer: 'F6',
  hold: 'F7',
  mute: 'F8',
  hangup: 'F9',
  focusDialer: 'Ctrl+Shift+D',
};

export const HOTKEY_ARIA: Record<PhoneHotkey, string> = {
  answer: 'F6',
  hold: 'F7',
  mute: 'F8',
  hangup: 'F9',
  focusDialer: 'Control+Shift+D',
};

/** Which hotkey a keydown is; auto-repeat (a key held down) is never one. */
export function phoneHotkeyOf(event: Pick<KeyboardEvent, 'key' | 'code' | 'repeat' | 'ctrlKey' | 'altKey' | 'shiftKey' | 'metaKey'>): PhoneHotkey | null {
  if (event.repeat) return null;
  if (event.ctrlKey && event.shiftKey && !event.altKey && !event.metaKey && (event.code === 'KeyD' || event.key.toLowerCase() === 'd')) return 'focusDialer';
  if (event.ctrlKey || event.altKey || event.metaKey || event.shiftKey) return null;
  switch (event.key) {
    case 'F6':
      return 'answer';
    case 'F7':
      return 'hold';
    case 'F8':
      return 'mute';
    case 'F9':
      return 'hangup';
    default:
      return null;
  }
}

/** Performs a hotkey on the current calls; returns false when there was nothing to do. */
export function runHotkey(hotkey: Exclude<PhoneHotkey, 'focusDialer'>, store: PhoneStore): boolean {
  const { calls } = store.getState();
  const ringing = firstRingingOf(calls);
  const focused = focusedCallOf(calls);
  switch (hotkey) {
    case 'answer':
      if (!ringing) return false;
      void runPhoneAction(store, 'answer', (phone) => phone.answer(ringing.id));
      return true;
    case 'hangup':
      if (focused) void runPhoneAction(store, 'hangup', (phone) => phone.hangup(focused.id));
      else if (ringing) void runPhoneAction(store, 'reject', (phone) => phone.reject(ringing.id));
      else return false;
      return true;
    case 'hold':
      if (!focused || (focused.state !== 'active' && focused.state !== 'held')) return false;
      if (focused.state === 'held') void runPhoneAction(store, 'resume', (phone) => phone.resume(focused.id));
      else void runPhoneAction(store, 'hold', (phone) => phone.hold(focused.id));
      return true;
    case 'mute':
      if (!focused || focused.state === 'recovering') return false;
      void runPhoneAction(store, focused.muted ? 'unmute' : 'mute', (phone) => phone.setMuted(focused.id, !focused.muted));
      return true;
  }
}

/**
 * Listens for the phone hotkeys on the document while the window runs a phone, and for the
 * system-wide ones main reports as `hotkey:pressed` (Electron's global shortcuts, pressed while
 * another program had focus).
 */
export function usePhoneHotkeys(enabled: boolean): void {
  const phones = usePhoneStoreApi();
  const app = useAppStoreApi();
  const desk = useDesk();
  useEffect(() => {
    if (!enabled) return;
    const perform = (hotkey: PhoneHotkey): boolean => {
      if (hotkey === 'focusDialer') {
        // Navigating (even to the pane already open) makes the Phone pane focus its number box.
        app.getState().navigate('phone');
        return true;
      }
      return runHotkey(hotkey, phones);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      const hotkey = phoneHotkeyOf(event);
      if (hotkey && perform(hotkey)) event.preventDefault();
    };
    document.addEventListener('keydown', onKeyDown);
    const offGlobal = desk.on('hotkey:pressed', ({ action }) => {
      perform(action);
    });
    return () => {
      document.removeEventListener('keydown', onKeyDown);
      offGlobal();
    };
  }, [enabled, phones, app, desk]);
}
