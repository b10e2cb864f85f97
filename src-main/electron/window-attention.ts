/** The part of a BrowserWindow that bringing it forward touches. */
export interface AttentionWindow {
  isDestroyed(): boolean;
  isMinimized(): boolean;
  isFocused(): boolean;
  restore(): void;
  show(): void;
  focus(): void;
  flashFrame(flag: boolean): void;
  once(event: 'focus', listener: () => void): unknown;
}

/** Restores, shows (from the tray too) and focuses a window; nothing for a window that is gone. */
export function revealWindow(window: Omit<AttentionWindow, 'isFocused' | 'flashFrame' | 'once'> | null): void {
  if (!window || window.isDestroyed()) return;
  if (window.isMinimized()) window.restore();
  window.show();
  window.focus();
}

/** Windows flashing until their next focus (one 'focus' listener each, however many rings). */
const flashing = new WeakSet<AttentionWindow>();

/**
 * A call rings: the window comes forward. Where the OS refuses a background program the focus
 * (Windows' foreground lock; some Linux window managers) it flashes on the taskbar instead until
 * the operator focuses it. Returns whether it has the focus now.
 */
export function requestWindowAttention(window: AttentionWindow | null): boolean {
  if (!window || window.isDestroyed()) return false;
  revealWindow(window);
  if (window.isFocused()) return true;
  window.flashFrame(true);
  if (!flashing.has(window)) {
    flashing.add(window);
    window.once('focus', () => {
      flashing.delete(window);
      if (!window.isDestroyed()) window.flashFrame(false);
    });
  }
  return false;
}
