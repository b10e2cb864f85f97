import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blankUnsafeCharacters, hasControlCharacter, isolatedText, oneLineText } from './unsafe-characters';

// The sets, written out by code point: the implementation uses Unicode properties (`Cc`,
// `Bidi_Control`), this says what they must come to.
const isControl = (cp: number) => cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);
const isBidiControl = (cp: number) => cp === 0x061c || cp === 0x200e || cp === 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
const isInvisible = (cp: number) => cp === 0x200b || cp === 0x2060 || cp === 0xfeff;
const isUnsafe = (cp: number) => isControl(cp) || isBidiControl(cp) || isInvisible(cp) || cp === 0x2028 || cp === 0x2029;
const codePoints = (text: string) => Array.from(text, (ch) => ch.codePointAt(0)!);

const ALL_CONTROLS = Array.from({ length: 0xa0 }, (_, cp) => cp).filter(isControl);
const NEIGHBOURS = [0x061b, 0x061d, 0x200a, 0x200c, 0x200d, 0x2027, 0x202f, 0x205f, 0x2065, 0x206a, 0xfefe, 0x00a0, 0x00ad];
const SPECIAL = [...ALL_CONTROLS, 0x061c, 0x200e, 0x200f, 0x202a, 0x202b, 0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069, 0x200b, 0x2060, 0xfeff, 0x2028, 0x2029, ...NEIGHBOURS];
/** Text as it arrives: letters, spaces and emoji mixed with every special character and its neighbours. */
const hostileText = fc.string({
  unit: fc.oneof(
    fc.constantFrom(...SPECIAL.map((cp) => String.fromCodePoint(cp))),
    fc.constantFrom('И', 'в', 'а', 'н', 'о', 'в', 'a', '1', ' ', '<', '"', '😀', '👩\u200d⚕️'),
    fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
  ),
  maxLength: 60,
});

describe('blankUnsafeCharacters', () => {
  it('blanks exactly the control, bidi, invisible and separator characters, each to one space (property)', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const out = blankUnsafeCharacters(text);
        expect(codePoints(out)).toEqual(codePoints(text).map((cp) => (isUnsafe(cp) ? 0x20 : cp)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('oneLineText', () => {
  it('strips control and bidi characters and collapses whitespace', () => {
    expect(oneLineText('Ива\u0000нов\r\n  Пётр\u202e', 80)).toBe('Ива нов Пётр');
    expect(oneLineText('\u0007\u001b[31mred', 80)).toBe('[31mred');
    expect(oneLineText('\u202eevil\u202c Иванов \u2066x\u2069', 80)).toBe('evil Иванов x');
  });

  it('cuts to the limit in code points without splitting surrogate pairs', () => {
    const out = oneLineText('😀'.repeat(100), 80);
    expect(Array.from(out)).toHaveLength(80);
    expect(out).toBe('😀'.repeat(80));
  });

  it('keeps markup as literal text (rendering escapes it) and empty input empty', () => {
    expect(oneLineText('<img src=x onerror=alert(1)>', 80)).toBe('<img src=x onerror=alert(1)>');
    expect(oneLineText(undefined, 80)).toBe('');
    expect(oneLineText(null, 80)).toBe('');
    expect(oneLineText('   ', 80)).toBe('');
  });

  it('leaves nothing that reorders, hides or breaks the line, and keeps every visible character in order (property)', () => {
    fc.assert(
      fc.property(hostileText, fc.integer({ min: 1, max: 80 }), (text, max) => {
        const out = oneLineText(text, max);
        expect(codePoints(out).some(isUnsafe)).toBe(false);
        expect(out).toBe(out.trim());
        expect(out).not.toMatch(/\s\s|[^\S ]/u);
        expect(Array.from(out).length).toBeLessThanOrEqual(max);
        expect(oneLineText(out, max)).toBe(out);
        // What is shown is the visible text as it came, only cut.
        const visible = (s: string) => Array.from(blankUnsafeCharacters(s).replace(/\s+/gu, ''));
        expect(visible(text).slice(0, visible(out).length)).toEqual(visible(out));
      }),
      { numRuns: 500 },
    );
  });
});

describe('isolatedText', () => {
  it('blanks control characters but keeps tabs, line feeds and bidi marks for <bdi> to isolate', () => {
    expect(isolatedText('a\u0007b\u0000c\td')).toBe('a b c\td');
    expect(isolatedText('\u202Eabc\u202C')).toBe('\u202Eabc\u202C');
    expect(isolatedText('line 1\r\nline 2\u0085')).toBe('line 1 \nline 2 ');
  });

  it('changes control characters other than tab and line feed, and nothing else (property)', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        const out = isolatedText(text);
        expect(codePoints(out)).toEqual(codePoints(text).map((cp) => (isControl(cp) && cp !== 0x09 && cp !== 0x0a ? 0x20 : cp)));
      }),
      { numRuns: 500 },
    );
  });
});

describe('hasControlCharacter', () => {
  it('finds a C0, DEL or C1 character anywhere, and nothing else (property)', () => {
    fc.assert(
      fc.property(hostileText, (text) => {
        expect(hasControlCharacter(text)).toBe(codePoints(text).some(isControl));
      }),
      { numRuns: 500 },
    );
    expect(hasControlCharacter('+7 916 123\u0000 45 67')).toBe(true);
    expect(hasControlCharacter('\u202e+79161234567')).toBe(false);
  });
});
