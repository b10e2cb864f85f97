import { describe, expect, it, vi } from 'vitest';
import { CallRecordSchema } from '../../../src-shared/calls/calls-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import { newCall } from '../../softphone/call-state';
import type { PhoneCall } from '../../softphone/phone';
import { CallRecorder, MAX_ATTEMPTS, callRecordOf, type CallRecord } from './call-recorder';

const T = Date.UTC(2026, 10, 30, 9, 0, 0);

function ended(overrides: Partial<PhoneCall> = {}): PhoneCall {
  return {
    ...newCall({ id: 'c1', direction: 'incoming', remoteNumber: '+74951234567', remoteDisplayName: 'Иванова', at: T }),
    state: 'ended',
    answeredAt: T + 5_000,
    endedAt: T + 65_000,
    outcome: 'answered',
    ...overrides,
  };
}

describe('callRecordOf', () => {
  it('maps an ended call to the contract shape with ISO times', () => {
    const record = callRecordOf(ended());
    expect(record).toEqual({
      id: 'c1',
      direction: 'incoming',
      number: '+74951234567',
      displayName: 'Иванова',
      startedAt: '2026-11-30T09:00:00.000Z',
      answeredAt: '2026-11-30T09:00:05.000Z',
      endedAt: '2026-11-30T09:01:05.000Z',
      outcome: 'answered',
    });
    expect(CallRecordSchema.safeParse(record).success).toBe(true);
  });

  it('always satisfies the contract: answeredAt only for answered/lost, text cut and cleaned', () => {
    const missed = callRecordOf(ended({ answeredAt: T + 1, outcome: 'missed' }));
    expect(missed.answeredAt).toBeNull();
    const lost = callRecordOf(ended({ answeredAt: null, outcome: 'lost' }));
    expect(lost.answeredAt).toBe('2026-11-30T09:00:00.000Z');
    const hostile = callRecordOf(ended({ remoteDisplayName: '\u202e' + '😀'.repeat(500), remoteNumber: '<b>101</b>' }));
    for (const record of [missed, lost, hostile]) expect(CallRecordSchema.safeParse(record).success).toBe(true);
    const noOutcome = callRecordOf(ended({ outcome: null, answeredAt: null, endedAt: null }), T + 9_000);
    expect(noOutcome).toMatchObject({ outcome: 'failed', answeredAt: null, endedAt: '2026-11-30T09:00:09.000Z' });
  });
});

describe('CallRecorder', () => {
  it('sends each ended call exactly once', async () => {
    const sent: CallRecord[] = [];
    const recorder = new CallRecorder(async (record) => void sent.push(record));
    recorder.record(ended());
    recorder.record(ended());
    recorder.record(ended({ id: 'c2' }));
    await recorder.flush();
    expect(sent.map((record) => record.id)).toEqual(['c1', 'c2']);
    expect(recorder.pendingCount).toBe(0);
  });

  it('keeps a failed record for the next flush, and gives up after a bounded number of attempts', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    let up = false;
    const sent: string[] = [];
    const send = vi.fn(async (record: CallRecord) => {
      if (!up) throw new DeskError('BRIDGE_DISCONNECTED', 'down');
      sent.push(record.id);
    });
    const recorder = new CallRecorder(send);
    recorder.record(ended());
    await recorder.flush();
    expect(recorder.pendingCount).toBe(1);
    up = true;
    await recorder.flush();
    expect(sent).toEqual(['c1']);
    expect(recorder.pendingCount).toBe(0);

    up = false;
    recorder.record(ended({ id: 'c2' }));
    for (let i = 0; i < MAX_ATTEMPTS + 3; i++) await recorder.flush();
    expect(recorder.pendingCount).toBe(0);
    expect(send.mock.calls.filter(([record]) => record.id === 'c2')).toHaveLength(MAX_ATTEMPTS);
    expect(warn).toHaveBeenCalledTimes(1);
    warn.mockRestore();
  });

  it('does not retry a record main refuses as invalid', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const send = vi.fn(async () => {
      throw new DeskError('INVALID_INPUT', 'bad');
    });
    const recorder = new CallRecorder(send);
    recorder.record(ended());
    await recorder.flush();
    await recorder.flush();
    expect(send).toHaveBeenCalledTimes(1);
    expect(recorder.pendingCount).toBe(0);
    warn.mockRestore();
  });
});
