import { describe, expect, it } from 'vitest';
import { isDtmfString, normaliseDialString, sanitiseDisplayText, sanitiseRemoteNumber } from './phone';

describe('sanitiseDisplayText', () => {
  it('strips control and bidi characters and collapses whitespace', () => {
    expect(sanitiseDisplayText('Ива\u0000нов\r\n  Пётр\u202e')).toBe('Ива нов Пётр');
    expect(sanitiseDisplayText('\u0007\u001b[31mred')).toBe('[31mred');
  });
  it('cuts to 80 code points without splitting surrogate pairs', () => {
    const long = '😀'.repeat(100);
    const out = sanitiseDisplayText(long);
    expect(Array.from(out)).toHaveLength(80);
    expect(out).toBe('😀'.repeat(80));
  });
  it('keeps markup as literal text (rendering escapes it)', () => {
    expect(sanitiseDisplayText('<img src=x onerror=alert(1)>')).toBe('<img src=x onerror=alert(1)>');
  });
  it('handles empty input', () => {
    expect(sanitiseDisplayText(undefined)).toBe('');
    expect(sanitiseDisplayText('   ')).toBe('');
  });
});

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
