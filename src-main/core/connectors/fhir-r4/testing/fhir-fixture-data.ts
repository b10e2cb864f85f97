import { snilsControlNumber } from '../../../../../src-shared/patients/snils';
import type { PatientCard } from '../../../../../src-shared/patients/patient-card';
import { SERVICE_DURATION_EXTENSION, SERVICE_PRICE_EXTENSION, type FhirContactPoint, type FhirPatient, type FhirResource } from '../fhir-resources';

/**
 * The FHIR fixture server's seed: a dozen invented patients shaped like real servers' ones
 * (N3.Здравоохранение / RuCoreIG identifiers, telecoms with `use` and `rank`, a phone typed
 * with punctuation, ё in names, a patient without a family name, a deceased one, a merged pair,
 * an inactive one) and a small clinic schedule (two branches, rooms, three doctors, four
 * services, a fortnight of slots). All data is invented.
 */

/** The identifier systems the seed writes (N3.Здравоохранение OIDs and RuCoreIG URIs, as mixed in real exports). */
export const FIXTURE_SYSTEMS = {
  omsN3: 'urn:oid:1.2.643.2.69.1.1.1.6.228',
  snilsN3: 'urn:oid:1.2.643.2.69.1.1.1.6.223',
  snilsRuCore: 'https://fhir.ru/ig/core/systems/snils',
  omsRuCore: 'https://fhir.ru/ig/core/systems/oms',
  mrn: 'urn:oid:1.2.643.5.1.13.13.12.2.77.7777.100.1.1.15',
} as const;

/** A СНИЛС with a valid control number, printed `123-456-789 01`. */
export function printedSnils(first9: string): string {
  const control = String(snilsControlNumber(first9)).padStart(2, '0');
  return `${first9.slice(0, 3)}-${first9.slice(3, 6)}-${first9.slice(6, 9)} ${control}`;
}

/** Ids of the seed's notable patients, for tests. */
export const FIXTURE_PATIENTS = {
  /** Семёнова Алёна Викторовна: mobile stored as `+7 (916) 123-45-67` (rank 1), home `8 (495) 123-45-67`, ОМС, СНИЛС. */
  semenova: '1001',
  /** Иванов Пётр Сергеевич: given name and patronymic in one `given`; an unranked mobile without use, a work phone, his mother's phone as a contact. */
  ivanov: '1002',
  /** Кузнецова Ольга Ивановна: lastUpdated equal to Ёлкин's (a tie across a page boundary). */
  kuznetsova: '1003',
  /** Ёлкин Артём Фёдорович: two phones ranked out of array order. */
  yolkin: '1004',
  /** Смирнова Мария: no patronymic; a ten-digit mobile without a prefix. */
  smirnova: '1005',
  /** Зарина: no family name (quarantined by the desk). */
  noFamily: '1006',
  /** Волков Николай Петрович: deceased. */
  deceased: '1007',
  /** Петрова Анна Сергеевна, the old duplicate: `active: false`, `link replaced-by` 1009. */
  mergedFrom: '1008',
  /** Петрова Анна Сергеевна, the survivor. */
  mergedInto: '1009',
  /** Сидоров Олег Игоревич: `active: false` (deactivated, no successor). */
  inactive: '1010',
  /** Кадырова Айгуль Рашидовна: an old maiden name and an old phone next to the current ones. */
  kadyrova: '1011',
  /** Римская-Корсакова Анна Олеговна: a Kazakh mobile (+7 701). */
  kazakh: '1012',
} as const;

/** The seed patients, with `lastUpdated` set by the server as it loads them (1003 and 1004 at the same instant). */
export function seedPatients(): FhirPatient[] {
  const id = FIXTURE_PATIENTS;
  return [
    {
      resourceType: 'Patient',
      id: id.semenova,
      active: true,
      identifier: [
        { system: FIXTURE_SYSTEMS.mrn, value: 'МК-000101' },
        { system: FIXTURE_SYSTEMS.omsN3, value: '7799000011112222', assigner: { display: 'АО «СК «Согаз-Мед»' } },
        { system: FIXTURE_SYSTEMS.snilsRuCore, value: printedSnils('112233445'), type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'SB' }] } },
      ],
      name: [{ use: 'official', family: 'Семёнова', given: ['Алёна', 'Викторовна'] }],
      telecom: [
        { system: 'phone', value: '8 (495) 123-45-67', use: 'home', rank: 2 },
        { system: 'phone', value: '+7 (916) 123-45-67', use: 'mobile', rank: 1 },
        { system: 'email', value: 'alena.semenova@example.ru', use: 'home' },
      ],
      gender: 'female',
      birthDate: '1985-03-12',
      address: [{ use: 'home', text: 'Москва, ул. Профсоюзная, д. 12, кв. 34', city: 'Москва' }],
    },
    {
      resourceType: 'Patient',
      id: id.ivanov,
      active: true,
      identifier: [{ system: FIXTURE_SYSTEMS.omsRuCore, value: '5098765432109876' }],
      name: [{ use: 'official', family: 'Иванов', given: ['Пётр Сергеевич'] }],
      telecom: [
        { system: 'phone', value: '79031112233' },
        { system: 'phone', value: '+7 495 765-43-21', use: 'work' },
      ],
      gender: 'male',
      birthDate: '1979-11-02',
      address: [{ use: 'home', line: ['ул. Ленина, д. 5'], city: 'Подольск', state: 'Московская область', postalCode: '142100' }],
      contact: [{ relationship: [{ text: 'мать' }], name: { family: 'Иванова', given: ['Галина'] }, telecom: [{ system: 'phone', value: '+79035556677' }] }],
    },
    {
      resourceType: 'Patient',
      id: id.kuznetsova,
      active: true,
      name: [{ use: 'official', family: 'Кузнецова', given: ['Ольга', 'Ивановна'] }],
      telecom: [{ system: 'phone', value: '89261234500', use: 'mobile' }],
      gender: 'female',
      birthDate: '1992-07-30',
    },
    {
      resourceType: 'Patient',
      id: id.yolkin,
      active: true,
      name: [{ use: 'official', family: 'Ёлкин', given: ['Артём', 'Фёдорович'] }],
      telecom: [
        { system: 'phone', value: '+79169876543', use: 'home', rank: 2 },
        { system: 'phone', value: '+79167654321', use: 'mobile', rank: 1 },
      ],
      gender: 'male',
      birthDate: '2001-01-15',
      identifier: [{ system: FIXTURE_SYSTEMS.snilsN3, value: printedSnils('223344556').replace(/\D/g, ''), assigner: { display: 'ПФР' } }],
    },
    {
      resourceType: 'Patient',
      id: id.smirnova,
      active: true,
      name: [{ family: 'Смирнова', given: ['Мария'] }],
      telecom: [{ system: 'phone', value: '9175551122', use: 'mobile' }],
      gender: 'female',
      birthDate: '1967-05-09',
    },
    {
      resourceType: 'Patient',
      id: id.noFamily,
      active: true,
      name: [{ use: 'official', text: 'Зарина', given: ['Зарина'] }],
      telecom: [{ system: 'phone', value: '+79260001122', use: 'mobile' }],
      gender: 'female',
      birthDate: '1999-09-09',
    },
    {
      resourceType: 'Patient',
      id: id.deceased,
      active: true,
      name: [{ use: 'official', family: 'Волков', given: ['Николай', 'Петрович'] }],
      telecom: [{ system: 'phone', value: '+79161110099', use: 'home' }],
      gender: 'male',
      birthDate: '1940-02-20',
      deceasedDateTime: '2024-12-01T08:00:00+03:00',
    },
    {
      resourceType: 'Patient',
      id: id.mergedFrom,
      active: false,
      name: [{ use: 'official', family: 'Петрова', given: ['Анна', 'Сергеевна'] }],
      telecom: [{ system: 'phone', value: '+79057778899', use: 'mobile' }],
      gender: 'female',
      birthDate: '1990-04-04',
      link: [{ other: { reference: `Patient/${id.mergedInto}` }, type: 'replaced-by' }],
    },
    {
      resourceType: 'Patient',
      id: id.mergedInto,
      active: true,
      name: [{ use: 'official', family: 'Петрова', given: ['Анна', 'Сергеевна'] }],
      telecom: [{ system: 'phone', value: '+79057778899', use: 'mobile', rank: 1 }],
      gender: 'female',
      birthDate: '1990-04-04',
      link: [{ other: { reference: `Patient/${id.mergedFrom}` }, type: 'replaces' }],
    },
    {
      resourceType: 'Patient',
      id: id.inactive,
      active: false,
      name: [{ use: 'official', family: 'Сидоров', given: ['Олег', 'Игоревич'] }],
      telecom: [{ system: 'phone', value: '+79163334455', use: 'mobile' }],
      gender: 'male',
      birthDate: '1975-12-31',
    },
    {
      resourceType: 'Patient',
      id: id.kadyrova,
      active: true,
      name: [
        { use: 'maiden', family: 'Хасанова', given: ['Айгуль', 'Рашидовна'] },
        { use: 'official', family: 'Кадырова', given: ['Айгуль', 'Рашидовна'] },
      ],
      telecom: [
        { system: 'phone', value: '+79990000001', use: 'old' },
        { system: 'phone', value: '+79640001234', use: 'mobile', period: { start: '2020-01-01' } },
      ],
      gender: 'female',
      birthDate: '1988-08-08',
    },
    {
      resourceType: 'Patient',
      id: id.kazakh,
      active: true,
      name: [{ use: 'official', family: 'Римская-Корсакова', given: ['Анна', 'Олеговна'] }],
      telecom: [{ system: 'phone', value: '+7 701 234 56 78', use: 'mobile' }],
      gender: 'female',
      birthDate: '1995-06-01',
    },
  ];
}

/** A synthetic desk card as a FHIR Patient (`syn-<index>`), the way an N3-connected MIS would publish it. */
export function patientFromCard(card: PatientCard, id: string): FhirPatient {
  const telecom: FhirContactPoint[] = card.phones
    .filter((phone) => phone.kind !== 'relative')
    .map((phone, index) => ({ system: 'phone', value: phone.e164, use: phone.kind === 'relative' ? 'home' : phone.kind, rank: index + 1 }));
  if (card.email) telecom.push({ system: 'email', value: card.email, use: 'home', rank: 1 });
  const relatives = card.phones.filter((phone) => phone.kind === 'relative');
  return {
    resourceType: 'Patient',
    id,
    active: true,
    identifier: [
      ...(card.omsPolicy ? [{ system: FIXTURE_SYSTEMS.omsN3, value: card.omsPolicy }] : []),
      ...(card.snils ? [{ system: FIXTURE_SYSTEMS.snilsN3, value: card.snils }] : []),
    ],
    name: [{ use: 'official', family: card.surname, given: card.patronymic ? [card.givenName, card.patronymic] : [card.givenName] }],
    telecom,
    gender: card.sex,
    birthDate: card.birthDate,
    ...(card.address && { address: [{ use: 'home', text: card.address }] }),
    ...(relatives.length > 0 && { contact: [{ relationship: [{ text: 'родственник' }], telecom: relatives.map((phone) => ({ system: 'phone' as const, value: phone.e164 })) }] }),
  };
}

/** The schedule's fixed catalogue: branches and rooms (Location), doctors (Practitioner, PractitionerRole), services (HealthcareService). */
export function seedCatalogue(): FhirResource[] {
  const service = (id: string, name: string, specialty: string, program: string, minutes: number, price: number | null, extraDetails?: string): FhirResource => ({
    resourceType: 'HealthcareService',
    id,
    active: true,
    name,
    specialty: [{ text: specialty }],
    program: [{ text: program }],
    ...(extraDetails && { extraDetails }),
    extension: [{ url: SERVICE_DURATION_EXTENSION, valueInteger: minutes }, ...(price === null ? [] : [{ url: SERVICE_PRICE_EXTENSION, valueDecimal: price }])],
  });
  return [
    { resourceType: 'Location', id: 'loc-main', status: 'active', name: 'Клиника на Профсоюзной', mode: 'instance', physicalType: { coding: [{ code: 'bu' }] }, address: { text: 'Москва, ул. Профсоюзная, д. 1' } },
    { resourceType: 'Location', id: 'loc-north', status: 'active', name: 'Филиал «Северный»', mode: 'instance', physicalType: { coding: [{ code: 'bu' }] }, address: { line: ['Дмитровское ш., д. 100'], city: 'Москва' } },
    { resourceType: 'Location', id: 'room-101', status: 'active', name: 'каб. 101', physicalType: { coding: [{ code: 'ro' }] }, partOf: { reference: 'Location/loc-main' } },
    { resourceType: 'Location', id: 'room-205', status: 'active', name: 'каб. 205', physicalType: { coding: [{ code: 'ro' }] }, partOf: { reference: 'Location/loc-main' } },
    { resourceType: 'Location', id: 'room-12', status: 'active', name: 'каб. 12 (УЗИ)', physicalType: { coding: [{ code: 'ro' }] }, partOf: { reference: 'Location/loc-north' } },
    { resourceType: 'Practitioner', id: 'pr-smirnova', active: true, name: [{ use: 'official', family: 'Смирнова', given: ['Ольга', 'Петровна'] }] },
    { resourceType: 'Practitioner', id: 'pr-orlov', active: true, name: [{ use: 'official', family: 'Орлов', given: ['Игорь', 'Васильевич'] }] },
    { resourceType: 'Practitioner', id: 'pr-lee', active: true, name: [{ use: 'official', family: 'Ли', given: ['Виктория'] }] },
    service('hs-therapist-oms', 'Приём терапевта (ОМС)', 'терапевт', 'ОМС', 30, null, 'паспорт, полис ОМС'),
    service('hs-therapist-paid', 'Приём терапевта, платно', 'терапевт', 'платно', 30, 2500),
    service('hs-ent', 'Приём оториноларинголога', 'ЛОР', 'платно', 30, 3000),
    service('hs-us', 'УЗИ брюшной полости', 'УЗИ', 'платно', 20, 3500, 'натощак'),
    {
      resourceType: 'PractitionerRole',
      id: 'role-smirnova',
      active: true,
      practitioner: { reference: 'Practitioner/pr-smirnova' },
      specialty: [{ coding: [{ system: 'urn:oid:1.2.643.5.1.13.13.11.1066', code: '76', display: 'терапевт' }] }],
      location: [{ reference: 'Location/room-101' }],
      healthcareService: [{ reference: 'HealthcareService/hs-therapist-oms' }, { reference: 'HealthcareService/hs-therapist-paid' }],
    },
    { resourceType: 'PractitionerRole', id: 'role-orlov', active: true, practitioner: { reference: 'Practitioner/pr-orlov' }, specialty: [{ text: 'ЛОР' }], location: [{ reference: 'Location/room-205' }], healthcareService: [{ reference: 'HealthcareService/hs-ent' }] },
    { resourceType: 'PractitionerRole', id: 'role-lee', active: true, practitioner: { reference: 'Practitioner/pr-lee' }, specialty: [{ text: 'УЗИ' }], location: [{ reference: 'Location/room-12' }], healthcareService: [{ reference: 'HealthcareService/hs-us' }] },
    { resourceType: 'Schedule', id: 'sch-smirnova', active: true, actor: [{ reference: 'Practitioner/pr-smirnova' }, { reference: 'Location/room-101' }] },
    { resourceType: 'Schedule', id: 'sch-orlov', active: true, actor: [{ reference: 'PractitionerRole/role-orlov' }] },
    { resourceType: 'Schedule', id: 'sch-lee', active: true, actor: [{ reference: 'Practitioner/pr-lee' }, { reference: 'HealthcareService/hs-us' }] },
  ];
}

/** The doctors' working hours in the fixture: [schedule id, first slot minute of day, slot minutes, slots a day]. */
export const FIXTURE_DAY_PLANS: readonly (readonly [string, number, number, number])[] = [
  ['sch-smirnova', 9 * 60, 30, 8],
  ['sch-orlov', 10 * 60, 30, 6],
  ['sch-lee', 8 * 60, 20, 6],
];
