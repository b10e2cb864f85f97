import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { PatientCardSchema, type PatientCard } from '../../../../src-shared/patients/patient-card';
import type { Slot } from '../../../../src-shared/schedule/schedule-model';
import { ManualClock } from '../../../../src-shared/time/manual-clock';
import { MIS_CONNECTOR_API_VERSION, MisError, type MisStreamOptions, type MisSubmission } from '../mis/mis-connector';
import { createDemoHandlers } from './demo-handlers';
import { DEMO_MIS_MANIFEST, DemoMis, DemoMisConfigSchema, type DemoMisOptions } from './demo-mis';

/** Monday 7 December 2026, 9:00 in Moscow. */
const MONDAY_9AM = Date.parse('2026-12-07T06:00:00Z');
const TODAY = '2026-12-07';
const TOMORROW = '2026-12-08';
const HORIZON: MisStreamOptions = { today: TODAY, horizonDays: 14 };
const PATIENT = '1000007';

const opened: DemoMis[] = [];
afterEach(() => {
  for (const mis of opened.splice(0)) mis.close();
});

function demo(options: DemoMisOptions = {}): DemoMis {
  const mis = new DemoMis({ patients: 200, clock: new ManualClock(MONDAY_9AM), ...options });
  opened.push(mis);
  return mis;
}

function freeSlots(mis: DemoMis, day = TOMORROW): Slot[] {
  return mis.schedule.daySlots(day).filter((slot) => slot.state === 'free');
}

function serviceFor(mis: DemoMis, slot: Slot): string {
  const specialty = mis.schedule.doctors().find((d) => d.id === slot.doctorId)!.specialty;
  return mis.schedule.services().find((s) => s.specialty === specialty)!.id;
}

function create(mis: DemoMis, slot: Slot, localId: string, patientMisId = PATIENT): MisSubmission {
  return {
    idempotencyKey: `k-${localId}`,
    kind: 'booking.create',
    payload: { localId, patientMisId, slotId: slot.id, doctorId: slot.doctorId, serviceId: serviceFor(mis, slot), startsAt: slot.startsAt, callId: null },
  };
}

function move(mis: DemoMis, to: Slot, localId: string, of: { appointmentId?: string; localOf?: string }, patientMisId = PATIENT): MisSubmission {
  return {
    idempotencyKey: `k-${localId}`,
    kind: 'booking.move',
    payload: {
      localId,
      patientMisId,
      appointmentId: of.appointmentId ?? null,
      localOf: of.localOf ?? null,
      fromSlotId: null,
      slotId: to.id,
      doctorId: to.doctorId,
      serviceId: null,
      startsAt: to.startsAt,
      callId: null,
    },
  };
}

function cancel(localId: string, of: { appointmentId?: string; localOf?: string }, patientMisId = PATIENT): MisSubmission {
  return {
    idempotencyKey: `k-${localId}`,
    kind: 'booking.cancel',
    payload: { localId, patientMisId, appointmentId: of.appointmentId ?? null, localOf: of.localOf ?? null, slotId: null, callId: null },
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ kind: string; rejection: string | null; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MisError);
    const e = error as MisError;
    return { kind: e.kind, rejection: e.rejection, message: e.message };
  }
  throw new Error('expected the MIS to refuse');
}

async function drainSlots(mis: DemoMis, cursor: string | null, options = HORIZON) {
  const records: Slot[] = [];
  for (;;) {
    const page = await mis.streamChangesSince('slots', cursor, 2_000, options);
    records.push(...(page.records as Slot[]));
    cursor = page.nextCursor;
    if (!page.hasMore) return { records, cursor };
  }
}

describe('DemoMis as a schedule MIS', () => {
  it('declares the schedule, booking and call-list abilities of connector API 3, with its settings', () => {
    expect(DEMO_MIS_MANIFEST.apiVersion).toBe(MIS_CONNECTOR_API_VERSION);
    expect(DEMO_MIS_MANIFEST.apiVersion).toBe(3);
    expect(DEMO_MIS_MANIFEST.capabilities).toEqual(expect.arrayContaining(['schedule', 'booking', 'callLists', 'submit']));
    expect(DemoMisConfigSchema.parse({})).toMatchObject({ otherChannelsIntervalMs: 20_000, timeZone: 'Europe/Moscow' });
    expect(DemoMisConfigSchema.parse({}).scheduleFile).toBeUndefined();
    expect(DemoMisConfigSchema.safeParse({ scheduleFile: 'relative/schedule.db' }).success).toBe(false);
    expect(DemoMisConfigSchema.safeParse({ timeZone: 'Mars/Olympus' }).success).toBe(false);
    expect(DemoMisConfigSchema.parse({ scheduleFile: '/srv/clinic/schedule.db', otherChannelsIntervalMs: 0 })).toMatchObject({ scheduleFile: '/srv/clinic/schedule.db', otherChannelsIntervalMs: 0 });
  });

  it('books a free slot: the slot is the patient’s and the visit is on the card (a new version the next patient sync brings)', async () => {
    const mis = demo();
    let cursor: string | null = null;
    for (;;) {
      const page = await mis.changesSince(cursor, 500);
      cursor = page.nextCursor;
      if (!page.hasMore) break;
    }
    const before = mis.peek(PATIENT)!;
    const slot = freeSlots(mis)[0]!;
    const result = await mis.submit(create(mis, slot, 'b1'));
    expect(result).toEqual({ status: 'applied', ref: 'demo-k-b1', appointmentId: expect.stringMatching(/^ap-/) });
    expect(mis.schedule.slot(slot.id)).toMatchObject({ state: 'booked', patientMisId: PATIENT, appointmentId: result.appointmentId });
    const card = mis.peek(PATIENT)!;
    expect(card.version).toBe(before.version + 1);
    const doctor = mis.schedule.doctors().find((d) => d.id === slot.doctorId)!;
    expect(card.appointments.at(-1)).toEqual({
      id: result.appointmentId,
      startsAt: slot.startsAt,
      doctor: doctor.name,
      specialty: doctor.specialty,
      service: mis.schedule.services().find((s) => s.id === serviceFor(mis, slot))!.name,
      branch: mis.schedule.branches().find((b) => b.id === doctor.branchId)!.name,
      status: 'booked',
    });
    expect(PatientCardSchema.safeParse(card).success).toBe(true);
    const delta = await mis.changesSince(cursor, 500);
    expect((delta.cards as PatientCard[]).map((c) => [c.misId, c.version])).toEqual([[PATIENT, card.version]]);
  });

  it('answers a retried key duplicate with the same appointment, counts the receipt and lists the write in the ledger', async () => {
    const clock = new ManualClock(MONDAY_9AM);
    const mis = demo({ clock });
    const slot = freeSlots(mis)[0]!;
    const first = await mis.submit(create(mis, slot, 'b1'));
    const again = await mis.submit(create(mis, slot, 'b1'));
    expect(again).toEqual({ ...first, status: 'duplicate' });
    expect(mis.peek(PATIENT)!.appointments.filter((a) => a.id === first.appointmentId)).toHaveLength(1);
    expect(mis.ledgerEntry('k-b1')).toMatchObject({ kind: 'booking.create', localId: 'b1', receipts: 2 });
    expect(mis.ledgerEntries('booking.create').map((e) => [e.idempotencyKey, e.localId, e.receipts])).toEqual([['k-b1', 'b1', 2]]);
    clock.advance(1_000);
    await mis.submit({ idempotencyKey: 'w1', kind: 'wrapup', payload: { misId: PATIENT, category: 'Справка', note: 'ok', localId: 'wrapup:c1' } });
    expect(mis.ledgerEntries().map((e) => e.kind)).toEqual(['booking.create', 'wrapup']);
    expect(mis.ledgerReport(['b1', 'wrapup:c1', 'lost'])).toEqual({ delivered: 2, lost: ['lost'], duplicated: [], duplicateReceipts: 1 });
    const handlers = createDemoHandlers({ mis: () => mis, pbx: null });
    expect(await handlers['demo.ledger']({ kind: 'booking.create' }, { host: 'web', client: 't' })).toEqual({
      entries: [{ kind: 'booking.create', key: 'k-b1', ref: 'demo-k-b1', localId: 'b1', receipts: 2 }],
    });
  });

  it('refuses with the reason: slot-taken, slot-gone, patient-unknown, appointment-unknown, refused for a bad payload', async () => {
    const mis = demo();
    const [a, b] = freeSlots(mis);
    await mis.submit(create(mis, a!, 'b1'));
    expect(await refusal(mis.submit(create(mis, a!, 'b2', '1000008')))).toEqual({ kind: 'rejected', rejection: 'slot-taken', message: 'Слот уже занят' });
    expect(await refusal(mis.submit(create(mis, { ...a!, id: 'd01@2026-12-08T03:00' }, 'b3')))).toMatchObject({ rejection: 'slot-gone' });
    expect(await refusal(mis.submit(create(mis, b!, 'b4', '1999999')))).toMatchObject({ rejection: 'patient-unknown' });
    expect(await refusal(mis.submit(cancel('c1', { appointmentId: 'ap-nothing-1' })))).toMatchObject({ rejection: 'appointment-unknown' });
    const bad = create(mis, b!, 'b5');
    expect(await refusal(mis.submit({ ...bad, payload: { ...(bad.payload as object), slotId: 'has space' } }))).toMatchObject({ rejection: 'refused' });
    expect(await refusal(mis.submit({ ...bad, payload: { ...(bad.payload as object), doctorId: 'd39' } }))).toMatchObject({ rejection: 'refused' });
    expect(mis.schedule.slot(b!.id)!.state).toBe('free');
    expect(mis.ledgerEntries().map((e) => e.localId)).toEqual(['b1']);
  });

  it('two desks on one schedule file: of two bookings of one slot exactly one applies, the other is slot-taken', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'rg-shared-schedule-')), 'schedule.db');
    const a = demo({ scheduleFile: file, ledgerPath: join(mkdtempSync(join(tmpdir(), 'rg-a-')), 'ledger.db') });
    const b = demo({ scheduleFile: file, ledgerPath: join(mkdtempSync(join(tmpdir(), 'rg-b-')), 'ledger.db') });
    const slot = freeSlots(a)[0]!;
    const settled = await Promise.allSettled([a.submit(create(a, slot, 'from-a', '1000001')), b.submit(create(b, slot, 'from-b', '1000002'))]);
    expect(settled.map((s) => s.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = settled.find((s) => s.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ kind: 'rejected', rejection: 'slot-taken' });
    expect(a.schedule.slot(slot.id)).toEqual(b.schedule.slot(slot.id));
    // The second desk's next delta shows the slot booked.
    const { cursor } = await drainSlots(b, null);
    const other = freeSlots(a)[0]!;
    await a.submit(create(a, other, 'from-a-2', '1000001'));
    expect((await drainSlots(b, cursor)).records).toEqual([expect.objectContaining({ id: other.id, state: 'booked', version: 2 })]);
  });

  it('moves a visit whole: onto a taken slot nothing changes; onto a free one the old slot frees and the appointment keeps its id', async () => {
    const mis = demo();
    const [from, to, taken] = freeSlots(mis);
    const booked = await mis.submit(create(mis, from!, 'b1'));
    mis.takeSlot(taken!.id);
    const fromBefore = mis.schedule.slot(from!.id);
    const cardBefore = mis.peek(PATIENT);
    expect(await refusal(mis.submit(move(mis, taken!, 'm1', { localOf: 'b1' })))).toMatchObject({ rejection: 'slot-taken' });
    expect(mis.schedule.slot(from!.id)).toEqual(fromBefore);
    expect(mis.peek(PATIENT)).toEqual(cardBefore);
    const moved = await mis.submit(move(mis, to!, 'm2', { localOf: 'b1' }));
    expect(moved).toMatchObject({ status: 'applied', appointmentId: booked.appointmentId });
    expect(mis.schedule.slot(from!.id)).toMatchObject({ state: 'free', patientMisId: null, appointmentId: null, version: 3 });
    expect(mis.schedule.slot(to!.id)).toMatchObject({ state: 'booked', patientMisId: PATIENT, appointmentId: booked.appointmentId });
    expect(mis.peek(PATIENT)!.appointments.filter((a) => a.id === booked.appointmentId)).toEqual([expect.objectContaining({ startsAt: to!.startsAt, status: 'booked' })]);
    // By the MIS's id too, and someone else's visit is not this patient's to move.
    const back = freeSlots(mis)[0]!;
    expect(await refusal(mis.submit(move(mis, back, 'm3', { appointmentId: booked.appointmentId! }, '1000008')))).toMatchObject({ rejection: 'appointment-unknown' });
    expect(await mis.submit(move(mis, back, 'm4', { appointmentId: booked.appointmentId! }))).toMatchObject({ status: 'applied', appointmentId: booked.appointmentId });
    // A visit booked elsewhere (a base-booked slot) moves by its appointment id.
    const base = mis.schedule.daySlots(TOMORROW).find((s) => s.state === 'booked' && s.appointmentId?.startsWith('ab-'))!;
    const target = freeSlots(mis).find((s) => s.doctorId === base.doctorId)!;
    expect(await mis.submit(move(mis, target, 'm5', { appointmentId: base.appointmentId! }, base.patientMisId!))).toMatchObject({ appointmentId: base.appointmentId });
    expect(mis.schedule.slot(base.id)!.state).toBe('free');
  });

  it('cancels a visit: the slot frees and the next delta shows it free with a higher version; the visit on the card is cancelled', async () => {
    const mis = demo();
    const slot = freeSlots(mis)[0]!;
    const booked = await mis.submit(create(mis, slot, 'b1'));
    const { cursor } = await drainSlots(mis, null);
    const version = mis.schedule.slot(slot.id)!.version;
    const cancelled = await mis.submit(cancel('c1', { localOf: 'b1' }));
    expect(cancelled).toEqual({ status: 'applied', ref: 'demo-k-c1', appointmentId: booked.appointmentId });
    const delta = await drainSlots(mis, cursor);
    expect(delta.records).toEqual([expect.objectContaining({ id: slot.id, state: 'free', patientMisId: null, appointmentId: null, version: version + 1 })]);
    expect(mis.peek(PATIENT)!.appointments.find((a) => a.id === booked.appointmentId)).toMatchObject({ status: 'cancelled' });
    expect(await refusal(mis.submit(cancel('c2', { appointmentId: booked.appointmentId! })))).toMatchObject({ rejection: 'appointment-unknown' });
    expect(await mis.submit(cancel('c1', { localOf: 'b1' }))).toMatchObject({ status: 'duplicate', appointmentId: booked.appointmentId });
  });

  it('records a call-list outcome and closes the task it names', async () => {
    const mis = demo();
    const task = mis.schedule.callTasks(TODAY)[0]!;
    const outcome: MisSubmission = {
      idempotencyKey: 'o1',
      kind: 'call-list.outcome',
      payload: { localId: 'o1', listId: `recall:${TODAY}`, taskId: task.id, patientMisId: task.patientMisId, outcome: 'informed', attempts: 1, appointmentId: null, at: '2026-12-07T09:30:00+03:00' },
    };
    expect(await mis.submit(outcome)).toEqual({ status: 'applied', ref: 'demo-o1' });
    expect(mis.schedule.callTasks(TODAY).some((t) => t.id === task.id)).toBe(false);
    expect(mis.ledgerEntries('call-list.outcome')).toHaveLength(1);
  });

  it('offline: every schedule call and booking write is unreachable and nothing is applied', async () => {
    const mis = demo();
    mis.setOffline(true);
    const slot = freeSlots(mis)[0]!;
    expect(await refusal(mis.submit(create(mis, slot, 'b1')))).toMatchObject({ kind: 'unreachable' });
    expect(await refusal(mis.streamChangesSince('slots', null, 100, HORIZON))).toMatchObject({ kind: 'unreachable' });
    expect(mis.schedule.slot(slot.id)!.state).toBe('free');
    mis.setOffline(false);
    expect((await mis.streamChangesSince('doctors', null, 100, HORIZON)).records).toHaveLength(40);
  });

  it('a booking behind an injected timeout may have been applied; its retry answers with the same appointment, never a second slot', async () => {
    for (let faultSeed = 1; faultSeed <= 6; faultSeed++) {
      const mis = demo({ timeoutRate: 1, faultSeed });
      const slot = freeSlots(mis)[0]!;
      expect(await refusal(mis.submit(create(mis, slot, 'b1')))).toMatchObject({ kind: 'timeout' });
      const appliedBehind = mis.schedule.slot(slot.id)!.state === 'booked';
      mis.timeoutRate = 0;
      const retry = await mis.submit(create(mis, slot, 'b1'));
      expect(retry.status).toBe(appliedBehind ? 'duplicate' : 'applied');
      expect(mis.schedule.slot(slot.id)).toMatchObject({ state: 'booked', appointmentId: retry.appointmentId, version: 2 });
      expect(mis.ledgerReport(['b1'])).toMatchObject({ delivered: 1, duplicated: [] });
    }
  });
});

describe('demo.simulate for the schedule', () => {
  const context = { host: 'web' as const, client: 't' };

  it('take-slot: another channel takes a free slot (applied), not a taken one', async () => {
    const mis = demo();
    const handlers = createDemoHandlers({ mis: () => mis, pbx: null });
    const slot = freeSlots(mis)[0]!;
    expect(await handlers['demo.simulate']({ action: 'take-slot', slotId: slot.id }, context)).toEqual({ applied: true });
    expect(await handlers['demo.simulate']({ action: 'take-slot', slotId: slot.id }, context)).toEqual({ applied: false });
    expect(await refusal(mis.submit(create(mis, slot, 'b1')))).toMatchObject({ rejection: 'slot-taken' });
  });

  it('advance-clock moves the desk’s call-list clock, or is NOT_AVAILABLE without one', async () => {
    const moved: number[] = [];
    const withClock = createDemoHandlers({ mis: () => null, pbx: null, advanceClock: (ms) => moved.push(ms) });
    expect(await withClock['demo.simulate']({ action: 'advance-clock', ms: 1_800_000 }, context)).toEqual({ applied: true });
    expect(moved).toEqual([1_800_000]);
    const without = createDemoHandlers({ mis: () => null, pbx: null });
    expect(() => without['demo.simulate']({ action: 'advance-clock', ms: 1 }, context)).toThrow(expect.objectContaining({ code: 'NOT_AVAILABLE' }));
  });
});
