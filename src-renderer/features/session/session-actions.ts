import { useEffect } from 'react';
import { useAppStoreApi } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';

/** At most one `session.activity` per this many ms: the core's idle timer needs minutes, not every mouse move. */
export const ACTIVITY_PING_MS = 10_000;

/** How often input is reported: every 10 s, or a quarter of a (short) idle time, so a busy desk never locks early. */
export function activityPingMs(idleLockMinutes: number | undefined): number {
  if (!idleLockMinutes || idleLockMinutes <= 0) return ACTIVITY_PING_MS;
  return Math.max(250, Math.min(ACTIVITY_PING_MS, (idleLockMinutes * 60_000) / 4));
}

/** Ctrl+L (⌘L on a Mac): lock the desk at once. */
export function isLockShortcut(event: Pick<KeyboardEvent, 'key' | 'code' | 'ctrlKey' | 'metaKey' | 'altKey' | 'shiftKey'>): boolean {
  const l = event.code === 'KeyL' || event.key.toLowerCase() === 'l' || event.key.toLowerCase() === 'д';
  return l && (event.ctrlKey || event.metaKey) && !event.altKey && !event.shiftKey;
}

/**
 * The window's half of the idle lock (docs/architecture.md, "Privacy and security"): input tells
 * the core someone is at the desk (throttled), and Ctrl+L locks at once. The core keeps the timer
 * and decides; a window never unlocks by itself.
 */
export function useSessionInput(): void {
  const desk = useDesk();
  const store = useAppStoreApi();
  useEffect(() => {
    let last = 0;
    const onInput = () => {
      const session = store.getState().session;
      if (session?.state !== 'open' && session?.state !== 'signed-in') return;
      const now = Date.now();
      if (now - last < activityPingMs(session.idleLockMinutes)) return;
      last = now;
      desk.request('session.activity', {}).catch(() => undefined);
    };
    const onKeyDown = (event: KeyboardEvent) => {
      if (isLockShortcut(event)) {
        event.preventDefault();
        desk.request('session.lock', {}).catch(() => undefined);
        return;
      }
      onInput();
    };
    const passive = { passive: true, capture: true } as const;
    window.addEventListener('keydown', onKeyDown, true);
    window.addEventListener('pointerdown', onInput, passive);
    window.addEventListener('pointermove', onInput, passive);
    window.addEventListener('wheel', onInput, passive);
    return () => {
      window.removeEventListener('keydown', onKeyDown, true);
      window.removeEventListener('pointerdown', onInput, passive);
      window.removeEventListener('pointermove', onInput, passive);
      window.removeEventListener('wheel', onInput, passive);
    };
  }, [desk, store]);
}
