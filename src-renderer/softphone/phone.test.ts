import { describe, expect, it } from 'vitest';
import { isDtmfString, normaliseDialString, sanitiseRemoteNumber } from './phone';

describe('sanitiseRemoteNumber', () => {
  it('keeps a user part, drops anything else', () => {
    expect(sanitiseRemoteNumber('+7 (900) 123<script>')).toBe('+7900123script');
    expect(sanitiseRemoteNumber('101')).toBe('101');
    expect(sanitiseRemoteNumber('x'.repeat(100))).toHaveLength(64);
  });
});

describe('normaliseDialString', () => {
  it.each([
    ['+7 (900) 123-45-67', '+79001234567'],
    ['8 900 123 45 67', '89001234567'],
    ['101', '101'],
    ['*72#', '*72#'],
    ['tel:+7-900-123-45-67;ext=1', '+79001234567'],
    ['  +7.495.000.00.00 ', '+74950000000'],
  ])('%s → %s', (input, out) => {
    expect(normaliseDialString(input)).toBe(out);
  });
  it.each(['', '+', 'abc', '++7', '12a3', '9'.repeat(33)])('rejects %j', (input) => {
    expect(normaliseDialString(input)).toBeNull();
  });
});

describe('isDtmfString', () => {
  it('accepts RFC 4733 events 0-9 * # A-D', () => {
    expect(isDtmfString('0123456789*#ABCD')).toBe(true);
    expect(isDtmfString('1,2')).toBe(false);
    expect(isDtmfString('')).toBe(false);
  });
});
