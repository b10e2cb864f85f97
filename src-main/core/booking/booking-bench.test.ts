import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { benchBooking, benchScheduleReader } from './booking-bench';

describe('benchBooking', () => {
  it('times BookingService.create on a real encrypted journal against a schedule, and cleans up after itself', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-booking-bench-'));
    const result = benchBooking({ dataDir, reader: benchScheduleReader({ slots: 60 }), iterations: 40 });
    expect(result.samples).toBe(40);
    expect(result.p50Ms).toBeGreaterThan(0);
    expect(result.p95Ms).toBeGreaterThanOrEqual(result.p50Ms);
    expect(existsSync(join(dataDir, 'booking-bench-journal.db'))).toBe(false);
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('times as many bookings as the schedule has free slots for', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-booking-bench-'));
    expect(benchBooking({ dataDir, reader: benchScheduleReader({ slots: 12 }), iterations: 40, warmUp: 2 }).samples).toBe(10);
  });
});
