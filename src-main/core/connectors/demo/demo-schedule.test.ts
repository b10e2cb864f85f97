import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, clinicIso, weekday } from '../../../../src-shared/schedule/clinic-time';
import { SCHEDULE_RECORD_SCHEMAS, SCHEDULE_STREAMS, type MisCallTask, type ScheduleStream, type Slot } from '../../../../src-shared/schedule/schedule-model';
import { ManualClock } from '../../../../src-shared/time/manual-clock';
import { MisError, type MisStreamOptions, type MisStreamPage } from '../mis/mis-connector';
import { DemoSchedule, type DemoScheduleOptions } from './demo-schedule';

/** Monday 7 December 2026, 9:00 in Moscow. */
const MONDAY_9AM = Date.parse('2026-12-07T06:00:00Z');
const TODAY = '2026-12-07';
const TOMORROW = '2026-12-08';
const HORIZON: MisStreamOptions = { today: TODAY, horizonDays: 14 };

const opened: DemoSchedule[] = [];
afterEach(() => {
  for (const schedule of opened.splice(0)) schedule.close();
});

function schedule(options: DemoScheduleOptions = {}): DemoSchedule {
  const s = new DemoSchedule({ patients: 20_000, clock: new ManualClock(MONDAY_9AM), ...options });
  opened.push(s);
  return s;
}

function tempFile(): string {
  return join(mkdtempSync(join(tmpdir(), 'rg-schedule-')), 'schedule.db');
}

function drain(s: DemoSchedule, stream: ScheduleStream, cursor: string | null, options = HORIZON, limit = 1_000) {
  const pages: MisStreamPage[] = [];
  for (;;) {
    const page = s.streamChangesSince(stream, cursor, limit, options);
    pages.push(page);
    cursor = page.nextCursor;
    if (!page.hasMore) {
      return { records: pages.flatMap((p) => p.records), removed: pages.flatMap((p) => p.removed), cursor, pages };
    }
  }
}

const slotsOf = (records: unknown[]) => records as Slot[];
const isAfternoon = (slot: Slot) => slot.startsAt.slice(11, 16) >= '14:00';

function serviceOf(s: DemoSchedule, slot: Slot): string {
  const specialty = s.doctors().find((d) => d.id === slot.doctorId)!.specialty;
  return s.services().find((service) => service.specialty === specialty)!.id;
}

function bookingCreate(s: DemoSchedule, slot: Slot, localId = 'L1', patientMisId = '1000005') {
  return {
    idempotencyKey: `key-${localId}`,
    kind: 'booking.create',
    payload: { localId, patientMisId, slotId: slot.id, doctorId: slot.doctorId, serviceId: serviceOf(s, slot), startsAt: slot.startsAt, callId: null },
  };
}

const known = { patientKnown: () => true };

function rejectionOf(fn: () => unknown): string | null {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MisError);
    expect((error as MisError).kind).toBe('rejected');
    return (error as MisError).rejection;
  }
  throw new Error('expected a rejection');
}

describe('DemoSchedule catalog', () => {
  it('has two branches, forty doctors of twelve specialties (therapists and pediatricians the most) and priced services', () => {
    const s = schedule();
    expect(s.branches().map((b) => b.name)).toEqual(['Поликлиника на Ленинском', 'Филиал в Митино']);
    const doctors = s.doctors();
    expect(doctors).toHaveLength(40);
    const perSpecialty = new Map<string, number>();
    for (const d of doctors) perSpecialty.set(d.specialty, (perSpecialty.get(d.specialty) ?? 0) + 1);
    expect([...perSpecialty.keys()].sort()).toEqual(['ЛОР', 'УЗИ', 'ЭКГ', 'анализы', 'гинеколог', 'кардиолог', 'невролог', 'офтальмолог', 'педиатр', 'терапевт', 'хирург', 'эндокринолог'].sort());
    const others = [...perSpecialty].filter(([name]) => name !== 'терапевт' && name !== 'педиатр').map(([, n]) => n);
    expect(perSpecialty.get('терапевт')!).toBeGreaterThan(Math.max(...others));
    expect(perSpecialty.get('педиатр')!).toBeGreaterThan(Math.max(...others));
    expect(new Set(doctors.map((d) => d.name)).size).toBe(40);
    for (const d of doctors) expect(d.room).toMatch(/^каб\. \d{3}$/);
    const services = s.services();
    for (const specialty of perSpecialty.keys()) {
      const own = services.filter((service) => service.specialty === specialty);
      expect(own.length, specialty).toBeGreaterThanOrEqual(2);
      expect(own.some((service) => service.kind === 'oms')).toBe(true);
      expect(new Set(own.map((service) => service.durationMin)).size).toBe(1);
    }
    for (const service of services) {
      expect(service.priceRub === null, service.id).toBe(service.kind === 'oms');
      expect(service.prepare).toBeTruthy();
    }
    expect(new Set(services.map((service) => service.kind))).toEqual(new Set(['oms', 'dms', 'paid', 'checkup']));
  });

  it('a full sync of every stream is valid against the schedule model, and a 14-day horizon has 7,852 slots', () => {
    const s = schedule();
    for (const stream of SCHEDULE_STREAMS) {
      const { records, removed } = drain(s, stream, null, HORIZON, 333);
      expect(removed).toEqual([]);
      expect(records.length, stream).toBeGreaterThan(0);
      for (const record of records) {
        const parsed = SCHEDULE_RECORD_SCHEMAS[stream].safeParse(record);
        expect(parsed.success, `${stream}: ${JSON.stringify(record)} ${parsed.error?.message}`).toBe(true);
      }
      expect(new Set(records.map((r) => (r as { id: string }).id)).size).toBe(records.length);
    }
    const slots = slotsOf(drain(s, 'slots', null).records);
    const days = Array.from({ length: 14 }, (_, i) => addDays(TODAY, i));
    expect(slots.length).toBe(days.reduce((sum, day) => sum + s.daySlots(day).length, 0));
    expect(slots.length).toBe(7_852);
    expect(new Set(slots.map((slot) => slot.startsAt.slice(0, 10)))).toEqual(new Set(days));
    expect(slots[0]!.id).toMatch(/^d\d{2}@\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
    // A base-booked slot names a base-population patient and an appointment.
    for (const slot of slots.filter((x) => x.state === 'booked')) {
      expect(Number(slot.patientMisId) - 1_000_000).toBeLessThan(20_000);
      expect(slot.appointmentId).toBe(`ab-${slot.id}`);
    }
  });

  it('is the same schedule for the same seed and opening day, and another for another seed', () => {
    const a = drain(schedule({ seed: 3 }), 'slots', null).records;
    const b = drain(schedule({ seed: 3 }), 'slots', null).records;
    const c = drain(schedule({ seed: 4 }), 'slots', null).records;
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(schedule({ seed: 3 }).callTasks(TODAY)).toEqual(schedule({ seed: 3 }).callTasks(TODAY));
  });

  it('mornings and nearer days are fuller, and tomorrow a therapist has free afternoon slots whatever the day', () => {
    const s = schedule();
    const share = (slots: Slot[]) => slots.filter((slot) => slot.state === 'booked').length / slots.length;
    const tomorrow = s.daySlots(TOMORROW);
    const inTwoWeeks = s.daySlots(addDays(TODAY, 14));
    expect(share(tomorrow.filter((x) => !isAfternoon(x)))).toBeGreaterThan(0.65);
    expect(share(tomorrow.filter((x) => !isAfternoon(x)))).toBeLessThan(0.85);
    expect(share(tomorrow.filter(isAfternoon))).toBeLessThan(share(tomorrow.filter((x) => !isAfternoon(x))));
    expect(share(inTwoWeeks)).toBeGreaterThan(0.15);
    expect(share(inTwoWeeks)).toBeLessThan(0.4);
    expect(tomorrow.some((x) => x.state === 'blocked')).toBe(true);
    // Opened on any day of the week, the next day has free therapist afternoons.
    for (let offset = 0; offset < 7; offset++) {
      const opened = schedule({ clock: new ManualClock(MONDAY_9AM + offset * 86_400_000) });
      const next = addDays(opened.anchorDate, 1);
      const therapists = new Set(opened.doctors().filter((d) => d.specialty === 'терапевт').map((d) => d.id));
      const free = opened.daySlots(next).filter((x) => therapists.has(x.doctorId) && isAfternoon(x) && x.state === 'free');
      expect(free.length, `opened on weekday ${weekday(opened.anchorDate)}`).toBeGreaterThan(3);
    }
  });

  it('keeps every slot on the clinic clock: startsAt is clinicIso of its wall time, in any zone', () => {
    for (const timeZone of ['Europe/Moscow', 'Asia/Yekaterinburg', 'Europe/Berlin']) {
      const s = schedule({ timeZone });
      // 28 March 2027: Berlin moves its clocks at 2:00 (a Sunday), 1 November 2026 has no change.
      for (const day of ['2027-03-28', '2027-03-29', TOMORROW]) {
        for (const slot of s.daySlots(day)) {
          const [hh, mm] = slot.id.slice(-5).split(':').map(Number) as [number, number];
          expect(slot.startsAt).toBe(clinicIso(day, hh * 60 + mm, timeZone));
        }
      }
    }
    expect(schedule({ timeZone: 'Asia/Yekaterinburg' }).daySlots(TOMORROW)[0]!.startsAt).toMatch(/\+05:00$/);
  });
});

describe('DemoSchedule bookings', () => {
  it('a free slot is taken once: a second booking of it is slot-taken, a blocked one slot-gone, an unknown one slot-gone', () => {
    const s = schedule();
    const slots = s.daySlots(TOMORROW);
    const free = slots.find((x) => x.state === 'free')!;
    const first = s.write(bookingCreate(s, free, 'L1'), 'L1', 1, known);
    expect(first).toMatchObject({ status: 'applied', appointmentId: expect.stringMatching(/^ap-[0-9a-f]{8}-\d+$/) });
    expect(s.slot(free.id)).toMatchObject({ state: 'booked', patientMisId: '1000005', appointmentId: first.appointmentId, version: 2 });
    expect(rejectionOf(() => s.write(bookingCreate(s, free, 'L2'), 'L2', 2, known))).toBe('slot-taken');
    const blocked = slots.find((x) => x.state === 'blocked')!;
    expect(rejectionOf(() => s.write(bookingCreate(s, blocked, 'L3'), 'L3', 3, known))).toBe('slot-gone');
    const gone = { ...free, id: 'd01@2026-12-08T03:00' };
    expect(rejectionOf(() => s.write(bookingCreate(s, gone, 'L4'), 'L4', 4, known))).toBe('slot-gone');
    const other = slots.filter((x) => x.state === 'free')[1]!;
    expect(rejectionOf(() => s.write(bookingCreate(s, other, 'L5'), 'L5', 5, { patientKnown: () => false }))).toBe('patient-unknown');
    expect(s.slot(other.id)!.state).toBe('free');
    expect(s.ledgerEntries('booking.create').map((e) => e.localId)).toEqual(['L1']);
  });

  it('takeSlot books a free slot for the front desk, once', () => {
    const s = schedule();
    const free = s.daySlots(TOMORROW).find((x) => x.state === 'free')!;
    expect(s.takeSlot(free.id)).toBe(true);
    expect(s.slot(free.id)).toMatchObject({ state: 'booked', version: 2, appointmentId: expect.stringMatching(/^ap-/) });
    expect(s.takeSlot(free.id)).toBe(false);
    expect(s.takeSlot('d99@2026-12-08T09:00')).toBe(false);
  });

  it('two schedules on one file share it: exactly one of two bookings of a slot applies, and the other sees it taken', () => {
    const file = tempFile();
    const a = schedule({ path: file });
    const b = schedule({ path: file });
    const free = a.daySlots(TOMORROW).find((x) => x.state === 'free')!;
    const outcomes = [a, b].map((s, i) => {
      try {
        return s.write(bookingCreate(s, free, `L${i}`), `L${i}`, 1, known).status;
      } catch (error) {
        return (error as MisError).rejection;
      }
    });
    expect(outcomes).toEqual(['applied', 'slot-taken']);
    expect(b.slot(free.id)).toEqual(a.slot(free.id));
    expect(b.takeSlot(free.id)).toBe(false);
    const next = a.daySlots(TOMORROW).filter((x) => x.state === 'free')[1]!;
    expect(b.takeSlot(next.id)).toBe(true);
    expect(a.slot(next.id)!.state).toBe('booked');
  });

  it('the other channels book free future slots on the clock and cancel others’ visits, never a desk’s', () => {
    const clock = new ManualClock(MONDAY_9AM);
    const s = schedule({ clock });
    const deskSlot = s.daySlots(TOMORROW).find((x) => x.state === 'free')!;
    const desk = s.write(bookingCreate(s, deskSlot, 'desk'), 'desk', 1, known);
    const { cursor } = drain(s, 'slots', null);
    s.startOtherChannels(1_000);
    clock.advance(400_000);
    s.stopOtherChannels();
    const changed = slotsOf(drain(s, 'slots', cursor).records);
    expect(changed.length).toBeGreaterThan(300);
    expect(changed.some((x) => x.state === 'free')).toBe(true);
    for (const slot of changed) expect(Date.parse(slot.startsAt)).toBeGreaterThan(MONDAY_9AM);
    expect(s.slot(deskSlot.id)).toMatchObject({ state: 'booked', appointmentId: desk.appointmentId });
    // Same seed, same moves.
    const twin = schedule({ clock: new ManualClock(MONDAY_9AM) });
    const moves = Array.from({ length: 50 }, () => twin.otherChannelsTick());
    const again = schedule({ clock: new ManualClock(MONDAY_9AM) });
    expect(Array.from({ length: 50 }, () => again.otherChannelsTick())).toEqual(moves);
  });
});

describe('DemoSchedule streams', () => {
  it('pages resume from any cursor, also after the file is reopened, to the same records as one page', () => {
    const file = tempFile();
    const whole = drain(schedule(), 'slots', null, HORIZON, 100_000);
    expect(whole.pages).toHaveLength(1);
    const first = schedule({ path: file });
    const page1 = first.streamChangesSince('slots', null, 700, HORIZON);
    expect(page1.hasMore).toBe(true);
    expect(page1.total).toBe(whole.records.length);
    first.close();
    const reopened = schedule({ path: file });
    const rest = drain(reopened, 'slots', page1.nextCursor, HORIZON, 900);
    expect(rest.pages[0]!.total).toBe(whole.records.length - 700);
    expect([...page1.records, ...rest.records]).toEqual(whole.records);
    expect(drain(reopened, 'slots', rest.cursor).records).toEqual([]);
  });

  it('refuses a cursor of another schedule, of another stream or garbage (the core then syncs from the start)', () => {
    const s = schedule();
    const { cursor } = drain(s, 'slots', null);
    const other = schedule();
    expect(rejectionOrKind(() => other.streamChangesSince('slots', cursor, 100, HORIZON))).toBe('rejected');
    expect(rejectionOrKind(() => s.streamChangesSince('doctors', cursor, 100, HORIZON))).toBe('rejected');
    expect(rejectionOrKind(() => s.streamChangesSince('slots', 'demo1:42', 100, HORIZON))).toBe('rejected');
    expect(rejectionOrKind(() => s.streamChangesSince('slots', cursor!.replace(/\.sl\.\d+\./, '.sl.999.'), 100, HORIZON))).toBe('rejected');
    expect(rejectionOrKind(() => s.streamChangesSince('slots', null, 100, { today: '2026-02-30', horizonDays: 14 }))).toBe('rejected');
  });

  it('a delta after the cursor has only the changed slots, each with a higher version', () => {
    const s = schedule();
    const { cursor } = drain(s, 'slots', null);
    expect(drain(s, 'slots', cursor).records).toEqual([]);
    const [a, b] = s.daySlots(TOMORROW).filter((x) => x.state === 'free');
    s.takeSlot(a!.id);
    s.takeSlot(b!.id);
    const outside = s.daySlots(addDays(TODAY, 20)).find((x) => x.state === 'free')!;
    s.takeSlot(outside.id);
    const delta = drain(s, 'slots', cursor, HORIZON, 1);
    expect(slotsOf(delta.records).map((x) => [x.id, x.state, x.version])).toEqual([
      [a!.id, 'booked', 2],
      [b!.id, 'booked', 2],
    ]);
    expect(delta.pages).toHaveLength(2);
    expect(drain(s, 'slots', delta.cursor).records).toEqual([]);
  });

  it('a change made while a first sync pages comes in the next delta', () => {
    const s = schedule();
    const page1 = s.streamChangesSince('slots', null, 50, HORIZON);
    const early = slotsOf(page1.records).find((x) => x.state === 'free')!;
    s.takeSlot(early.id);
    const rest = drain(s, 'slots', page1.nextCursor);
    expect(slotsOf(rest.records).some((x) => x.id === early.id)).toBe(false);
    expect(slotsOf(drain(s, 'slots', rest.cursor).records)).toEqual([expect.objectContaining({ id: early.id, state: 'booked', version: 2 })]);
  });

  it('moves with the clinic day: the next sync brings the day that entered the horizon, and the changes', () => {
    const s = schedule();
    const { cursor } = drain(s, 'slots', null);
    const free = s.daySlots(TOMORROW).find((x) => x.state === 'free')!;
    s.takeSlot(free.id);
    const nextDay = { today: TOMORROW, horizonDays: 14 };
    const delta = slotsOf(drain(s, 'slots', cursor, nextDay, 200).records);
    const entered = s.daySlots(addDays(TODAY, 14));
    expect(delta.map((x) => x.id).sort()).toEqual([...entered.map((x) => x.id), free.id].sort());
    // A longer horizon brings the days it adds.
    const longer = slotsOf(drain(s, 'slots', cursor, { today: TODAY, horizonDays: 16 }).records);
    expect(new Set(longer.filter((x) => x.id !== free.id).map((x) => x.startsAt.slice(0, 10)))).toEqual(new Set([addDays(TODAY, 14), addDays(TODAY, 15)]));
  });

  it('call tasks: ~30 recalls and ~20 results due today; an outcome closes one; a new day replaces the list', () => {
    const s = schedule();
    const { records, cursor } = drain(s, 'call-tasks', null, HORIZON, 7);
    const tasks = records as MisCallTask[];
    const recalls = tasks.filter((t) => t.list === 'recall');
    const results = tasks.filter((t) => t.list === 'results');
    expect(recalls.length).toBeGreaterThanOrEqual(28);
    expect(recalls.length).toBeLessThanOrEqual(32);
    expect(results.length).toBeGreaterThanOrEqual(18);
    expect(results.length).toBeLessThanOrEqual(22);
    for (const task of tasks) expect(task.dueDate).toBe(TODAY);
    for (const task of recalls) expect(task.reason).toBe(`повторный приём ${task.specialty === 'ЛОР' ? 'у ЛОР-врача' : `у ${task.specialty}а`}`);
    expect(new Set(tasks.map((t) => t.patientMisId)).size).toBe(tasks.length);
    const closed = recalls[3]!;
    const outcome = (taskId: string, key: string, result = 'booked') => ({
      idempotencyKey: key,
      kind: 'call-list.outcome',
      payload: { localId: key, listId: `recall:${TODAY}`, taskId, patientMisId: closed.patientMisId, outcome: result, attempts: 1, appointmentId: null, at: '2026-12-07T09:10:00+03:00' },
    });
    s.write(outcome(`recall:${TODAY}/${closed.id}`, 'o1'), 'o1', 1, known);
    s.write(outcome(recalls[4]!.id, 'o2', 'noAnswer'), 'o2', 2, known);
    s.write(outcome(`recall:${TODAY}/xrc-${TODAY}-05`, 'o3'), 'o3', 3, known);
    expect(s.callOutcomes().map((o) => [o.taskId, o.closedTask])).toEqual([
      [`recall:${TODAY}/${closed.id}`, closed.id],
      [recalls[4]!.id, null],
      [`recall:${TODAY}/xrc-${TODAY}-05`, null],
    ]);
    const delta = drain(s, 'call-tasks', cursor);
    expect(delta).toMatchObject({ records: [], removed: [closed.id] });
    expect(s.callTasks(TODAY)).toHaveLength(tasks.length - 1);
    const tomorrow = drain(s, 'call-tasks', delta.cursor, { today: TOMORROW, horizonDays: 14 });
    expect(tomorrow.removed.sort()).toEqual(tasks.map((t) => t.id).sort());
    expect((tomorrow.records as MisCallTask[]).every((t) => t.dueDate === TOMORROW)).toBe(true);
  });

  it('the catalog streams come whole on the first sync and are empty afterwards', () => {
    const s = schedule();
    for (const stream of ['branches', 'doctors', 'services'] as const) {
      const first = drain(s, stream, null, HORIZON, 5);
      expect(first.records.length).toBeGreaterThan(1);
      expect(drain(s, stream, first.cursor).records).toEqual([]);
    }
  });
});

function rejectionOrKind(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(MisError);
    return (error as MisError).kind;
  }
  return 'no error';
}
