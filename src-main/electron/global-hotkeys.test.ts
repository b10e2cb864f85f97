import { describe, expect, it } from 'vitest';
import { GLOBAL_HOTKEYS, registerGlobalHotkeys, type GlobalShortcutLike } from './global-hotkeys';

function fakeShortcuts(taken: string[] = []) {
  const callbacks = new Map<string, () => void>();
  const shortcuts: GlobalShortcutLike = {
    register: (accelerator, callback) => {
      if (taken.includes(accelerator)) return false;
      callbacks.set(accelerator, callback);
      return true;
    },
    unregister: (accelerator) => {
      callbacks.delete(accelerator);
    },
  };
  return { shortcuts, callbacks };
}

describe('global phone hotkeys (Electron)', () => {
  it('a global answer key brings the desk forward and tells the renderer; hang up does not steal focus', () => {
    const { shortcuts, callbacks } = fakeShortcuts();
    const log: string[] = [];
    registerGlobalHotkeys(shortcuts, { press: (action) => log.push(`press:${action}`), reveal: () => log.push('reveal') });
    callbacks.get(GLOBAL_HOTKEYS.answer)?.();
    callbacks.get(GLOBAL_HOTKEYS.hangup)?.();
    expect(log).toEqual(['reveal', 'press:answer', 'press:hangup']);
  });

  it('a combination another program holds is skipped and logged, the rest still work', () => {
    const { shortcuts, callbacks } = fakeShortcuts([GLOBAL_HOTKEYS.mute]);
    const warnings: unknown[] = [];
    const pressed: string[] = [];
    const result = registerGlobalHotkeys(shortcuts, { press: (action) => pressed.push(action), reveal: () => undefined }, { warn: (event, fields) => warnings.push([event, fields]) });
    expect(result.unavailable).toEqual(['mute']);
    expect(warnings).toEqual([['hotkeys.global-unavailable', { action: 'mute', accelerator: GLOBAL_HOTKEYS.mute }]]);
    callbacks.get(GLOBAL_HOTKEYS.hold)?.();
    expect(pressed).toEqual(['hold']);
  });

  it('never uses Ctrl+Alt+F-keys (they switch virtual terminals on Linux) and unregisters everything it registered', () => {
    for (const accelerator of Object.values(GLOBAL_HOTKEYS)) expect(accelerator).not.toMatch(/Control\+Alt\+F\d/);
    const { shortcuts, callbacks } = fakeShortcuts();
    const { unregister } = registerGlobalHotkeys(shortcuts, { press: () => undefined, reveal: () => undefined });
    expect(callbacks.size).toBe(5);
    unregister();
    expect(callbacks.size).toBe(0);
  });
});
