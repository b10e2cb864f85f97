import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lastWriterWins, nextVersion, type VersionedStatus } from './last-writer-wins';

interface Status extends VersionedStatus {
  state: 'open' | 'claimed' | 'done';
  by: string | null;
}

const rank = (s: Status) => `${['open', 'claimed', 'done'].indexOf(s.state)}${JSON.stringify([s.by])}`;
const arbStatus: fc.Arbitrary<Status> = fc.record({
  version: fc.nat(3),
  writer: fc.constantFrom('', '101', '102'),
  state: fc.constantFrom('open', 'claimed', 'done') as fc.Arbitrary<Status['state']>,
  by: fc.option(fc.constantFrom('101', '102')),
});
const pick = (a: Status, b: Status) => lastWriterWins(a, b, rank);

describe('lastWriterWins', () => {
  it('the higher version wins, then the higher writer, then the higher rank', () => {
    const base: Status = { version: 1, writer: '101', state: 'open', by: null };
    expect(pick(base, { ...base, version: 2, writer: '100' }).version).toBe(2);
    expect(pick({ ...base, writer: '102' }, base).writer).toBe('102');
    expect(pick(base, { ...base, state: 'done' }).state).toBe('done');
  });

  it('is commutative, associative and idempotent', () => {
    fc.assert(
      fc.property(arbStatus, arbStatus, arbStatus, (a, b, c) => {
        expect(pick(a, b)).toEqual(pick(b, a));
        expect(pick(pick(a, b), c)).toEqual(pick(a, pick(b, c)));
        expect(pick(a, a)).toEqual(a);
      }),
      { numRuns: 300 },
    );
  });

  it('nextVersion applies a change one version on, written by the desk that made it', () => {
    const base: Status = { version: 3, writer: '101', state: 'open', by: null };
    expect(nextVersion(base, '102', { state: 'claimed', by: '102' })).toEqual({ version: 4, writer: '102', state: 'claimed', by: '102' });
    expect(base.version).toBe(3);
  });
});
