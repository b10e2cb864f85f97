import { describe, expect, it } from 'vitest';
import { derivedMisId, misIdFromColumn, parseBirthDate, parsePhones, parseSex, resolveMapping, splitFullName } from './spreadsheet-card';

describe('spreadsheet rows to cards', () => {
  it('reads Russian and ISO dates, Excel date cells and serials, and keeps what it cannot read as it was', () => {
    expect(parseBirthDate('12.03.1985', 'auto', false)).toBe('1985-03-12');
    expect(parseBirthDate('2.3.1985', 'auto', false)).toBe('1985-03-02');
    expect(parseBirthDate('12.03.1985 0:00:00', 'auto', false)).toBe('1985-03-12');
    expect(parseBirthDate('1985-03-12', 'auto', false)).toBe('1985-03-12');
    expect(parseBirthDate(new Date(Date.UTC(1985, 2, 12)), 'auto', true)).toBe('1985-03-12');
    expect(parseBirthDate('31118', 'auto', true)).toBe('1985-03-12');
    // Two-digit years are ambiguous; impossible days are not dates; a format excludes the other.
    expect(parseBirthDate('12.03.85', 'auto', false)).toBe('12.03.85');
    expect(parseBirthDate('31.02.1990', 'auto', false)).toBe('31.02.1990');
    expect(parseBirthDate('1985-03-12', 'dd.mm.yyyy', false)).toBe('1985-03-12');
    expect(parseBirthDate('12.03.1985', 'yyyy-mm-dd', false)).toBe('12.03.1985');
    expect(parseBirthDate('31118', 'auto', false)).toBe('31118');
  });

  it('guesses the mapping from Russian headers, a second phone column included', () => {
    const header = ['Номер карты', 'Фамилия', 'Имя', 'Отчество', 'Дата рождения', 'Пол', 'Мобильный', 'Тел.', 'Эл. почта', 'Полис ОМС', 'СНИЛС', 'Адрес'];
    const { mapping, notFound } = resolveMapping(header);
    expect(mapping).toEqual({
      id: 'Номер карты',
      surname: 'Фамилия',
      givenName: 'Имя',
      patronymic: 'Отчество',
      birthDate: 'Дата рождения',
      sex: 'Пол',
      phone: 'Мобильный',
      phone2: 'Тел.',
      email: 'Эл. почта',
      omsPolicy: 'Полис ОМС',
      snils: 'СНИЛС',
      address: 'Адрес',
    });
    expect(notFound).toEqual([]);
  });

  it('a configured column wins over the guess; one the file lacks is named', () => {
    const resolved = resolveMapping(['ФИО', 'ДР', 'Контакт'], { phone: 'контакт', surname: 'Фамилия пациента' });
    expect(resolved.mapping).toEqual({ fullName: 'ФИО', birthDate: 'ДР', phone: 'Контакт' });
    expect(resolved.notFound).toEqual([{ field: 'surname', column: 'Фамилия пациента' }]);
  });

  it('splits «ФИО», reads several phones in a cell, sex words, and ids', () => {
    expect(splitFullName(' Мамедов  Эльдар Гусейн оглы ')).toEqual({ surname: 'Мамедов', givenName: 'Эльдар', patronymic: 'Гусейн оглы' });
    expect(splitFullName('Ким Ольга')).toEqual({ surname: 'Ким', givenName: 'Ольга', patronymic: null });
    expect(parsePhones('8 (916) 123-45-67; +7 495 123-45-67, 8-916-123-45-67 дочь')).toEqual([
      { e164: '+79161234567', national10: '9161234567', kind: 'mobile' },
      { e164: '+74951234567', national10: '4951234567', kind: 'home' },
    ]);
    expect(parsePhones('нет')[0]).toMatchObject({ e164: 'нет', national10: '' });
    expect([parseSex('Ж'), parseSex('муж.'), parseSex('?')]).toEqual(['female', 'male', 'unknown']);
    expect(misIdFromColumn(' 000123 ')).toBe('000123');
    expect(misIdFromColumn('А-17')).toBe('%D0%90-17');
    const id = derivedMisId('Сёмина', 'Анна', null, '1985-03-12');
    expect(id).toMatch(/^p-[\w-]{20}$/);
    expect(derivedMisId(' семина ', 'АННА', '', '1985-03-12')).toBe(id);
    expect(derivedMisId('Семина', 'Анна', null, '1985-03-13')).not.toBe(id);
  });
});
