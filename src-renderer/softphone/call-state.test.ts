import { describe, expect, it } from 'vitest';
import { newCall, reduceCall, type CallEvent } from './call-state';
import type { PhoneCall } from './phone';

const incoming = () => newCall({ id: 'c1', direction: 'incoming', remoteNumber: '+79001234567', remoteDisplayName: 'Иванов', at: 100 });
const outgoing = () => newCall({ id: 'c2', direction: 'outgoing', remoteNumber: '101', remoteDisplayName: '', at: 100 });
const apply = (call: PhoneCall, ...events: CallEvent[]) => events.reduce(reduceCall, call);

describe('call state reducer', () => {
  it('incoming starts ringing, outgoing connecting, both unmuted with no outcome', () => {
    expect(incoming()).toMatchObject({ state: 'ringing', muted: false, startedAt: 100, answeredAt: null, endedAt: null, outcome: null });
    expect(outgoing().state).toBe('connecting');
  });

  it('ringing → active → held → active → ended(answered)', () => {
    let c = incoming();
    c = reduceCall(c, { type: 'accepting', at: 110 });
    expect(c.state).toBe('connecting');
    c = reduceCall(c, { type: 'established', at: 120 });
    expect(c).toMatchObject({ state: 'active', answeredAt: 120 });
    c = reduceCall(c, { type: 'held', at: 130 });
    expect(c.state).toBe('held');
    c = reduceCall(c, { type: 'resumed', at: 140 });
    expect(c.state).toBe('active');
    c = reduceCall(c, { type: 'hungUp', at: 150 });
    expect(c).toMatchObject({ state: 'ended', endedAt: 150, outcome: 'answered', answeredAt: 120 });
  });

  it('only a ringing incoming intercom call becomes the expected one, once', () => {
    const intercom = newCall({ id: 'c3', direction: 'incoming', remoteNumber: '555', remoteDisplayName: '', at: 100, autoAnswerAfterSec: 0 });
    expect(intercom.expectedIntercom).toBe(false);
    const expected = reduceCall(intercom, { type: 'expected', at: 101 });
    expect(expected).toMatchObject({ expectedIntercom: true, state: 'ringing' });
    expect(reduceCall(expected, { type: 'expected', at: 102 })).toBe(expected);
    // Not an intercom INVITE, not ringing any more, or not incoming: nothing changes.
    const plain = incoming();
    expect(reduceCall(plain, { type: 'expected', at: 101 })).toBe(plain);
    const answering = reduceCall(intercom, { type: 'accepting', at: 101 });
    expect(reduceCall(answering, { type: 'expected', at: 102 })).toBe(answering);
    const out = outgoing();
    expect(reduceCall(out, { type: 'expected', at: 101 })).toBe(out);
  });

  it('caller cancels while ringing → ended(missed)', () => {
    expect(apply(incoming(), { type: 'cancelled', at: 105 })).toMatchObject({ state: 'ended', outcome: 'missed', endedAt: 105 });
  });

  it('operator rejects → ended(rejected)', () => {
    expect(apply(incoming(), { type: 'rejected', at: 105 })).toMatchObject({ state: 'ended', outcome: 'rejected' });
  });

  it('outgoing: connecting → ringing (18x) → active; busy → rejected; 404 → failed', () => {
    const ringing = apply(outgoing(), { type: 'progress', at: 101 });
    expect(ringing.state).toBe('ringing');
    expect(apply(ringing, { type: 'established', at: 102 })).toMatchObject({ state: 'active', answeredAt: 102 });
    expect(apply(ringing, { type: 'rejected', at: 102 }).outcome).toBe('rejected');
    expect(apply(outgoing(), { type: 'failed', at: 102 })).toMatchObject({ state: 'ended', outcome: 'failed' });
  });

  it('an outgoing call we cancel before answer is missed, not answered', () => {
    expect(apply(outgoing(), { type: 'progress', at: 101 }, { type: 'hungUp', at: 109 }).outcome).toBe('missed');
  });

  it('transport loss on an active call → recovering → active again', () => {
    const c = apply(incoming(), { type: 'established', at: 110 }, { type: 'transportLost', at: 120 });
    expect(c.state).toBe('recovering');
    expect(apply(c, { type: 'recovered', held: false, at: 130 }).state).toBe('active');
  });

  it('a held call recovers to held', () => {
    const c = apply(incoming(), { type: 'established', at: 110 }, { type: 'held', at: 111 }, { type: 'transportLost', at: 120 });
    expect(apply(c, { type: 'recovered', held: true, at: 130 }).state).toBe('held');
  });

  it('recovery fails → ended(lost)', () => {
    const c = apply(incoming(), { type: 'established', at: 110 }, { type: 'transportLost', at: 120 }, { type: 'transportLost', at: 121 });
    expect(c.state).toBe('recovering');
    expect(apply(c, { type: 'recoveryFailed', at: 140 })).toMatchObject({ state: 'ended', outcome: 'lost', endedAt: 140 });
  });

  it('transport loss before answer ends the call: incoming missed, outgoing failed', () => {
    expect(apply(incoming(), { type: 'transportLost', at: 101 }).outcome).toBe('missed');
    expect(apply(outgoing(), { type: 'transportLost', at: 101 }).outcome).toBe('failed');
  });

  it('a media failure on an answered call is lost', () => {
    expect(apply(incoming(), { type: 'established', at: 110 }, { type: 'failed', at: 111 }).outcome).toBe('lost');
  });

  it('mute toggles without changing state; same value returns the same object', () => {
    const active = apply(incoming(), { type: 'established', at: 110 });
    const muted = reduceCall(active, { type: 'muted', muted: true, at: 111 });
    expect(muted).toMatchObject({ muted: true, state: 'active' });
    expect(reduceCall(muted, { type: 'muted', muted: true, at: 112 })).toBe(muted);
  });

  it('ended is final', () => {
    const ended = apply(incoming(), { type: 'rejected', at: 101 });
    const events: CallEvent[] = [
      { type: 'established', at: 1 }, { type: 'held', at: 1 }, { type: 'hungUp', at: 1 }, { type: 'failed', at: 1 },
      { type: 'transportLost', at: 1 }, { type: 'recovered', held: false, at: 1 }, { type: 'recoveryFailed', at: 1 },
      { type: 'muted', muted: true, at: 1 },
    ];
    for (const e of events) expect(reduceCall(ended, e)).toBe(ended);
  });

  it('nonsense events are ignored (hold while ringing, resume while active, cancel after answer)', () => {
    const ringing = incoming();
    expect(reduceCall(ringing, { type: 'held', at: 1 })).toBe(ringing);
    const active = apply(ringing, { type: 'established', at: 2 });
    expect(reduceCall(active, { type: 'resumed', at: 3 })).toBe(active);
    expect(reduceCall(active, { type: 'cancelled', at: 3 })).toBe(active);
    expect(reduceCall(active, { type: 'recovered', held: false, at: 3 })).toBe(active);
  });
});
