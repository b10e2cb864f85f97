import { describe, expect, it } from 'vitest';
import { DemoPbx, type PbxCallEvent } from './demo-pbx';

describe('DemoPbx', () => {
  it('rings, answers and ends a call on an extension, each with the same fresh call id', () => {
    const events: PbxCallEvent[] = [];
    let n = 0;
    const pbx = new DemoPbx((event) => events.push(event), () => `pbx-${++n}`);
    const callId = pbx.ring('+79161234567', '101');
    expect(callId).toBe('pbx-1');
    expect(pbx.answer(callId)).toBe(true);
    expect(pbx.end(callId)).toBe(true);
    expect(events).toEqual([
      { event: 'ringing', callId, number: '+79161234567', extension: '101' },
      { event: 'answered', callId, number: '+79161234567', extension: '101' },
      { event: 'ended', callId, number: '+79161234567', extension: '101' },
    ]);
    expect(pbx.ring('+79161234567', '101')).toBe('pbx-2');
  });

  it('ignores an unknown or already ended call', () => {
    const events: PbxCallEvent[] = [];
    const pbx = new DemoPbx((event) => events.push(event));
    const callId = pbx.ring('100', '101');
    pbx.end(callId);
    expect(pbx.end(callId)).toBe(false);
    expect(pbx.answer('nope')).toBe(false);
    expect(events.map((e) => e.event)).toEqual(['ringing', 'ended']);
  });
});
