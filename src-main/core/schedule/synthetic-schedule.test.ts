import { describe, expect, it } from 'vitest';
import { clinicDate } from '../../../src-shared/schedule/clinic-time';
import { SCHEDULE_RECORD_SCHEMAS } from '../../../src-shared/schedule/schedule-model';
import { syntheticSchedule } from './synthetic-schedule';

describe('syntheticSchedule', () => {
  it('is the same clinic for the same seed, every record valid, on the clinic clock', () => {
    const options = { doctors: 30, days: 3, today: '2026-03-07', timeZone: 'America/New_York', seed: 9 };
    const a = syntheticSchedule(options);
    expect(syntheticSchedule(options)).toEqual(a);
    expect(syntheticSchedule({ ...options, seed: 10 }).slots).not.toEqual(a.slots);
    for (const branch of a.branches) expect(SCHEDULE_RECORD_SCHEMAS.branches.parse(branch)).toEqual(branch);
    for (const doctor of a.doctors) expect(SCHEDULE_RECORD_SCHEMAS.doctors.parse(doctor)).toEqual(doctor);
    for (const service of a.services) expect(SCHEDULE_RECORD_SCHEMAS.services.parse(service)).toEqual(service);
    for (const slot of a.slots) expect(SCHEDULE_RECORD_SCHEMAS.slots.safeParse(slot).success).toBe(true);
    expect(new Set(a.slots.map((slot) => slot.id)).size).toBe(a.slots.length);
    // 8 March 2026 is the spring-forward day in New York: its slots still carry the right offset.
    const days = new Set(a.slots.map((slot) => clinicDate(slot.startsAt, options.timeZone)));
    expect([...days].sort()).toEqual(['2026-03-07', '2026-03-08', '2026-03-09']);
    expect(a.slots.some((slot) => slot.startsAt.startsWith('2026-03-08T09:00:00-04:00'))).toBe(true);
    expect(a.slots.some((slot) => slot.startsAt.startsWith('2026-03-07T09:00:00-05:00'))).toBe(true);
  });

  it('at the defaults: 200 doctors in 12 specialties, ≈250,000 slots over 14 days, ≈60% booked', () => {
    const schedule = syntheticSchedule({ today: '2026-12-07', timeZone: 'Europe/Moscow' });
    expect(schedule.doctors).toHaveLength(200);
    expect(new Set(schedule.doctors.map((doctor) => doctor.specialty)).size).toBe(12);
    expect(schedule.slots.length).toBeGreaterThan(240_000);
    expect(schedule.slots.length).toBeLessThan(260_000);
    const booked = schedule.slots.filter((slot) => slot.state === 'booked').length / schedule.slots.length;
    expect(booked).toBeGreaterThan(0.58);
    expect(booked).toBeLessThan(0.62);
  });
});
