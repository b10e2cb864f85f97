import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BIRTH_YEAR_RANGE, parseSearchQuery } from './search-query';
import { parseTypedDate } from './typed-date';

/** The calendar as JavaScript's Date keeps it: an oracle independent of the parser's own rule. */
function exists(year: number, month: number, day: number): boolean {
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return year >= 1 && date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
/** Every way the grammar lets a date be typed: `d.m.yyyy`, `dd/mm/yyyy`, `yyyy-mm-dd`, with spaces around. */
const typed = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    form: fc.constantFrom('d.m.y', 'dd.mm.y', 'd/m/y', 'dd/mm/y', 'dd.mm/y', 'iso'),
    space: fc.constantFrom('', ' ', '  '),
  })
  .map(({ year, month, day, form, space }) => {
    const y = pad(year, 4);
    const text =
      form === 'iso'
        ? `${y}-${pad(month, 2)}-${pad(day, 2)}`
        : form.startsWith('dd')
          ? `${pad(day, 2)}${form[2]}${pad(month, 2)}${form[5]}${y}`
          : `${day}${form[1]}${month}${form[3]}${y}`;
    return { year, month, day, text: `${space}${text}${space}` };
  });

describe('parseTypedDate', () => {
  it('reads dd.mm.yyyy, d.m.yyyy, dd/mm/yyyy and yyyy-mm-dd; refuses a day that does not exist', () => {
    expect(parseTypedDate('12.03.1985')).toBe('1985-03-12');
    expect(parseTypedDate('1985-03-12')).toBe('1985-03-12');
    expect(parseTypedDate('1.2.1985')).toBe('1985-02-01');
    // The new-patient draft used to refuse this one while the search box read it; both read it now.
    expect(parseTypedDate('12/03/1985')).toBe('1985-03-12');
    expect(parseTypedDate(' 29.02.1984 ')).toBe('1984-02-29');
    expect(parseTypedDate('29.02.2023')).toBeNull();
    expect(parseTypedDate('31.04.1985')).toBeNull();
    expect(parseTypedDate('00.00.0000')).toBeNull();
  });

  it('is not a date at all for text of another shape', () => {
    for (const text of ['', '1985', '12.03.85', '12-03-1985', '1985/03/12', '1985-3-12', '123.03.1985', '12.03.1985.', 'Иванова 12.03.1985', '１２.０３.１９８５']) {
      expect(parseTypedDate(text), text).toBeUndefined();
    }
  });

  it('gives the ISO date for every real day however it is typed, and null for every impossible one (property)', () => {
    fc.assert(
      fc.property(typed, ({ year, month, day, text }) => {
        expect(parseTypedDate(text)).toBe(exists(year, month, day) ? `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)}` : null);
      }),
      { numRuns: 2_000 },
    );
  });

  it('is the search box’s birth date: what the search reads as one, the draft takes, and the other way round (property)', () => {
    fc.assert(
      fc.property(typed, ({ year, text }) => {
        const date = parseTypedDate(text);
        const query = parseSearchQuery(text);
        if (year < BIRTH_YEAR_RANGE.min || year > BIRTH_YEAR_RANGE.max || date === null) {
          expect(query).toMatchObject({ kind: 'invalid', problem: 'bad-date' });
        } else {
          expect(query).toMatchObject({ kind: 'criteria', birthDate: date });
        }
      }),
      { numRuns: 1_000 },
    );
  });
});
