import { afterEach, describe, expect, it } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { BookingCancelPayloadSchema, BookingCreatePayloadSchema, BookingMovePayloadSchema } from '../connectors/mis/mis-writes';
import { MisError } from '../connectors/mis/mis-connector';
import { randomKey, tempDatabasePath } from '../db/test-support';
import { CONFIRMED_HOLD_MS } from './booking-service';
import { BookingStore } from './booking-store';
import { bookingHarness, NOW, OTHER_PATIENT, PATIENT, patientCard, slotTaken, type BookingHarness } from './booking-test-support';

const harnesses: BookingHarness[] = [];
afterEach(() => {
  for (const h of harnesses.splice(0)) h.close();
});

function setup(options: Parameters<typeof bookingHarness>[0] = {}): BookingHarness {
  const h = bookingHarness(options);
  harnesses.push(h);
  return h;
}

function deskError(fn: () => unknown): DeskError {
  try {
    fn();
  } catch (error) {
    if (error instanceof DeskError) return error;
    throw error;
  }
  throw new Error('expected a DeskError');
}

const today = { from: '2026-12-07', to: '2026-12-08' };
const freeIds = (h: BookingHarness, query: Parameters<BookingHarness['service']['freeSlots']>[0]) => h.service.freeSlots(query).slots.map((s) => s.id);

describe('BookingService.create: one local row and one outbox item, together', () => {
  it('writes a pending booking and exactly one booking.create item with a key born with the row', () => {
    const h = setup();
    const { visit, outboxId } = h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1', callId: 'call-1' });
    expect(visit).toEqual({
      id: 'desk:local-1',
      startsAt: '2026-12-07T09:30:00+03:00',
      doctor: 'Смирнова Ольга Петровна',
      specialty: 'терапевт',
      service: 'Приём терапевта',
      branch: 'Филиал на Ленина',
      room: '101',
      state: 'pending',
      awaitingMis: true,
      rejection: null,
      rejectionMessage: null,
      slotId: 'S-1',
      changeable: true,
    });
    const items = h.bookingItems();
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ id: outboxId, kind: 'booking.create', idempotency_key: 'booking-local-1', state: 'pending' });
    expect(BookingCreatePayloadSchema.parse(JSON.parse(items[0]!.payload))).toEqual({
      localId: 'local-1',
      patientMisId: PATIENT,
      slotId: 'S-1',
      doctorId: 'D-1',
      serviceId: 'SV-1',
      startsAt: '2026-12-07T09:30:00+03:00',
      callId: 'call-1',
    });
    expect(new BookingStore(h.db).get('local-1')).toMatchObject({ kind: 'create', state: 'pending', outboxId, serviceKind: 'oms', callId: 'call-1' });
    expect(h.wakes.count).toBe(1);
    expect(h.events).toEqual([
      ['booking:changed', { patientMisId: PATIENT }],
      ['schedule:changed', { dataAsOf: null }],
    ]);
  });

  it('holds the slot: not offered again, and a second booking of it is SLOT_TAKEN without a second row', () => {
    const h = setup();
    expect(freeIds(h, { specialty: 'терапевт', ...today })).toEqual(['S-3', 'S-1', 'S-2', 'S-9', 'S-4']);
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' });
    expect(freeIds(h, { specialty: 'терапевт', ...today })).toEqual(['S-3', 'S-2', 'S-9', 'S-4']);
    expect(deskError(() => h.service.create({ patientMisId: OTHER_PATIENT, slotId: 'S-1', serviceId: 'SV-1' })).code).toBe('SLOT_TAKEN');
    expect(h.bookingItems()).toHaveLength(1);
    expect(h.db.prepare('SELECT count(*) FROM bookings').pluck().get()).toBe(1);
  });

  it('refuses a slot the cache does not know, one that is not free, one that began, and an unknown service, writing nothing', () => {
    const h = setup();
    expect(deskError(() => h.service.create({ patientMisId: PATIENT, slotId: 'S-404', serviceId: 'SV-1' })).code).toBe('SLOT_NOT_FOUND');
    expect(deskError(() => h.service.create({ patientMisId: PATIENT, slotId: 'S-7', serviceId: 'SV-1' })).code).toBe('SLOT_TAKEN');
    expect(deskError(() => h.service.create({ patientMisId: PATIENT, slotId: 'S-8', serviceId: 'SV-1' })).code).toBe('SLOT_TAKEN');
    expect(deskError(() => h.service.create({ patientMisId: PATIENT, slotId: 'S-6', serviceId: 'SV-1' })).code).toBe('SLOT_TAKEN');
    expect(deskError(() => h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-404' })).code).toBe('INVALID_INPUT');
    expect(h.bookingItems()).toEqual([]);
    expect(h.events).toEqual([]);
  });

  it('without the cached schedule: SCHEDULE_UNAVAILABLE; without the journal: JOURNAL_UNAVAILABLE from the journal, nothing written', () => {
    const h = setup();
    h.cache.schedule = null;
    expect(deskError(() => h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' })).code).toBe('SCHEDULE_UNAVAILABLE');
    expect(deskError(() => h.service.catalog()).code).toBe('SCHEDULE_UNAVAILABLE');
    expect(h.bookingItems()).toEqual([]);
  });

  it('a failure inside the transaction leaves neither the row, nor the outbox item, nor a hold', () => {
    const h = setup();
    const enqueue = h.outbox.enqueue.bind(h.outbox);
    h.outbox.enqueue = (...args) => {
      enqueue(...args);
      throw new Error('disk full');
    };
    expect(() => h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' })).toThrow('disk full');
    h.outbox.enqueue = enqueue;
    expect(h.bookingItems()).toEqual([]);
    expect(h.db.prepare('SELECT count(*) FROM bookings').pluck().get()).toBe(0);
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toContain('S-1');
  });
});

describe('the MIS answers through the outbox: settled in the transaction of the mark', () => {
  it('delivered: the booking is confirmed with its appointment id, and the card listing it shows the visit once', async () => {
    const h = setup();
    h.cards.set(PATIENT, patientCard());
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' });
    h.events.length = 0;
    await h.drain();
    expect(new BookingStore(h.db).get('local-1')).toMatchObject({ state: 'confirmed', appointmentId: 'A-100' });
    expect(h.outbox.get(h.bookingItems()[0]!.id)!.state).toBe('delivered');
    expect(h.events).toEqual([
      ['booking:changed', { patientMisId: PATIENT }],
      ['schedule:changed', { dataAsOf: null }],
    ]);
    const before = h.service.visits(PATIENT);
    expect(before.map((v) => [v.id, v.state, v.awaitingMis])).toEqual([
      ['desk:local-1', 'confirmed', false],
      ['mis:A-1', 'confirmed', false],
      ['mis:A-0', 'done', false],
    ]);
    // The next sync brings the card with the new appointment on it: still one visit.
    const card = patientCard();
    h.cards.set(PATIENT, {
      ...card,
      appointments: [...card.appointments, { id: 'A-100', startsAt: '2026-12-07T09:30:00+03:00', doctor: 'Смирнова О. П.', specialty: 'терапевт', service: 'Приём терапевта', branch: 'Филиал на Ленина', status: 'booked' }],
    });
    expect(h.service.visits(PATIENT)).toEqual(before);
  });

  it('a lost answer and a duplicate on the retry: the same key twice, one appointment, confirmed once', async () => {
    const h = setup();
    h.mis.next.push('applied-then-timeout');
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' });
    await h.drain();
    expect(new BookingStore(h.db).get('local-1')!.state).toBe('pending');
    h.events.length = 0;
    await h.drain();
    expect(h.mis.seen.map((s) => s.idempotencyKey)).toEqual(['booking-local-1', 'booking-local-1']);
    expect(h.mis.applied.size).toBe(1);
    expect(new BookingStore(h.db).get('local-1')).toMatchObject({ state: 'confirmed', appointmentId: 'A-100' });
    expect(h.events.filter(([name]) => name === 'booking:changed')).toHaveLength(1);
    expect(h.bookingItems()).toHaveLength(1);
    await h.drain();
    expect(h.mis.seen).toHaveLength(2);
  });

  it('survives a crash between the MIS applying it and the mark: reopened, resubmitted, a duplicate, confirmed once', async () => {
    const path = tempDatabasePath('journal.db');
    const key = randomKey();
    const first = setup({ path, key });
    first.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' });
    const [claimed] = first.outbox.claimDue(1);
    await first.mis.submit({ idempotencyKey: claimed!.idempotencyKey, kind: claimed!.kind, payload: claimed!.payload });
    first.close();
    const second = setup({ path, key });
    second.mis.applied.set(claimed!.idempotencyKey, first.mis.applied.get(claimed!.idempotencyKey)!);
    expect(second.outbox.recoverInflight()).toBe(1);
    await second.drain();
    expect(second.mis.seen.map((s) => s.idempotencyKey)).toEqual(['booking-local-1']);
    expect(new BookingStore(second.db).get('local-1')).toMatchObject({ state: 'confirmed', appointmentId: 'A-100' });
  });

  it('slot taken in the MIS: the visit is rejected with the reason, the panel says so plainly, the slot is released, alternatives offered', async () => {
    const h = setup();
    h.mis.next.push(slotTaken());
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' });
    await h.drain();
    const [visit] = h.service.visits(PATIENT);
    expect(visit).toMatchObject({ id: 'desk:local-1', state: 'rejected', rejection: 'slot-taken', rejectionMessage: 'Слот уже занят', awaitingMis: false, changeable: false });
    expect(h.outbox.listUndelivered()).toEqual([expect.objectContaining({ kind: 'booking.create', state: 'failed', lastError: 'rejected: slot-taken: Слот уже занят' })]);
    // no longer held by this desk (the next sync will say who has it)
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toContain('S-1');
    expect(h.service.alternatives('S-1')).toEqual({
      sameDoctor: [
        { id: 'S-2', doctorId: 'D-1', startsAt: '2026-12-07T10:00:00+03:00', durationMin: 20 },
        { id: 'S-4', doctorId: 'D-1', startsAt: '2026-12-08T09:30:00+03:00', durationMin: 20 },
      ],
      sameSpecialty: [
        { id: 'S-3', doctorId: 'D-2', startsAt: '2026-12-07T09:00:00+03:00', durationMin: 20 },
        { id: 'S-9', doctorId: 'D-2', startsAt: '2026-12-07T23:30:00+03:00', durationMin: 20 },
      ],
    });
    expect(h.logs.filter((r) => r.event === 'booking.settled')).toEqual([expect.objectContaining({ level: 'warn', context: { kind: 'create', state: 'rejected', rejection: 'slot-taken' } })]);
    // The patient is owed a call with another time: the core raises a callback task for them, once.
    await Promise.resolve();
    expect(h.rejections).toEqual([{ patientMisId: PATIENT, localId: 'local-1', at: h.clock.now() }]);
  });

  it('a refusal without a typed reason is `refused` with the MIS words; a retry from the panel that goes through confirms it', async () => {
    const h = setup();
    h.mis.next.push(new MisError('rejected', 'Врач не принимает по ОМС'));
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' });
    await h.drain();
    expect(h.service.visits(PATIENT)[0]).toMatchObject({ state: 'rejected', rejection: 'refused', rejectionMessage: 'Врач не принимает по ОМС' });
    h.outbox.retry(h.bookingItems()[0]!.id);
    await h.drain();
    expect(h.service.visits(PATIENT)[0]).toMatchObject({ state: 'confirmed', rejection: null, rejectionMessage: null });
  });

  it('ignores items of other kinds and rows it does not know', async () => {
    const h = setup();
    h.db.transaction(() => h.outbox.enqueue('booking.create', { localId: 'nobody' }))();
    await h.drain();
    expect(h.logs.map((r) => r.event)).toContain('booking.settled-unknown');
  });
});

describe('BookingService.move', () => {
  it('is one booking.move naming the appointment and the local booking; the old visit is hidden while it waits, the new slot held', async () => {
    const h = setup();
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1', callId: 'call-1' });
    await h.drain();
    const { visit, outboxId } = h.service.move({ visitId: 'desk:local-1', slotId: 'S-2', callId: 'call-2' });
    expect(visit).toMatchObject({ id: 'desk:local-2', state: 'pending', awaitingMis: true, slotId: 'S-2', startsAt: '2026-12-07T10:00:00+03:00', service: 'Приём терапевта' });
    const items = h.bookingItems();
    expect(items.map((i) => [i.kind, i.idempotency_key])).toEqual([
      ['booking.create', 'booking-local-1'],
      ['booking.move', 'booking-local-2'],
    ]);
    expect(items[1]!.id).toBe(outboxId);
    expect(BookingMovePayloadSchema.parse(JSON.parse(items[1]!.payload))).toEqual({
      localId: 'local-2',
      patientMisId: PATIENT,
      appointmentId: 'A-100',
      localOf: 'local-1',
      fromSlotId: 'S-1',
      slotId: 'S-2',
      doctorId: 'D-1',
      serviceId: 'SV-1',
      startsAt: '2026-12-07T10:00:00+03:00',
      callId: 'call-2',
    });
    expect(h.service.visits(PATIENT).map((v) => v.id)).toEqual(['desk:local-2']);
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toEqual(['S-4']);
    await h.drain();
    const store = new BookingStore(h.db);
    expect(store.get('local-2')).toMatchObject({ state: 'confirmed', appointmentId: 'A-101' });
    expect(store.get('local-1')).toMatchObject({ state: 'cancelled' });
    expect(h.service.visits(PATIENT).map((v) => [v.id, v.state])).toEqual([['desk:local-2', 'confirmed']]);
    // the old slot is no longer this desk's: offered again once the cache says free
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toEqual(['S-1', 'S-4']);
  });

  it('is atomic: a failure writes nothing, and a refusal by the MIS brings the old visit back and frees the new slot', async () => {
    const h = setup();
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' });
    await h.drain();
    const enqueue = h.outbox.enqueue.bind(h.outbox);
    h.outbox.enqueue = () => {
      throw new Error('disk full');
    };
    expect(() => h.service.move({ visitId: 'desk:local-1', slotId: 'S-2' })).toThrow('disk full');
    h.outbox.enqueue = enqueue;
    expect(h.db.prepare('SELECT count(*) FROM bookings').pluck().get()).toBe(1);
    expect(h.service.visits(PATIENT).map((v) => [v.id, v.state])).toEqual([['desk:local-1', 'confirmed']]);

    h.mis.next.push(slotTaken());
    h.service.move({ visitId: 'desk:local-1', slotId: 'S-2' });
    await h.drain();
    expect(h.service.visits(PATIENT).map((v) => [v.id, v.state, v.rejection])).toEqual([
      ['desk:local-1', 'confirmed', null],
      ['desk:local-3', 'rejected', 'slot-taken'],
    ]);
    expect(new BookingStore(h.db).get('local-1')!.state).toBe('confirmed');
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toEqual(['S-2', 'S-4']);
  });

  it('moves the MIS own appointment by `mis:<id>`; the MIS keeps the appointment id and the visit shows once after the sync', async () => {
    const h = setup();
    h.cards.set(PATIENT, patientCard());
    h.mis.keepAppointmentOnMove = true;
    expect(h.service.visits(PATIENT).find((v) => v.id === 'mis:A-1')).toMatchObject({ slotId: 'S-7', room: '101', changeable: true });
    h.service.move({ visitId: 'mis:A-1', slotId: 'S-4' });
    expect(BookingMovePayloadSchema.parse(JSON.parse(h.bookingItems()[0]!.payload))).toMatchObject({ appointmentId: 'A-1', localOf: null, fromSlotId: 'S-7', serviceId: 'SV-1' });
    expect(h.service.visits(PATIENT).map((v) => [v.id, v.state])).toEqual([
      ['desk:local-1', 'pending'],
      ['mis:A-0', 'done'],
    ]);
    await h.drain();
    const card = patientCard();
    h.cards.set(PATIENT, { ...card, appointments: card.appointments.map((a) => (a.id === 'A-1' ? { ...a, startsAt: '2026-12-08T09:30:00+03:00' } : a)) });
    expect(h.service.visits(PATIENT).map((v) => [v.id, v.state, v.startsAt])).toEqual([
      ['desk:local-1', 'confirmed', '2026-12-08T09:30:00+03:00'],
      ['mis:A-0', 'done', '2026-11-20T10:00:00+03:00'],
    ]);
  });

  it('refuses to move a visit that is gone, past or refused, and to a slot that is held or the same', async () => {
    const h = setup();
    h.cards.set(PATIENT, patientCard());
    h.service.visits(PATIENT);
    expect(deskError(() => h.service.move({ visitId: 'desk:nope', slotId: 'S-2' })).code).toBe('VISIT_NOT_FOUND');
    expect(deskError(() => h.service.move({ visitId: 'mis:A-0', slotId: 'S-2' })).code).toBe('VISIT_NOT_FOUND');
    expect(deskError(() => h.service.move({ visitId: 'mis:A-404', slotId: 'S-2' })).code).toBe('VISIT_NOT_FOUND');
    expect(deskError(() => h.service.move({ visitId: 'other', slotId: 'S-2' })).code).toBe('VISIT_NOT_FOUND');
    h.service.create({ patientMisId: OTHER_PATIENT, slotId: 'S-2', serviceId: 'SV-1' });
    expect(deskError(() => h.service.move({ visitId: 'mis:A-1', slotId: 'S-2' })).code).toBe('SLOT_TAKEN');
    expect(deskError(() => h.service.move({ visitId: 'mis:A-1', slotId: 'S-7' })).code).toBe('SLOT_TAKEN');
    h.mis.next.push(slotTaken());
    await h.drain();
    expect(deskError(() => h.service.move({ visitId: 'desk:local-1', slotId: 'S-4' })).code).toBe('VISIT_NOT_FOUND');
  });
});

describe('BookingService.cancel', () => {
  it('cancels a confirmed booking: cancelled awaiting the MIS at once, the slot freed when the MIS confirms', async () => {
    const h = setup();
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' });
    await h.drain();
    // confirmed, and the cached schedule has not caught up yet: still this desk's
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toEqual(['S-2', 'S-4']);
    const { visit } = h.service.cancel({ visitId: 'desk:local-1', callId: 'call-9' });
    expect(visit).toMatchObject({ id: 'desk:local-1', state: 'cancelled', awaitingMis: true, changeable: false });
    const items = h.bookingItems();
    expect(items.map((i) => [i.kind, i.idempotency_key])).toEqual([
      ['booking.create', 'booking-local-1'],
      ['booking.cancel', 'booking-local-2'],
    ]);
    expect(BookingCancelPayloadSchema.parse(JSON.parse(items[1]!.payload))).toEqual({ localId: 'local-2', patientMisId: PATIENT, appointmentId: 'A-100', localOf: 'local-1', slotId: 'S-1', callId: 'call-9' });
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toEqual(['S-2', 'S-4']);
    await h.drain();
    expect(h.service.visits(PATIENT)).toEqual([expect.objectContaining({ id: 'desk:local-1', state: 'cancelled', awaitingMis: false })]);
    expect(new BookingStore(h.db).get('local-2')!.state).toBe('cancelled');
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toEqual(['S-1', 'S-2', 'S-4']);
    expect(deskError(() => h.service.cancel({ visitId: 'desk:local-1' })).code).toBe('VISIT_NOT_FOUND');
  });

  it('cancels the MIS own appointment; a refused cancel leaves the visit as it was, with the refusal', async () => {
    const h = setup();
    h.cards.set(PATIENT, patientCard());
    h.service.visits(PATIENT);
    h.mis.next.push(new MisError('rejected', 'Запись уже отменена', { rejection: 'appointment-unknown' }));
    expect(h.service.cancel({ visitId: 'mis:A-1' }).visit).toMatchObject({ id: 'mis:A-1', state: 'cancelled', awaitingMis: true });
    await h.drain();
    expect(h.service.visits(PATIENT)[0]).toMatchObject({ id: 'mis:A-1', state: 'confirmed', rejection: 'appointment-unknown', rejectionMessage: 'Запись уже отменена', changeable: true });
    h.service.cancel({ visitId: 'mis:A-1' });
    await h.drain();
    expect(h.service.visits(PATIENT).map((v) => [v.id, v.state, v.awaitingMis, v.rejection])).toEqual([
      ['mis:A-1', 'cancelled', false, null],
      ['mis:A-0', 'done', false, null],
    ]);
  });

  it('inside the caller transaction: commits with it, rolls back with it, refuses to run outside one', async () => {
    const h = setup();
    // A desk that never listed the patient's visits: the caller names the patient and slot.
    const outer = (fail: boolean) =>
      h.db.transaction(() => {
        const result = h.service.cancelInTransaction({ visitId: 'mis:A-1', patientMisId: PATIENT, slotId: 'S-7', callId: 'call-5' });
        if (fail) throw new Error('the call list failed');
        return result;
      })();
    expect(() => outer(true)).toThrow('the call list failed');
    expect(h.bookingItems()).toEqual([]);
    expect(h.db.prepare('SELECT count(*) FROM bookings').pluck().get()).toBe(0);
    h.events.length = 0;
    const { visit, outboxId } = outer(false);
    expect(visit).toMatchObject({ id: 'mis:A-1', state: 'cancelled', awaitingMis: true, slotId: 'S-7' });
    expect(h.bookingItems().map((i) => [i.id, i.kind])).toEqual([[outboxId, 'booking.cancel']]);
    expect(BookingCancelPayloadSchema.parse(JSON.parse(h.bookingItems()[0]!.payload))).toMatchObject({ appointmentId: 'A-1', slotId: 'S-7', localOf: null, callId: 'call-5' });
    await Promise.resolve();
    expect(h.events.map(([name]) => name)).toContain('booking:changed');
    expect(h.wakes.count).toBeGreaterThan(0);
    expect(() => h.service.cancelInTransaction({ visitId: 'mis:A-1', patientMisId: PATIENT })).toThrow(/inside a journal transaction/);
  });

  it('finds `mis:<id>` from the cached schedule when nothing named the patient', () => {
    const h = setup();
    expect(h.service.cancel({ visitId: 'mis:A-1' }).visit).toMatchObject({ id: 'mis:A-1', state: 'cancelled', slotId: 'S-7' });
  });
});

describe('BookingService.visits merges the card and this desk without duplicates', () => {
  it('lists upcoming first (earliest first), then past (latest first), with names from the schedule', async () => {
    const h = setup();
    h.cards.set(PATIENT, patientCard());
    h.service.create({ patientMisId: PATIENT, slotId: 'S-4', serviceId: 'SV-1' });
    h.service.create({ patientMisId: PATIENT, slotId: 'S-5', serviceId: 'SV-2' });
    await h.drain();
    h.service.create({ patientMisId: PATIENT, slotId: 'S-3', serviceId: 'SV-1' });
    const visits = h.service.visits(PATIENT);
    expect(visits.map((v) => [v.id, v.state, v.awaitingMis, v.doctor, v.branch])).toEqual([
      ['desk:local-3', 'pending', true, 'Петров Иван Сергеевич', 'Филиал на Мира'],
      ['desk:local-2', 'confirmed', false, 'Кузнецова Анна Игоревна', 'Филиал на Ленина'],
      ['desk:local-1', 'confirmed', false, 'Смирнова Ольга Петровна', 'Филиал на Ленина'],
      ['mis:A-1', 'confirmed', false, 'Смирнова О. П.', 'Филиал на Ленина'],
      ['mis:A-0', 'done', false, 'Кузнецова А. И.', 'Филиал на Ленина'],
    ]);
    expect(new Set(visits.map((v) => v.id)).size).toBe(visits.length);
  });

  it('the card saying a desk booking was cancelled or done in the MIS wins over "confirmed"', async () => {
    const h = setup();
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' });
    await h.drain();
    const card = patientCard();
    h.cards.set(PATIENT, {
      ...card,
      appointments: [{ id: 'A-100', startsAt: '2026-12-07T09:30:00+03:00', doctor: 'Смирнова О. П.', specialty: 'терапевт', service: 'Приём терапевта', branch: 'Филиал на Ленина', status: 'cancelled' }],
    });
    expect(h.service.visits(PATIENT)).toEqual([expect.objectContaining({ id: 'desk:local-1', state: 'cancelled', changeable: false })]);
  });

  it('still lists this desk bookings when the cache is not open', () => {
    const h = setup();
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1' });
    h.cache.getCard = () => {
      throw new DeskError('CACHE_UNAVAILABLE', 'closed');
    };
    h.cache.schedule = null;
    expect(h.service.visits(PATIENT)).toEqual([expect.objectContaining({ id: 'desk:local-1', state: 'pending', doctor: '', room: null })]);
  });
});

describe('BookingService.freeSlots and catalog', () => {
  it('turns clinic-local dates into instants in the clinic zone', () => {
    const h = setup();
    expect(freeIds(h, { doctorId: 'D-2', from: '2026-12-07', to: '2026-12-07' })).toEqual(['S-3', 'S-9']);
    // 23:30 in Moscow is 01:30 the next day in Yekaterinburg
    h.settings.current = { ...h.settings.current, schedule: { ...h.settings.current.schedule, timeZone: 'Asia/Yekaterinburg' } };
    expect(freeIds(h, { doctorId: 'D-2', from: '2026-12-07', to: '2026-12-07' })).toEqual(['S-3']);
    expect(freeIds(h, { doctorId: 'D-2', from: '2026-12-08', to: '2026-12-08' })).toEqual(['S-9']);
  });

  it('narrows by service (its specialty), branch, `after`, and never offers a slot that began', () => {
    const h = setup();
    expect(freeIds(h, { serviceId: 'SV-2', ...today })).toEqual(['S-5']);
    expect(freeIds(h, { serviceId: 'SV-1', branchId: 'B-2', ...today })).toEqual(['S-3', 'S-9']);
    expect(freeIds(h, { serviceId: 'SV-1', doctorId: 'D-3', ...today })).toEqual([]);
    expect(freeIds(h, { serviceId: 'SV-1', specialty: 'кардиолог', ...today })).toEqual([]);
    expect(freeIds(h, { specialty: 'терапевт', ...today, after: '2026-12-07T09:30:00+03:00' })).toEqual(['S-2', 'S-9', 'S-4']);
    expect(freeIds(h, { doctorId: 'D-1', ...today, after: '2026-12-01T00:00:00+03:00' })).not.toContain('S-6');
    const limited = h.service.freeSlots({ specialty: 'терапевт', ...today, limit: 2 });
    expect(limited).toMatchObject({ truncated: true, dataAsOf: null });
    expect(limited.slots).toHaveLength(2);
  });

  it('describes the catalog with sorted specialties, the horizon and the zone', () => {
    const h = setup();
    h.reader.asOf = NOW - 60_000;
    expect(h.service.catalog()).toMatchObject({ specialties: ['кардиолог', 'терапевт'], dataAsOf: NOW - 60_000, horizonDays: 14, timeZone: 'Europe/Moscow' });
    expect(h.service.catalog().doctors).toHaveLength(3);
  });

  it('a confirmed booking holds its slot while the cache may still say free, then the cache decides', async () => {
    const h = setup();
    h.service.create({ patientMisId: PATIENT, slotId: 'S-2', serviceId: 'SV-1' });
    await h.drain();
    h.clock.advance(CONFIRMED_HOLD_MS - 1);
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toEqual(['S-1', 'S-4']);
    expect(deskError(() => h.service.create({ patientMisId: OTHER_PATIENT, slotId: 'S-2', serviceId: 'SV-1' })).code).toBe('SLOT_TAKEN');
    h.clock.advance(1);
    // had the MIS freed it again since (cancelled by another channel), the desk would offer it
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toEqual(['S-1', 'S-2', 'S-4']);
    // the sync says the slot is booked: not offered, whatever the desk remembers
    h.reader.putSlot({ ...h.reader.slot('S-2')!, state: 'booked', patientMisId: PATIENT, appointmentId: 'A-100', serviceId: 'SV-1' });
    expect(freeIds(h, { doctorId: 'D-1', ...today })).toEqual(['S-1', 'S-4']);
  });
});

describe('BookingService.forCall: the wrap-up prefill', () => {
  it('booked with the category of the first booked service kind, if the wrap-up offers it', () => {
    const h = setup();
    expect(h.service.forCall('call-1')).toEqual({ prefill: null });
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1', callId: 'call-1' });
    h.service.create({ patientMisId: PATIENT, slotId: 'S-5', serviceId: 'SV-2', callId: 'call-1' });
    expect(h.service.forCall('call-1')).toEqual({ prefill: { outcome: 'booked', category: 'Запись по ОМС', kind: 'oms' } });
    h.service.create({ patientMisId: OTHER_PATIENT, slotId: 'S-2', serviceId: 'SV-3', callId: 'call-2' });
    h.settings.current = { ...h.settings.current, wrapUp: { ...h.settings.current.wrapUp, categories: ['Справочная информация (результаты, справки, цены)'] } };
    expect(h.service.forCall('call-2')).toEqual({ prefill: { outcome: 'booked', category: null, kind: 'checkup' } });
  });

  it('a booking cancelled or refused is not a booking', async () => {
    const h = setup();
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1', callId: 'call-1' });
    h.service.cancel({ visitId: 'desk:local-1', callId: 'call-1' });
    expect(h.service.forCall('call-1')).toEqual({ prefill: null });
    await h.drain();
    expect(h.service.forCall('call-1')).toEqual({ prefill: null });
    h.mis.next.push(slotTaken());
    h.service.create({ patientMisId: PATIENT, slotId: 'S-5', serviceId: 'SV-2', callId: 'call-3' });
    expect(h.service.forCall('call-3')).toEqual({ prefill: { outcome: 'booked', category: 'Запись на платные услуги', kind: 'paid' } });
    await h.drain();
    expect(h.service.forCall('call-3')).toEqual({ prefill: null });
  });
});

describe('logs', () => {
  it('carry kinds, states and counts, never patient ids, slots or names', async () => {
    const h = setup();
    h.cards.set(PATIENT, patientCard());
    h.service.create({ patientMisId: PATIENT, slotId: 'S-1', serviceId: 'SV-1', callId: 'call-1' });
    await h.drain();
    h.service.move({ visitId: 'desk:local-1', slotId: 'S-2' });
    h.service.cancel({ visitId: 'mis:A-1' });
    await h.drain();
    const text = JSON.stringify(h.logs);
    expect(h.logs.length).toBeGreaterThanOrEqual(5);
    for (const secret of [PATIENT, 'S-1', 'S-2', 'A-1', 'local-1', 'call-1', 'Смирнова']) expect(text).not.toContain(secret);
  });
});
