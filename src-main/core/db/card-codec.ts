import type { Appointment, PatientCard, PatientPhone } from '../../../src-shared/patients/patient-card';
import { DatabaseError } from './database-error';

/**
 * The storage form of a cached card: a JSON array with the fields in a fixed order and no
 * key names, `national10` dropped (it is the tail of `e164`). Against plain `JSON.stringify`
 * of the card this halves the bytes written and encrypted (658 → 352 bytes per synthetic card)
 * and is about twice as fast to encode and to decode, which at a million cards is ~5 s of
 * first-sync time (db/README.md).
 *
 * Element 0 is the format version. A new field means a new version (and a cache migration
 * that rewrites or rebuilds the cards); the cache is rebuildable, so old formats need not be
 * read forever.
 */
export const CARD_FORMAT_VERSION = 1;

type EncodedPhone = [e164: string, kind: PatientPhone['kind']];
type EncodedAppointment = [id: string, startsAt: string, doctor: string, specialty: string, service: string, branch: string, status: Appointment['status']];
type EncodedFlags = [allergies: string | null, vip: boolean, preferredChannel: PatientCard['flags']['preferredChannel'], consentSms: boolean, consentCalls: boolean];
type EncodedCard = [
  format: number,
  misId: string,
  version: number,
  surname: string,
  givenName: string,
  patronymic: string | null,
  birthDate: string,
  sex: PatientCard['sex'],
  phones: EncodedPhone[],
  email: string | null,
  address: string | null,
  omsPolicy: string | null,
  dms: [insurer: string, policy: string] | null,
  snils: string | null,
  flags: EncodedFlags,
  lastVisit: string | null,
  appointments: EncodedAppointment[],
];

/** Serialises a card for `patient_cards.card`. */
export function encodeCard(card: PatientCard): string {
  const phones: EncodedPhone[] = card.phones.map((phone) => [phone.e164, phone.kind]);
  const appointments: EncodedAppointment[] = card.appointments.map((a) => [a.id, a.startsAt, a.doctor, a.specialty, a.service, a.branch, a.status]);
  const f = card.flags;
  const encoded: EncodedCard = [
    CARD_FORMAT_VERSION,
    card.misId,
    card.version,
    card.surname,
    card.givenName,
    card.patronymic,
    card.birthDate,
    card.sex,
    phones,
    card.email,
    card.address,
    card.omsPolicy,
    card.dms === null ? null : [card.dms.insurer, card.dms.policy],
    card.snils,
    [f.allergies, f.vip, f.preferredChannel, f.consentSms, f.consentCalls],
    card.lastVisit,
    appointments,
  ];
  return JSON.stringify(encoded);
}

/**
 * Rebuilds the card from its storage form.
 *
 * @throws Error when the text is not a card of a known format (the caller reports the cache as damaged).
 */
export function decodeCard(text: string): PatientCard {
  const a = JSON.parse(text) as EncodedCard;
  if (!Array.isArray(a) || a[0] !== CARD_FORMAT_VERSION || a.length !== 17) {
    throw new Error(`A cached card is in an unknown storage format (${Array.isArray(a) ? `version ${String(a[0])}` : typeof a}).`);
  }
  const flags = a[14];
  const dms = a[12];
  return {
    misId: a[1],
    version: a[2],
    surname: a[3],
    givenName: a[4],
    patronymic: a[5],
    birthDate: a[6],
    sex: a[7],
    phones: a[8].map(([e164, kind]) => ({ e164, national10: e164.slice(-10), kind })),
    email: a[9],
    address: a[10],
    omsPolicy: a[11],
    dms: dms === null ? null : { insurer: dms[0], policy: dms[1] },
    snils: a[13],
    flags: { allergies: flags[0], vip: flags[1], preferredChannel: flags[2], consentSms: flags[3], consentCalls: flags[4] },
    lastVisit: a[15],
    appointments: a[16].map(([id, startsAt, doctor, specialty, service, branch, status]) => ({ id, startsAt, doctor, specialty, service, branch, status })),
  };
}

/**
 * {@link decodeCard} for reads from cache.db: a card that does not decode means the file was
 * damaged or written by something else, which the cache answers like any corruption: rebuild.
 *
 * @throws DatabaseError `CORRUPT`.
 */
export function readCard(text: string): PatientCard {
  try {
    return decodeCard(text);
  } catch (error) {
    throw new DatabaseError('CORRUPT', 'cache', 'A cached patient card cannot be read. The patient cache will be rebuilt from the MIS; nothing local is lost.', 'rebuild-cache', {
      cause: error,
    });
  }
}
