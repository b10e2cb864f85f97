import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Service, Slot } from '../../../src-shared/schedule/schedule-model';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { openJournalDatabase } from '../journal/open-journal';
import type { Logger } from '../log/logger';
import type { ScheduleReader } from '../schedule/schedule-reader';
import { Outbox } from '../sync/outbox';
import { OutboxSettleRegistry } from '../sync/outbox-settle';
import { BookingService } from './booking-service';
import { MemoryScheduleReader } from './memory-schedule-reader';

export interface BookingBenchOptions {
  /** A folder for the bench's own encrypted journal (`booking-bench-journal.db`, removed afterwards). */
  dataDir: string;
  /** The cached schedule to book from (cache.db's repository; {@link benchScheduleReader} without one). */
  reader: ScheduleReader;
  /** Bookings timed; each takes its own free slot (fewer when the schedule has fewer free slots with a service). */
  iterations: number;
  /** Untimed bookings first, so cold code and statements do not count (default 5). */
  warmUp?: number;
}

export interface BookingBenchResult {
  p50Ms: number;
  p95Ms: number;
  /** How many bookings were timed. */
  samples: number;
}

const silent: Logger = { debug() {}, info() {}, warn() {}, error() {} };
const HORIZON_MS = 62 * 86_400_000;

/**
 * "Book in cache to the outbox row": `BookingService.create` — the slot and service read from
 * the cached schedule, the held-slot check, the `bookings` row and its `booking.create` outbox
 * item in one transaction on a real encrypted journal.db (`synchronous=FULL`), and the visit
 * listed back — timed per booking.
 */
export function benchBooking(options: BookingBenchOptions): BookingBenchResult {
  const { reader } = options;
  const warmUp = Math.max(0, options.warmUp ?? 5);
  const path = join(options.dataDir, 'booking-bench-journal.db');
  removeDatabase(path);
  const db = openJournalDatabase({ path, key: randomBytes(32) });
  try {
    const outbox = new Outbox(db);
    const registry = new OutboxSettleRegistry();
    const stores = { db, outbox };
    const service = new BookingService({
      journal: { stores, require: () => stores },
      cache: { getCard: () => null, schedule: reader },
      link: { wakeOutbox: () => {}, onSettled: (prefix, handler) => registry.on(prefix, handler) },
      events: { emit: () => true },
      settings: () => DEFAULT_SETTINGS,
      logger: silent,
    });
    // A service of each specialty, and free slots of those specialties until there are enough.
    const bySpecialty = new Map<string, Omit<Service, 'version'>>();
    for (const s of reader.services()) if (!bySpecialty.has(s.specialty)) bySpecialty.set(s.specialty, s);
    const now = Date.now();
    const wanted = options.iterations + warmUp;
    const picks: { slotId: string; serviceId: string }[] = [];
    for (const [specialty, svc] of bySpecialty) {
      if (picks.length >= wanted) break;
      const found = reader.freeSlots({ specialty, fromMs: now + 60_000, toMs: now + HORIZON_MS, limit: wanted - picks.length });
      for (const slot of found.slots) picks.push({ slotId: slot.id, serviceId: svc.id });
    }
    const times: number[] = [];
    picks.forEach(({ slotId, serviceId }, i) => {
      const started = performance.now();
      service.create({ patientMisId: `BENCH-${i % 200}`, slotId, serviceId, callId: null });
      if (i >= warmUp) times.push(performance.now() - started);
    });
    service.dispose();
    times.sort((a, b) => a - b);
    return { p50Ms: round(percentile(times, 0.5)), p95Ms: round(percentile(times, 0.95)), samples: times.length };
  } finally {
    db.close();
    removeDatabase(path);
  }
}

/**
 * A made-up schedule in memory for running the bench without a cache.db: one specialty, `doctors`
 * doctors, `slots` free 20-minute slots from an hour after `now` on.
 */
export function benchScheduleReader(options: { slots: number; doctors?: number; now?: number }): ScheduleReader {
  const now = options.now ?? Date.now();
  const doctorCount = Math.max(1, options.doctors ?? 10);
  const doctors = Array.from({ length: doctorCount }, (_, i) => ({ id: `BD-${i}`, name: `Врач ${i}`, specialty: 'терапевт', branchId: 'BB-1', room: String(100 + i) }));
  const start = Math.ceil((now + 3_600_000) / 1_200_000) * 1_200_000;
  const slots: Omit<Slot, 'version'>[] = Array.from({ length: options.slots }, (_, i) => ({
    id: `BS-${i}`,
    doctorId: `BD-${i % doctorCount}`,
    startsAt: new Date(start + Math.floor(i / doctorCount) * 1_200_000).toISOString(),
    durationMin: 20,
    state: 'free',
    patientMisId: null,
    appointmentId: null,
    serviceId: null,
  }));
  return new MemoryScheduleReader({
    branches: [{ id: 'BB-1', name: 'Филиал', address: 'ул. Ленина, 1' }],
    doctors,
    services: [{ id: 'BSV-1', name: 'Приём терапевта', specialty: 'терапевт', durationMin: 20, kind: 'oms', priceRub: null, prepare: null }],
    slots,
  });
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function removeDatabase(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${path}${suffix}`, { force: true });
}
