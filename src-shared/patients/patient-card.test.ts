import { describe, expect, it } from 'vitest';
import { isRealIsoDate, PatientCardSchema, type PatientCard } from './patient-card';

const card: PatientCard = {
  misId: 'P-100200',
  version: 3,
  surname: 'Римская-Корсакова',
  givenName: 'Алёна',
  patronymic: 'Петровна',
  birthDate: '1985-03-12',
  sex: 'female',
  phones: [{ e164: '+79161234567', national10: '9161234567', kind: 'mobile' }],
  email: 'alena@example.ru',
  address: 'г. Москва, ул. Ленина, д. 1',
  omsPolicy: '7700123456789012',
  dms: { insurer: 'СК «Пример»', policy: 'ДМС-001' },
  snils: '11223344595',
  flags: { allergies: 'пенициллин', vip: false, preferredChannel: 'sms', consentSms: true, consentCalls: true },
  lastVisit: '2026-10-01',
  appointments: [
    { id: 'A1', startsAt: '2026-12-01T09:30:00+03:00', doctor: 'Петров П. П.', specialty: 'Терапевт', service: 'Приём', branch: 'Центр', status: 'booked' },
  ],
};

describe('PatientCardSchema', () => {
  it('accepts a complete card and one with every nullable field empty', () => {
    expect(PatientCardSchema.parse(card)).toEqual(card);
    const bare = { ...card, patronymic: null, email: null, address: null, omsPolicy: null, dms: null, snils: null, lastVisit: null, phones: [], appointments: [] };
    expect(PatientCardSchema.safeParse(bare).success).toBe(true);
  });

  it('refuses unknown fields (strict), so a connector cannot widen the cache', () => {
    expect(PatientCardSchema.safeParse({ ...card, diagnosis: 'x' }).success).toBe(false);
    expect(PatientCardSchema.safeParse({ ...card, flags: { ...card.flags, extra: 1 } }).success).toBe(false);
  });

  it.each([
    ['a surname over 100 characters', { surname: 'И'.repeat(101) }],
    ['digits in a name', { givenName: 'Анна2' }],
    ['an impossible birth date', { birthDate: '1985-02-30' }],
    ['a 15-digit ОМС policy', { omsPolicy: '770012345678901' }],
    ['a punctuated СНИЛС', { snils: '112-233-445 95' }],
    ['a non-integer version', { version: 1.5 }],
    ['an unknown sex', { sex: 'other' }],
    ['a local-time appointment', { appointments: [{ ...card.appointments[0]!, startsAt: '2026-12-01T09:30:00' }] }],
    ['a phone whose national10 is not its tail', { phones: [{ e164: '+79161234567', national10: '9161234568', kind: 'mobile' }] }],
    ['a short E.164', { phones: [{ e164: '+7916123456', national10: '7916123456', kind: 'mobile' }] }],
    ['a bad e-mail', { email: 'not-an-email' }],
    ['a MIS id with spaces', { misId: 'P 1' }],
  ])('refuses %s', (_label, patch) => {
    expect(PatientCardSchema.safeParse({ ...card, ...patch }).success).toBe(false);
  });
});

describe('isRealIsoDate', () => {
  it('knows leap years', () => {
    expect(isRealIsoDate('2024-02-29')).toBe(true);
    expect(isRealIsoDate('2023-02-29')).toBe(false);
    expect(isRealIsoDate('1900-02-29')).toBe(false);
    expect(isRealIsoDate('2000-02-29')).toBe(true);
    expect(isRealIsoDate('2000-13-01')).toBe(false);
  });
});
