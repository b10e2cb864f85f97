import { describe, expect, it } from 'vitest';
import { PatientCardSchema, type PatientPhone } from '../../../../src-shared/patients/patient-card';
import { mappingOptions, operationOutcomeText, patientFate, patientPhones, patientToCard, personName, referenceId, resourceVersion } from './fhir-mapping';
import type { FhirPatient } from './fhir-resources';
import { FIXTURE_PATIENTS, seedPatients } from './testing/fhir-fixture-data';

const NOW = Date.parse('2026-12-06T09:00:00+03:00');
const options = mappingOptions({ oms: 'urn:oid:1.2.643.2.69.1.1.1.6.228', snils: 'urn:oid:1.2.643.2.69.1.1.1.6.223' });

function seed(id: string): FhirPatient {
  const patient = seedPatients().find((p) => p.id === id);
  if (!patient) throw new Error(`no seed patient ${id}`);
  return { ...patient, meta: { versionId: '3', lastUpdated: '2026-12-01T10:15:30.123+03:00' } };
}

function card(id: string) {
  return patientToCard(seed(id), options, NOW);
}

describe('FHIR Patient → card', () => {
  it('maps a RuCoreIG patient: family, given[0] name, given[1] patronymic; version from meta.lastUpdated; the card passes the schema', () => {
    const mapped = card(FIXTURE_PATIENTS.semenova);
    expect(PatientCardSchema.parse(mapped)).toMatchObject({
      misId: '1001',
      version: Date.parse('2026-12-01T10:15:30.123+03:00'),
      surname: 'Семёнова',
      givenName: 'Алёна',
      patronymic: 'Викторовна',
      birthDate: '1985-03-12',
      sex: 'female',
      email: 'alena.semenova@example.ru',
      address: 'Москва, ул. Профсоюзная, д. 12, кв. 34',
      omsPolicy: '7799000011112222',
      snils: '11223344595',
      appointments: [],
    });
  });

  it('orders phones by rank and reads them with punctuation; use decides the kind', () => {
    expect(card(FIXTURE_PATIENTS.semenova).phones).toEqual([
      { e164: '+79161234567', national10: '9161234567', kind: 'mobile' },
      { e164: '+74951234567', national10: '4951234567', kind: 'home' },
    ]);
    expect((card(FIXTURE_PATIENTS.yolkin).phones as PatientPhone[]).map((p) => [p.e164, p.kind])).toEqual([
      ['+79167654321', 'mobile'],
      ['+79169876543', 'home'],
    ]);
  });

  it('a phone without use is mobile when it is a +7 9xx number; work stays work; a contact’s phone is a relative’s', () => {
    expect(card(FIXTURE_PATIENTS.ivanov).phones).toEqual([
      { e164: '+79031112233', national10: '9031112233', kind: 'mobile' },
      { e164: '+74957654321', national10: '4957654321', kind: 'work' },
      { e164: '+79035556677', national10: '9035556677', kind: 'relative' },
    ]);
  });

  it('splits "Пётр Сергеевич" written as one given name; joins the address parts; reads ОМС under the RuCoreIG system', () => {
    const mapped = card(FIXTURE_PATIENTS.ivanov);
    expect([mapped.givenName, mapped.patronymic]).toEqual(['Пётр', 'Сергеевич']);
    expect(mapped.address).toBe('142100, Московская область, Подольск, ул. Ленина, д. 5');
    expect(mapped.omsPolicy).toBe('5098765432109876');
    expect(PatientCardSchema.safeParse(mapped).success).toBe(true);
  });

  it('a ten-digit number without prefix, a Kazakh mobile; no patronymic is null', () => {
    expect(card(FIXTURE_PATIENTS.smirnova)).toMatchObject({ patronymic: null, phones: [{ e164: '+79175551122', kind: 'mobile' }] });
    expect(card(FIXTURE_PATIENTS.kazakh).phones).toEqual([{ e164: '+77012345678', national10: '7012345678', kind: 'mobile' }]);
    expect(card(FIXTURE_PATIENTS.kazakh).surname).toBe('Римская-Корсакова');
  });

  it('skips an old (maiden) name and an old phone', () => {
    const mapped = card(FIXTURE_PATIENTS.kadyrova);
    expect(mapped.surname).toBe('Кадырова');
    expect(mapped.phones).toEqual([{ e164: '+79640001234', national10: '9640001234', kind: 'mobile' }]);
  });

  it('a patient without a family name gets no surname, so the core quarantines it (with the reason, never the value)', () => {
    const mapped = card(FIXTURE_PATIENTS.noFamily);
    expect(mapped.surname).toBe('');
    const parsed = PatientCardSchema.safeParse(mapped);
    expect(parsed.success).toBe(false);
    expect([...new Set(parsed.error?.issues.map((i) => i.path.join('.')))]).toEqual(['surname']);
  });

  it('a deceased patient is still a card (the desk shows it; the MIS decides who may be called)', () => {
    expect(patientFate(seed(FIXTURE_PATIENTS.deceased))).toEqual({ kind: 'live' });
    expect(PatientCardSchema.safeParse(card(FIXTURE_PATIENTS.deceased)).success).toBe(true);
  });

  it('merged (link replaced-by) is a merge into the survivor; active=false alone is a deletion; the survivor is live', () => {
    expect(patientFate(seed(FIXTURE_PATIENTS.mergedFrom))).toEqual({ kind: 'merged', into: FIXTURE_PATIENTS.mergedInto });
    expect(patientFate(seed(FIXTURE_PATIENTS.inactive))).toEqual({ kind: 'deleted' });
    expect(patientFate(seed(FIXTURE_PATIENTS.mergedInto))).toEqual({ kind: 'live' });
    const absolute: FhirPatient = { resourceType: 'Patient', id: 'a', link: [{ type: 'replaced-by', other: { reference: 'https://mis.example/fhir/Patient/b/_history/2' } }] };
    expect(patientFate(absolute)).toEqual({ kind: 'merged', into: 'b' });
  });

  it('drops optional fields that would fail the card instead of failing it: a bad e-mail, a 15-digit ОМС, a partial СНИЛС; strips СНИЛС punctuation', () => {
    const patient: FhirPatient = {
      resourceType: 'Patient',
      id: 'x1',
      name: [{ family: 'Орлова', given: ['Ирина'] }],
      birthDate: '1990-01-01',
      telecom: [
        { system: 'email', value: 'not-an-email' },
        { system: 'phone', value: '12' },
      ],
      identifier: [
        { system: 'urn:oid:1.2.643.2.69.1.1.1.6.228', value: '123456789012345' },
        { system: 'urn:oid:1.2.643.100.3', value: '112-233-445 95' },
      ],
    };
    const mapped = patientToCard(patient, options, NOW);
    expect(mapped).toMatchObject({ email: null, omsPolicy: null, snils: '11223344595', phones: [] });
    expect(PatientCardSchema.safeParse(mapped).success).toBe(true);
  });

  it('never throws on a hostile resource: wrong types are absent, and the card fails validation', () => {
    const hostile = { resourceType: 'Patient', id: 'h', name: 'Иванов', telecom: { value: 1 }, birthDate: 19850312, gender: 7, identifier: [null, 5], link: 'x', meta: 'm' } as unknown as FhirPatient;
    const mapped = patientToCard(hostile, options, NOW);
    expect(mapped.phones).toEqual([]);
    expect(PatientCardSchema.safeParse(mapped).success).toBe(false);
    expect(patientFate(hostile)).toEqual({ kind: 'live' });
  });

  it('a birth date with a time (RuCoreIG newborns) keeps its date; a partial date stays partial and fails', () => {
    expect(patientToCard({ ...seed('1001'), birthDate: '2026-11-30T04:10' }, options, NOW).birthDate).toBe('2026-11-30');
    expect(PatientCardSchema.safeParse(patientToCard({ ...seed('1001'), birthDate: '1985' }, options, NOW)).success).toBe(false);
  });

  it('version: lastUpdated in ms, a numeric versionId without it, else 0', () => {
    expect(resourceVersion({ resourceType: 'Patient', meta: { lastUpdated: '2026-01-01T00:00:00Z' } })).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(resourceVersion({ resourceType: 'Patient', meta: { versionId: '17' } })).toBe(17);
    expect(resourceVersion({ resourceType: 'Patient' })).toBe(0);
  });

  it('personName of no name is empty', () => {
    expect(personName(null)).toEqual({ surname: '', givenName: '', patronymic: null });
  });

  it('a phone whose period ended is dropped; duplicates keep their first kind', () => {
    const phones = patientPhones(
      {
        resourceType: 'Patient',
        telecom: [
          { system: 'phone', value: '+79160000001', use: 'mobile', period: { end: '2020-01-01' } },
          { system: 'phone', value: '+79160000002', use: 'home' },
          { system: 'phone', value: '8 916 000-00-02', use: 'mobile' },
        ],
      },
      NOW,
    );
    expect(phones).toEqual([{ e164: '+79160000002', national10: '9160000002', kind: 'home' }]);
  });
});

describe('references and OperationOutcome', () => {
  it('reads an id from relative, absolute and versioned references of the asked type only', () => {
    expect(referenceId({ reference: 'Patient/123' }, 'Patient')).toBe('123');
    expect(referenceId({ reference: 'https://h/fhir/Patient/a-1.b/_history/3' }, 'Patient')).toBe('a-1.b');
    expect(referenceId({ reference: 'Practitioner/1' }, 'Patient')).toBeNull();
    expect(referenceId({ reference: '#contained' }, 'Patient')).toBeNull();
    expect(referenceId(null, 'Patient')).toBeNull();
  });

  it('makes one readable line of an OperationOutcome: details.text, else diagnostics, else the code', () => {
    const text = operationOutcomeText({
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'conflict', details: { text: 'Слот уже занят' }, diagnostics: 'HAPI-0550: conflict' },
        { severity: 'warning', code: 'processing', diagnostics: 'Profile not found' },
        { severity: 'information', code: 'informational' },
      ],
    });
    expect(text).toBe('error: Слот уже занят; warning: Profile not found; information: informational');
    expect(operationOutcomeText({ resourceType: 'Patient' })).toBeNull();
    expect(operationOutcomeText('x')).toBeNull();
  });
});
