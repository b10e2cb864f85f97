import type { PatientCard } from '../../../../src-shared/patients/patient-card';
import type { Logger } from '../logger';

/**
 * Patient-shaped test data for the log's redaction (synthetic: no real person) — and every form
 * each value can be written in, so a test can search a file for all of them.
 */
export interface PatientShape {
  surname: string;
  givenName: string;
  patronymic: string | null;
  /** Ten national digits (`9161234567`). */
  national10: string;
  birthDate: string;
  snils: string | null;
  omsPolicy: string | null;
  dmsPolicy: string | null;
  email: string | null;
  address: string | null;
  note: string;
}

/** The synthetic patient of the log tests, in Cyrillic, with a Latin spelling of the name beside it. */
export const SYNTHETIC_PATIENT: PatientShape = {
  surname: 'Римская-Корсакова',
  givenName: 'Алёна',
  patronymic: 'Петровна',
  national10: '9161234567',
  birthDate: '1985-03-12',
  snils: '11223344595',
  omsPolicy: '7700123456789012',
  dmsPolicy: 'ДМС-2024-0012345',
  email: 'alena.korsakova@example.ru',
  address: 'г. Москва, ул. Ленина, д. 1, кв. 5',
  note: 'аллергия на пенициллин, просила перезвонить после обеда',
};
export const SYNTHETIC_LATIN = { surname: 'Rimskaya-Korsakova', givenName: 'Alena', patronymic: 'Petrovna', other: 'John Smith' };

/** A card's patient-identifying values as a {@link PatientShape}, with a note of the test's own. */
export function shapeOf(card: PatientCard, note: string): PatientShape {
  return {
    surname: card.surname,
    givenName: card.givenName,
    patronymic: card.patronymic ?? null,
    national10: card.phones[0]?.national10 ?? '9160000000',
    birthDate: card.birthDate,
    snils: card.snils ?? null,
    omsPolicy: card.omsPolicy ?? null,
    dmsPolicy: card.dms?.policy ?? null,
    email: card.email ?? null,
    address: card.address ?? null,
    note,
  };
}

/** Every phone format the desk meets: `+79161234567`, `8 (916) 123-45-67`, `916-123-45-67` … */
export function phoneForms(national10: string): string[] {
  const d = national10;
  const [a, b, c, e] = [d.slice(0, 3), d.slice(3, 6), d.slice(6, 8), d.slice(8)];
  return [`+7${d}`, `7${d}`, `8${d}`, d, `8 (${a}) ${b}-${c}-${e}`, `+7 (${a}) ${b}-${c}-${e}`, `${a}-${b}-${c}-${e}`, `+7 ${a} ${b} ${c} ${e}`, `${b}-${c}-${e}`, `${b}${c}${e}`];
}

/** `11223344595` → `112-233-445 95`. */
export function snilsFormatted(snils: string): string {
  return `${snils.slice(0, 3)}-${snils.slice(3, 6)}-${snils.slice(6, 9)} ${snils.slice(9)}`;
}

/** `1985-03-12` → `12.03.1985`, `12/03/1985`. */
export function dateForms(iso: string): string[] {
  const [y, m, d] = iso.split('-');
  return [iso, `${d}.${m}.${y}`, `${d}/${m}/${y}`];
}

/**
 * Every string a file must not contain for `p`: the name's parts, every phone form, the policies,
 * СНИЛС both ways, the birth date three ways, the e-mail, the address's words of four letters
 * and more, and the note's words of six letters and more (shorter ones are ordinary words).
 */
export function needlesOf(p: PatientShape): string[] {
  const words = (text: string, min: number) => text.split(/[^\p{L}\p{N}-]+/u).filter((word) => word.length >= min && /\p{L}/u.test(word));
  return [
    p.surname,
    ...p.surname.split('-'),
    p.givenName,
    ...(p.patronymic ? [p.patronymic] : []),
    ...phoneForms(p.national10),
    ...dateForms(p.birthDate),
    ...(p.snils ? [p.snils, snilsFormatted(p.snils)] : []),
    ...(p.omsPolicy ? [p.omsPolicy] : []),
    ...(p.dmsPolicy ? [p.dmsPolicy] : []),
    ...(p.email ? [p.email, p.email.split('@')[0]!] : []),
    ...(p.address ? words(p.address, 4) : []),
    p.note,
    ...words(p.note, 6),
  ];
}

/**
 * Hands `p` to `logger` in every way the desk's code calls it (each level; context objects with
 * telling keys and with innocent ones; arrays, nested objects, numbers, a date, bytes, maps and
 * sets; errors whose message carries the data, with causes and several at once; a library's
 * properties on an error; URLs with a login and a query; event names built from the data) —
 * mistakes included, since redaction is the safety net for them.
 */
export function logPatientEverywhere(logger: Logger, p: PatientShape, pass = 0): void {
  const fullName = [p.surname, p.givenName, p.patronymic].filter(Boolean).join(' ');
  const phones = phoneForms(p.national10);
  const [e164, trunk, bare, dialled, dashed, spaced] = [phones[0]!, phones[2]!, phones[3]!, phones[4]!, phones[6]!, phones[7]!];
  const snils = p.snils ? snilsFormatted(p.snils) : '112-233-445 95';
  const dates = dateForms(p.birthDate);
  const [iso, dotted, slashed] = [dates[0]!, dates[1]!, dates[2]!];
  logger.info('patient.opened', {
    pass,
    misId: 'P-100200',
    surname: p.surname,
    givenName: p.givenName,
    patronymic: p.patronymic,
    phone: e164,
    birthDate: iso,
    snils,
    omsPolicy: p.omsPolicy,
    dms: { insurer: 'СК «Пример»', policy: p.dmsPolicy },
    email: p.email,
    address: p.address,
    note: p.note,
    suffix: p.national10.slice(-4),
    pin: '1234',
  });
  logger.warn('call.unusual', {
    detail: `звонок от ${fullName}, ${spaced}, ${p.address ?? ''}`,
    who: fullName,
    value: dialled,
    alt: dashed,
    bare,
    trunk,
    tail: `caller number ends in ${p.national10.slice(-4)}`,
    dotted,
    slashed,
    ins: p.dmsPolicy,
    sn: p.snils,
    oms: p.omsPolicy,
    mail: p.email,
    remark: p.note,
    shout: p.surname.toUpperCase(),
  });
  logger.debug('cache.page', {
    list: [p.surname, dashed, `${SYNTHETIC_LATIN.givenName} ${SYNTHETIC_LATIN.surname}`, { who: p.givenName, at: [p.email] }],
    nested: { a: { b: { c: { d: p.surname } } } },
    call: { from: `"${fullName}" <sip:${e164}@pbx.example>`, to: 'sip:1001@pbx.example' },
    asNumber: Number(`7${p.national10}`),
    national: Number(p.national10),
    policyNumber: p.omsPolicy && /^\d+$/.test(p.omsPolicy) ? BigInt(p.omsPolicy) : null,
    bornAt: new Date(`${iso}T00:00:00Z`),
    raw: Buffer.from(fullName),
    byNumber: new Map([[e164, p.surname]]),
    seen: new Set([p.givenName, e164]),
    counts: { [e164]: 3, [p.surname]: 1, [snils]: 2 },
  });
  logger.error('mis.request-failed', { error: new Error(`Пациент ${fullName} (СНИЛС ${snils}, полис ${p.omsPolicy ?? ''}) не найден`) });
  logger.error('mis.request-failed', {
    error: new Error(`no card for ${SYNTHETIC_LATIN.other}, ${SYNTHETIC_LATIN.surname} ${SYNTHETIC_LATIN.givenName}, ${p.email ?? ''}, 221B Baker Street, born ${dotted}`),
  });
  logger.error('sync.page-failed', {
    error: new Error('the page was refused', { cause: new Error(`row 17: ${SYNTHETIC_LATIN.surname} ${iso} ${spaced}`, { cause: new TypeError(`${p.surname} is not a string`) }) }),
  });
  logger.error('sync.several', { error: new AggregateError([new Error(p.surname), new Error(`${SYNTHETIC_LATIN.other} ${bare}`)], `Two cards for ${SYNTHETIC_LATIN.givenName}`) });
  logger.error('mis.http', {
    error: Object.assign(new Error(`GET https://admin:S3cret@mis.example/fhir/Patient?name=${encodeURIComponent(p.surname)}&phone=${bare} failed with 401`), {
      kind: 'auth',
      status: 401,
      patient: SYNTHETIC_LATIN.surname,
      body: JSON.stringify({ surname: p.surname, phone: e164 }),
    }),
  });
  logger.info(`lookup ${p.surname} ${e164}`);
  logger.info(`renderer.${SYNTHETIC_LATIN.surname}.${bare}`);
  logger.warn(`note-saved: ${p.note}`);
}

/** Latin spellings the patterns above use: none may reach a file either. */
export const LATIN_NEEDLES = ['Rimskaya-Korsakova', 'Rimskaya', 'Korsakova', 'Alena', 'Petrovna', 'John', 'Smith', 'Baker', 'S3cret'];
