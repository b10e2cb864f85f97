import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { clinicInstant, clinicIso, hhmmToMinutes } from '../../../src-shared/schedule/clinic-time';
import type { Slot } from '../../../src-shared/schedule/schedule-model';
import { PatientCacheService } from '../cache/patient-cache-service';
import { CacheRepository } from '../db/cache-repository';
import { DatabaseError } from '../db/database-error';
import { randomKey, tempDatabasePath } from '../db/test-support';
import { silentLogger } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { SLOT_QUERIES, ScheduleRepository } from './schedule-repository';
import { scheduleCursorStream } from './schedule-streams';
import { testBranch, testCallTask, testDoctor, testService, testSlot } from './test-support';

const TZ = 'Europe/Moscow';
const at = (date: string, time: string) => clinicIso(date, hhmmToMinutes(time), TZ);
const ms = (date: string, time = '00:00') => clinicInstant(date, hhmmToMinutes(time), TZ);
const withoutVersion = <T extends { version: number }>({ version: _version, ...rest }: T) => rest;

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function open(path = tempDatabasePath('cache.db'), key = randomKey()) {
  let now = 1_700_000_000_000;
  const cache = CacheRepository.open({ path, key, cacheSizeMb: 8, now: () => now });
  cleanups.push(() => cache.close());
  return { cache, schedule: ScheduleRepository.on(cache), path, key, setNow: (t: number) => (now = t) };
}

/** Two branches, three doctors (two therapists in different branches, one cardiologist). */
function clinic() {
  const opened = open();
  const { schedule } = opened;
  schedule.applyRecords('branches', [testBranch('B-1'), testBranch('B-2', { name: 'Северный филиал' })]);
  schedule.applyRecords('doctors', [
    testDoctor('D-1'),
    testDoctor('D-2', { name: 'Иванов Пётр', branchId: 'B-2' }),
    testDoctor('D-3', { name: 'Кузнецова Анна', specialty: 'кардиолог' }),
  ]);
  return opened;
}

function plan(cache: CacheRepository, sql: string, params: Record<string, unknown>): string {
  return cache.connection
    .prepare<[Record<string, unknown>], { detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(params)
    .map((row) => row.detail)
    .join('\n');
}

describe('ScheduleRepository: writes', () => {
  it('stores every stream and reads each record back as the MIS sent it, without its version', () => {
    const { schedule } = open();
    const branch = testBranch();
    const doctor = testDoctor();
    const service = testService('SV-1', { kind: 'paid', priceRub: 2_500, prepare: null });
    const slot = testSlot('S-1', at('2026-12-07', '09:30'), { state: 'booked', serviceId: 'SV-1' });
    const task = testCallTask('T-1');
    expect(schedule.applyRecords('branches', [branch])).toEqual({ inserted: 1, updated: 0, skipped: 0 });
    schedule.applyRecords('doctors', [doctor]);
    schedule.applyRecords('services', [service]);
    schedule.applyRecords('slots', [slot]);
    schedule.applyRecords('call-tasks', [task]);
    expect(schedule.branches()).toEqual([withoutVersion(branch)]);
    expect(schedule.branch('B-1')).toEqual(withoutVersion(branch));
    expect(schedule.doctors()).toEqual([withoutVersion(doctor)]);
    expect(schedule.doctor('D-1')).toEqual(withoutVersion(doctor));
    expect(schedule.services()).toEqual([withoutVersion(service)]);
    expect(schedule.service('SV-1')).toEqual(withoutVersion(service));
    expect(schedule.slot('S-1')).toEqual(withoutVersion(slot));
    expect(schedule.callTasks('recall', '2026-12-07')).toEqual([withoutVersion(task)]);
    expect([schedule.branch('nope'), schedule.doctor('nope'), schedule.service('nope'), schedule.slot('nope')]).toEqual([null, null, null, null]);
  });

  it('never lets a lower or equal version overwrite the cached one; a higher one replaces it', () => {
    const { schedule } = clinic();
    const startsAt = at('2026-12-07', '10:00');
    schedule.applyRecords('slots', [testSlot('S-1', startsAt, { version: 5 })]);
    expect(schedule.applyRecords('slots', [testSlot('S-1', startsAt, { version: 3, state: 'blocked' }), testSlot('S-1', startsAt, { version: 5, state: 'blocked' })])).toEqual({
      inserted: 0,
      updated: 0,
      skipped: 2,
    });
    expect(schedule.slot('S-1')?.state).toBe('free');
    expect(schedule.applyRecords('slots', [testSlot('S-1', startsAt, { version: 6, state: 'booked' })])).toEqual({ inserted: 0, updated: 1, skipped: 0 });
    expect(schedule.slot('S-1')).toMatchObject({ state: 'booked', patientMisId: '1000001' });
    expect(schedule.doctor('D-1')?.name).toBe('Смирнова Ольга Петровна');
    schedule.applyRecords('doctors', [testDoctor('D-1', { version: 1, name: 'Другая' })]);
    expect(schedule.doctor('D-1')?.name).toBe('Смирнова Ольга Петровна');
  });

  it("copies a doctor's specialty and branch into their slots, and follows the doctor when either changes", () => {
    const { schedule } = clinic();
    const window = { fromMs: ms('2026-12-07'), toMs: ms('2026-12-08'), limit: 10 };
    schedule.applyRecords('slots', [testSlot('S-1', at('2026-12-07', '09:00')), testSlot('S-2', at('2026-12-07', '09:15'))]);
    const ids = (query: Parameters<ScheduleRepository['freeSlots']>[0]) => schedule.freeSlots(query).slots.map((slot) => slot.id);
    expect(ids({ ...window, specialty: 'терапевт' })).toEqual(['S-1', 'S-2']);
    expect(ids({ ...window, specialty: 'терапевт', branchId: 'B-1' })).toEqual(['S-1', 'S-2']);

    // The doctor moves to the other branch and becomes a cardiologist: their slots follow.
    schedule.applyRecords('doctors', [testDoctor('D-1', { version: 2, specialty: 'кардиолог', branchId: 'B-2' })]);
    expect(ids({ ...window, specialty: 'терапевт' })).toEqual([]);
    expect(ids({ ...window, specialty: 'кардиолог', branchId: 'B-1' })).toEqual([]);
    expect(ids({ ...window, specialty: 'кардиолог', branchId: 'B-2' })).toEqual(['S-1', 'S-2']);
  });

  it('a slot whose doctor is not cached is kept but never offered, until the doctor arrives; a removed doctor\u2019s slots stop being offered', () => {
    const { schedule } = clinic();
    const window = { fromMs: ms('2026-12-07'), toMs: ms('2026-12-08'), limit: 10 };
    schedule.applyRecords('slots', [testSlot('S-9', at('2026-12-07', '11:00'), { doctorId: 'D-9' })]);
    expect(schedule.freeSlots({ ...window, specialty: 'невролог' }).slots).toEqual([]);
    expect(schedule.freeSlots({ ...window, doctorId: 'D-9' }).slots).toEqual([]);
    expect(schedule.doctorDay('D-9', window.fromMs, window.toMs).map((slot) => slot.id)).toEqual(['S-9']);

    schedule.applyRecords('doctors', [testDoctor('D-9', { specialty: 'невролог' })]);
    expect(schedule.freeSlots({ ...window, specialty: 'невролог' }).slots.map((slot) => slot.id)).toEqual(['S-9']);
    expect(schedule.freeSlots({ ...window, doctorId: 'D-9' }).slots.map((slot) => slot.id)).toEqual(['S-9']);

    expect(schedule.removeRecords('doctors', ['D-9', 'never-there'])).toBe(1);
    expect(schedule.freeSlots({ ...window, specialty: 'невролог' }).slots).toEqual([]);
    expect(schedule.freeSlots({ ...window, doctorId: 'D-9' }).slots).toEqual([]);
  });

  it('removes records of every stream by id and says how many were cached', () => {
    const { schedule } = clinic();
    schedule.applyRecords('services', [testService('SV-1'), testService('SV-2')]);
    schedule.applyRecords('slots', [testSlot('S-1', at('2026-12-07', '09:00'))]);
    schedule.applyRecords('call-tasks', [testCallTask('T-1')]);
    expect(schedule.removeRecords('services', ['SV-2', 'SV-3'])).toBe(1);
    expect(schedule.removeRecords('slots', ['S-1'])).toBe(1);
    expect(schedule.removeRecords('call-tasks', ['T-1'])).toBe(1);
    expect(schedule.removeRecords('branches', ['B-2'])).toBe(1);
    expect(schedule.services().map((s) => s.id)).toEqual(['SV-1']);
    expect(schedule.slot('S-1')).toBeNull();
    expect(schedule.callTasks('recall', '2030-01-01')).toEqual([]);
    expect(schedule.branches().map((b) => b.id)).toEqual(['B-1']);
  });

  it('prunePast drops the slots that start before the given instant, and only those', () => {
    const { schedule } = clinic();
    schedule.applyRecords('slots', [
      testSlot('S-old', at('2026-12-06', '19:45'), { state: 'booked' }),
      testSlot('S-today', at('2026-12-07', '08:00')),
      testSlot('S-later', at('2026-12-08', '08:00')),
    ]);
    expect(schedule.prunePast(ms('2026-12-07'))).toBe(1);
    expect(schedule.prunePast(ms('2026-12-07'))).toBe(0);
    expect(schedule.doctorDay('D-1', ms('2026-12-01'), ms('2026-12-31')).map((slot) => slot.id)).toEqual(['S-today', 'S-later']);
  });
});

describe('ScheduleRepository: a pass from the start replaces the stream', () => {
  it('removes at its end what the pass did not carry (also records it only skipped), and survives a restart half-way', () => {
    const { schedule, cache, path, key } = clinic();
    const slots = ['S-1', 'S-2', 'S-3'].map((id, i) => testSlot(id, at('2026-12-07', `09:${String(i * 15).padStart(2, '0')}`), { version: 2 }));
    schedule.applyRecords('slots', slots);
    // The MIS forgot our cursor: it sends S-1 (same version: skipped), then, after a restart, S-2 anew.
    schedule.startPass('slots');
    expect(schedule.applyRecords('slots', [slots[0]!])).toEqual({ inserted: 0, updated: 0, skipped: 1 });
    cache.close();
    const reopened = open(path, key);
    reopened.schedule.applyRecords('slots', [{ ...slots[1]!, version: 3 }]);
    expect(reopened.schedule.finishPass('slots')).toBe(1);
    expect(reopened.schedule.slot('S-3')).toBeNull();
    expect(reopened.schedule.doctorDay('D-1', ms('2026-12-07'), ms('2026-12-08')).map((slot) => slot.id)).toEqual(['S-1', 'S-2']);
    // Delta pages after it remove nothing.
    reopened.schedule.applyRecords('slots', [testSlot('S-4', at('2026-12-07', '10:00'))]);
    expect(reopened.schedule.finishPass('slots')).toBe(0);
    expect(reopened.schedule.slot('S-4')).not.toBeNull();
  });

  it('a pass from the start over an empty stream removes nothing; a doctor swept away stops being offered', () => {
    const { schedule } = open();
    schedule.startPass('doctors');
    schedule.applyRecords('doctors', [testDoctor('D-1')]);
    expect(schedule.finishPass('doctors')).toBe(0);
    schedule.applyRecords('slots', [testSlot('S-1', at('2026-12-07', '09:00'))]);
    schedule.startPass('doctors');
    expect(schedule.finishPass('doctors')).toBe(1);
    expect(schedule.freeSlots({ specialty: 'терапевт', fromMs: ms('2026-12-07'), toMs: ms('2026-12-08'), limit: 5 }).slots).toEqual([]);
  });
});

describe('ScheduleRepository: reads', () => {
  it('free slots: only free ones, in [from, to), earliest first, without the excluded, at most limit (truncated says so)', () => {
    const { schedule } = clinic();
    schedule.applyRecords('slots', [
      testSlot('S-late', at('2026-12-07', '12:00')),
      testSlot('S-early', at('2026-12-07', '09:00')),
      testSlot('S-booked', at('2026-12-07', '09:30'), { state: 'booked' }),
      testSlot('S-blocked', at('2026-12-07', '09:45'), { state: 'blocked' }),
      testSlot('S-held', at('2026-12-07', '10:00')),
      testSlot('S-other', at('2026-12-07', '10:30'), { doctorId: 'D-2' }),
      testSlot('S-cardio', at('2026-12-07', '10:45'), { doctorId: 'D-3' }),
      testSlot('S-edge', at('2026-12-08', '00:00')),
    ]);
    const day = { fromMs: ms('2026-12-07'), toMs: ms('2026-12-08') };
    const ids = (query: Parameters<ScheduleRepository['freeSlots']>[0]) => {
      const result = schedule.freeSlots(query);
      return [result.slots.map((slot) => slot.id), result.truncated];
    };
    expect(ids({ ...day, specialty: 'терапевт', limit: 10 })).toEqual([['S-early', 'S-held', 'S-other', 'S-late'], false]);
    expect(ids({ ...day, specialty: 'терапевт', limit: 10, exclude: new Set(['S-held']) })).toEqual([['S-early', 'S-other', 'S-late'], false]);
    expect(ids({ ...day, specialty: 'терапевт', limit: 2 })).toEqual([['S-early', 'S-held'], true]);
    expect(ids({ ...day, specialty: 'терапевт', limit: 2, exclude: new Set(['S-held']) })).toEqual([['S-early', 'S-other'], true]);
    expect(ids({ ...day, specialty: 'терапевт', limit: 4 })).toEqual([['S-early', 'S-held', 'S-other', 'S-late'], false]);
    expect(ids({ ...day, specialty: 'терапевт', branchId: 'B-2', limit: 10 })).toEqual([['S-other'], false]);
    expect(ids({ ...day, doctorId: 'D-1', limit: 10 })).toEqual([['S-early', 'S-held', 'S-late'], false]);
    expect(ids({ ...day, doctorId: 'D-1', specialty: 'кардиолог', limit: 10 })).toEqual([[], false]);
    expect(ids({ ...day, doctorId: 'D-1', branchId: 'B-2', limit: 10 })).toEqual([[], false]);
    expect(ids({ ...day, doctorId: 'D-1', specialty: 'терапевт', branchId: 'B-1', limit: 1 })).toEqual([['S-early'], true]);
    expect(ids({ fromMs: ms('2026-12-07', '10:00'), toMs: ms('2026-12-07', '12:00'), specialty: 'терапевт', limit: 10 })).toEqual([['S-held', 'S-other'], false]);
    expect(() => schedule.freeSlots({ ...day, limit: 10 })).toThrow(RangeError);
  });

  it("a doctor's day lists every state in time order; booked slots list only those naming a patient", () => {
    const { schedule } = clinic();
    schedule.applyRecords('slots', [
      testSlot('S-3', at('2026-12-08', '09:30'), { state: 'booked' }),
      testSlot('S-1', at('2026-12-08', '09:00'), { state: 'blocked' }),
      testSlot('S-2', at('2026-12-08', '09:15')),
      testSlot('S-4', at('2026-12-08', '09:45'), { state: 'booked', patientMisId: null }),
      testSlot('S-5', at('2026-12-08', '10:00'), { state: 'booked', doctorId: 'D-3', patientMisId: '1000002' }),
      testSlot('S-6', at('2026-12-09', '10:00'), { state: 'booked' }),
    ]);
    const tomorrow = [ms('2026-12-08'), ms('2026-12-09')] as const;
    expect(schedule.doctorDay('D-1', ...tomorrow).map((slot) => [slot.id, slot.state])).toEqual([
      ['S-1', 'blocked'],
      ['S-2', 'free'],
      ['S-3', 'booked'],
      ['S-4', 'booked'],
    ]);
    expect(schedule.bookedSlots(...tomorrow).map((slot) => [slot.id, slot.patientMisId])).toEqual([
      ['S-3', '1000001'],
      ['S-5', '1000002'],
    ]);
  });

  it('call tasks: one list, due on or before the date, earliest due first', () => {
    const { schedule } = open();
    schedule.applyRecords('call-tasks', [
      testCallTask('T-2', { dueDate: '2026-12-05' }),
      testCallTask('T-1', { dueDate: '2026-12-07' }),
      testCallTask('T-3', { dueDate: '2026-12-08' }),
      testCallTask('T-4', { dueDate: '2026-12-01', list: 'results', specialty: null, reason: 'готовы анализы' }),
    ]);
    expect(schedule.callTasks('recall', '2026-12-07').map((task) => task.id)).toEqual(['T-2', 'T-1']);
    expect(schedule.callTasks('results', '2026-12-07')).toEqual([{ id: 'T-4', list: 'results', patientMisId: '1000001', reason: 'готовы анализы', dueDate: '2026-12-01', specialty: null }]);
  });

  it('"data as of" is the newest commit of a schedule stream, whatever the patients stream did', () => {
    const { cache, schedule, setNow } = open();
    expect(schedule.dataAsOf()).toBeNull();
    setNow(5_000);
    cache.setCursor('patients', 'p1');
    expect(schedule.dataAsOf()).toBeNull();
    setNow(2_000);
    cache.setCursor(scheduleCursorStream('slots'), 's1');
    setNow(3_000);
    cache.setCursor(scheduleCursorStream('doctors'), 'd1');
    expect(schedule.dataAsOf()).toBe(3_000);
  });

  it('the free-slot search equals a plain filter and sort of the slots, whatever the schedule (property)', () => {
    const doctors = [testDoctor('D-1'), testDoctor('D-2', { branchId: 'B-2' }), testDoctor('D-3', { specialty: 'ЛОР' })];
    const base = ms('2026-12-07');
    const { schedule, cache } = open();
    schedule.applyRecords('doctors', doctors);
    const slotArb = fc.record({
      doctor: fc.integer({ min: 0, max: 3 }),
      minute: fc.integer({ min: 0, max: 3 * 24 * 60 - 1 }),
      state: fc.constantFrom('free', 'free', 'booked', 'blocked'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(slotArb, { maxLength: 60, selector: (s) => `${s.doctor}:${s.minute}` }),
        fc.record({ from: fc.integer({ min: 0, max: 3 * 24 * 60 }), span: fc.integer({ min: 0, max: 3 * 24 * 60 }), limit: fc.integer({ min: 1, max: 20 }), by: fc.integer({ min: 0, max: 3 }) }),
        (drawn, query) => {
          cache.connection.exec('DELETE FROM slots');
          const slots: Slot[] = drawn.map((s, i) =>
            testSlot(`S-${i}`, new Date(base + s.minute * 60_000).toISOString(), { doctorId: `D-${s.doctor + 1}`, state: s.state as Slot['state'] }),
          );
          schedule.applyRecords('slots', slots);
          const fromMs = base + query.from * 60_000;
          const toMs = fromMs + query.span * 60_000;
          const filter =
            query.by === 0
              ? { specialty: 'терапевт' }
              : query.by === 1
                ? { specialty: 'терапевт', branchId: 'B-2' }
                : query.by === 2
                  ? { doctorId: 'D-3' }
                  : { doctorId: 'D-4' };
          const expected = slots
            .filter((slot) => {
              const doctor = doctors.find((d) => d.id === slot.doctorId);
              const t = Date.parse(slot.startsAt);
              if (!doctor || slot.state !== 'free' || t < fromMs || t >= toMs) return false;
              if ('doctorId' in filter) return doctor.id === filter.doctorId;
              return doctor.specialty === filter.specialty && (filter.branchId === undefined || doctor.branchId === filter.branchId);
            })
            .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt) || (a.id < b.id ? -1 : 1))
            .map((slot) => slot.id);
          const result = schedule.freeSlots({ ...filter, fromMs, toMs, limit: query.limit });
          expect(result.slots.map((slot) => slot.id)).toEqual(expected.slice(0, query.limit));
          expect(result.truncated).toBe(expected.length > query.limit);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('ScheduleRepository: every hot query is one index search', () => {
  const params = { specialty: 'терапевт', branch: 'B-1', doctor: 'D-1', from: 0, to: 1, limit: 500, id: 'S-1' };

  it.each([
    ['freeOfSpecialty', /^SEARCH slots USING INDEX slots_free \(specialty=\? AND starts_at>\? AND starts_at<\?\)$/],
    ['freeOfSpecialtyInBranch', /^SEARCH slots USING INDEX slots_free_branch \(branch_id=\? AND specialty=\? AND starts_at>\? AND starts_at<\?\)$/],
    ['freeOfDoctor', /^SEARCH slots USING INDEX slots_doctor \(doctor_id=\? AND starts_at>\? AND starts_at<\?\)$/],
    ['doctorDay', /^SEARCH slots USING INDEX slots_doctor \(doctor_id=\? AND starts_at>\? AND starts_at<\?\)$/],
    ['booked', /^SEARCH slots USING INDEX slots_booked \(starts_at>\? AND starts_at<\?\)$/],
    ['byId', /^SEARCH slots USING PRIMARY KEY \(id=\?\)$/],
  ] as const)('%s: no scan and no sort, on a file holding a schedule', (name, expected) => {
    const { cache, schedule } = clinic();
    schedule.applyRecords('slots', Array.from({ length: 200 }, (_, i) => testSlot(`S-${i}`, new Date(ms('2026-12-07') + i * 600_000).toISOString(), { doctorId: `D-${(i % 3) + 1}` })));
    const sql = SLOT_QUERIES[name];
    const used = Object.fromEntries(Object.entries(params).filter(([key]) => sql.includes(`@${key}`)));
    const detail = plan(cache, sql, used);
    expect(detail).toMatch(expected);
    expect(detail).not.toMatch(/SCAN|TEMP B-TREE/);
  });

  it('the writes and the maintenance queries are index searches too', () => {
    const { cache } = clinic();
    const db = cache.connection;
    const explain = (sql: string, ...args: unknown[]) =>
      db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all(...args)
        .map((row) => (row as { detail: string }).detail)
        .join('\n');
    expect(explain('UPDATE slots SET specialty = ?, branch_id = ? WHERE doctor_id = ? AND (specialty IS NOT ? OR branch_id IS NOT ?)', 'a', 'b', 'D-1', 'a', 'b')).toMatch(
      /^SEARCH slots USING INDEX slots_doctor \(doctor_id=\?\)$/,
    );
    expect(explain('DELETE FROM slots WHERE starts_at < ?', 0)).toMatch(/^SEARCH slots USING (COVERING )?INDEX slots_starts_at \(starts_at<\?\)$/);
    expect(explain('SELECT id FROM mis_call_tasks WHERE list = ? AND due_date <= ? ORDER BY due_date, id', 'recall', '2026-12-07')).toMatch(
      /^SEARCH mis_call_tasks USING COVERING INDEX mis_call_tasks_due \(list=\? AND due_date<\?\)$/,
    );
  });
});

describe('PatientCacheService.schedule', () => {
  function service() {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-schedule-'));
    const cache = new PatientCacheService({ dataDir, secrets: new KeyFileSecretStore(join(dataDir, 'secrets'), silentLogger), logger: silentLogger, cacheSizeMb: 8, integrityCheck: null });
    cleanups.push(() => void cache.stop());
    return cache;
  }

  it('reads the schedule on the cache connection, and says CACHE_UNAVAILABLE with no cache open', async () => {
    const cache = service();
    expect(() => cache.schedule).toThrow(DeskError);
    try {
      void cache.schedule;
    } catch (error) {
      expect((error as DeskError).code).toBe('CACHE_UNAVAILABLE');
    }
    cache.start();
    new ScheduleRepository(cache.require().connection).applyRecords('doctors', [testDoctor()]);
    expect(cache.schedule.doctors().map((d) => d.id)).toEqual(['D-1']);
    expect(cache.schedule).toBe(cache.schedule);
    await cache.stop();
    expect(() => cache.schedule).toThrow(DeskError);
  });

  it('a replaced (damaged) cache file gets a reader on the new file', async () => {
    const cache = service();
    cache.start();
    new ScheduleRepository(cache.require().connection).applyRecords('doctors', [testDoctor()]);
    const before = cache.schedule;
    let replaced!: () => void;
    const done = new Promise<void>((resolve) => (replaced = resolve));
    cache.onReplaced(() => replaced());
    cache.reportDamage(new DatabaseError('CORRUPT', 'cache', 'test damage', 'rebuild-cache'), 'query');
    await done;
    expect(cache.schedule).not.toBe(before);
    expect(cache.schedule.doctors()).toEqual([]);
  });
});
