import { describe, expect, it } from 'vitest';
import { SipRegistrationHistory } from './sip-registration-history';

describe('SipRegistrationHistory', () => {
  it('keeps each change with its time, skips repeats, and keeps only the newest when full', () => {
    let t = Date.parse('2025-03-14T08:00:00.000Z');
    const history = new SipRegistrationHistory(() => new Date(t), 3);
    expect(history.record({ state: 'connecting', detail: null })).toBe(true);
    t += 1_000;
    expect(history.record({ state: 'connecting', detail: null })).toBe(false);
    expect(history.record({ state: 'failed', detail: 'sipWrongPassword' })).toBe(true);
    t += 1_000;
    expect(history.record({ state: 'failed', detail: 'sipUnreachable' })).toBe(true);
    expect(history.record({ state: 'registered', detail: null })).toBe(true);
    expect(history.list()).toEqual([
      { at: '2025-03-14T08:00:01.000Z', state: 'failed', detail: 'sipWrongPassword' },
      { at: '2025-03-14T08:00:02.000Z', state: 'failed', detail: 'sipUnreachable' },
      { at: '2025-03-14T08:00:02.000Z', state: 'registered', detail: null },
    ]);
    expect(history.dropped).toBe(1);
    expect(history.since).toBe('2025-03-14T08:00:00.000Z');
  });
});
