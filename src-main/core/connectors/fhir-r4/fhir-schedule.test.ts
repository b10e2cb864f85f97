import { afterEach, describe, expect, it } from 'vitest';
import { addDays } from '../../../../src-shared/schedule/clinic-time';
import { SCHEDULE_RECORD_SCHEMAS, type Branch, type Doctor, type ScheduleStream, type Service, type Slot } from '../../../../src-shared/schedule/schedule-model';
import { isMisError, type MisConnector, type MisStreamPage } from '../mis/mis-connector';
import { FIXTURE_PATIENTS } from './testing/fhir-fixture-data';
import { moscowDate, startFhirFixtureServer, type FhirFixtureServer } from './testing/fhir-fixture-server';
import { fhirTestConnector } from './testing/fhir-test-connector';

const servers: FhirFixtureServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

/** A fixture whose schedule starts on a Monday, so every day of the first week has slots. */
const TODAY = '2026-12-07';
const window = { today: TODAY, horizonDays: 7 };

async function setup() {
  const server = await startFhirFixtureServer({ scheduleToday: TODAY, scheduleDays: 14 });
  servers.push(server);
  return { server, connector: fhirTestConnector(server.url, { auth: { type: 'none' } }) };
}

async function drainStream(connector: MisConnector, stream: ScheduleStream, cursor: string | null, limit = 250, options = window) {
  const pages: MisStreamPage[] = [];
  let position = cursor;
  for (let i = 0; i < 500; i++) {
    const page = await connector.streamChangesSince!(stream, position, limit, options);
    pages.push(page);
    position = page.nextCursor;
    if (!page.hasMore) break;
  }
  return { records: pages.flatMap((p) => p.records), removed: pages.flatMap((p) => p.removed), cursor: position!, pages };
}

function valid<S extends ScheduleStream>(stream: S, records: unknown[]) {
  return records.map((record) => SCHEDULE_RECORD_SCHEMAS[stream].parse(record));
}

async function failure(promise: Promise<unknown>) {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('fhir-r4: schedule streams', () => {
  it('branches are the Locations without partOf', async () => {
    const { connector } = await setup();
    const { records } = await drainStream(connector, 'branches', null);
    expect((valid('branches', records) as Branch[]).map((b) => [b.id, b.name, b.address])).toEqual([
      ['loc-main', 'Клиника на Профсоюзной', 'Москва, ул. Профсоюзная, д. 1'],
      ['loc-north', 'Филиал «Северный»', 'Москва, Дмитровское ш., д. 100'],
    ]);
  });

  it('doctors from PractitionerRole with the Practitioner’s name, the specialty, the room’s branch and the room', async () => {
    const { connector } = await setup();
    const doctors = valid('doctors', (await drainStream(connector, 'doctors', null, 1)).records) as Doctor[];
    expect(doctors.map((d) => [d.id, d.name, d.specialty, d.branchId, d.room])).toEqual([
      ['pr-smirnova', 'Смирнова Ольга Петровна', 'терапевт', 'loc-main', 'каб. 101'],
      ['pr-orlov', 'Орлов Игорь Васильевич', 'ЛОР', 'loc-main', 'каб. 205'],
      ['pr-lee', 'Ли Виктория', 'УЗИ', 'loc-north', 'каб. 12 (УЗИ)'],
    ]);
  });

  it('services: length and price from the extensions, the kind from the programme, what to bring from extraDetails', async () => {
    const { connector } = await setup();
    const services = valid('services', (await drainStream(connector, 'services', null)).records) as Service[];
    expect(services.find((s) => s.id === 'hs-therapist-oms')).toMatchObject({ kind: 'oms', priceRub: null, durationMin: 30, prepare: 'паспорт, полис ОМС' });
    expect(services.find((s) => s.id === 'hs-us')).toMatchObject({ kind: 'paid', priceRub: 3500, durationMin: 20, prepare: 'натощак', specialty: 'УЗИ' });
    expect(services).toHaveLength(4);
  });

  it('slots of the horizon only, each valid: the booked one names its patient, appointment and service; blocked; the role’s doctor', async () => {
    const { connector } = await setup();
    const slots = valid('slots', (await drainStream(connector, 'slots', null, 40)).records) as Slot[];
    // Mon–Sat of the week: 6 working days × (8 + 6 + 6) slots.
    expect(slots).toHaveLength(6 * 20);
    expect(slots.every((s) => s.startsAt.slice(0, 10) >= TODAY && s.startsAt.slice(0, 10) < addDays(TODAY, 7))).toBe(true);
    const booked = slots.filter((s) => s.state === 'booked');
    expect(booked).toEqual([expect.objectContaining({ doctorId: 'pr-smirnova', patientMisId: FIXTURE_PATIENTS.semenova, appointmentId: 'appt-seed-1', serviceId: 'hs-therapist-oms', durationMin: 30 })]);
    expect(slots.filter((s) => s.state === 'blocked')).toEqual([expect.objectContaining({ doctorId: 'pr-orlov', patientMisId: null })]);
    expect(new Set(slots.map((s) => s.doctorId))).toEqual(new Set(['pr-smirnova', 'pr-orlov', 'pr-lee']));
    expect(slots.find((s) => s.doctorId === 'pr-lee')!.durationMin).toBe(20);
  });

  it('a delta brings the slots changed since (taken by another channel) and nothing else', async () => {
    const { server, connector } = await setup();
    const first = await drainStream(connector, 'slots', null);
    const quiet = await drainStream(connector, 'slots', first.cursor);
    expect(quiet.records).toEqual([]);
    const free = (first.records as Slot[]).find((s) => s.state === 'free' && s.doctorId === 'pr-lee')!;
    expect(server.control.takeSlot(free.id)).toBe(true);
    const delta = await drainStream(connector, 'slots', quiet.cursor);
    expect(delta.records).toEqual([expect.objectContaining({ id: free.id, state: 'booked', patientMisId: null, appointmentId: null })]);
    expect((delta.records[0] as Slot).version).toBeGreaterThan(free.version);
  });

  it('a cursor of another day or horizon is rejected, so the desk reads the stream again in full (and sweeps)', async () => {
    const { connector } = await setup();
    const first = await drainStream(connector, 'slots', null);
    const error = await failure(connector.streamChangesSince!('slots', first.cursor, 100, { today: addDays(TODAY, 1), horizonDays: 7 }));
    expect(isMisError(error) && error.kind === 'rejected').toBe(true);
    const other = await failure(connector.streamChangesSince!('doctors', first.cursor, 100, window));
    expect(isMisError(other) && other.kind === 'rejected').toBe(true);
    const tasks = await failure(connector.streamChangesSince!('call-tasks', null, 100, window));
    expect(isMisError(tasks) && tasks.kind === 'rejected').toBe(true);
  });

  it('a role made inactive comes as removed', async () => {
    const { server, connector } = await setup();
    const first = await drainStream(connector, 'doctors', null);
    server.control.put({ ...server.control.read('PractitionerRole', 'role-orlov')!, active: false });
    const delta = await drainStream(connector, 'doctors', first.cursor);
    expect(delta.removed).toEqual(['pr-orlov']);
  });

  it('the default today of the fixture is Moscow’s', () => {
    expect(moscowDate(Date.parse('2026-12-06T21:30:00Z'))).toBe('2026-12-07');
  });
});

describe('fhir-r4: booking writes', () => {
  const create = (key: string, slotId: string, patientMisId: string = FIXTURE_PATIENTS.yolkin) => ({
    idempotencyKey: key,
    kind: 'booking.create',
    payload: { localId: `local-${key}`, patientMisId, slotId, doctorId: 'pr-lee', serviceId: 'hs-us', startsAt: '2026-12-07T08:00:00+03:00', callId: null },
  });

  async function freeSlot(server: FhirFixtureServer, doctor = 'lee'): Promise<string> {
    return server.control.resources('Slot').find((s) => s.id!.startsWith(`slot-${doctor}-`) && s.status === 'free')!.id!;
  }

  it('booking.create makes one booked Appointment on the slot (the slot becomes busy); the retry is a duplicate with the same appointment', async () => {
    const { server, connector } = await setup();
    const slotId = await freeSlot(server);
    const first = await connector.submit(create('booking:1', slotId));
    expect(first).toMatchObject({ status: 'applied', appointmentId: expect.any(String) });
    expect(await connector.submit(create('booking:1', slotId))).toEqual({ ...first, status: 'duplicate' });
    const appointment = server.control.read('Appointment', first.appointmentId!)!;
    expect(appointment).toMatchObject({
      status: 'booked',
      slot: [{ reference: `Slot/${slotId}` }],
      identifier: expect.arrayContaining([{ system: 'urn:registratura:outbox', value: 'booking:1' }, { system: 'urn:registratura:local', value: 'local-booking:1' }]),
      participant: expect.arrayContaining([expect.objectContaining({ actor: { reference: `Patient/${FIXTURE_PATIENTS.yolkin}` } }), expect.objectContaining({ actor: { reference: 'Practitioner/pr-lee' } })]),
    });
    expect(server.control.read('Slot', slotId)!.status).toBe('busy');
    expect(server.control.countWithIdentifier('Appointment', 'booking:1')).toBe(1);
  });

  it('a lost answer on booking.create, retried, is one appointment (not "slot taken" by itself)', async () => {
    const { server, connector } = await setup();
    const slotId = await freeSlot(server);
    server.control.loseNextWriteAnswer({ mode: 'drop' });
    expect(isMisError(await failure(connector.submit(create('booking:2', slotId))))).toBe(true);
    const retry = await connector.submit(create('booking:2', slotId));
    expect(retry.status).toBe('duplicate');
    expect(server.control.countWithIdentifier('Appointment', 'booking:2')).toBe(1);
  });

  it('refusals the operator can act on: slot taken, slot gone, unknown patient', async () => {
    const { server, connector } = await setup();
    const slotId = await freeSlot(server);
    server.control.takeSlot(slotId);
    const taken = await failure(connector.submit(create('booking:3', slotId)));
    expect(isMisError(taken) && taken.kind === 'rejected' && taken.rejection).toBe('slot-taken');
    const gone = await failure(connector.submit(create('booking:4', 'slot-none')));
    expect(isMisError(gone) && gone.rejection).toBe('slot-gone');
    const unknown = await failure(connector.submit(create('booking:5', await freeSlot(server), 'nobody')));
    expect(isMisError(unknown) && unknown.rejection).toBe('patient-unknown');
  });

  it('a slot taken between the check and the create (409 from the server) is slot-taken with the server’s words', async () => {
    const { server, connector } = await setup();
    const slotId = await freeSlot(server);
    server.control.failNext(409, 1, { method: 'POST', path: /Appointment$/ });
    const error = await failure(connector.submit(create('booking:6', slotId)));
    expect(isMisError(error) && error.rejection).toBe('slot-taken');
    expect((error as Error).message).toContain('Слот уже занят');
  });

  it('booking.cancel puts the appointment back cancelled (the slot frees); again is a duplicate; by the desk’s local id too', async () => {
    const { server, connector } = await setup();
    const slotId = await freeSlot(server);
    const made = await connector.submit(create('booking:7', slotId));
    const cancel = (key: string, appointmentId: string | null, localOf: string | null) => ({
      idempotencyKey: key,
      kind: 'booking.cancel',
      payload: { localId: `c-${key}`, patientMisId: FIXTURE_PATIENTS.yolkin, appointmentId, localOf, slotId, callId: null },
    });
    expect((await connector.submit(cancel('cancel:1', null, 'local-booking:7'))).status).toBe('applied');
    expect(server.control.read('Appointment', made.appointmentId!)!.status).toBe('cancelled');
    expect(server.control.read('Slot', slotId)!.status).toBe('free');
    expect((await connector.submit(cancel('cancel:1', made.appointmentId!, null))).status).toBe('duplicate');
    const unknown = await failure(connector.submit(cancel('cancel:2', 'appt-none', null)));
    expect(isMisError(unknown) && unknown.rejection).toBe('appointment-unknown');
  });

  it('booking.move books the new slot and cancels the old; the retry is a duplicate; a taken target refuses the whole move', async () => {
    const { server, connector } = await setup();
    const slots = server.control.resources('Slot').filter((s) => s.id!.startsWith('slot-lee-') && s.status === 'free');
    const made = await connector.submit(create('booking:8', slots[0]!.id!));
    const move = (key: string, slotId: string) => ({
      idempotencyKey: key,
      kind: 'booking.move',
      payload: {
        localId: `m-${key}`,
        patientMisId: FIXTURE_PATIENTS.yolkin,
        appointmentId: made.appointmentId!,
        localOf: 'local-booking:8',
        fromSlotId: slots[0]!.id!,
        slotId,
        doctorId: 'pr-lee',
        serviceId: 'hs-us',
        startsAt: '2026-12-07T08:20:00+03:00',
        callId: null,
      },
    });
    server.control.takeSlot(slots[2]!.id!);
    const refused = await failure(connector.submit(move('move:0', slots[2]!.id!)));
    expect(isMisError(refused) && refused.rejection).toBe('slot-taken');
    expect(server.control.read('Appointment', made.appointmentId!)!.status).toBe('booked');

    const moved = await connector.submit(move('move:1', slots[1]!.id!));
    expect(moved.status).toBe('applied');
    expect(moved.appointmentId).not.toBe(made.appointmentId);
    expect(server.control.read('Appointment', made.appointmentId!)!.status).toBe('cancelled');
    expect(server.control.read('Slot', slots[0]!.id!)!.status).toBe('free');
    expect(server.control.read('Slot', slots[1]!.id!)!.status).toBe('busy');
    expect(await connector.submit(move('move:1', slots[1]!.id!))).toEqual({ ...moved, status: 'duplicate' });
  });

  it('a move whose cancel of the old appointment failed finishes on the retry', async () => {
    const { server, connector } = await setup();
    const slots = server.control.resources('Slot').filter((s) => s.id!.startsWith('slot-smirnova-') && s.status === 'free');
    const made = await connector.submit(create('booking:9', slots[0]!.id!));
    const move = {
      idempotencyKey: 'move:2',
      kind: 'booking.move',
      payload: { localId: 'm2', patientMisId: FIXTURE_PATIENTS.yolkin, appointmentId: made.appointmentId!, localOf: null, fromSlotId: slots[0]!.id!, slotId: slots[1]!.id!, doctorId: 'pr-smirnova', serviceId: null, startsAt: '2026-12-07T09:30:00+03:00', callId: null },
    };
    server.control.failNext(503, 1, { method: 'PUT' });
    const error = await failure(connector.submit(move));
    expect(isMisError(error) && error.kind).toBe('unreachable');
    expect(server.control.read('Appointment', made.appointmentId!)!.status).toBe('booked');
    const retry = await connector.submit(move);
    expect(retry.status).toBe('applied');
    expect(server.control.read('Appointment', made.appointmentId!)!.status).toBe('cancelled');
    expect(server.control.countWithIdentifier('Appointment', 'move:2')).toBe(1);
  });

  it('a call-list outcome is a Task for the patient', async () => {
    const { server, connector } = await setup();
    const result = await connector.submit({
      idempotencyKey: 'call-list:abc:1',
      kind: 'call-list.outcome',
      payload: { localId: 'cl-1', listId: 'confirm-tomorrow', taskId: 't-1', patientMisId: FIXTURE_PATIENTS.semenova, outcome: 'confirmed', attempts: 1, appointmentId: 'appt-seed-1', at: '2026-12-06T10:00:00+03:00' },
    });
    expect(result.status).toBe('applied');
    expect(server.control.resources('Task')[0]).toMatchObject({ for: { reference: `Patient/${FIXTURE_PATIENTS.semenova}` }, focus: { reference: 'Appointment/appt-seed-1' }, businessStatus: { text: 'confirmed' } });
  });
});
