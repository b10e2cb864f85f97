import { describe, expect, it } from 'vitest';
import { formatPhoneNumber } from './display-number';

describe('formatPhoneNumber', () => {
  it.each([
    ['+77071161586', '+7 (707) 116-15-86'],
    ['87071161586', '+7 (707) 116-15-86'],
    ['77071161586', '+7 (707) 116-15-86'],
    ['7071161586', '+7 (707) 116-15-86'],
    ['8 (707) 116-15-86', '+7 (707) 116-15-86'],
    ['+7 916 123 45 67', '+7 (916) 123-45-67'],
    ['+7 (495) 123-45-67', '+7 (495) 123-45-67'],
    ['  84951234567 ', '+7 (495) 123-45-67'],
    ['8.800.555.35.35', '+7 (800) 555-35-35'],
  ])('writes the +7 number %s as %s', (raw, shown) => {
    expect(formatPhoneNumber(raw)).toBe(shown);
  });

  it.each([
    ['1001', 'an internal extension'],
    ['2001', 'a patient phone in the test PBX'],
    ['+493012345678', 'a foreign number'],
    ['+79161234567890', 'too many digits for +7'],
    ['0123456789', 'ten digits that are no +7 national number'],
    ['89161234', 'too few digits'],
    ['anonymous', 'text in the caller id'],
    ['+7 916 abc', 'letters'],
    ['', 'nothing'],
  ])('leaves %s as it came (%s)', (raw) => {
    expect(formatPhoneNumber(raw)).toBe(raw);
  });

  it('never throws, and a huge caller id is returned, not parsed', () => {
    const huge = '9'.repeat(100_000);
    expect(formatPhoneNumber(huge)).toBe(huge);
  });
});
