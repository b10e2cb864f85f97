import { Buffer } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SHARED_VALUE_MAX } from '../connectors/pbx/pbx-connector';
import { decodeStatus, encodeStatus, freshStatus, listIdOfTask, mergeStatus, parseListId, withStatus, type CallListStatus } from './call-list-record';

const ID = 'confirm-tomorrow:2026-12-07/slot-1';
const T0 = 1_796_489_600_000;

const arbStatus: fc.Arbitrary<CallListStatus> = fc.record({
  id: fc.constant(ID),
  version: fc.nat(3),
  writer: fc.constantFrom('', '101', '102'),
  state: fc.constantFrom('open', 'claimed', 'waiting', 'done') as fc.Arbitrary<CallListStatus['state']>,
  claimedBy: fc.option(fc.record({ extension: fc.constantFrom('101', '102'), name: fc.constantFrom('', 'Иванова') })),
  claimedAt: fc.option(fc.integer({ min: T0, max: T0 + 3 })),
  attempts: fc.nat(3),
  nextAttemptAt: fc.option(fc.integer({ min: T0, max: T0 + 3 })),
  outcome: fc.option(fc.constantFrom('confirmed', 'noAnswer', 'cancelled') as fc.Arbitrary<NonNullable<CallListStatus['outcome']>>),
  closedAt: fc.option(fc.integer({ min: T0, max: T0 + 3 })),
});

describe('call-list status records', () => {
  it('merge in any order, twice, or after a restart to the same status (the shared last-writer-wins rule)', () => {
    fc.assert(
      fc.property(arbStatus, arbStatus, arbStatus, (a, b, c) => {
        expect(mergeStatus(a, b)).toEqual(mergeStatus(b, a));
        expect(mergeStatus(mergeStatus(a, b), c)).toEqual(mergeStatus(a, mergeStatus(b, c)));
        expect(mergeStatus(a, a)).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it('a change is one version on by its writer, and wins over the copy it changed', () => {
    const claimed = withStatus(freshStatus(ID), '101', { state: 'claimed', claimedBy: { extension: '101', name: 'Иванова' }, claimedAt: T0 });
    expect(claimed).toMatchObject({ version: 1, writer: '101', state: 'claimed' });
    expect(mergeStatus(freshStatus(ID), claimed)).toEqual(claimed);
  });

  it('travels as one line within the shared channel limit (a long name is cut) and decodes back; anything else is refused', () => {
    const long = 'Ж'.repeat(600);
    const status = withStatus(freshStatus(`recall:2026-12-06/${'x'.repeat(96)}`), '101', { state: 'claimed', claimedBy: { extension: '101', name: long.slice(0, 80) } });
    const line = encodeStatus({ ...status, claimedBy: { extension: '101', name: 'Ж'.repeat(80) } });
    expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(SHARED_VALUE_MAX);
    expect(decodeStatus(line)).toEqual(JSON.parse(line));
    expect(decodeStatus('not json')).toBeNull();
    expect(decodeStatus(JSON.stringify({ ...freshStatus(ID), admin: true }))).toBeNull();
    expect(decodeStatus(JSON.stringify(freshStatus('no-list/x')))).toBeNull();
  });

  it('parses list ids and the list of a task id', () => {
    expect(parseListId('confirm-tomorrow:2026-12-07')).toEqual({ kind: 'confirm-tomorrow', day: '2026-12-07' });
    expect(parseListId('other:2026-12-07')).toBeNull();
    expect(listIdOfTask(ID)).toBe('confirm-tomorrow:2026-12-07');
    expect(listIdOfTask('recall:2026-12-06/a/b')).toBe('recall:2026-12-06');
    expect(listIdOfTask('nothing')).toBeNull();
  });
});
