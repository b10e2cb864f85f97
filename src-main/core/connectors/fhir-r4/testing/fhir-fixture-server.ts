import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { syntheticPatient } from '../../../demo/synthetic-patients';
import type { FhirPatient, FhirResource } from '../fhir-resources';
import { FIXTURE_DAY_PLANS, patientFromCard, seedCatalogue, seedPatients } from './fhir-fixture-data';

/**
 * A FHIR R4 server for tests and e2e, in memory, over node:http: the parts of the REST API a
 * MIS façade serves (HAPI FHIR's behaviour where servers differ) and the faults real ones show.
 *
 * - `GET /fhir/metadata` (a CapabilityStatement, without authentication like most servers);
 *   `GET /fhir/{type}/{id}`; `GET /fhir/{type}?…` searches with `_count`, `_sort`,
 *   `_lastUpdated`, `_include`, `_include:iterate`, `_revinclude`, paged through a snapshot of the
 *   matches with HAPI-style `next` links (`/fhir?_getpages=…&_getpagesoffset=…`; an expired one
 *   is 410). An unknown search parameter is 400, as with HAPI's default strict handling.
 * - Patient: `phone` (token: exact as stored — `+7 (916) 123-45-67` is found only so), `name` /
 *   `family` / `given` (prefix of a name part, case and accents folded as HAPI does: ё is е),
 *   `birthdate`, `identifier`, `active`. Slot: `start`, `status`, `schedule`. Appointment,
 *   Communication, Task: `identifier`, `patient` / `subject`, `slot`, `status`.
 * - `POST /fhir/{type}` with `If-None-Exist` (a conditional create: 201 made, 200 with the one
 *   that matched, 412 on several); `PUT /fhir/{type}/{id}` with `If-Match` (412 on another
 *   version). An Appointment booking a slot that is not free is 409; one naming an unknown
 *   patient 400; booking and cancelling mark the slot busy / free (a new version of it).
 * - Authentication: Basic, Bearer, or OAuth2 client credentials at `/oauth/token`; a refusal is
 *   401 with `WWW-Authenticate` and an OperationOutcome.
 * - `control` for tests: edit patients, add synthetic ones, list writes, lose the next write's
 *   answer (applied, answered late or never), fail the next requests (401, 403, 429, 500,
 *   malformed JSON, an HTML page, a hang, a dropped connection), take a slot.
 *
 * Instants are written in +03:00 with milliseconds, as a Moscow server does. Usable from a
 * Playwright test process: `startFhirFixtureServer({ port })` → `{ url, close, control }`.
 */

export type FhirFixtureAuth = { user: string; password: string } | { token: string } | { clientId: string; clientSecret: string } | 'none';

export interface FhirFixtureOptions {
  /** 0 or absent: any free port. */
  port?: number;
  host?: string;
  /** The patients to load instead of the seed (`[]`: none); a number: the seed plus that many synthetic patients. */
  patients?: FhirPatient[] | number;
  /** Synthetic patients (`syn-<index>`, from the demo's generator) added after the seed. */
  syntheticPatients?: number;
  /** Absent, null or 'none': no authentication. */
  auth?: FhirFixtureAuth | null;
  /** Whether the schedule (branches, doctors, services, slots) is served; default true. */
  schedule?: boolean;
  /** The schedule's first day (`YYYY-MM-DD`, Moscow); default today in Moscow. */
  scheduleToday?: string;
  /** Days of slots from `scheduleToday`; default 14. */
  scheduleDays?: number;
  /** Answer `/metadata` with 404, as some façades do. */
  noCapabilityStatement?: boolean;
  /** Now (epoch ms) for `meta.lastUpdated`; default `Date.now`. */
  now?: () => number;
  /** Search parameters the server ignores, as a lenient façade does with ones it does not know (`phone`, `_lastUpdated`). */
  ignoreParams?: string[];
}

/** One request as the server saw it (never a body). */
export interface FhirRequestRecord {
  method: string;
  /** Path under the server, e.g. `/fhir/Patient`. */
  path: string;
  /** The decoded query parameters, in order. */
  query: [string, string][];
  /** What the server answered (0: no answer — a hang or a drop). */
  status: number;
}

export type FhirFault = 401 | 403 | 404 | 409 | 429 | 500 | 503 | 'malformed-json' | 'html' | 'hang' | 'drop';

export interface FhirFixtureControl {
  /** Copies of the resources of a type, in the server's order. */
  resources(type: string): FhirResource[];
  read(type: string, id: string): FhirResource | null;
  /** Creates or replaces a resource as the MIS's own staff would (new version, new lastUpdated). */
  put(resource: FhirResource): FhirResource;
  /** Edits a patient: the official family name, given names, the mobile phone (replaced), `active`; bumps `meta.versionId` / `lastUpdated`. */
  editPatient(id: string, patch: { family?: string; given?: string[]; phone?: string; active?: boolean }): FhirPatient;
  /** Merges `from` into `into` as an MPI does: `from` becomes `active: false` with `link replaced-by`, `into` gets `link replaces`. */
  merge(from: string, into: string): void;
  /** Adds `count` synthetic patients (`syn-<index>`, the demo generator's patients `startIndex…`); returns their ids. */
  addPatients(count: number, options?: { seed?: number; startIndex?: number }): string[];
  /** The Communications (the desk's call notes), oldest first. */
  communications(): FhirResource[];
  /** How many resources of `type` carry an identifier with this value (any system). */
  countWithIdentifier(type: string, value: string): number;
  /** The next POST / PUT is applied, but its answer comes `delayMs` late (default: never, until close) or the connection drops. */
  loseNextWriteAnswer(options?: { mode?: 'delay' | 'drop'; delayMs?: number }): void;
  /** The next `count` requests (matching `path`, when given) fail with `fault` without being applied. */
  failNext(fault: FhirFault, count?: number, match?: { method?: string; path?: RegExp }): void;
  /** Clears injected faults and a pending answer loss. */
  clearFaults(): void;
  /** Another channel (the front desk) books the slot: it becomes busy. False when it was not free. */
  takeSlot(slotId: string): boolean;
  /** Forgets every paging snapshot: the next `next` link answers 410 Gone. */
  expirePages(): void;
  /** The requests seen so far (the token endpoint included). */
  readonly requests: FhirRequestRecord[];
  clearRequests(): void;
}

export interface FhirFixtureServer {
  /** The FHIR base, e.g. `http://127.0.0.1:40123/fhir`. */
  url: string;
  /** The OAuth2 token endpoint (client credentials), e.g. `http://127.0.0.1:40123/oauth/token`. */
  tokenUrl: string;
  port: number;
  control: FhirFixtureControl;
  close(): Promise<void>;
}

const BASE_PATH = '/fhir';
const FHIR_JSON = 'application/fhir+json; charset=utf-8';
const MAX_BODY = 5 * 1024 * 1024;
const DEFAULT_COUNT = 20;
const MAX_COUNT = 1_000;
const MOSCOW_OFFSET_MIN = 180;
const TOKEN_LIFETIME_SEC = 300;

/** `2025-03-01T10:15:30.123+03:00` for an epoch ms (Moscow has had no DST since 2014). */
export function moscowInstant(ms: number): string {
  const local = new Date(ms + MOSCOW_OFFSET_MIN * 60_000).toISOString().slice(0, 23);
  return `${local}+03:00`;
}

/** Today's date in Moscow. */
export function moscowDate(ms: number): string {
  return new Date(ms + MOSCOW_OFFSET_MIN * 60_000).toISOString().slice(0, 10);
}

function addDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A date (Moscow) as [start, end) epoch ms; a dateTime as the instant (its second, or its millisecond). */
function searchRange(value: string): [number, number] | null {
  if (/^\d{4}$/.test(value)) return [Date.parse(`${value}-01-01T00:00:00+03:00`), Date.parse(`${Number(value) + 1}-01-01T00:00:00+03:00`)];
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const start = Date.parse(`${value}T00:00:00+03:00`);
    return Number.isFinite(start) ? [start, Date.parse(`${addDays(value, 1)}T00:00:00+03:00`)] : null;
  }
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) return null;
  const precise = /\.\d+/.test(value);
  return [ms, ms + (precise ? 1 : 1000)];
}

/** Compares an instant with a FHIR prefixed value (`ge2025-01-01`, `gt…T10:00:00.123+03:00`). */
function matchesPrefixed(instant: number, raw: string): boolean | null {
  const prefix = /^(eq|ne|gt|lt|ge|le|sa|eb)/.exec(raw)?.[1] ?? 'eq';
  const range = searchRange(raw.slice(/^(eq|ne|gt|lt|ge|le|sa|eb)/.test(raw) ? 2 : 0));
  if (range === null) return null;
  const [lo, hi] = range;
  switch (prefix) {
    case 'eq':
      return instant >= lo && instant < hi;
    case 'ne':
      return instant < lo || instant >= hi;
    case 'gt':
    case 'sa':
      return instant >= hi;
    case 'ge':
      return instant >= lo;
    case 'lt':
    case 'eb':
      return instant < lo;
    case 'le':
      return instant < hi;
    default:
      return null;
  }
}

/** Splits an OR list at unescaped commas and unescapes `\,` `\|` `\$` `\\`. */
function orValues(raw: string): string[] {
  const out: string[] = [];
  let current = '';
  for (let i = 0; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '\\' && i + 1 < raw.length) {
      current += `\\${raw[++i]}`;
    } else if (ch === ',') {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out;
}

/** `system|code` of a token (escapes respected), with the escapes removed. */
function splitToken(value: string): { system: string | null; code: string } {
  let bar = -1;
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === '|') {
      bar = i;
      break;
    }
  }
  const unescape = (s: string) => s.replace(/\\(.)/g, '$1');
  if (bar < 0) return { system: null, code: unescape(value) };
  return { system: unescape(value.slice(0, bar)), code: unescape(value.slice(bar + 1)) };
}

/** Case and accents folded as HAPI FHIR indexes strings (NFD, marks removed, upper case): ё is е, й is и. */
function foldString(value: string): string {
  return value.normalize('NFD').replace(/\p{M}/gu, '').toUpperCase();
}

function referenceTarget(ref: unknown): string | null {
  const text = typeof ref === 'object' && ref !== null ? (ref as { reference?: unknown }).reference : null;
  if (typeof text !== 'string') return null;
  const match = /([A-Za-z]+\/[A-Za-z0-9\-.]{1,64})(?:\/_history\/[^/]+)?$/.exec(text);
  return match ? match[1]! : null;
}

function arr<T = unknown>(value: unknown): T[] {
  return Array.isArray(value) ? (value as T[]) : value === undefined || value === null ? [] : [value as T];
}

function outcome(severity: 'fatal' | 'error' | 'warning' | 'information', code: string, text: string): FhirResource {
  return { resourceType: 'OperationOutcome', issue: [{ severity, code, diagnostics: text, details: { text } }] };
}

class HttpProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: Record<string, string>;

  constructor(status: number, code: string, message: string, headers: Record<string, string> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

/** References a search parameter follows, per `Type:param` (for `_include` and `_revinclude`). */
const REFERENCE_PARAMS: Record<string, (resource: FhirResource) => unknown[]> = {
  'Slot:schedule': (r) => arr(r.schedule),
  'Schedule:actor': (r) => arr(r.actor),
  'PractitionerRole:practitioner': (r) => arr(r.practitioner),
  'PractitionerRole:location': (r) => arr(r.location),
  'PractitionerRole:service': (r) => arr(r.healthcareService),
  'Location:partof': (r) => arr(r.partOf),
  'Appointment:slot': (r) => arr(r.slot),
  'Appointment:patient': (r) => arr(r.participant).map((p) => (p as { actor?: unknown }).actor).filter((a) => referenceTarget(a)?.startsWith('Patient/')),
  'Appointment:actor': (r) => arr(r.participant).map((p) => (p as { actor?: unknown }).actor),
  'Communication:subject': (r) => arr(r.subject),
  'Task:patient': (r) => arr(r.for),
};

type Matcher = (resource: FhirResource, value: string) => boolean;

const tokenOn =
  (values: (resource: FhirResource) => { system?: unknown; value?: unknown }[]): Matcher =>
  (resource, raw) => {
    const { system, code } = splitToken(raw);
    return values(resource).some((item) => (system === null || (system === '' ? item.system === undefined : item.system === system)) && item.value === code);
  };

const identifierMatcher = tokenOn((r) => arr(r.identifier));
const codeMatcher =
  (get: (r: FhirResource) => unknown): Matcher =>
  (r, raw) =>
    splitToken(raw).code === String(get(r));
const boolMatcher =
  (get: (r: FhirResource) => unknown): Matcher =>
  (r, raw) =>
    String(get(r)) === raw;
const referenceMatcher =
  (param: string, type: string): Matcher =>
  (r, raw) => {
    const wanted = raw.includes('/') ? raw.replace(/^.*?([A-Za-z]+\/[^/]+)$/, '$1') : `${type}/${raw}`;
    return REFERENCE_PARAMS[param]!(r).some((ref) => referenceTarget(ref) === wanted);
  };
const dateMatcher =
  (get: (r: FhirResource) => unknown): Matcher =>
  (r, raw) => {
    const value = get(r);
    if (typeof value !== 'string') return false;
    const range = searchRange(value);
    return range !== null && matchesPrefixed(range[0], raw) === true;
  };

function nameParts(r: FhirResource): string[] {
  return arr<{ family?: unknown; given?: unknown; text?: unknown; prefix?: unknown; suffix?: unknown }>(r.name).flatMap((n) =>
    [n.family, ...arr(n.given), n.text, ...arr(n.prefix), ...arr(n.suffix)].filter((v): v is string => typeof v === 'string'),
  );
}

const stringMatcher =
  (parts: (r: FhirResource) => string[]): Matcher =>
  (r, raw) => {
    const wanted = foldString(raw.replace(/\\(.)/g, '$1'));
    return parts(r).some((part) => foldString(part).startsWith(wanted));
  };

const phoneValues = (r: FhirResource) =>
  arr<{ system?: unknown; value?: unknown }>(r.telecom)
    .filter((t) => t.system === 'phone')
    .map((t) => ({ value: t.value }));

/** The search parameters each type understands (besides `_id`, `_lastUpdated`, `identifier`). */
const SEARCH_PARAMS: Record<string, Record<string, Matcher>> = {
  Patient: {
    phone: tokenOn(phoneValues),
    telecom: tokenOn((r) => arr<{ value?: unknown }>(r.telecom).map((t) => ({ value: t.value }))),
    name: stringMatcher(nameParts),
    family: stringMatcher((r) => arr<{ family?: unknown }>(r.name).flatMap((n) => (typeof n.family === 'string' ? [n.family] : []))),
    given: stringMatcher((r) => arr<{ given?: unknown }>(r.name).flatMap((n) => arr(n.given).filter((g): g is string => typeof g === 'string'))),
    birthdate: dateMatcher((r) => r.birthDate),
    active: boolMatcher((r) => r.active),
  },
  Slot: { start: dateMatcher((r) => r.start), status: codeMatcher((r) => r.status), schedule: referenceMatcher('Slot:schedule', 'Schedule') },
  Schedule: { actor: referenceMatcher('Schedule:actor', 'Practitioner'), active: boolMatcher((r) => r.active) },
  Practitioner: { active: boolMatcher((r) => r.active), name: stringMatcher(nameParts) },
  PractitionerRole: { active: boolMatcher((r) => r.active), practitioner: referenceMatcher('PractitionerRole:practitioner', 'Practitioner') },
  HealthcareService: { active: boolMatcher((r) => r.active) },
  Location: { status: codeMatcher((r) => r.status), partof: referenceMatcher('Location:partof', 'Location') },
  Appointment: {
    status: codeMatcher((r) => r.status),
    slot: referenceMatcher('Appointment:slot', 'Slot'),
    patient: referenceMatcher('Appointment:patient', 'Patient'),
    actor: referenceMatcher('Appointment:actor', 'Practitioner'),
    date: dateMatcher((r) => r.start),
  },
  Communication: { subject: referenceMatcher('Communication:subject', 'Patient') },
  Task: { patient: referenceMatcher('Task:patient', 'Patient'), status: codeMatcher((r) => r.status) },
  Organization: { active: boolMatcher((r) => r.active) },
};

const IGNORED_PARAMS = new Set(['_format', '_pretty', '_summary', '_elements', '_total', '_count', '_sort', '_include', '_include:iterate', '_revinclude', '_revinclude:iterate']);

interface PageSnapshot {
  type: string;
  ids: string[];
  count: number;
  include: string[];
  includeIterate: string[];
  revinclude: string[];
}

interface Fault {
  fault: FhirFault;
  remaining: number;
  method?: string;
  path?: RegExp;
}

/** Starts the fixture server; resolves once it listens. */
export async function startFhirFixtureServer(options: FhirFixtureOptions = {}): Promise<FhirFixtureServer> {
  const now = options.now ?? Date.now;
  const host = options.host ?? '127.0.0.1';
  const auth: FhirFixtureAuth = options.auth ?? 'none';
  /** type → id → resource, in insertion order. */
  const store = new Map<string, Map<string, FhirResource>>();
  const pages = new Map<string, PageSnapshot>();
  const tokens = new Set<string>();
  const faults: Fault[] = [];
  let loseAnswer: { mode: 'delay' | 'drop'; delayMs: number | null } | null = null;
  const requests: FhirRequestRecord[] = [];
  const sockets = new Set<Socket>();
  const pendingTimers = new Set<NodeJS.Timeout>();
  let lastStamp = 0;
  let nextId = 5_000;
  let origin = '';

  const table = (type: string) => {
    let t = store.get(type);
    if (!t) store.set(type, (t = new Map()));
    return t;
  };
  /** A strictly growing instant, so every change is newer than the one before. */
  const stamp = () => {
    lastStamp = Math.max(now(), lastStamp + 1);
    return lastStamp;
  };
  const save = (resource: FhirResource, at = stamp()): FhirResource => {
    const previous = resource.id ? table(resource.resourceType).get(resource.id) : undefined;
    const versionId = previous ? Number(previous.meta?.versionId ?? '0') + 1 : 1;
    const saved = { ...structuredClone(resource), id: resource.id ?? String(nextId++), meta: { ...resource.meta, versionId: String(versionId), lastUpdated: moscowInstant(at) } };
    table(saved.resourceType).set(saved.id!, saved);
    return saved;
  };
  const get = (type: string, id: string) => store.get(type)?.get(id) ?? null;

  // ---- seed ------------------------------------------------------------------------------------
  const seedBase = now() - 10 * 86_400_000;
  const patients = Array.isArray(options.patients) ? options.patients : seedPatients();
  patients.forEach((patient, index) => {
    // 1003 and 1004 share an instant: a tie the connector's cursor must carry across pages.
    const at = seedBase + (patient.id === '1004' ? patients.findIndex((p) => p.id === '1003') : index) * 60_000;
    save(patient, at);
  });
  lastStamp = Math.max(lastStamp, seedBase + patients.length * 60_000);
  const addPatients = (count: number, opts: { seed?: number; startIndex?: number } = {}) => {
    const ids: string[] = [];
    const start = opts.startIndex ?? [...table('Patient').keys()].filter((id) => id.startsWith('syn-')).length;
    for (let i = 0; i < count; i++) {
      const id = `syn-${start + i}`;
      save(patientFromCard(syntheticPatient(start + i, opts.seed ?? 1), id));
      ids.push(id);
    }
    return ids;
  };
  const synthetic = (options.syntheticPatients ?? 0) + (typeof options.patients === 'number' ? options.patients : 0);
  if (synthetic > 0) addPatients(synthetic);
  if (options.schedule !== false) seedSchedule(options.scheduleToday ?? moscowDate(now()), options.scheduleDays ?? 14);

  function seedSchedule(today: string, days: number): void {
    const at = seedBase;
    for (const resource of seedCatalogue()) save(resource, at);
    for (let d = 0; d < days; d++) {
      const day = addDays(today, d);
      if (new Date(`${day}T00:00:00Z`).getUTCDay() === 0) continue;
      for (const [schedule, first, minutes, count] of FIXTURE_DAY_PLANS) {
        for (let i = 0; i < count; i++) {
          const start = Date.parse(`${day}T00:00:00+03:00`) + (first + i * minutes) * 60_000;
          const id = `slot-${schedule.slice(4)}-${day.replaceAll('-', '')}-${String(first + i * minutes).padStart(4, '0')}`;
          save({ resourceType: 'Slot', id, schedule: { reference: `Schedule/${schedule}` }, status: 'free', start: moscowInstant(start).replace('.000', ''), end: moscowInstant(start + minutes * 60_000).replace('.000', '') }, at);
        }
      }
    }
    // Busy, blocked and booked slots on the first working day.
    const slots = [...table('Slot').values()];
    const blocked = slots.find((s) => s.id!.startsWith('slot-orlov-'));
    if (blocked) save({ ...blocked, status: 'busy-unavailable', comment: 'совещание' }, at);
    const booked = slots.find((s) => s.id!.startsWith('slot-smirnova-'));
    if (booked && get('Patient', '1001')) {
      save({ ...booked, status: 'busy' }, at);
      save(
        {
          resourceType: 'Appointment',
          id: 'appt-seed-1',
          status: 'booked',
          slot: [{ reference: `Slot/${booked.id}` }],
          start: booked.start,
          end: booked.end,
          participant: [
            { actor: { reference: 'Patient/1001' }, status: 'accepted' },
            { actor: { reference: 'Practitioner/pr-smirnova' }, status: 'accepted' },
            { actor: { reference: 'HealthcareService/hs-therapist-oms' }, status: 'accepted' },
          ],
        },
        at,
      );
    }
  }

  // ---- search ----------------------------------------------------------------------------------
  function search(type: string, params: [string, string][]): FhirResource[] {
    const known = SEARCH_PARAMS[type] ?? {};
    let results = [...table(type).values()];
    for (const [rawKey, rawValue] of params) {
      const key = rawKey.replace(/:(exact|contains|missing|not|text|iterate)$/, '');
      if (IGNORED_PARAMS.has(rawKey) || IGNORED_PARAMS.has(key) || options.ignoreParams?.includes(key)) continue;
      if (key === '_id') {
        const ids = orValues(rawValue);
        results = results.filter((r) => ids.includes(r.id!));
        continue;
      }
      if (key === '_lastUpdated') {
        const verdicts = results.map((r) => matchesPrefixed(Date.parse(r.meta?.lastUpdated ?? ''), rawValue));
        if (verdicts.some((v) => v === null) && results.length > 0) throw new HttpProblem(400, 'invalid', `Invalid date/time format: "${rawValue}"`);
        results = results.filter((_, i) => verdicts[i] === true);
        continue;
      }
      const matcher = key === 'identifier' ? identifierMatcher : known[key];
      if (!matcher) throw new HttpProblem(400, 'invalid', `Unknown search parameter "${rawKey}" for resource type "${type}".`);
      const values = orValues(rawValue);
      results = results.filter((r) => values.some((v) => matcher(r, v)));
    }
    const sort = params.find(([k]) => k === '_sort')?.[1];
    if (sort) {
      const keys = sort.split(',');
      const value = (r: FhirResource, key: string): number | string => {
        if (key === '_lastUpdated') return Date.parse(r.meta?.lastUpdated ?? '');
        if (key === 'start' || key === 'date') return Date.parse(String(r.start ?? ''));
        if (key === 'birthdate') return String(r.birthDate ?? '');
        return String(r.id);
      };
      results.sort((a, b) => {
        for (const raw of keys) {
          const desc = raw.startsWith('-');
          const key = raw.replace(/^-/, '');
          const x = value(a, key);
          const y = value(b, key);
          if (x < y) return desc ? 1 : -1;
          if (x > y) return desc ? -1 : 1;
        }
        return 0;
      });
    }
    return results;
  }

  function includesFor(matches: FhirResource[], snapshot: PageSnapshot): FhirResource[] {
    const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
    const out: FhirResource[] = [];
    const follow = (sources: FhirResource[], specs: string[]): FhirResource[] => {
      const found: FhirResource[] = [];
      for (const spec of specs) {
        const [type, param] = spec.split(':');
        const paths = REFERENCE_PARAMS[`${type}:${param}`];
        if (!paths) continue;
        for (const source of sources) {
          if (source.resourceType !== type) continue;
          for (const ref of paths(source)) {
            const target = referenceTarget(ref);
            if (!target || seen.has(target)) continue;
            const [targetType, targetId] = target.split('/');
            const resource = get(targetType!, targetId!);
            if (resource) {
              seen.add(target);
              found.push(resource);
            }
          }
        }
      }
      return found;
    };
    out.push(...follow(matches, snapshot.include));
    let frontier = [...matches, ...out];
    for (let depth = 0; depth < 3 && snapshot.includeIterate.length > 0; depth++) {
      const more = follow(frontier, snapshot.includeIterate);
      if (more.length === 0) break;
      out.push(...more);
      frontier = more;
    }
    for (const spec of snapshot.revinclude) {
      const [type, param] = spec.split(':');
      const paths = REFERENCE_PARAMS[`${type}:${param}`];
      if (!paths) continue;
      const targets = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
      for (const candidate of table(type!).values()) {
        const key = `${candidate.resourceType}/${candidate.id}`;
        if (!seen.has(key) && paths(candidate).some((ref) => targets.has(referenceTarget(ref) ?? ''))) {
          seen.add(key);
          out.push(candidate);
        }
      }
    }
    return out;
  }

  function bundlePage(searchId: string, offset: number): FhirResource {
    const snapshot = pages.get(searchId);
    if (!snapshot) throw new HttpProblem(410, 'not-found', `Search ${searchId} is expired or unknown; start the search again.`);
    const ids = snapshot.ids.slice(offset, offset + snapshot.count);
    const matches = ids.map((id) => get(snapshot.type, id)).filter((r): r is FhirResource => r !== null);
    const included = includesFor(matches, snapshot);
    const link = [{ relation: 'self', url: `${origin}${BASE_PATH}?_getpages=${searchId}&_getpagesoffset=${offset}&_count=${snapshot.count}&_bundletype=searchset` }];
    if (offset + snapshot.count < snapshot.ids.length) {
      link.push({ relation: 'next', url: `${origin}${BASE_PATH}?_getpages=${searchId}&_getpagesoffset=${offset + snapshot.count}&_count=${snapshot.count}&_bundletype=searchset` });
    }
    if (offset > 0) link.push({ relation: 'previous', url: `${origin}${BASE_PATH}?_getpages=${searchId}&_getpagesoffset=${Math.max(0, offset - snapshot.count)}&_count=${snapshot.count}&_bundletype=searchset` });
    return {
      resourceType: 'Bundle',
      id: randomUUID(),
      meta: { lastUpdated: moscowInstant(now()) },
      type: 'searchset',
      total: snapshot.ids.length,
      link,
      entry: [
        ...matches.map((r) => ({ fullUrl: `${origin}${BASE_PATH}/${r.resourceType}/${r.id}`, resource: r, search: { mode: 'match' } })),
        ...included.map((r) => ({ fullUrl: `${origin}${BASE_PATH}/${r.resourceType}/${r.id}`, resource: r, search: { mode: 'include' } })),
      ],
    };
  }

  function startSearch(type: string, params: [string, string][]): FhirResource {
    const ids = search(type, params).map((r) => r.id!);
    const countRaw = params.find(([k]) => k === '_count')?.[1];
    const count = countRaw === undefined ? DEFAULT_COUNT : Math.max(0, Math.min(MAX_COUNT, Number.parseInt(countRaw, 10) || 0));
    const searchId = randomUUID();
    const values = (key: string) => params.filter(([k]) => k === key).flatMap(([, v]) => v.split(','));
    pages.set(searchId, { type, ids, count: count === 0 ? 0 : count, include: values('_include'), includeIterate: values('_include:iterate'), revinclude: values('_revinclude') });
    if (count === 0) return { resourceType: 'Bundle', type: 'searchset', total: ids.length, link: [], entry: [] };
    return bundlePage(searchId, 0);
  }

  // ---- writes ----------------------------------------------------------------------------------
  function conditionalMatches(type: string, condition: string): FhirResource[] {
    const params = [...new URLSearchParams(condition).entries()];
    return search(type, params);
  }

  function checkAppointment(resource: FhirResource, previous: FhirResource | null): void {
    for (const participant of arr<{ actor?: unknown }>(resource.participant)) {
      const target = referenceTarget(participant.actor);
      if (target?.startsWith('Patient/') && !get('Patient', target.slice(8))) {
        throw new HttpProblem(400, 'not-found', `Resource ${target} not found, specified in path: Appointment.participant.actor`);
      }
    }
    const active = resource.status !== 'cancelled' && resource.status !== 'noshow' && resource.status !== 'entered-in-error';
    if (!active) return;
    for (const ref of arr(resource.slot)) {
      const target = referenceTarget(ref);
      const slot = target?.startsWith('Slot/') ? get('Slot', target.slice(5)) : null;
      if (!slot) throw new HttpProblem(400, 'not-found', `Resource ${target ?? 'Slot'} not found, specified in path: Appointment.slot`);
      const ownedBefore = previous !== null && arr(previous.slot).some((r) => referenceTarget(r) === target) && previous.status !== 'cancelled';
      if (slot.status !== 'free' && !ownedBefore) throw new HttpProblem(409, 'conflict', `Слот ${slot.id} уже занят (status ${String(slot.status)}).`);
    }
  }

  /** Keeps slots in step with an appointment: booked → busy, cancelled → free. */
  function syncSlots(resource: FhirResource): void {
    const busy = resource.status !== 'cancelled' && resource.status !== 'noshow' && resource.status !== 'entered-in-error';
    for (const ref of arr(resource.slot)) {
      const target = referenceTarget(ref);
      const slot = target?.startsWith('Slot/') ? get('Slot', target.slice(5)) : null;
      if (!slot) continue;
      if (busy && slot.status === 'free') save({ ...slot, status: 'busy' });
      if (!busy && slot.status === 'busy') save({ ...slot, status: 'free' });
    }
  }

  function create(type: string, resource: FhirResource, ifNoneExist: string | null): { status: number; resource: FhirResource } {
    if (ifNoneExist) {
      const found = conditionalMatches(type, ifNoneExist.replace(/^.*\?/, ''));
      if (found.length > 1) throw new HttpProblem(412, 'duplicate', `Failed to CREATE resource with match URL "${ifNoneExist}" because this search matched ${found.length} resources`);
      if (found.length === 1) return { status: 200, resource: found[0]! };
    }
    if (type === 'Appointment') checkAppointment(resource, null);
    const { id: _ignored, ...rest } = resource;
    const saved = save({ ...rest, resourceType: type } as FhirResource);
    if (type === 'Appointment') syncSlots(saved);
    return { status: 201, resource: saved };
  }

  function update(type: string, id: string, resource: FhirResource, ifMatch: string | null): { status: number; resource: FhirResource } {
    if (resource.id !== undefined && resource.id !== id) throw new HttpProblem(400, 'invalid', `Resource body ID of "${String(resource.id)}" does not match URL ID of "${id}"`);
    const previous = get(type, id);
    if (ifMatch !== null) {
      const wanted = /^(?:W\/)?"?([^"]+)"?$/.exec(ifMatch.trim())?.[1];
      if (!previous || previous.meta?.versionId !== wanted) throw new HttpProblem(412, 'conflict', `Trying to update ${type}/${id}/_history/${wanted ?? '?'} but this is not the current version`);
    }
    if (type === 'Appointment') checkAppointment(resource, previous);
    const saved = save({ ...resource, resourceType: type, id });
    if (type === 'Appointment') {
      if (previous) {
        // Slots the appointment no longer holds are freed.
        const kept = new Set(arr(saved.slot).map(referenceTarget));
        syncSlots({ ...previous, status: 'cancelled', slot: arr(previous.slot).filter((r) => !kept.has(referenceTarget(r))) });
      }
      syncSlots(saved);
    }
    return { status: previous ? 200 : 201, resource: saved };
  }

  // ---- HTTP ------------------------------------------------------------------------------------
  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = body === undefined ? '' : JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': FHIR_JSON, 'Content-Length': String(Buffer.byteLength(text)), ...headers });
    res.end(text);
  }

  function checkAuth(req: IncomingMessage): void {
    if (auth === 'none') return;
    const header = req.headers.authorization ?? '';
    if ('user' in auth) {
      const expected = `Basic ${Buffer.from(`${auth.user}:${auth.password}`, 'utf8').toString('base64')}`;
      if (header !== expected) throw new HttpProblem(401, 'login', 'HTTP 401 Unauthorized: invalid user name or password', { 'WWW-Authenticate': 'Basic realm="fhir"' });
      return;
    }
    const token = /^Bearer (.+)$/.exec(header)?.[1];
    const valid = 'token' in auth ? token === auth.token : token !== undefined && tokens.has(token);
    if (!valid) throw new HttpProblem(401, 'login', 'HTTP 401 Unauthorized: the access token is missing, invalid or expired', { 'WWW-Authenticate': 'Bearer realm="fhir", error="invalid_token"' });
  }

  function tokenEndpoint(req: IncomingMessage, body: string, res: ServerResponse): void {
    const form = new URLSearchParams(body);
    let clientId = form.get('client_id');
    let clientSecret = form.get('client_secret');
    const basic = /^Basic (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, 'base64').toString('utf8').split(':');
      clientId = decodeURIComponent(id ?? '');
      clientSecret = decodeURIComponent(secret ?? '');
    }
    const ok = typeof auth === 'object' && 'clientId' in auth && form.get('grant_type') === 'client_credentials' && clientId === auth.clientId && clientSecret === auth.clientSecret;
    if (!ok) {
      res.writeHead(401, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ error: 'invalid_client' }));
      return;
    }
    const token = randomUUID();
    tokens.add(token);
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: TOKEN_LIFETIME_SEC, scope: form.get('scope') ?? 'system/*.*' }));
  }

  function capabilityStatement(): FhirResource {
    const types = ['Patient', 'Communication', 'Task', 'Appointment', 'Slot', 'Schedule', 'Practitioner', 'PractitionerRole', 'HealthcareService', 'Location', 'Organization'];
    const writable = new Set(['Patient', 'Communication', 'Task', 'Appointment']);
    return {
      resourceType: 'CapabilityStatement',
      status: 'active',
      date: moscowInstant(seedBase),
      kind: 'instance',
      software: { name: 'Registratura FHIR fixture', version: '1.0.0' },
      implementation: { description: 'In-memory FHIR R4 test server', url: `${origin}${BASE_PATH}` },
      fhirVersion: '4.0.1',
      format: ['application/fhir+json'],
      rest: [
        {
          mode: 'server',
          ...(auth !== 'none' && { security: { service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'user' in auth ? 'Basic' : 'SMART-on-FHIR' }] }] } }),
          resource: types.map((type) => ({
            type,
            interaction: [{ code: 'read' }, { code: 'search-type' }, ...(writable.has(type) ? [{ code: 'create' }, { code: 'update' }] : [])],
            ...(writable.has(type) && { conditionalCreate: true }),
            searchParam: Object.keys(SEARCH_PARAMS[type] ?? {}).map((name) => ({ name, type: 'token' })),
          })),
        },
      ],
    };
  }

  function takeFault(method: string, path: string): FhirFault | null {
    for (const fault of faults) {
      if (fault.remaining <= 0) continue;
      if (fault.method && fault.method !== method) continue;
      if (fault.path && !fault.path.test(path)) continue;
      fault.remaining -= 1;
      return fault.fault;
    }
    return null;
  }

  async function readBody(req: IncomingMessage): Promise<string> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new HttpProblem(413, 'too-costly', 'The request body is too large.');
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks).toString('utf8');
  }

  async function handle(req: IncomingMessage, res: ServerResponse, record: FhirRequestRecord): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const method = req.method ?? 'GET';
    const body = method === 'POST' || method === 'PUT' ? await readBody(req) : '';
    if (url.pathname === '/oauth/token' && method === 'POST') return tokenEndpoint(req, body, res);

    const fault = takeFault(method, url.pathname);
    if (fault !== null) return injectFault(fault, res, req);

    if (!url.pathname.startsWith(BASE_PATH)) throw new HttpProblem(404, 'not-found', `No FHIR server at ${url.pathname}.`);
    const parts = url.pathname.slice(BASE_PATH.length).split('/').filter(Boolean);
    if (parts.length === 1 && parts[0] === 'metadata' && method === 'GET') {
      if (options.noCapabilityStatement) throw new HttpProblem(404, 'not-supported', 'This server publishes no CapabilityStatement.');
      return send(res, 200, capabilityStatement());
    }
    checkAuth(req);
    const params = [...url.searchParams.entries()];
    if (parts.length === 0 && method === 'GET' && url.searchParams.has('_getpages')) {
      return send(res, 200, bundlePage(url.searchParams.get('_getpages')!, Number(url.searchParams.get('_getpagesoffset') ?? '0')));
    }
    const [type, id, ...rest] = parts;
    if (!type || !/^[A-Z][A-Za-z]+$/.test(type) || rest.length > 0) throw new HttpProblem(404, 'not-found', `Unknown path ${url.pathname}.`);
    if (!SEARCH_PARAMS[type]) throw new HttpProblem(404, 'not-supported', `Unknown resource type "${type}" - Server knows how to handle: [${Object.keys(SEARCH_PARAMS).join(', ')}]`);
    if (method === 'GET' && id === undefined) return send(res, 200, startSearch(type, params));
    if (method === 'GET' && id !== undefined) {
      const resource = get(type, id);
      if (!resource) throw new HttpProblem(404, 'not-found', `Resource ${type}/${id} is not known`);
      return send(res, 200, resource, { ETag: `W/"${resource.meta?.versionId ?? '1'}"` });
    }
    if (method === 'POST' || method === 'PUT') {
      let resource: FhirResource;
      try {
        resource = JSON.parse(body) as FhirResource;
      } catch {
        throw new HttpProblem(400, 'structure', 'Failed to parse request body as JSON resource.');
      }
      if (typeof resource !== 'object' || resource === null || resource.resourceType !== type) {
        throw new HttpProblem(400, 'invalid', `Incorrect resource type found, expected "${type}" but found "${String((resource as { resourceType?: unknown })?.resourceType)}"`);
      }
      const result =
        method === 'POST' ? create(type, resource, headerText(req.headers['if-none-exist'])) : id === undefined ? null : update(type, id, resource, headerText(req.headers['if-match']));
      if (result === null) throw new HttpProblem(405, 'not-supported', 'PUT needs a resource id.');
      const answer = req.headers.prefer?.includes('return=minimal') ? undefined : req.headers.prefer?.includes('return=OperationOutcome') ? outcome('information', 'informational', 'ok') : result.resource;
      const headers = {
        Location: `${origin}${BASE_PATH}/${type}/${result.resource.id}/_history/${result.resource.meta?.versionId ?? '1'}`,
        ETag: `W/"${result.resource.meta?.versionId ?? '1'}"`,
        'Last-Modified': new Date(Date.parse(result.resource.meta?.lastUpdated ?? '')).toUTCString(),
      };
      record.status = result.status;
      if (loseAnswer) {
        const loss = loseAnswer;
        loseAnswer = null;
        if (loss.mode === 'drop') {
          record.status = 0;
          req.socket.destroy();
          return;
        }
        record.status = 0;
        if (loss.delayMs !== null) {
          const timer = setTimeout(() => {
            pendingTimers.delete(timer);
            if (!res.destroyed && !res.writableEnded) send(res, result.status, answer, headers);
          }, loss.delayMs);
          pendingTimers.add(timer);
        }
        return;
      }
      return send(res, result.status, answer, headers);
    }
    throw new HttpProblem(405, 'not-supported', `${method} is not supported here.`);
  }

  function injectFault(fault: FhirFault, res: ServerResponse, req: IncomingMessage): void {
    switch (fault) {
      case 'hang':
        return;
      case 'drop':
        req.socket.destroy();
        return;
      case 'malformed-json': {
        const text = '{"resourceType":"Bundle","type":"searchset","entry":[{"resource":{"resourceType":"Patient","id":"1001",';
        res.writeHead(200, { 'Content-Type': FHIR_JSON, 'Content-Length': String(Buffer.byteLength(text)) });
        res.end(text);
        return;
      }
      case 'html': {
        const text = '<!DOCTYPE html><html><head><title>Вход</title></head><body><form>Войдите в систему</form></body></html>';
        res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)) });
        res.end(text);
        return;
      }
      case 401:
        return send(res, 401, outcome('error', 'login', 'HTTP 401 Unauthorized (injected)'), { 'WWW-Authenticate': 'Basic realm="fhir"' });
      case 403:
        return send(res, 403, outcome('error', 'forbidden', 'Доступ запрещён: у пользователя нет прав на эту операцию'));
      case 404:
        return send(res, 404, outcome('error', 'not-found', 'Not found (injected)'));
      case 409:
        return send(res, 409, outcome('error', 'conflict', 'Слот уже занят другим пациентом'));
      case 429:
        return send(res, 429, outcome('error', 'throttled', 'Too many requests'), { 'Retry-After': '1' });
      case 500:
        return send(res, 500, outcome('fatal', 'exception', 'Internal server error: java.lang.NullPointerException'));
      case 503:
        return send(res, 503, outcome('error', 'transient', 'Service unavailable'), { 'Retry-After': '5' });
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://fixture');
    const record: FhirRequestRecord = { method: req.method ?? 'GET', path: url.pathname, query: [...url.searchParams.entries()], status: 0 };
    requests.push(record);
    const originalWriteHead = res.writeHead.bind(res);
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      record.status = status;
      return (originalWriteHead as (...args: unknown[]) => ServerResponse)(status, ...rest);
    }) as typeof res.writeHead;
    handle(req, res, record).catch((error: unknown) => {
      if (res.headersSent || res.destroyed) return;
      if (error instanceof HttpProblem) return send(res, error.status, outcome('error', error.code, error.message), error.headers);
      send(res, 500, outcome('fatal', 'exception', error instanceof Error ? error.message : String(error)));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const control: FhirFixtureControl = {
    resources: (type) => [...table(type).values()].map((r) => structuredClone(r)),
    read: (type, id) => {
      const r = get(type, id);
      return r ? structuredClone(r) : null;
    },
    put: (resource) => structuredClone(save(resource)),
    editPatient(id, patch) {
      const patient = get('Patient', id) as FhirPatient | null;
      if (!patient) throw new Error(`No Patient/${id} in the fixture.`);
      const next = structuredClone(patient);
      if (patch.family !== undefined || patch.given !== undefined) {
        const names = next.name ?? [];
        const official = names.find((n) => n.use === 'official') ?? names[0];
        if (official) {
          if (patch.family !== undefined) official.family = patch.family;
          if (patch.given !== undefined) official.given = patch.given;
        } else next.name = [{ use: 'official', ...(patch.family !== undefined && { family: patch.family }), ...(patch.given !== undefined && { given: patch.given }) }];
      }
      if (patch.phone !== undefined) {
        next.telecom = [{ system: 'phone', value: patch.phone, use: 'mobile', rank: 1 }, ...(next.telecom ?? []).filter((t) => !(t.system === 'phone' && t.use === 'mobile')).map((t) => ({ ...t, ...(t.rank !== undefined && { rank: t.rank + 1 }) }))];
      }
      if (patch.active !== undefined) next.active = patch.active;
      return structuredClone(save(next)) as FhirPatient;
    },
    merge(from, into) {
      const old = get('Patient', from) as FhirPatient | null;
      const survivor = get('Patient', into) as FhirPatient | null;
      if (!old || !survivor) throw new Error(`Cannot merge Patient/${from} into Patient/${into}: not both in the fixture.`);
      save({ ...old, active: false, link: [{ other: { reference: `Patient/${into}` }, type: 'replaced-by' }] });
      save({ ...survivor, link: [...(survivor.link ?? []), { other: { reference: `Patient/${from}` }, type: 'replaces' }] });
    },
    addPatients,
    communications: () => control.resources('Communication'),
    countWithIdentifier: (type, value) => [...table(type).values()].filter((r) => arr<{ value?: unknown }>(r.identifier).some((i) => i.value === value)).length,
    loseNextWriteAnswer(opts = {}) {
      loseAnswer = { mode: opts.mode ?? 'delay', delayMs: opts.delayMs ?? null };
    },
    failNext(fault, count = 1, match = {}) {
      faults.push({ fault, remaining: count, ...(match.method && { method: match.method }), ...(match.path && { path: match.path }) });
    },
    clearFaults() {
      faults.length = 0;
      loseAnswer = null;
    },
    takeSlot(slotId) {
      const slot = get('Slot', slotId);
      if (!slot || slot.status !== 'free') return false;
      save({ ...slot, status: 'busy' });
      return true;
    },
    expirePages: () => pages.clear(),
    requests,
    clearRequests: () => {
      requests.length = 0;
    },
  };

  return {
    url: `${origin}${BASE_PATH}`,
    tokenUrl: `${origin}/oauth/token`,
    port,
    control,
    close: () =>
      new Promise<void>((resolve) => {
        for (const timer of pendingTimers) clearTimeout(timer);
        pendingTimers.clear();
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

function headerText(value: string | string[] | undefined): string | null {
  if (Array.isArray(value)) return value[0] ?? null;
  return value ?? null;
}
