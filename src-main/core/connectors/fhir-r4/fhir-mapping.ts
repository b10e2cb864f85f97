import { z } from 'zod';
import { MAX_PHONES_PER_CARD, MisIdSchema, type PatientPhone, type PhoneKind } from '../../../../src-shared/patients/patient-card';
import { normalizePhone } from '../../patients/phone-normalisation';
import { KNOWN_OMS_SYSTEMS, KNOWN_SNILS_SYSTEMS } from './fhir-config';
import type { FhirAddress, FhirBundle, FhirContactPoint, FhirHumanName, FhirIdentifier, FhirPatient, FhirResource } from './fhir-resources';

/**
 * FHIR R4 resources → what the desk caches. Every field is read defensively (a server's JSON
 * is `unknown`): a field of the wrong type is treated as absent, an optional field that would
 * fail the card's schema (an e-mail without @, a 15-digit ОМС number) is dropped, and only the
 * fields the card requires (surname, given name, birth date) are left for `PatientCardSchema`
 * to refuse — so a patient without a family name is quarantined with its reason instead of
 * appearing as a card without a surname. Nothing here ever puts a resource into a message.
 */

/** What the mapping needs from the config. */
export interface PatientMappingOptions {
  /** Identifier systems read as the ОМС policy (the configured one first). */
  omsSystems: readonly string[];
  /** Identifier systems read as СНИЛС. */
  snilsSystems: readonly string[];
}

export function mappingOptions(systems: { oms: string; snils: string }): PatientMappingOptions {
  return {
    omsSystems: [...new Set([systems.oms, ...KNOWN_OMS_SYSTEMS])],
    snilsSystems: [...new Set([systems.snils, ...KNOWN_SNILS_SYSTEMS])],
  };
}

/** What a Patient resource means to the desk's cache. */
export type PatientFate =
  /** A card (possibly deceased: see the README). */
  | { kind: 'live' }
  /** `active: false` without a successor: the card leaves the cache. */
  | { kind: 'deleted' }
  /** `link[type=replaced-by]`: merged into `into`, which survives. */
  | { kind: 'merged'; into: string };

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

function list<T = unknown>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : [];
}

/** `value` as a resource of `type` (any type when omitted), or null. */
export function asResource<T extends FhirResource = FhirResource>(value: unknown, type?: T['resourceType']): T | null {
  if (!isObject(value) || typeof value.resourceType !== 'string') return null;
  if (type !== undefined && value.resourceType !== type) return null;
  return value as T;
}

/** A resource id the desk can keep (FHIR ids are `[A-Za-z0-9-.]{1,64}`; the card allows printable ASCII). */
export function resourceId(resource: FhirResource): string | null {
  const id = str(resource.id);
  return id !== null && MisIdSchema.safeParse(id).success ? id : null;
}

/**
 * The id a reference points at when it names a resource of `type`: `Patient/123`,
 * `https://host/fhir/Patient/123`, `Patient/123/_history/4` → `123`. Null for other types,
 * contained (`#x`) or logical references.
 */
export function referenceId(reference: unknown, type: string): string | null {
  const ref = isObject(reference) ? str(reference.reference) : str(reference);
  if (ref === null) return null;
  const match = new RegExp(`(?:^|/)${type}/([A-Za-z0-9\\-.]{1,64})(?:/_history/[^/]+)?$`).exec(ref);
  return match ? match[1]! : null;
}

/** An `instant` / `dateTime` with a time as epoch ms, or null. */
export function instantMs(value: unknown): number | null {
  const text = str(value);
  if (text === null || !/^\d{4}-\d{2}-\d{2}T/.test(text)) return null;
  const ms = Date.parse(text);
  return Number.isFinite(ms) ? ms : null;
}

/**
 * The card's version: `meta.lastUpdated` in epoch ms (it grows with every change of the
 * resource); a numeric `meta.versionId` when the server gives no time; else 0.
 */
export function resourceVersion(resource: FhirResource): number {
  const meta = isObject(resource.meta) ? resource.meta : {};
  const updated = instantMs(meta.lastUpdated);
  if (updated !== null && updated >= 0) return updated;
  const versionId = str(meta.versionId);
  return versionId !== null && /^\d{1,15}$/.test(versionId) ? Number(versionId) : 0;
}

/** What the desk does with this patient: keep a card, drop it, or record a merge. */
export function patientFate(patient: FhirPatient): PatientFate {
  for (const link of list<Record<string, unknown>>(patient.link)) {
    if (!isObject(link) || link.type !== 'replaced-by') continue;
    const into = referenceId(link.other, 'Patient');
    if (into !== null && into !== patient.id) return { kind: 'merged', into };
  }
  if (patient.active === false) return { kind: 'deleted' };
  return { kind: 'live' };
}

/** True when the patient is deceased (`deceasedBoolean: true` or a `deceasedDateTime`). */
export function isDeceased(patient: FhirPatient): boolean {
  return patient.deceasedBoolean === true || str(patient.deceasedDateTime) !== null;
}

const PATRONYMIC_ENDING = /(?:ич|вна|чна|оглы|кызы|улы)$/i;

/**
 * The name the card shows: `official`, else `usual`, else the first that is not `old`,
 * `maiden`, `nickname` or ended (`period.end` in the past, as of `now`).
 */
function chooseName(names: FhirHumanName[], now: number): FhirHumanName | null {
  const current = names.filter((name) => isObject(name) && name.use !== 'old' && name.use !== 'maiden' && name.use !== 'nickname' && !ended(name.period, now));
  return current.find((name) => name.use === 'official') ?? current.find((name) => name.use === 'usual') ?? current[0] ?? null;
}

function ended(period: unknown, now: number): boolean {
  if (!isObject(period)) return false;
  const end = str(period.end);
  if (end === null) return false;
  const ms = Date.parse(end.length === 10 ? `${end}T23:59:59Z` : end);
  return Number.isFinite(ms) && ms < now;
}

/**
 * Surname, given name and patronymic as RuCoreIG writes them (`family`; `given[0]` the name,
 * `given[1]` the patronymic). A single `given` of two words whose second is a patronymic
 * (`Иван Петрович`, as some MIS export it) is split.
 */
export function personName(name: FhirHumanName | null): { surname: string; givenName: string; patronymic: string | null } {
  if (name === null) return { surname: '', givenName: '', patronymic: null };
  const surname = str(name.family) ?? '';
  const given = list(name.given)
    .map(str)
    .filter((part): part is string => part !== null);
  let givenName = given[0] ?? '';
  let patronymic = given[1] ?? null;
  if (given.length === 1) {
    const words = givenName.split(/\s+/);
    if (words.length === 2 && PATRONYMIC_ENDING.test(words[1]!)) [givenName, patronymic] = [words[0]!, words[1]!];
  }
  return { surname, givenName, patronymic };
}

/** Rank for sorting: a given rank first (1 highest), then unranked in their order. */
function rankOf(point: FhirContactPoint): number {
  return typeof point.rank === 'number' && Number.isInteger(point.rank) && point.rank > 0 ? point.rank : Number.MAX_SAFE_INTEGER;
}

/**
 * The card's phones: the patient's `telecom` of system `phone` / `sms` (not `old`, not ended),
 * best rank first, then the contacts' (`Patient.contact`, as `relative`). Kind: `use` mobile,
 * home, work; a phone without a use (or `temp`) is `mobile` when it is a Russian mobile number
 * (+7 9xx) or the patient's best-ranked phone, else `home`. Numbers that do not parse are
 * dropped; duplicates keep their first kind; at most 10.
 */
export function patientPhones(patient: FhirPatient, now: number): PatientPhone[] {
  const own = list<FhirContactPoint>(patient.telecom)
    .filter((point) => isObject(point) && (point.system === 'phone' || point.system === 'sms') && point.use !== 'old' && !ended(point.period, now))
    .map((point, index) => ({ point, index }))
    .sort((a, b) => rankOf(a.point) - rankOf(b.point) || a.index - b.index)
    .map(({ point }) => point);
  const phones: PatientPhone[] = [];
  const add = (value: unknown, kind: PhoneKind) => {
    const raw = str(value);
    const normalized = raw === null ? null : normalizePhone(raw);
    if (normalized === null || phones.length >= MAX_PHONES_PER_CARD || phones.some((p) => p.e164 === normalized.e164)) return;
    phones.push({ e164: normalized.e164, national10: normalized.national10, kind });
  };
  own.forEach((point, index) => {
    const use = point.use;
    if (use === 'mobile' || use === 'home' || use === 'work') return add(point.value, use);
    const e164 = normalizePhone(str(point.value) ?? '')?.e164 ?? '';
    add(point.value, /^\+79\d{9}$/.test(e164) || index === 0 ? 'mobile' : 'home');
  });
  for (const contact of list<Record<string, unknown>>(patient.contact)) {
    if (!isObject(contact)) continue;
    for (const point of list<FhirContactPoint>(contact.telecom)) {
      if (isObject(point) && (point.system === 'phone' || point.system === 'sms') && point.use !== 'old' && !ended(point.period, now)) add(point.value, 'relative');
    }
  }
  return phones;
}

const EmailSchema = z.string().trim().max(254).pipe(z.email());

function patientEmail(patient: FhirPatient, now: number): string | null {
  const points = list<FhirContactPoint>(patient.telecom).filter((p) => isObject(p) && p.system === 'email' && p.use !== 'old' && !ended(p.period, now));
  points.sort((a, b) => rankOf(a) - rankOf(b));
  for (const point of points) {
    const parsed = EmailSchema.safeParse(point.value);
    if (parsed.success) return parsed.data;
  }
  return null;
}

/** `Address.text`, else its parts joined (`123456, Москва, ул. Ленина, д. 1`); home first; at most 500 characters. */
export function addressText(addresses: unknown, now: number): string | null {
  const all = list<FhirAddress>(addresses).filter((a) => isObject(a) && a.use !== 'old' && !ended(a.period, now));
  const chosen = all.find((a) => a.use === 'home') ?? all[0];
  if (!chosen) return null;
  const text = str(chosen.text) ?? [chosen.postalCode, chosen.state, chosen.district, chosen.city, ...list(chosen.line)].map(str).filter((part) => part !== null).join(', ');
  const clean = text.replace(/\s+/g, ' ').trim();
  return clean === '' ? null : clean.slice(0, 500);
}

function identifierValue(identifiers: unknown, systems: readonly string[], now: number): string | null {
  const current = list<FhirIdentifier>(identifiers).filter((i) => isObject(i) && typeof i.system === 'string' && i.use !== 'old' && !ended(i.period, now));
  for (const system of systems) {
    const found = current.find((i) => i.system === system && str(i.value) !== null);
    if (found) return str(found.value);
  }
  return null;
}

/** The ОМС policy: 16 digits (spaces and dashes dropped), else null — the old-style series and number do not fit the card. */
export function omsPolicyOf(identifiers: unknown, systems: readonly string[], now: number): string | null {
  const digits = identifierValue(identifiers, systems, now)?.replace(/[\s-]/g, '') ?? null;
  return digits !== null && /^\d{16}$/.test(digits) ? digits : null;
}

/** СНИЛС without punctuation (`112-233-445 95` → `11223344595`), else null. */
export function snilsOf(identifiers: unknown, systems: readonly string[], now: number): string | null {
  const digits = identifierValue(identifiers, systems, now)?.replace(/[\s-]/g, '') ?? null;
  return digits !== null && /^\d{11}$/.test(digits) ? digits : null;
}

/** `YYYY-MM-DD` from a FHIR date (RuCoreIG allows a time for newborns); a partial date stays partial and fails the card. */
function birthDateOf(value: unknown): string {
  const text = str(value) ?? '';
  const day = /^(\d{4}-\d{2}-\d{2})(?:T.*)?$/.exec(text);
  return day ? day[1]! : text;
}

/**
 * A Patient as a raw card for the core to validate. The card's required fields are passed on
 * as found (empty when missing), so `PatientCardSchema` refuses such a card and the core
 * quarantines it with the reason; the optional ones are left null when they would not pass.
 */
export function patientToCard(patient: FhirPatient, options: PatientMappingOptions, now: number): Record<string, unknown> {
  const name = personName(chooseName(list<FhirHumanName>(patient.name), now));
  const sex = patient.gender === 'male' || patient.gender === 'female' ? patient.gender : 'unknown';
  return {
    misId: str(patient.id) ?? '',
    version: resourceVersion(patient),
    surname: name.surname,
    givenName: name.givenName,
    patronymic: name.patronymic,
    birthDate: birthDateOf(patient.birthDate),
    sex,
    phones: patientPhones(patient, now),
    email: patientEmail(patient, now),
    address: addressText(patient.address, now),
    omsPolicy: omsPolicyOf(patient.identifier, options.omsSystems, now),
    dms: null,
    snils: snilsOf(patient.identifier, options.snilsSystems, now),
    flags: { allergies: null, vip: false, preferredChannel: null, consentSms: false, consentCalls: false },
    lastVisit: null,
    appointments: [],
  };
}

/** The resources of a search Bundle's entries, split into matches and includes (`search.mode`). */
export function bundleEntries(bundle: FhirBundle): { matches: FhirResource[]; included: FhirResource[] } {
  const matches: FhirResource[] = [];
  const included: FhirResource[] = [];
  for (const entry of list<Record<string, unknown>>(bundle.entry)) {
    if (!isObject(entry)) continue;
    const resource = asResource(entry.resource);
    if (!resource) continue;
    const mode = isObject(entry.search) ? entry.search.mode : undefined;
    if (mode === 'include') included.push(resource);
    else if (mode !== 'outcome' && resource.resourceType !== 'OperationOutcome') matches.push(resource);
  }
  return { matches, included };
}

/** `Bundle.link[relation=next].url`, or null. */
export function nextLink(bundle: FhirBundle): string | null {
  const next = list<Record<string, unknown>>(bundle.link).find((link) => isObject(link) && link.relation === 'next');
  return next ? str(next.url) : null;
}

/**
 * An OperationOutcome's issues as one readable line (`error: Слот уже занят; warning: …`):
 * each issue's `details.text`, else its `diagnostics`, else its code. Null when `body` is not
 * one or says nothing. At most 500 characters.
 */
export function operationOutcomeText(body: unknown): string | null {
  const outcome = asResource(body, 'OperationOutcome');
  if (!outcome) return null;
  const lines = list<Record<string, unknown>>(outcome.issue)
    .filter(isObject)
    .map((issue) => {
      const details = isObject(issue.details) ? str(issue.details.text) : null;
      const said = details ?? str(issue.diagnostics) ?? str(issue.code);
      if (said === null) return null;
      const severity = str(issue.severity);
      return severity ? `${severity}: ${said}` : said;
    })
    .filter((line): line is string => line !== null);
  if (lines.length === 0) return null;
  const text = lines.join('; ').replace(/\s+/g, ' ');
  return text.length > 500 ? `${text.slice(0, 499)}…` : text;
}

/** The issue codes of an OperationOutcome (`not-found`, `conflict`, `duplicate`). */
export function operationOutcomeCodes(body: unknown): string[] {
  const outcome = asResource(body, 'OperationOutcome');
  if (!outcome) return [];
  return list<Record<string, unknown>>(outcome.issue)
    .filter(isObject)
    .map((issue) => str(issue.code))
    .filter((code): code is string => code !== null);
}
