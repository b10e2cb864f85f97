import { addDays } from '../../../../src-shared/schedule/clinic-time';
import type { ScheduleStream, ServiceKind } from '../../../../src-shared/schedule/schedule-model';
import { MisError, type MisStreamOptions, type MisStreamPage } from '../mis/mis-connector';
import type { FhirApi } from './fhir-api';
import { alreadyDelivered, decodeStreamCursor, emptyScan, encodeStreamCursor, finishScan, noteDelivered, type StreamCursor } from './fhir-cursor';
import { addressText, bundleEntries, instantMs, isObject, nextLink, personName, referenceId, resourceId, resourceVersion } from './fhir-mapping';
import { SERVICE_DURATION_EXTENSION, SERVICE_PRICE_EXTENSION, type FhirBundle, type FhirHumanName, type FhirResource } from './fhir-resources';

/**
 * The clinic's schedule from FHIR: `Location` (without `partOf`) → branches;
 * `PractitionerRole` + its `Practitioner` and room `Location` → doctors; `HealthcareService`
 * → services; `Slot` + its `Schedule` (+ the actor's role) + the `Appointment` holding it →
 * slots of the horizon. Each stream is read like the patients (`fhir-cursor.ts`): a first full
 * read, then `_lastUpdated=ge…` deltas. A cursor read for another day or horizon is refused
 * (`rejected`), so the desk reads the stream from the start again — a full pass that also
 * sweeps what the server no longer has (a deleted slot, a closed branch): once a day.
 */

/** The service length when the MIS does not give one (`SERVICE_DURATION_EXTENSION`). */
export const DEFAULT_SERVICE_MINUTES = 30;

type Mapped = { record: Record<string, unknown> } | { removed: string } | null;

interface StreamSpec {
  type: string;
  query(options: MisStreamOptions): Record<string, string | string[]>;
  map(resource: FhirResource, related: Related, options: MisStreamOptions): Mapped;
}

/** Resources of a page by `Type/id` (matches and includes), and Appointments by the slots they hold. */
class Related {
  private readonly byKey = new Map<string, FhirResource>();
  private readonly appointmentsBySlot = new Map<string, FhirResource[]>();

  constructor(resources: FhirResource[]) {
    for (const resource of resources) {
      const id = resourceId(resource);
      if (id === null) continue;
      this.byKey.set(`${resource.resourceType}/${id}`, resource);
      if (resource.resourceType === 'Appointment') {
        for (const slot of list(resource.slot)) {
          const slotId = referenceId(slot, 'Slot');
          if (slotId !== null) this.appointmentsBySlot.set(slotId, [...(this.appointmentsBySlot.get(slotId) ?? []), resource]);
        }
      }
    }
  }

  get(type: string, id: string | null): FhirResource | null {
    return id === null ? null : (this.byKey.get(`${type}/${id}`) ?? null);
  }

  appointmentsOf(slotId: string): FhirResource[] {
    return this.appointmentsBySlot.get(slotId) ?? [];
  }
}

function list(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function str(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

/** A CodeableConcept's words: its text, else its first coding's display, else its code. */
function conceptText(value: unknown): string | null {
  if (!isObject(value)) return null;
  const text = str(value.text);
  if (text !== null) return text;
  for (const coding of list(value.coding)) {
    if (!isObject(coding)) continue;
    const said = str(coding.display) ?? str(coding.code);
    if (said !== null) return said;
  }
  return null;
}

function firstConceptText(values: unknown): string | null {
  for (const value of list(values)) {
    const text = conceptText(value);
    if (text !== null) return text;
  }
  return null;
}

function extensionNumber(resource: FhirResource, url: string): number | null {
  for (const extension of list(resource.extension)) {
    if (!isObject(extension) || extension.url !== url) continue;
    const value = extension.valueInteger ?? extension.valueDecimal ?? extension.valueUnsignedInt ?? extension.valuePositiveInt;
    if (typeof value === 'number' && Number.isFinite(value)) return value;
  }
  return null;
}

function clip(text: string | null, max: number): string | null {
  return text === null ? null : text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A practitioner's full name as the desk shows it (`Смирнова Ольга Петровна`), or its `text`. */
function practitionerName(practitioner: FhirResource | null): string {
  if (!practitioner) return '';
  const names = list(practitioner.name).filter(isObject) as FhirHumanName[];
  const name = names.find((n) => n.use === 'official') ?? names.find((n) => n.use !== 'old') ?? null;
  if (name === null) return '';
  const parts = personName(name);
  const full = [parts.surname, parts.givenName, parts.patronymic].filter((p) => p !== null && p !== '').join(' ');
  return full !== '' ? full : (str(name.text) ?? '');
}

/** How a service is paid, from its `program` / `category` / `type` / `characteristic` words. */
export function serviceKind(resource: FhirResource): ServiceKind {
  const words = [...list(resource.program), ...list(resource.category), ...list(resource.type), ...list(resource.characteristic)]
    .map(conceptText)
    .filter((t): t is string => t !== null)
    .join(' ')
    .toLowerCase();
  if (/(^|[^а-яё])омс|\boms\b|обязательн/.test(words)) return 'oms';
  if (/(^|[^а-яё])дмс|\bdms\b|добровольн/.test(words)) return 'dms';
  if (/чекап|check-?up|программ/.test(words)) return 'checkup';
  return 'paid';
}

/** The newest `lastUpdated` among resources, as the record's version (a change to any of them is a new version). */
function newest(...resources: (FhirResource | null)[]): number {
  return Math.max(0, ...resources.filter((r): r is FhirResource => r !== null).map(resourceVersion));
}

const ENDED_APPOINTMENT = new Set(['cancelled', 'noshow', 'entered-in-error']);

const STREAMS: Partial<Record<ScheduleStream, StreamSpec>> = {
  branches: {
    type: 'Location',
    query: () => ({}),
    map(location) {
      const id = resourceId(location);
      if (id === null) return null;
      if (referenceId(location.partOf, 'Location') !== null) return null; // a room or a floor, not a branch
      if (location.status === 'inactive' || location.status === 'suspended') return { removed: id };
      return {
        record: {
          id,
          version: resourceVersion(location),
          name: clip(str(location.name) ?? '', 200),
          address: clip(addressText([location.address].filter(isObject), Date.now()) ?? '', 300),
        },
      };
    },
  },
  doctors: {
    type: 'PractitionerRole',
    query: () => ({ _include: ['PractitionerRole:practitioner', 'PractitionerRole:location'] }),
    map(role, related) {
      const practitionerId = referenceId(role.practitioner, 'Practitioner');
      if (practitionerId === null) return null;
      const practitioner = related.get('Practitioner', practitionerId);
      if (role.active === false || practitioner?.active === false) return { removed: practitionerId };
      const location = related.get('Location', referenceId(list(role.location)[0], 'Location'));
      const parent = location ? referenceId(location.partOf, 'Location') : null;
      return {
        record: {
          id: practitionerId,
          version: newest(role, practitioner, location),
          name: clip(practitionerName(practitioner), 200),
          specialty: clip(firstConceptText(role.specialty) ?? firstConceptText(role.code) ?? '', 100),
          branchId: parent ?? (location ? resourceId(location) : null) ?? '',
          room: clip(parent !== null && location ? (str(location.name) ?? '—') : '—', 40),
        },
      };
    },
  },
  services: {
    type: 'HealthcareService',
    query: () => ({}),
    map(service) {
      const id = resourceId(service);
      if (id === null) return null;
      if (service.active === false) return { removed: id };
      const kind = serviceKind(service);
      const minutes = extensionNumber(service, SERVICE_DURATION_EXTENSION);
      const price = extensionNumber(service, SERVICE_PRICE_EXTENSION);
      return {
        record: {
          id,
          version: resourceVersion(service),
          name: clip(str(service.name) ?? '', 200),
          specialty: clip(firstConceptText(service.specialty) ?? firstConceptText(service.type) ?? firstConceptText(service.category) ?? '', 100),
          durationMin: minutes !== null ? Math.round(minutes) : DEFAULT_SERVICE_MINUTES,
          kind,
          priceRub: kind === 'oms' || price === null ? null : Math.round(price),
          prepare: clip(str(service.extraDetails) ?? str(service.comment), 300),
        },
      };
    },
  },
  slots: {
    type: 'Slot',
    query: (options) => ({
      start: [`ge${options.today}`, `lt${addDays(options.today, options.horizonDays)}`],
      _include: 'Slot:schedule',
      '_include:iterate': 'Schedule:actor',
      _revinclude: 'Appointment:slot',
    }),
    map(slot, related, options) {
      const id = resourceId(slot);
      if (id === null) return null;
      if (slot.status === 'entered-in-error') return { removed: id };
      const start = str(slot.start);
      const day = start?.slice(0, 10) ?? '';
      // The server's date search is in its own zone; the slot's own wall-clock date decides.
      if (start !== null && (day < options.today || day >= addDays(options.today, options.horizonDays))) return null;
      const schedule = related.get('Schedule', referenceId(slot.schedule, 'Schedule'));
      const startMs = instantMs(slot.start);
      const endMs = instantMs(slot.end);
      const appointment = related.appointmentsOf(id).find((a) => !ENDED_APPOINTMENT.has(String(a.status))) ?? null;
      const state = slot.status === 'free' ? 'free' : slot.status === 'busy-unavailable' ? 'blocked' : 'booked';
      const booked = state === 'booked' && appointment !== null;
      const participants = booked ? list(appointment.participant).filter(isObject) : [];
      const actorOf = (type: string) => participants.map((p) => referenceId(p.actor, type)).find((ref) => ref !== null) ?? null;
      return {
        record: {
          id,
          version: newest(slot, booked ? appointment : null),
          doctorId: doctorOfSchedule(schedule, related) ?? '',
          startsAt: start ?? '',
          durationMin: startMs !== null && endMs !== null ? Math.round((endMs - startMs) / 60_000) : 0,
          state,
          patientMisId: booked ? actorOf('Patient') : null,
          appointmentId: booked ? resourceId(appointment) : null,
          serviceId: booked ? actorOf('HealthcareService') : null,
        },
      };
    },
  },
};

/** The doctor of a Schedule: its Practitioner actor, or the practitioner of its PractitionerRole actor. */
function doctorOfSchedule(schedule: FhirResource | null, related: Related): string | null {
  if (!schedule) return null;
  for (const actor of list(schedule.actor)) {
    const practitioner = referenceId(actor, 'Practitioner');
    if (practitioner !== null) return practitioner;
  }
  for (const actor of list(schedule.actor)) {
    const role = related.get('PractitionerRole', referenceId(actor, 'PractitionerRole'));
    const practitioner = role ? referenceId(role.practitioner, 'Practitioner') : null;
    if (practitioner !== null) return practitioner;
  }
  return null;
}

/** The streams this connector serves (`call-tasks` is not one: FHIR has no standard for a MIS's call lists). */
export function servesStream(stream: ScheduleStream): boolean {
  return STREAMS[stream] !== undefined;
}

/** One page of a schedule stream after `cursor` (see the module comment). */
export async function schedulePage(api: FhirApi, stream: ScheduleStream, cursor: string | null, limit: number, pageSize: number, options: MisStreamOptions): Promise<MisStreamPage> {
  const spec = STREAMS[stream];
  if (!spec) throw new MisError('rejected', `The FHIR connector has no schedule stream "${String(stream)}".`);
  let state: StreamCursor;
  if (cursor === null) state = { ...emptyScan(), stream, today: options.today, horizonDays: options.horizonDays };
  else {
    state = decodeStreamCursor(cursor);
    if (state.stream !== stream) throw new MisError('rejected', `The cursor is of the ${state.stream} stream, not ${stream}; the stream starts over.`);
    if (state.today !== options.today || state.horizonDays !== options.horizonDays) {
      throw new MisError('rejected', `The ${stream} were read for ${state.today} + ${state.horizonDays} days; a new day is read in full.`);
    }
  }
  const count = Math.max(1, Math.min(Math.floor(limit) || 1, pageSize));
  const first = () =>
    api.bundle(spec.type, {
      _count: count,
      ...spec.query(options),
      ...(state.from !== null && { _lastUpdated: `ge${state.from}` }),
    });
  let bundle: FhirBundle;
  if (state.next !== null) {
    const answer = await api.call(state.next);
    if (answer.status === 404 || answer.status === 410) {
      // The server forgot the paged search (HAPI keeps them about an hour): the scan starts again from its own start.
      state = { ...state, next: null, delivered: 0, total: null };
      bundle = await first();
      state.total = typeof bundle.total === 'number' ? bundle.total : null;
    } else {
      if (answer.status < 200 || answer.status > 299) throw api.failure(answer);
      const body = answer.body as FhirBundle | null;
      if (!body || body.resourceType !== 'Bundle') throw new MisError('protocol', 'The server answered a page of a search with something other than a FHIR Bundle.');
      bundle = body;
    }
  } else {
    bundle = await first();
    state.total = typeof bundle.total === 'number' ? bundle.total : null;
  }
  const deliveredBefore = state.delivered;
  const { matches, included } = bundleEntries(bundle);
  const related = new Related([...matches, ...included]);
  const records: unknown[] = [];
  const removed: string[] = [];
  for (const resource of matches) {
    if (resource.resourceType !== spec.type) continue;
    const id = resourceId(resource);
    if (id === null) continue;
    const lastUpdated = str(isObject(resource.meta) ? resource.meta.lastUpdated : null);
    if (alreadyDelivered(state, id, lastUpdated)) continue;
    noteDelivered(state, id, lastUpdated);
    const mapped = spec.map(resource, related, options);
    if (mapped === null) continue;
    if ('record' in mapped) records.push(mapped.record);
    else removed.push(mapped.removed);
  }
  const next = nextLink(bundle);
  const hasMore = next !== null && matches.length > 0;
  const scanTotal = state.total;
  state = hasMore ? { ...state, next } : { ...state, ...finishScan(state) };
  return {
    records,
    removed,
    nextCursor: encodeStreamCursor(state),
    hasMore,
    ...(scanTotal !== null && { total: Math.max(records.length + removed.length, scanTotal - deliveredBefore) }),
  };
}
