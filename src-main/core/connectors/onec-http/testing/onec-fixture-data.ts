/**
 * The fixture clinic's synthetic patients (invented people, Russian-looking names): what a
 * 1C:Medicina infobase would hold, with the awkward parts on purpose — ё in names, the empty
 * date `0001-01-01T00:00:00`, a phone typed with punctuation, «Да»/«Нет» booleans, a family
 * sharing a phone, a merged duplicate and a record marked for deletion.
 */

/** One patient as the fixture's 1C holds it (field names in 1C's spirit, values as 1C writes them). */
export interface FixturePatient {
  id: string;
  surname: string;
  name: string;
  patronymic: string;
  /** `YYYY-MM-DDT00:00:00`, or the empty date. */
  birthDate: string;
  sex: 'Мужской' | 'Женский' | '';
  phones: { number: string; kind: 'Мобильный' | 'Домашний' | 'Рабочий' | 'Родственник' }[];
  email: string;
  address: string;
  omsPolicy: string;
  snils: string;
  vip: boolean | 'Да' | 'Нет';
  consentSms: boolean | 'Да' | 'Нет';
  consentCalls: boolean | 'Да' | 'Нет';
  lastVisit: string;
  appointments: { id: string; startsAt: string; doctor: string; specialty: string; service: string; branch: string; status: string }[];
  deletionMark: boolean;
  /** The survivor this duplicate was merged into, or the empty reference. */
  mergedInto: string;
}

export const FIXTURE_EMPTY_DATE = '0001-01-01T00:00:00';
export const FIXTURE_EMPTY_REF = '00000000-0000-0000-0000-000000000000';

/** A GUID of the fixture: 1C-looking, numbered. */
export function fixtureGuid(n: number): string {
  return `9b2f1c4e-5a7d-11ee-8c3a-${n.toString(16).padStart(12, '0')}`;
}

const base: Omit<FixturePatient, 'id' | 'surname' | 'name' | 'patronymic' | 'birthDate' | 'sex' | 'phones'> = {
  email: '',
  address: '',
  omsPolicy: '',
  snils: '',
  vip: false,
  consentSms: true,
  consentCalls: true,
  lastVisit: FIXTURE_EMPTY_DATE,
  appointments: [],
  deletionMark: false,
  mergedInto: FIXTURE_EMPTY_REF,
};

/** The seeded clinic (a fresh copy each call). */
export function fixturePatients(): FixturePatient[] {
  return [
    {
      ...structuredClone(base),
      id: fixtureGuid(1),
      surname: 'Новосельцева',
      name: 'Алёна',
      patronymic: 'Викторовна',
      birthDate: '1988-04-17T00:00:00',
      sex: 'Женский',
      phones: [{ number: '+7 (916) 555-01-01', kind: 'Мобильный' }],
      email: 'alena.n@example.ru',
      address: 'г. Тверь, ул. Садовая, д. 3, кв. 14',
      omsPolicy: '7755 1234 5678 9012',
      snils: '112-233-445 95',
      vip: 'Да',
      consentSms: 'Да',
      consentCalls: 'Нет',
      appointments: [{ id: fixtureGuid(1001), startsAt: '2026-12-10T09:30:00', doctor: 'Смирнова Ольга Петровна', specialty: 'терапевт', service: 'Приём терапевта', branch: 'Клиника на Садовой', status: 'Записан' }],
    },
    { ...structuredClone(base), id: fixtureGuid(2), surname: 'Ёлкин', name: 'Пётр', patronymic: 'Семёнович', birthDate: '1975-11-02T00:00:00', sex: 'Мужской', phones: [{ number: '89165550202', kind: 'Мобильный' }, { number: '8 (495) 555-02-03', kind: 'Домашний' }], lastVisit: '2026-10-01T00:00:00' },
    { ...structuredClone(base), id: fixtureGuid(3), surname: 'Григорьева', name: 'Мария', patronymic: 'Олеговна', birthDate: '1992-02-29T00:00:00', sex: 'Женский', phones: [{ number: '+79165550303', kind: 'Мобильный' }] },
    { ...structuredClone(base), id: fixtureGuid(4), surname: 'Соловьёв', name: 'Артём', patronymic: 'Ильич', birthDate: '1969-07-21T00:00:00', sex: 'Мужской', phones: [{ number: '9165550404', kind: 'Мобильный' }], consentSms: false },
    { ...structuredClone(base), id: fixtureGuid(5), surname: 'Кузнецова', name: 'Дарья', patronymic: 'Андреевна', birthDate: '2012-09-05T00:00:00', sex: 'Женский', phones: [{ number: '+7 916 555-05-05', kind: 'Родственник' }] },
    { ...structuredClone(base), id: fixtureGuid(6), surname: 'Кузнецов', name: 'Иван', patronymic: 'Андреевич', birthDate: '1984-03-12T00:00:00', sex: 'Мужской', phones: [{ number: '+7 916 555-05-05', kind: 'Мобильный' }] },
    { ...structuredClone(base), id: fixtureGuid(7), surname: 'Белова', name: 'Ольга', patronymic: 'Петровна', birthDate: '1979-12-30T00:00:00', sex: 'Женский', phones: [{ number: '+79165550707', kind: 'Мобильный' }], deletionMark: true, mergedInto: fixtureGuid(8) },
    { ...structuredClone(base), id: fixtureGuid(8), surname: 'Белова', name: 'Ольга', patronymic: 'Петровна', birthDate: '1979-12-30T00:00:00', sex: 'Женский', phones: [{ number: '+79165550707', kind: 'Мобильный' }] },
    { ...structuredClone(base), id: fixtureGuid(9), surname: 'Тарасов', name: 'Глеб', patronymic: 'Денисович', birthDate: '1990-06-15T00:00:00', sex: 'Мужской', phones: [{ number: '+79165550909', kind: 'Мобильный' }], deletionMark: true },
    { ...structuredClone(base), id: fixtureGuid(10), surname: 'Щербакова', name: 'Юлия', patronymic: '', birthDate: '2001-01-09T00:00:00', sex: '', phones: [{ number: '+79165551010', kind: 'Рабочий' }] },
    { ...structuredClone(base), id: fixtureGuid(11), surname: 'Фёдорова', name: 'Вера', patronymic: 'Николаевна', birthDate: '1958-05-23T00:00:00', sex: 'Женский', phones: [{ number: '+7(916)555-11-11', kind: 'Мобильный' }], vip: true },
    { ...structuredClone(base), id: fixtureGuid(12), surname: 'Зайцев', name: 'Максим', patronymic: 'Ильич', birthDate: '1999-08-08T00:00:00', sex: 'Мужской', phones: [{ number: '+79165551212', kind: 'Мобильный' }], consentCalls: 'Нет' },
  ];
}
