import { afterEach, describe, expect, it } from 'vitest';
import { inviteMarkOf, markInvite, markPainted, MARKED_CALLS_KEPT, measureOf, paintedMarkOf } from './call-work';

const entries = (name: string) => performance.getEntriesByName(name);

describe('screen-pop marks over a shift', () => {
  afterEach(() => {
    performance.clearMarks();
    performance.clearMeasures();
  });

  it('each call is measured ring → painted, and only the latest calls keep their marks: a shift does not pile them up', () => {
    const calls = Array.from({ length: MARKED_CALLS_KEPT + 30 }, (_, i) => `shift-call-${i}`);
    for (const callId of calls) {
      markInvite(callId);
      markPainted(callId);
      // The measure of the call on screen is there to read.
      expect(entries(measureOf(callId))).toHaveLength(1);
    }
    const screenPopEntries = performance.getEntries().filter((entry) => entry.name.startsWith('screen-pop:'));
    expect(screenPopEntries).toHaveLength(3 * MARKED_CALLS_KEPT);
    const oldest = calls[0]!;
    expect([...entries(inviteMarkOf(oldest)), ...entries(paintedMarkOf(oldest)), ...entries(measureOf(oldest))]).toEqual([]);
    const newest = calls.at(-1)!;
    expect(entries(inviteMarkOf(newest))).toHaveLength(1);
    expect(entries(paintedMarkOf(newest))).toHaveLength(1);
  });

  it('a call rung again (the softphone marked it first) is kept once, not twice', () => {
    performance.mark(inviteMarkOf('sip-invite'));
    markInvite('sip-invite');
    markInvite('sip-invite');
    markPainted('sip-invite');
    expect(entries(inviteMarkOf('sip-invite'))).toHaveLength(1);
    expect(entries(measureOf('sip-invite'))).toHaveLength(1);
  });
});
