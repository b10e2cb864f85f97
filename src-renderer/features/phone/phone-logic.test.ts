import { describe, expect, it } from 'vitest';
import { newCall } from '../../softphone/call-state';
import type { PhoneCall } from '../../softphone/phone';
import { phoneHotkeyOf } from './phone-hotkeys';
import { consultationOf, firstRingingOf, focusedCallOf } from './phone-store';
import { formatDuration } from './use-now';

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

const call = (id: string, direction: PhoneCall['direction'], state: PhoneCall['state'], at: number, extra: Partial<PhoneCall> = {}): PhoneCall => ({
  ...newCall({ id, direction, remoteNumber: id, remoteDisplayName: '', at }),
  state,
  ...extra,
});

describe('which call the controls act on', () => {
  it('prefers the newest call being talked on or set up, then the newest held one', () => {
    expect(focusedCallOf([])).toBeNull();
    expect(focusedCallOf([call('r', 'incoming', 'ringing', 1)])).toBeNull();
    expect(focusedCallOf([call('h', 'incoming', 'held', 1), call('a', 'incoming', 'active', 2)])?.id).toBe('a');
    expect(focusedCallOf([call('a', 'incoming', 'active', 1), call('h', 'incoming', 'held', 2)])?.id).toBe('a');
    expect(focusedCallOf([call('h1', 'incoming', 'held', 1), call('h2', 'incoming', 'held', 2)])?.id).toBe('h2');
    expect(focusedCallOf([call('h', 'incoming', 'held', 1), call('c', 'outgoing', 'ringing', 2, { consultationFor: 'h' })])?.id).toBe('c');
  });

  it('F6 answers the oldest ringing call; a consultation is found with its caller', () => {
    expect(firstRingingOf([call('b', 'incoming', 'ringing', 2), call('a', 'incoming', 'ringing', 1)])?.id).toBe('a');
    expect(firstRingingOf([call('o', 'outgoing', 'ringing', 1)])).toBeNull();
    const pair = consultationOf([call('h', 'incoming', 'held', 1), call('c', 'outgoing', 'active', 2, { consultationFor: 'h' })]);
    expect([pair?.original.id, pair?.consultation.id]).toEqual(['h', 'c']);
    expect(consultationOf([call('c', 'outgoing', 'active', 2, { consultationFor: 'gone' })])).toBeNull();
  });
});

describe('formatDuration', () => {
  it('is mm:ss, and h:mm:ss from an hour on', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(61_999)).toBe('01:01');
    expect(formatDuration(3_600_000 + 62_000)).toBe('1:01:02');
    expect(formatDuration(-5)).toBe('00:00');
  });
});
