import { describe, expect, it } from 'vitest';
import { formatDuration } from './use-now';

describe('formatDuration', () => {
  it('is mm:ss, and h:mm:ss from an hour on', () => {
    expect(formatDuration(0)).toBe('00:00');
    expect(formatDuration(61_999)).toBe('01:01');
    expect(formatDuration(3_600_000 + 62_000)).toBe('1:01:02');
    expect(formatDuration(-5)).toBe('00:00');
  });
});
