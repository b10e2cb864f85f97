import { describe, expect, it } from 'vitest';
import { syntheticPatients } from '../../../demo/synthetic-patients';
import { ScheduleRepository } from '../../../schedule/schedule-repository';
import { scheduleCursorStream } from '../../../schedule/schedule-streams';
import { ScriptedScheduleMis, testDoctor, testSlot } from '../../../schedule/test-support';
import { PullSyncEngine, scheduleStreams } from '../../../sync/pull-sync';
import { CACHE_PAGE_SIZE, writeCacheSnapshot } from '../../cache-bulk-load';
import { CacheRepository } from '../../cache-repository';
import { patientRowValues } from '../../cache-rows';
import { openEncryptedDatabase } from '../../open-database';
import { randomKey, tempDatabasePath } from '../../test-support';
import { migrate } from '../migrate';
import { migration0004Schedule } from './0004-schedule';
import { CACHE_MIGRATIONS } from './index';

const SCHEDULE_TABLES = ['branches', 'doctors', 'mis_call_tasks', 'schedule_passes', 'services', 'slots'];

function cacheAt(version: number, path = tempDatabasePath('cache.db'), key = randomKey()) {
  const db = openEncryptedDatabase({ path, key, dbName: 'cache', durability: 'normal', cacheSizeMb: 2, pageSize: CACHE_PAGE_SIZE });
  migrate(db, CACHE_MIGRATIONS.slice(0, version), 'cache');
  return db;
}

const count = (db: ReturnType<typeof cacheAt>, table: string) => db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get();

describe('cache migration 0004-schedule', () => {
  it('is cache step 4', () => {
    expect(CACHE_MIGRATIONS[3]).toBe(migration0004Schedule);
    expect(CACHE_MIGRATIONS.map((m) => m.version).slice(0, 4)).toEqual([1, 2, 3, 4]);
  });

  it('adds STRICT schedule tables and their indexes to a cache that already holds cards, keeping them', () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const old = cacheAt(3, path, key);
    const cards = [...syntheticPatients({ count: 20, seed: 5 })];
    const insert = old.prepare('INSERT INTO patients (id, mis_id, version, name_key, birth_date, oms_policy, snils) VALUES (?, ?, ?, ?, ?, ?, ?)');
    cards.forEach((card, i) => insert.run(i + 1, ...patientRowValues(card).slice(0, 6)));
    old.prepare("INSERT INTO sync_cursors (stream, cursor, updated_at) VALUES ('patients', 'c-20', 1)").run();
    old.close();

    const repo = CacheRepository.open({ path, key, cacheSizeMb: 2 });
    const db = repo.connection;
    expect(db.pragma('user_version', { simple: true })).toBe(CACHE_MIGRATIONS.at(-1)!.version);
    expect(count(db, 'patients')).toBe(20);
    expect(repo.getCursor('patients')).toBe('c-20');
    const tables = db.prepare<[], { name: string; strict: number; wr: number }>("SELECT name, strict, wr FROM pragma_table_list WHERE schema = 'main' ORDER BY name").all();
    for (const table of SCHEDULE_TABLES) expect(tables.find((t) => t.name === table)).toMatchObject({ strict: 1, wr: 1 });
    const indexes = db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name IN ('slots', 'mis_call_tasks') AND sql IS NOT NULL ORDER BY name").pluck().all();
    expect(indexes).toEqual(['mis_call_tasks_due', 'slots_booked', 'slots_doctor', 'slots_free', 'slots_free_branch', 'slots_starts_at']);
    repo.close();
  });

  it('refuses rows that break the constraints', () => {
    const db = cacheAt(4);
    const slot = db.prepare(
      'INSERT INTO slots (id, version, doctor_id, starts_at, starts_at_iso, duration_min, state, patient_mis_id, appointment_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    slot.run('S-1', 1, 'D-1', 1, '2026-12-07T09:00:00+03:00', 15, 'booked', '1000001', 'A-1');
    expect(() => slot.run('S-1', 1, 'D-1', 1, 'x', 15, 'free', null, null)).toThrow(/UNIQUE|PRIMARY KEY/);
    expect(() => slot.run('S-2', 1, 'D-1', 1, 'x', 15, 'taken', null, null)).toThrow(/CHECK/);
    expect(() => slot.run('S-3', 1, 'D-1', 1, 'x', 15, 'free', '1000001', null)).toThrow(/CHECK/);
    expect(() => slot.run('S-4', 1, 'D-1', 1, 'x', 4, 'free', null, null)).toThrow(/CHECK/);
    expect(() => slot.run('S-5', -1, 'D-1', 1, 'x', 15, 'free', null, null)).toThrow(/CHECK/);
    expect(() => slot.run('S-6', 1, 'D-1', '2026-12-07', 'x', 15, 'free', null, null)).toThrow(/cannot store TEXT value in INTEGER column/);
    expect(() => slot.run('', 1, 'D-1', 1, 'x', 15, 'free', null, null)).toThrow(/CHECK/);
    const task = db.prepare("INSERT INTO mis_call_tasks (id, version, list, patient_mis_id, reason, due_date) VALUES (?, 1, ?, '1000001', 'r', ?)");
    task.run('T-1', 'recall', '2026-12-07');
    expect(() => task.run('T-2', 'confirm-tomorrow', '2026-12-07')).toThrow(/CHECK/);
    expect(() => task.run('T-3', 'results', '7.12.2026')).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO services (id, version, name, specialty, duration_min, kind) VALUES ('SV', 1, 'n', 's', 15, 'free')").run()).toThrow(/CHECK/);
    expect(() => db.prepare("INSERT INTO schedule_passes (stream, pass, sweep) VALUES ('patients', 1, 0)").run()).toThrow(/CHECK/);
    db.close();
  });
});

describe('a bulk-loaded cache file and the schedule', () => {
  it('has the schedule tables, empty, and no schedule cursor; the next sync pulls every schedule stream from the start', async () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const repo = CacheRepository.open({ path, key, cacheSizeMb: 8 });
    const mis = new ScriptedScheduleMis(['changesSince', 'schedule', 'callLists']);
    mis.replace('doctors', [testDoctor('D-1')]);
    mis.replace('slots', [testSlot('S-1', '2099-01-05T09:00:00+03:00'), testSlot('S-2', '2099-01-05T09:15:00+03:00')]);
    const engine = () =>
      new PullSyncEngine({
        connector: mis,
        target: repo,
        streams: scheduleStreams({ connector: mis, schedule: ScheduleRepository.on(repo), settings: () => ({ horizonDays: 14, timeZone: 'Europe/Moscow' }) }),
        yieldBetweenPages: async () => {},
      });
    await engine().syncOnce();
    expect(repo.getCursor(scheduleCursorStream('slots'))).toBe('1:2');
    expect(ScheduleRepository.on(repo).slot('S-1')).not.toBeNull();

    // A first sync (or a rebuild) writes a new file of cards and swaps it in.
    repo.bulkLoad(syntheticPatients({ count: 30, seed: 2 }), { cursor: { stream: 'patients', cursor: 'c-30' } });
    const db = repo.connection;
    for (const table of SCHEDULE_TABLES) expect(count(db, table)).toBe(0);
    expect(db.prepare<[], string>('SELECT stream FROM sync_cursors').pluck().all()).toEqual(['patients']);
    const schedule = ScheduleRepository.on(repo);
    expect(schedule.dataAsOf()).toBeNull();

    mis.requests.length = 0;
    await engine().syncOnce();
    const firstAsk = (stream: string) => mis.requests.find((request) => request.stream === stream)?.cursor;
    for (const stream of ['branches', 'doctors', 'services', 'slots', 'call-tasks']) expect(firstAsk(stream)).toBeNull();
    expect(schedule.doctorDay('D-1', 0, Number.MAX_SAFE_INTEGER).map((slot) => slot.id)).toEqual(['S-1', 'S-2']);
    expect(repo.count()).toBe(30);
    repo.close();
  });

  it('refuses to carry a schedule cursor: the snapshot holds cards only', () => {
    const path = tempDatabasePath('cache.db');
    expect(() => writeCacheSnapshot({ path, key: randomKey(), cards: [], cursor: { stream: scheduleCursorStream('slots'), cursor: '1:2' } })).toThrow(/cards only/);
  });
});
