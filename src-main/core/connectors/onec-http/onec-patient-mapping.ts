import { MAX_APPOINTMENTS_PER_CARD, MAX_PHONES_PER_CARD } from '../../../../src-shared/patients/patient-card';
import { onecBoolean, onecDate, onecDateTime, onecDigits, onecPhone, onecRef, onecSex, onecText, onecVersion } from './onec-values';

/**
 * 1C's patient objects → the desk's raw card (`PatientCardSchema` shape, still unvalidated: the
 * core decides). A field 1C left empty becomes null; a field that cannot be read stays in a
 * form the core refuses, so a broken record is quarantined with its reason rather than
 * silently changed. Never throws on any input.
 */

type Json = Record<string, unknown>;

function asObject(value: unknown): Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : {};
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

const APPOINTMENT_STATUSES: Record<string, 'booked' | 'confirmed' | 'cancelled' | 'done'> = {
  записан: 'booked',
  запись: 'booked',
  booked: 'booked',
  подтвержден: 'confirmed',
  подтверждён: 'confirmed',
  confirmed: 'confirmed',
  отменен: 'cancelled',
  отменён: 'cancelled',
  cancelled: 'cancelled',
  выполнен: 'done',
  завершен: 'done',
  завершён: 'done',
  done: 'done',
};

/** The card's id: a GUID lower-cased (so `getCard` and the cache agree), any other id as given. */
function cardId(value: unknown): unknown {
  return onecRef(value) ?? value;
}

/** A phone list without duplicates and unreadable numbers, at most the card's maximum. */
export function phonesOf(entries: { raw: unknown; kind: unknown }[]): { e164: string; national10: string; kind: 'mobile' | 'home' | 'work' | 'relative' }[] {
  const phones: ReturnType<typeof phonesOf> = [];
  for (const entry of entries) {
    const phone = onecPhone(entry.raw, entry.kind);
    if (phone && !phones.some((p) => p.e164 === phone.e164)) phones.push(phone);
    if (phones.length === MAX_PHONES_PER_CARD) break;
  }
  return phones;
}

/**
 * One patient of the HTTP service (docs/1c-http-service.md, "Patient"):
 * `{ id, version, surname, name, patronymic, birthDate, sex, phones: [{number, kind}], email,
 * address, omsPolicy, snils, dms: {insurer, policy} | null, allergies, vip, consentSms,
 * consentCalls, preferredChannel, lastVisit, appointments: [{id, startsAt, doctor, specialty,
 * service, branch, status}] }`.
 */
export function cardFromServicePatient(raw: unknown, timeZone: string): unknown {
  const p = asObject(raw);
  const dms = asObject(p.dms);
  const dmsInsurer = onecText(dms.insurer);
  const dmsPolicy = onecText(dms.policy);
  const channel = onecText(p.preferredChannel)?.toLowerCase() ?? null;
  return {
    misId: cardId(p.id),
    version: onecVersion(p.version) ?? p.version ?? null,
    surname: onecText(p.surname),
    givenName: onecText(p.name ?? p.givenName),
    patronymic: onecText(p.patronymic),
    birthDate: onecDate(p.birthDate),
    sex: onecSex(p.sex),
    phones: phonesOf(asArray(p.phones).map((phone) => ({ raw: asObject(phone).number, kind: asObject(phone).kind }))),
    email: onecText(p.email),
    address: onecText(p.address),
    omsPolicy: p.omsPolicy === undefined ? null : (onecDigits(p.omsPolicy, 16) ?? invalidUnlessBlank(p.omsPolicy)),
    dms: dmsInsurer && dmsPolicy ? { insurer: dmsInsurer, policy: dmsPolicy } : null,
    snils: p.snils === undefined ? null : (onecDigits(p.snils, 11) ?? invalidUnlessBlank(p.snils)),
    flags: {
      allergies: onecText(p.allergies),
      vip: onecBoolean(p.vip),
      preferredChannel: channel === 'call' || channel === 'sms' || channel === 'email' ? channel : channel === 'звонок' ? 'call' : null,
      consentSms: onecBoolean(p.consentSms),
      consentCalls: onecBoolean(p.consentCalls),
    },
    lastVisit: onecDate(p.lastVisit),
    appointments: asArray(p.appointments)
      .slice(0, MAX_APPOINTMENTS_PER_CARD)
      .map((item) => {
        const a = asObject(item);
        return {
          id: cardId(a.id),
          startsAt: onecDateTime(a.startsAt, timeZone),
          doctor: onecText(a.doctor),
          specialty: onecText(a.specialty),
          service: onecText(a.service),
          branch: onecText(a.branch),
          status: APPOINTMENT_STATUSES[String(a.status ?? '').trim().toLowerCase()] ?? a.status ?? null,
        };
      }),
  };
}

/** A filled value that is not the digits it should be stays as text, so the core refuses the card naming the field. */
function invalidUnlessBlank(value: unknown): string | null {
  return onecText(value);
}

/** Settings of {@link cardFromODataEntity}: the field names of the configured catalog. */
export interface ODataCardFields {
  id: string;
  surname: string;
  givenName: string;
  patronymic: string;
  birthDate: string;
  sex: string;
  phoneFields: string;
  contactSection: string;
  contactValue: string;
  contactType: string;
  contactPhoneType: string;
  contactEmailType: string;
  omsPolicy: string;
  snils: string;
}

/** The configured phone attributes (`Телефон, ТелефонМобильный`) as a list. */
export function phoneFieldNames(fields: Pick<ODataCardFields, 'phoneFields'>): string[] {
  return fields.phoneFields
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

/**
 * One entity of the standard OData interface (a catalog element with its tabular sections
 * inline) → raw card, by the configured field names. `version` is given by the caller: 1C's
 * `DataVersion` is an opaque text, the connector turns it into a monotonic number.
 */
export function cardFromODataEntity(raw: unknown, fields: ODataCardFields, version: number): unknown {
  const e = asObject(raw);
  const get = (name: string): unknown => (name === '' ? undefined : e[name]);
  const contacts = fields.contactSection === '' ? [] : asArray(e[fields.contactSection]).map(asObject);
  const phoneEntries = [
    ...phoneFieldNames(fields).map((name) => ({ raw: e[name], kind: /моб|сот/i.test(name) ? 'Мобильный' : /раб/i.test(name) ? 'Рабочий' : /дом/i.test(name) ? 'Домашний' : 'Мобильный' })),
    ...contacts.filter((row) => onecText(row[fields.contactType]) === fields.contactPhoneType).map((row) => ({ raw: row[fields.contactValue], kind: row.Вид ?? row.ВидТелефона ?? 'Мобильный' })),
  ];
  const email = contacts.find((row) => onecText(row[fields.contactType]) === fields.contactEmailType);
  const oms = get(fields.omsPolicy);
  const snils = get(fields.snils);
  return {
    misId: cardId(get(fields.id)),
    version,
    surname: onecText(get(fields.surname)),
    givenName: onecText(get(fields.givenName)),
    patronymic: onecText(get(fields.patronymic)),
    birthDate: onecDate(get(fields.birthDate)),
    sex: onecSex(get(fields.sex)),
    phones: phonesOf(phoneEntries),
    email: email ? onecText(email[fields.contactValue]) : null,
    address: null,
    omsPolicy: onecDigits(oms, 16) ?? invalidUnlessBlank(oms),
    dms: null,
    snils: onecDigits(snils, 11) ?? invalidUnlessBlank(snils),
    flags: { allergies: null, vip: false, preferredChannel: null, consentSms: false, consentCalls: false },
    lastVisit: null,
    appointments: [],
  };
}
