import { describe, expect, it } from 'vitest';
import { phoneHotkeyOf } from './phone-hotkeys';

const key = (key: string, extra: Partial<KeyboardEvent> = {}) => ({ key, code: '', repeat: false, ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...extra });

describe('phoneHotkeyOf', () => {
  it('maps F6-F9 and Ctrl+Shift+D, and nothing else', () => {
    expect(['F6', 'F7', 'F8', 'F9'].map((k) => phoneHotkeyOf(key(k)))).toEqual(['answer', 'hold', 'mute', 'hangup']);
    expect(phoneHotkeyOf(key('D', { code: 'KeyD', ctrlKey: true, shiftKey: true }))).toBe('focusDialer');
    // Russian layout: the same physical key.
    expect(phoneHotkeyOf(key('В', { code: 'KeyD', ctrlKey: true, shiftKey: true }))).toBe('focusDialer');
    expect(phoneHotkeyOf(key('d', { code: 'KeyD', ctrlKey: true }))).toBeNull();
    expect(phoneHotkeyOf(key('F6', { repeat: true }))).toBeNull();
    expect(phoneHotkeyOf(key('F6', { ctrlKey: true }))).toBeNull();
    expect(phoneHotkeyOf(key('1', { code: 'Digit1', ctrlKey: true }))).toBeNull(); // the pane shortcuts stay theirs
    expect(phoneHotkeyOf(key('F5'))).toBeNull();
  });
});
