import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkDialString, MAX_DIAL_LENGTH, normaliseDialString } from './dial-string';

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

describe('checkDialString', () => {
  it('normalises what operators paste and names the problem otherwise', () => {
    expect(checkDialString('+7 (495) 123-45-67')).toEqual({ ok: true, number: '+74951234567' });
    expect(checkDialString('tel:+74951234567;ext=1')).toEqual({ ok: true, number: '+74951234567' });
    expect(checkDialString('*72#')).toEqual({ ok: true, number: '*72#' });
    expect(checkDialString('  ')).toEqual({ ok: false, problem: 'empty' });
    expect(checkDialString('+')).toEqual({ ok: false, problem: 'empty' });
    expect(checkDialString('8-800-CALL-NOW')).toEqual({ ok: false, problem: 'letters' });
    expect(checkDialString('9'.repeat(33))).toEqual({ ok: false, problem: 'tooLong' });
    expect(checkDialString('12+34')).toEqual({ ok: false, problem: 'invalid' });
  });

  const pasted = fc.string({
    unit: fc.oneof(
      fc.constantFrom('+', '*', '#', ' ', '-', '(', ')', '.', '\u00a0', 'tel:', ';ext=1', 'a', 'Я', '7', '9', '0', '9'.repeat(10)),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
    ),
    maxLength: 30,
  });

  it('dials exactly what it says it dials: digits, * and #, one leading +, within the limit; the same again when re-typed (property)', () => {
    fc.assert(
      fc.property(pasted, (text) => {
        const check = checkDialString(text);
        expect(normaliseDialString(text)).toBe(check.ok ? check.number : null);
        if (!check.ok) return;
        expect(check.number).toMatch(new RegExp(`^\\+?[0-9*#]{1,${MAX_DIAL_LENGTH}}$`, 'u'));
        expect(checkDialString(check.number)).toEqual(check);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses text with a letter as letters, and a separators-only text as empty (property)', () => {
    fc.assert(
      fc.property(pasted, fc.constantFrom('a', 'Z', 'Я', '@', '_'), fc.nat(), (text, letter, at) => {
        const cut = at % (text.length + 1);
        const withLetter = `${text.slice(0, cut)}${letter}${text.slice(cut)}`;
        if (!/^\s*tel:/iu.test(withLetter) && !/;/u.test(withLetter)) expect(checkDialString(withLetter)).toEqual({ ok: false, problem: 'letters' });
      }),
      { numRuns: 1_000 },
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(' ', '-', '(', ')', '.', '\u00a0', '+') }), (text) => {
        if ((text.match(/\+/gu) ?? []).length <= 1) expect(checkDialString(text)).toEqual({ ok: false, problem: 'empty' });
      }),
    );
  });
});
