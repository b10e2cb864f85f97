import { describe, expect, it } from 'vitest';
import { isDtmfString, sanitiseRemoteNumber } from './phone';

describe('sanitiseRemoteNumber', () => {
  it('keeps a user part, drops anything else', () => {
    expect(sanitiseRemoteNumber('+7 (900) 123<script>')).toBe('+7900123script');
    expect(sanitiseRemoteNumber('101')).toBe('101');
    expect(sanitiseRemoteNumber('x'.repeat(100))).toHaveLength(64);
  });
});

describe('isDtmfString', () => {
  it('accepts RFC 4733 events 0-9 * # A-D', () => {
    expect(isDtmfString('0123456789*#ABCD')).toBe(true);
    expect(isDtmfString('1,2')).toBe(false);
    expect(isDtmfString('')).toBe(false);
  });
});
