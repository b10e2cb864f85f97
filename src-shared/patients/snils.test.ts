import { describe, expect, it } from 'vitest';
import { isValidSnils, snilsControlNumber } from './snils';

describe('СНИЛС control number', () => {
  it('is the weighted sum below 100, 00 for 100 and 101, else the sum modulo 101 (100 → 00)', () => {
    expect(snilsControlNumber('112233445')).toBe(95); // 9+8+14+12+15+12+12+8+5
    expect(snilsControlNumber('920000003')).toBe(0); // sum 100
    expect(snilsControlNumber('920000004')).toBe(0); // sum 101
    expect(snilsControlNumber('999999999')).toBe(1); // 405 mod 101
    expect(snilsControlNumber('996000006')).toBe(0); // 201 mod 101 = 100
  });

  it('accepts a number with its control number and refuses a mistyped one', () => {
    expect(isValidSnils('11223344595')).toBe(true);
    expect(isValidSnils('11223344594')).toBe(false);
    expect(isValidSnils('11223344959')).toBe(false); // two digits swapped
    expect(isValidSnils('99999999901')).toBe(true);
    expect(isValidSnils('99600000600')).toBe(true);
  });

  it('accepts any control number for numbers issued before it existed (up to 001-001-998)', () => {
    expect(isValidSnils('00100199812')).toBe(true);
    expect(isValidSnils('00100199912')).toBe(false);
  });

  it('refuses anything but 11 digits', () => {
    expect(isValidSnils('112-233-445 95')).toBe(false);
    expect(isValidSnils('1122334459')).toBe(false);
    expect(isValidSnils('112233445950')).toBe(false);
  });
});
