import { describe, expect, it } from 'vitest';
import { newCall } from '../../softphone/call-state';
import type { PhoneCall } from '../../softphone/phone';
import { consultationOf, firstRingingOf, focusedCallOf } from './phone-store';

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
