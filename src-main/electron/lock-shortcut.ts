/** Electron's `Input` of 'before-input-event', reduced. */
export interface KeyInput {
  type: string;
  key: string;
  /** The physical key (`KeyL`): the same on a Russian layout, where `key` is `д`. */
  code: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
  isAutoRepeat?: boolean;
}

/** A window's WebContents, reduced to the event this needs. */
export interface KeyInputSource {
  on(event: 'before-input-event', listener: (event: { preventDefault(): void }, input: KeyInput) => void): unknown;
}

/** Ctrl+L (Cmd+L on macOS), by the physical key, without Alt or Shift. */
export function isLockShortcut(input: KeyInput, platform: NodeJS.Platform): boolean {
  if (input.type !== 'keyDown' || input.isAutoRepeat) return false;
  const modifier = platform === 'darwin' ? input.meta && !input.control : input.control && !input.meta;
  return modifier && !input.alt && !input.shift && (input.code === 'KeyL' || input.key.toLowerCase() === 'l');
}

/**
 * Ctrl+L in a desk window locks the desk at once — before the page sees the key, so a page busy
 * rendering (or hung) cannot delay it. A window-local shortcut, never a global one: Ctrl+L in
 * another program is that program's. The page does not see the key afterwards.
 */
export function installLockShortcut(contents: KeyInputSource, lock: () => void, platform: NodeJS.Platform = process.platform): void {
  contents.on('before-input-event', (event, input) => {
    if (!isLockShortcut(input, platform)) return;
    event.preventDefault();
    lock();
  });
}
