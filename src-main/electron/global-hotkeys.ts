import type { PhoneHotkeyAction } from '../../src-shared/softphone/softphone-contract';
import type { Logger } from '../core/log/logger';

/**
 * System-wide phone hotkeys, so an operator typing in the MIS can answer or hang up without
 * switching windows. The in-app keys are F6–F9 (features/phone/phone-hotkeys.ts); the global
 * ones add Ctrl+Shift so they do not steal plain function keys from every other program.
 * Ctrl+Alt+F-keys are avoided on purpose: on Linux they switch virtual terminals.
 */
export const GLOBAL_HOTKEYS: Readonly<Record<PhoneHotkeyAction, string>> = Object.freeze({
  answer: 'Control+Shift+F6',
  hold: 'Control+Shift+F7',
  mute: 'Control+Shift+F8',
  hangup: 'Control+Shift+F9',
  focusDialer: 'Control+Shift+F10',
});

/** The part of Electron's `globalShortcut` used here. */
export interface GlobalShortcutLike {
  register(accelerator: string, callback: () => void): boolean;
  unregister(accelerator: string): void;
}

export interface GlobalHotkeyTarget {
  /** Pushes `hotkey:pressed` to the desk windows (the renderer performs the action). */
  press(action: PhoneHotkeyAction): void;
  /** Brings the operator window forward (for actions that need the operator's eyes). */
  reveal(): void;
}

/** Actions after which the operator will look at the desk: show it. */
const REVEALING: ReadonlySet<PhoneHotkeyAction> = new Set(['answer', 'focusDialer']);

/**
 * Registers the global hotkeys. A combination another program already holds is skipped and
 * logged (Electron's `register` returns false), never fatal: the in-app keys still work.
 * Returns the unregister function and the actions that could not be registered.
 */
export function registerGlobalHotkeys(
  shortcuts: GlobalShortcutLike,
  target: GlobalHotkeyTarget,
  logger?: Pick<Logger, 'warn'>,
): { unregister: () => void; unavailable: PhoneHotkeyAction[] } {
  const registered: string[] = [];
  const unavailable: PhoneHotkeyAction[] = [];
  for (const [action, accelerator] of Object.entries(GLOBAL_HOTKEYS) as [PhoneHotkeyAction, string][]) {
    let ok: boolean;
    try {
      ok = shortcuts.register(accelerator, () => {
        if (REVEALING.has(action)) target.reveal();
        target.press(action);
      });
    } catch {
      ok = false;
    }
    if (ok) registered.push(accelerator);
    else {
      unavailable.push(action);
      logger?.warn('hotkeys.global-unavailable', { action, accelerator });
    }
  }
  return {
    unavailable,
    unregister: () => {
      for (const accelerator of registered) shortcuts.unregister(accelerator);
    },
  };
}
