import { z } from 'zod';
import { MisIdSchema } from '../../../../src-shared/patients/patient-card';
import type { BookingRejection } from '../../../../src-shared/schedule/schedule-model';
import type { Logger } from '../../log/logger';
import { MisError, type MisSubmission, type MisSubmitResult } from '../mis/mis-connector';
import {
  BookingCancelPayloadSchema,
  BookingCreatePayloadSchema,
  BookingMovePayloadSchema,
  CallListOutcomePayloadSchema,
  MIS_WRITE_KINDS,
  type BookingCancelPayload,
  type BookingCreatePayload,
  type BookingMovePayload,
} from '../mis/mis-writes';
import type { FhirAnswer, FhirApi } from './fhir-api';
import type { FhirWritesConfig } from './fhir-config';
import { asResource, bundleEntries, isObject, operationOutcomeCodes, operationOutcomeText, referenceId, resourceId } from './fhir-mapping';
import { LOCAL_IDENTIFIER_SYSTEM, OUTBOX_IDENTIFIER_SYSTEM, type FhirResource } from './fhir-resources';
import { tokenParam } from './fhir-search';

/**
 * The desk's outbox writes as FHIR resources, each applied at most once per idempotency key:
 * the resource carries the key as an identifier (`urn:registratura:outbox|<key>`) and is
 * created with `If-None-Exist` on it — a conditional create, so a retry after a lost answer
 * finds the first one (200) instead of making a second (201). Booking writes read the slot
 * and the appointment first, so the operator hears "slot taken" rather than an HTTP status.
 *
 * - `wrapup` → `Communication` (completed, by phone, about the patient when known, the text
 *   `category: note`, sent at `savedAt`);
 * - `callback-outcome` and `call-list.outcome` → `Task`;
 * - `new-patient` → `Patient`;
 * - `booking.create` → `Appointment` (booked, on the slot, patient + practitioner + service);
 * - `booking.cancel` → the Appointment read and put back `cancelled` (idempotent by itself);
 * - `booking.move` → a new Appointment on the new slot (conditional, as a create), then the
 *   old one cancelled; a retry repeats whatever is missing, so the move ends whole.
 */

export interface WriteContext {
  api: FhirApi;
  writes: FhirWritesConfig;
  logger: Logger;
}

/** The switch of the settings' `writes` that covers a kind, or null for a kind this connector does not write. */
export function writeSwitch(kind: string): keyof FhirWritesConfig | null {
  switch (kind) {
    case 'wrapup':
      return 'notes';
    case 'callback-outcome':
      return 'callbacks';
    case 'new-patient':
      return 'newPatients';
    case MIS_WRITE_KINDS.bookingCreate:
    case MIS_WRITE_KINDS.bookingMove:
    case MIS_WRITE_KINDS.bookingCancel:
      return 'bookings';
    case MIS_WRITE_KINDS.callListOutcome:
      return 'callListOutcomes';
    default:
      return null;
  }
}

const IsoInstant = z.union([z.string().min(1).max(64), z.number().finite()]);

const WrapUpPayloadSchema = z.looseObject({
  callId: z.string().min(1).max(200),
  misId: MisIdSchema.nullable().optional(),
  category: z.string().max(200).default(''),
  outcome: z.string().max(100).optional(),
  note: z.string().max(20_000).default(''),
  savedAt: IsoInstant,
});

const CallbackOutcomePayloadSchema = z.looseObject({
  number: z.string().min(1).max(64),
  outcome: z.string().min(1).max(40),
  count: z.number().int().nonnegative().optional(),
  firstAt: IsoInstant.optional(),
  at: IsoInstant,
  agent: z.string().max(64).optional(),
});

const NewPatientPayloadSchema = z.looseObject({
  localId: z.string().min(1).max(200),
  phone: z.string().regex(/^\+\d{11,15}$/),
  surname: z.string().trim().min(1).max(100),
  givenName: z.string().trim().min(1).max(100),
  patronymic: z.string().trim().max(100).nullable().optional(),
  birthDate: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullable().optional(),
});

function parsePayload<T>(schema: z.ZodType<T>, submission: MisSubmission): T {
  const parsed = schema.safeParse(submission.payload);
  if (parsed.success) return parsed.data;
  // Paths and messages only: a payload holds patient data.
  const where = parsed.error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(payload)'}: ${issue.message}`)
    .join('; ');
  throw new MisError('rejected', `The ${submission.kind} write is not valid (${where}).`, { rejection: 'refused' });
}

function isoOf(value: string | number): string {
  if (typeof value === 'number') return new Date(value).toISOString();
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? value : new Date().toISOString();
}

function outboxIdentifier(key: string) {
  return { system: OUTBOX_IDENTIFIER_SYSTEM, value: key };
}

function rejected(message: string, rejection: BookingRejection): MisError {
  return new MisError('rejected', message, { rejection });
}

/** Applies one write (see the module comment). Throws `MisError`. */
export async function submitWrite(context: WriteContext, submission: MisSubmission): Promise<MisSubmitResult> {
  if (typeof submission.idempotencyKey !== 'string' || submission.idempotencyKey.length === 0 || submission.idempotencyKey.length > 128) {
    throw new MisError('rejected', 'The write has no valid idempotency key.');
  }
  const toggle = writeSwitch(submission.kind);
  if (toggle === null) throw new MisError('rejected', `The FHIR connector does not send writes of kind "${String(submission.kind).slice(0, 64)}".`);
  if (!context.writes[toggle]) {
    // The clinic chose to keep these on the desk: done, nothing sent.
    context.logger.info('mis.fhir.write-not-sent', { kind: submission.kind });
    return { status: 'applied', ref: 'not-sent' };
  }
  const key = submission.idempotencyKey;
  switch (submission.kind) {
    case 'wrapup':
      return createOnce(context.api, 'Communication', communication(parsePayload(WrapUpPayloadSchema, submission), key), key);
    case 'callback-outcome':
      return createOnce(context.api, 'Task', callbackTask(parsePayload(CallbackOutcomePayloadSchema, submission), key), key);
    case 'new-patient':
      return createOnce(context.api, 'Patient', newPatient(parsePayload(NewPatientPayloadSchema, submission), key), key);
    case MIS_WRITE_KINDS.callListOutcome: {
      const payload = parsePayload(CallListOutcomePayloadSchema, submission);
      return createOnce(
        context.api,
        'Task',
        {
          resourceType: 'Task',
          identifier: [outboxIdentifier(key), { system: LOCAL_IDENTIFIER_SYSTEM, value: payload.localId }],
          status: 'completed',
          intent: 'order',
          code: { text: 'Обзвон пациентов' },
          description: `Обзвон «${payload.listId}», задача ${payload.taskId}: ${payload.outcome}, попыток ${payload.attempts}`,
          for: { reference: `Patient/${payload.patientMisId}` },
          businessStatus: { text: payload.outcome },
          lastModified: isoOf(payload.at),
          ...(payload.appointmentId !== null && { focus: { reference: `Appointment/${payload.appointmentId}` } }),
        },
        key,
      );
    }
    case MIS_WRITE_KINDS.bookingCreate:
      return bookingCreate(context.api, parsePayload(BookingCreatePayloadSchema, submission), key);
    case MIS_WRITE_KINDS.bookingCancel:
      return bookingCancel(context.api, parsePayload(BookingCancelPayloadSchema, submission));
    case MIS_WRITE_KINDS.bookingMove:
      return bookingMove(context.api, parsePayload(BookingMovePayloadSchema, submission), key);
    default:
      throw new MisError('rejected', `The FHIR connector does not send writes of kind "${submission.kind}".`);
  }
}

function communication(payload: z.infer<typeof WrapUpPayloadSchema>, key: string): FhirResource {
  const text = [payload.category, payload.note].filter((part) => part.trim() !== '').join(': ');
  return {
    resourceType: 'Communication',
    identifier: [outboxIdentifier(key)],
    status: 'completed',
    category: [{ text: 'Звонок в контакт-центр' }],
    medium: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationMode', code: 'PHONE', display: 'telephone' }] }],
    ...(payload.misId && { subject: { reference: `Patient/${payload.misId}` } }),
    ...(payload.category && { topic: { text: payload.category } }),
    sent: isoOf(payload.savedAt),
    payload: [{ contentString: text === '' ? '(без заметки)' : text }],
  };
}

const CALLBACK_OUTCOME_WORDS: Record<string, string> = {
  reached: 'дозвонились',
  noAnswer: 'не ответил',
  wrongNumber: 'неверный номер',
  notNeeded: 'перезвон не нужен',
};

function callbackTask(payload: z.infer<typeof CallbackOutcomePayloadSchema>, key: string): FhirResource {
  const words = CALLBACK_OUTCOME_WORDS[payload.outcome] ?? payload.outcome;
  return {
    resourceType: 'Task',
    identifier: [outboxIdentifier(key)],
    status: payload.outcome === 'noAnswer' ? 'in-progress' : 'completed',
    intent: 'order',
    code: { text: 'Перезвонить' },
    description: `Перезвон на ${payload.number}: ${words}`,
    businessStatus: { text: payload.outcome },
    ...(payload.firstAt !== undefined && { authoredOn: isoOf(payload.firstAt) }),
    lastModified: isoOf(payload.at),
    ...(payload.agent && { owner: { display: `оператор ${payload.agent}` } }),
    input: [{ type: { text: 'phone' }, valueString: payload.number }],
  };
}

function newPatient(payload: z.infer<typeof NewPatientPayloadSchema>, key: string): FhirResource {
  return {
    resourceType: 'Patient',
    identifier: [outboxIdentifier(key)],
    active: true,
    name: [{ use: 'official', family: payload.surname, given: payload.patronymic ? [payload.givenName, payload.patronymic] : [payload.givenName] }],
    telecom: [{ system: 'phone', value: payload.phone, use: 'mobile', rank: 1 }],
    ...(payload.birthDate && { birthDate: payload.birthDate }),
  };
}

/** The id a create answered with: the body's, else the `Location` header's. */
function createdId(answer: FhirAnswer, type: string): string | null {
  const body = asResource(answer.body, type);
  const fromBody = body ? resourceId(body) : null;
  if (fromBody !== null) return fromBody;
  const location = answer.response.headers.get('location') ?? answer.response.headers.get('content-location') ?? '';
  return referenceId(location, type);
}

/** The resources of `type` carrying `system|value`, newest search semantics (no paging: a key names one). */
async function findByIdentifier(api: FhirApi, type: string, system: string, value: string): Promise<FhirResource[]> {
  const bundle = await api.bundle(type, { identifier: tokenParam(system, value), _count: 10 });
  return bundleEntries(bundle).matches.filter((r) => r.resourceType === type && resourceId(r) !== null);
}

/**
 * A conditional create of `resource` under `key`: 201 applied, 200 (it exists) duplicate,
 * 412 (it exists more than once — made by another tool) duplicate naming the first.
 */
async function createOnce(api: FhirApi, type: string, resource: FhirResource, key: string): Promise<MisSubmitResult & { id: string }> {
  const answer = await api.call(type, {
    method: 'POST',
    json: resource,
    headers: { 'If-None-Exist': `identifier=${encodeURIComponent(tokenParam(OUTBOX_IDENTIFIER_SYSTEM, key))}`, Prefer: 'return=representation' },
  });
  if (answer.status === 200 || answer.status === 201) {
    const id = createdId(answer, type) ?? (await findByIdentifier(api, type, OUTBOX_IDENTIFIER_SYSTEM, key)).map(resourceId)[0] ?? null;
    if (id === null) throw new MisError('protocol', `The server accepted the ${type} (HTTP ${answer.status}) without saying its id.`);
    return { status: answer.status === 201 ? 'applied' : 'duplicate', ref: `${type}/${id}`, id };
  }
  if (answer.status === 412) {
    const existing = await findByIdentifier(api, type, OUTBOX_IDENTIFIER_SYSTEM, key);
    const id = existing.map(resourceId)[0];
    if (id) return { status: 'duplicate', ref: `${type}/${id}`, id };
  }
  throw api.failure(answer);
}

// ---- bookings --------------------------------------------------------------------------------

async function readResource(api: FhirApi, type: string, id: string): Promise<FhirResource | null> {
  const answer = await api.call(`${type}/${encodeURIComponent(id)}`);
  if (answer.status === 404 || answer.status === 410) return null;
  if (answer.status < 200 || answer.status > 299) throw api.failure(answer);
  const resource = asResource(answer.body, type);
  if (!resource) throw new MisError('protocol', `The server answered a read of ${type}/${id} with something else.`);
  return resource;
}

const ENDED = new Set(['cancelled', 'noshow', 'entered-in-error', 'fulfilled']);

async function requirePatient(api: FhirApi, misId: string): Promise<void> {
  const patient = await readResource(api, 'Patient', misId);
  if (!patient || patient.active === false) throw rejected(`The MIS has no active patient ${misId}.`, 'patient-unknown');
}

/** The slot free for a booking, else the rejection the operator hears. */
async function requireFreeSlot(api: FhirApi, slotId: string): Promise<FhirResource> {
  const slot = await readResource(api, 'Slot', slotId);
  if (!slot || slot.status === 'entered-in-error') throw rejected(`The slot ${slotId} is not in the schedule any more.`, 'slot-gone');
  if (slot.status !== 'free') throw rejected(`The slot ${slotId} is already taken (${String(slot.status)}).`, 'slot-taken');
  return slot;
}

function appointmentFor(payload: { patientMisId: string; slotId: string; doctorId: string; serviceId: string | null; localId: string }, slot: FhirResource, key: string, localOf: string): FhirResource {
  return {
    resourceType: 'Appointment',
    identifier: [outboxIdentifier(key), { system: LOCAL_IDENTIFIER_SYSTEM, value: localOf }],
    status: 'booked',
    slot: [{ reference: `Slot/${payload.slotId}` }],
    ...(typeof slot.start === 'string' && { start: slot.start }),
    ...(typeof slot.end === 'string' && { end: slot.end }),
    created: new Date().toISOString(),
    participant: [
      { actor: { reference: `Patient/${payload.patientMisId}` }, status: 'accepted' },
      { actor: { reference: `Practitioner/${payload.doctorId}` }, status: 'accepted' },
      ...(payload.serviceId ? [{ actor: { reference: `HealthcareService/${payload.serviceId}` }, status: 'accepted' }] : []),
    ],
    comment: 'Записан оператором контакт-центра',
  };
}

/** A refused Appointment create as the operator's reason: a conflict is the slot taken, a missing patient is "unknown patient". */
function bookingFailure(api: FhirApi, answer: FhirAnswer): MisError {
  const said = operationOutcomeText(answer.body);
  if (answer.status === 409 || answer.status === 412) return rejected(`The slot is already taken${said ? `: ${said}` : ''}.`, 'slot-taken');
  const failure = api.failure(answer);
  if (failure.kind !== 'rejected') return failure;
  const codes = operationOutcomeCodes(answer.body);
  if ((codes.includes('not-found') || answer.status === 422) && /Patient\//.test(said ?? '')) return rejected(failure.message, 'patient-unknown');
  if ((codes.includes('not-found') || answer.status === 422) && /Slot\//.test(said ?? '')) return rejected(failure.message, 'slot-gone');
  return rejected(failure.message, 'refused');
}

async function createAppointment(api: FhirApi, resource: FhirResource, key: string): Promise<{ status: 'applied' | 'duplicate'; id: string }> {
  const answer = await api.call('Appointment', {
    method: 'POST',
    json: resource,
    headers: { 'If-None-Exist': `identifier=${encodeURIComponent(tokenParam(OUTBOX_IDENTIFIER_SYSTEM, key))}`, Prefer: 'return=representation' },
  });
  if (answer.status === 200 || answer.status === 201) {
    const id = createdId(answer, 'Appointment') ?? (await findByIdentifier(api, 'Appointment', OUTBOX_IDENTIFIER_SYSTEM, key)).map(resourceId)[0] ?? null;
    if (id === null) throw new MisError('protocol', `The server accepted the Appointment (HTTP ${answer.status}) without saying its id.`);
    return { status: answer.status === 201 ? 'applied' : 'duplicate', id };
  }
  if (answer.status === 409 || answer.status === 412) {
    // A conflict may also be our own first attempt, applied with its answer lost.
    const mine = (await findByIdentifier(api, 'Appointment', OUTBOX_IDENTIFIER_SYSTEM, key)).map(resourceId)[0];
    if (mine) return { status: 'duplicate', id: mine };
  }
  throw bookingFailure(api, answer);
}

async function bookingCreate(api: FhirApi, payload: BookingCreatePayload, key: string): Promise<MisSubmitResult> {
  const existing = (await findByIdentifier(api, 'Appointment', OUTBOX_IDENTIFIER_SYSTEM, key)).map(resourceId)[0];
  if (existing) return { status: 'duplicate', ref: `Appointment/${existing}`, appointmentId: existing };
  await requirePatient(api, payload.patientMisId);
  const slot = await requireFreeSlot(api, payload.slotId);
  const created = await createAppointment(api, appointmentFor(payload, slot, key, payload.localId), key);
  return { status: created.status, ref: `Appointment/${created.id}`, appointmentId: created.id };
}

/** The appointment a cancel or a move names: by the MIS's id, else by the desk's local id of the booking. */
async function findAppointment(api: FhirApi, appointmentId: string | null, localOf: string | null): Promise<FhirResource | null> {
  if (appointmentId !== null) return readResource(api, 'Appointment', appointmentId);
  if (localOf === null) return null;
  const found = await findByIdentifier(api, 'Appointment', LOCAL_IDENTIFIER_SYSTEM, localOf);
  return found.find((a) => !ENDED.has(String(a.status))) ?? found[0] ?? null;
}

/** Puts the appointment back `cancelled` (If-Match its version; one re-read on a concurrent change). True when this call cancelled it. */
async function cancelAppointment(api: FhirApi, appointment: FhirResource): Promise<boolean> {
  let current: FhirResource | null = appointment;
  for (let attempt = 0; attempt < 2 && current; attempt++) {
    if (current.status === 'cancelled') return false;
    const id = resourceId(current)!;
    const version = isObject(current.meta) && typeof current.meta.versionId === 'string' ? current.meta.versionId : null;
    const answer = await api.call(`Appointment/${encodeURIComponent(id)}`, {
      method: 'PUT',
      json: { ...current, status: 'cancelled', cancelationReason: { text: 'Отменено оператором контакт-центра' } },
      headers: { ...(version !== null && { 'If-Match': `W/"${version}"` }), Prefer: 'return=minimal' },
    });
    if (answer.status >= 200 && answer.status < 300) return true;
    if (answer.status !== 409 && answer.status !== 412) throw bookingFailure(api, answer);
    current = await readResource(api, 'Appointment', id);
  }
  if (!current) throw rejected('The appointment is not in the MIS any more.', 'appointment-unknown');
  if (current.status === 'cancelled') return false;
  throw new MisError('unreachable', 'The appointment kept changing while the desk cancelled it; retrying.');
}

async function bookingCancel(api: FhirApi, payload: BookingCancelPayload): Promise<MisSubmitResult> {
  const appointment = await findAppointment(api, payload.appointmentId, payload.localOf);
  if (!appointment) throw rejected('The MIS does not have the appointment to cancel.', 'appointment-unknown');
  const id = resourceId(appointment)!;
  if (appointment.status === 'fulfilled' || appointment.status === 'noshow' || appointment.status === 'entered-in-error') {
    throw rejected(`The appointment ${id} cannot be cancelled (it is ${String(appointment.status)}).`, 'appointment-unknown');
  }
  const cancelled = await cancelAppointment(api, appointment);
  return { status: cancelled ? 'applied' : 'duplicate', ref: `Appointment/${id}`, appointmentId: id };
}

async function bookingMove(api: FhirApi, payload: BookingMovePayload, key: string): Promise<MisSubmitResult> {
  const old = await findAppointment(api, payload.appointmentId, payload.localOf);
  const made = (await findByIdentifier(api, 'Appointment', OUTBOX_IDENTIFIER_SYSTEM, key)).map(resourceId)[0] ?? null;
  let status: 'applied' | 'duplicate' = 'duplicate';
  let newId = made;
  if (newId === null) {
    if (!old || ENDED.has(String(old.status))) throw rejected('The MIS does not have the appointment to move (cancelled or done).', 'appointment-unknown');
    await requirePatient(api, payload.patientMisId);
    const slot = await requireFreeSlot(api, payload.slotId);
    const created = await createAppointment(api, appointmentFor(payload, slot, key, payload.localOf ?? payload.localId), key);
    newId = created.id;
    status = created.status;
  }
  if (old && resourceId(old) !== newId && old.status !== 'cancelled') {
    if (await cancelAppointment(api, old)) status = 'applied';
  }
  return { status, ref: `Appointment/${newId}`, appointmentId: newId };
}
