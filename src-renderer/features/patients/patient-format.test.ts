import { describe, expect, it } from 'vitest';
import { parseSearchQuery } from '../../../src-shared/patients/search-query';
import {
  ageOn,
  formatEta,
  formatIsoDate,
  formatOms,
  formatPhone,
  formatSnils,
  phoneToShow,
  queryPhoneDigits,
  understoodParts,
} from './patient-format';

describe('patient formatting', () => {
  it('formats Russian phones, СНИЛС, ОМС and dates the way clinic paperwork does', () => {
    expect(formatPhone('+79161234567')).toBe('+7 (916) 123-45-67');
    expect(formatPhone('+77011234567')).toBe('+7 (701) 123-45-67'); // Kazakhstan shares +7
    expect(formatPhone('+375291234567')).toBe('+375291234567');
    expect(formatSnils('11223344595')).toBe('112-233-445 95');
    expect(formatOms('7700123456789012')).toBe('7700 1234 5678 9012');
    expect(formatIsoDate('1985-03-12')).toBe('12.03.1985');
    expect(formatIsoDate(null)).toBe('—');
  });

  it('counts age in full years, the day before and on the birthday', () => {
    expect(ageOn('1985-03-12', new Date(2025, 2, 11))).toBe(39);
    expect(ageOn('1985-03-12', new Date(2025, 2, 12))).toBe(40);
    expect(ageOn('2024-02-29', new Date(2025, 1, 28))).toBe(0);
    expect(ageOn('nonsense', new Date())).toBeNull();
  });

  it('rounds the time left to whole minutes, or seconds when under 45 s', () => {
    expect(formatEta(55, 'ru').replace(/\s/g, ' ')).toBe('1 мин');
    expect(formatEta(59.2, 'en')).toMatch(/^1 min/);
    expect(formatEta(170, 'en')).toMatch(/^3 min/);
    // Rounded up: 89 s is not "1 min".
    expect(formatEta(89, 'ru').replace(/\s/g, ' ')).toBe('2 мин');
    expect(formatEta(121, 'en')).toMatch(/^3 min/);
    expect(formatEta(12.1, 'en')).toMatch(/^13 sec/);
  });

  it('picks the phone the query matched, else the mobile, else the first', () => {
    const phones = [
      { e164: '+74951112233', national10: '4951112233', kind: 'home' as const },
      { e164: '+79161234567', national10: '9161234567', kind: 'mobile' as const },
    ];
    expect(phoneToShow(phones, '2233')?.kind).toBe('home');
    expect(phoneToShow(phones, null)?.kind).toBe('mobile');
    expect(phoneToShow(phones, '0000')?.kind).toBe('mobile');
    expect(phoneToShow([], null)).toBeNull();
  });

  it('says how a query was understood', () => {
    expect(understoodParts(parseSearchQuery('Иванова 1985'))).toEqual(['name', 'birthYear']);
    expect(understoodParts(parseSearchQuery('12.03.1985'))).toEqual(['birthDate']);
    expect(understoodParts(parseSearchQuery('7700123456789012'))).toEqual(['phone', 'oms']);
    expect(understoodParts(parseSearchQuery('112-233-445 95'))).toEqual(['snils']);
    expect(understoodParts(parseSearchQuery('79161234511'))).toEqual(['phone', 'snils']);
    expect(understoodParts(parseSearchQuery('89161234567'))).toEqual(['phone']);
    expect(understoodParts(parseSearchQuery('12'))).toEqual([]);
    expect(queryPhoneDigits(parseSearchQuery('Иванова 4567'))).toBe('4567');
    expect(queryPhoneDigits(parseSearchQuery('+7 916 123-45-67'))).toBe('79161234567');
  });
});
