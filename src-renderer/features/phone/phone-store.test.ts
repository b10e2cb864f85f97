import { describe, expect, it } from 'vitest';
import { newCall } from '../../softphone/call-state';
import type { PhoneCall } from '../../softphone/phone';
import { newPop } from './call-work';
import { consultationOf, createPhoneStore, firstRingingOf, focusedCallOf } from './phone-store';
import { ringerModeOf } from './ringer';

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

describe("the supervisor's monitor call in the store", () => {
  it('is kept apart from the calls the operator works, so rings, lines, hotkeys and the ringer never see it', () => {
    const store = createPhoneStore();
    const patient = call('p', 'incoming', 'ringing', 1);
    const spy = call('s', 'incoming', 'active', 2, { expectedIntercom: true, autoAnswerAfterSec: 0 });
    store.getState().setCalls([patient, spy]);
    expect(store.getState().calls).toEqual([patient]);
    expect(store.getState().monitorCall).toBe(spy);
    expect(ringerModeOf(store.getState().calls)).toBe('ring');
    store.getState().setCalls([spy]);
    expect(store.getState().calls).toEqual([]);
    expect(ringerModeOf(store.getState().calls)).toBe('silent');
    expect(focusedCallOf(store.getState().calls)).toBeNull();
    expect(firstRingingOf(store.getState().calls)).toBeNull();
    store.getState().setCalls([]);
    expect(store.getState().monitorCall).toBeNull();
  });

  it('a ring taken as the expected call after it rang loses its screen pop', () => {
    const store = createPhoneStore();
    const ring = call('s', 'incoming', 'ringing', 1, { autoAnswerAfterSec: 0 });
    store.getState().setCalls([ring]);
    store.getState().addPop(newPop('s', '2001', 'sip', null));
    store.getState().addPop(newPop('other', '+79161234567', 'sip', null));
    store.getState().setCalls([{ ...ring, expectedIntercom: true }]);
    expect(store.getState().pops.map((pop) => pop.callId)).toEqual(['other']);
  });
});
