import { describe, expect, it, vi } from 'vitest';
import { FakeWebContents } from './testing/fake-electron';
import { installLockShortcut, isLockShortcut, type KeyInput } from './lock-shortcut';

const key = (input: Partial<KeyInput>): KeyInput => ({ type: 'keyDown', key: 'l', code: 'KeyL', control: false, meta: false, alt: false, shift: false, isAutoRepeat: false, ...input });

describe('Ctrl+L (Cmd+L on macOS)', () => {
  it.each<[string, Partial<KeyInput>, NodeJS.Platform, boolean]>([
    ['Ctrl+L', { control: true }, 'win32', true],
    ['Ctrl+L, Russian layout (д)', { control: true, key: 'д' }, 'linux', true],
    ['Ctrl+Shift+L', { control: true, shift: true }, 'win32', false],
    ['Ctrl+Alt+L', { control: true, alt: true }, 'linux', false],
    ['L alone', {}, 'win32', false],
    ['Ctrl+K', { control: true, key: 'k', code: 'KeyK' }, 'win32', false],
    ['Ctrl+L held down (repeat)', { control: true, isAutoRepeat: true }, 'win32', false],
    ['Ctrl+L released', { control: true, type: 'keyUp' }, 'win32', false],
    ['Cmd+L on macOS', { meta: true }, 'darwin', true],
    ['Ctrl+L on macOS', { control: true }, 'darwin', false],
    ['Win+L on Windows (the OS lock)', { meta: true }, 'win32', false],
  ])('%s → %s', (_name, input, platform, locks) => {
    expect(isLockShortcut(key(input), platform)).toBe(locks);
  });

  it('locks and keeps the key from the page', () => {
    const contents = new FakeWebContents();
    const lock = vi.fn();
    installLockShortcut(contents, lock, 'linux');
    const event = contents.pressKey({ key: 'l', code: 'KeyL', control: true });
    expect(event.defaultPrevented).toBe(true);
    expect(lock).toHaveBeenCalledTimes(1);
    expect(contents.pressKey({ key: 'a', code: 'KeyA', control: true }).defaultPrevented).toBe(false);
    expect(lock).toHaveBeenCalledTimes(1);
  });
});
