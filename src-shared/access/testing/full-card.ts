import type { PatientCard } from '../../patients/patient-card';

/** A synthetic card with a distinct, recognisable value in every field. */
export function fullCard(): PatientCard {
  return {
    misId: 'SYN-0001',
    version: 7,
    surname: 'Тестова',
    givenName: 'Варвара',
    patronymic: 'Игоревна',
    birthDate: '1984-05-17',
    sex: 'female',
    phones: [
      { e164: '+79161234567', national10: '9161234567', kind: 'mobile' },
      { e164: '+74957654321', national10: '4957654321', kind: 'home' },
    ],
    email: 'varvara.synthetic@example.test',
    address: 'г. Образцов, ул. Вымышленная, д. 3',
    omsPolicy: '7700998877665544',
    dms: { insurer: 'СК Синтетика', policy: 'ДМС-SYN-42' },
    snils: '11223344595',
    flags: { allergies: 'латекс-синтетический', vip: true, preferredChannel: 'sms', consentSms: true, consentCalls: false },
    lastVisit: '2024-11-02',
    appointments: [{ id: 'APP-SYN-1', startsAt: '2025-03-18T09:30:00+03:00', doctor: 'Докторова Д. Д.', specialty: 'Эндокринолог', service: 'Приём', branch: 'Центр', status: 'booked' }],
  };
}
