import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import type { Clock } from '../../../src-shared/time/clock';
import { DemoMis } from '../connectors/demo/demo-mis';
import { MisError, type MisCapability, type MisChangesPage, type MisConnector } from '../connectors/mis/mis-connector';
import { CacheRepository } from '../db/cache-repository';
import { randomKey, tempDatabasePath } from '../db/test-support';
import { ScheduleRepository } from '../schedule/schedule-repository';
import { ScriptedScheduleMis, testBranch, testCallTask, testDoctor, testService, testSlot } from '../schedule/test-support';
import { StatusService } from '../status/status-service';
import { PullSyncEngine, scheduleStreams, type CommittedPage, type PullTarget, type StatusReporter, type SyncProgress } from './pull-sync';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

function cache(path = tempDatabasePath('cache.db'), key = randomKey()): CacheRepository {
  const repo = CacheRepository.open({ path, key, cacheSizeMb: 8, now: () => 1_700_000_000_000 });
  cleanups.push(() => repo.close());
  return repo;
}

function clinic(patients = 300): DemoMis {
  const mis = new DemoMis({ patients, seed: 3 });
  cleanups.push(() => mis.close());
  return mis;
}

/** No waiting: sleeps end at once, yields too; time advances 10 ms per reading. */
function fakeClock() {
  let t = 0;
  const clock: Clock = { now: () => (t += 10), setTimeout: (fn) => (queueMicrotask(fn), 0), clearTimeout: () => {} };
  return { clock, yieldBetweenPages: async () => {}, random: () => 0.5 };
}

function quarantined(repo: CacheRepository): { reason: string; payload_excerpt: string }[] {
  return repo.connection.prepare<[], { reason: string; payload_excerpt: string }>('SELECT reason, payload_excerpt FROM quarantine ORDER BY id').all();
}

/** Every live card of the MIS equals its cached copy, and nothing else is cached. */
function expectReplica(repo: CacheRepository, mis: DemoMis, ids: Iterable<string>): void {
  let live = 0;
  for (const id of ids) {
    const truth = mis.peek(id);
    expect(repo.getCard(id)).toEqual(truth);
    if (truth) live += 1;
  }
  expect(repo.count()).toBe(live);
}

const ids = (from: number, count: number) => Array.from({ length: count }, (_, i) => String(1_000_000 + from + i));

/** A connector serving scripted pages (cursor = page number). */
function scripted(pages: Omit<MisChangesPage, 'nextCursor' | 'hasMore'>[]): MisConnector {
  const mis = clinic(1);
  return {
    manifest: mis.manifest,
    health: async () => ({ state: 'online', latencyMs: 0 }),
    changesSince: async (cursor) => {
      const index = cursor === null ? 0 : Number(cursor);
      const page = pages[index] ?? { cards: [], deletions: [], merges: [] };
      return { ...page, nextCursor: String(index + 1), hasMore: index + 1 < pages.length };
    },
    getCard: async () => null,
    findByPhone: async () => [],
    search: async () => [],
    submit: async () => ({ status: 'applied', ref: 'x' }),
  };
}

describe('PullSyncEngine: first sync and deltas', () => {
  it('fills an empty cache with the whole clinic, reporting counts, total and ETA for the progress bar', async () => {
    const mis = clinic(300);
    const repo = cache();
    const progress: SyncProgress[] = [];
    const engine = new PullSyncEngine({ connector: mis, target: repo, pageSize: 100, ...fakeClock(), onProgress: (p) => progress.push(p), etaWarmUpMs: 0 });
    const result = await engine.syncOnce();
    expect(result).toMatchObject({ pages: 3, inserted: 300, quarantined: 0 });
    expect(progress.map((p) => [p.applied, p.total, p.done])).toEqual([[100, 300, false], [200, 300, false], [300, 300, true]]);
    // The first page carries the start-up: no estimate from it alone.
    expect(progress[0]!.etaMs).toBeNull();
    expect(progress[1]!.etaMs).toBeGreaterThan(0);
    expect(progress[2]!.etaMs).toBe(0);
    expect(repo.getCursor('patients')).toBe(result.cursor);
    expectReplica(repo, mis, ids(0, 300));
    expect(engine.lastSyncedAt).not.toBeNull();
  });

  it('applies edits, new patients, cancellations, merges and deletions so the cache matches the MIS', async () => {
    const mis = clinic(400);
    const repo = cache();
    const engine = new PullSyncEngine({ connector: mis, target: repo, pageSize: 64, ...fakeClock() });
    await engine.syncOnce();
    const changes = mis.evolve(250);
    const edited = ids(0, 400).find((id) => mis.peek(id) !== null)!;
    mis.editPatient(edited, { givenName: 'Алёна' });
    const delta = await engine.syncOnce();
    expect(delta.inserted + delta.updated).toBeGreaterThan(0);
    expect(delta.deleted).toBe(changes.filter((c) => c.type === 'merge' || c.type === 'delete').length);
    expect(repo.getCard(edited)?.givenName).toBe('Алёна');
    expectReplica(repo, mis, ids(0, 400 + changes.filter((c) => c.type === 'new').length));
  });

  it('never lets an older version overwrite a newer cached card (MIS order wins, replays are harmless)', async () => {
    const base = clinic(1).peek('1000000')!;
    const v5 = { ...base, version: 5, surname: 'Новая' };
    const v3 = { ...base, version: 3, surname: 'Старая' };
    const repo = cache();
    await new PullSyncEngine({ connector: scripted([{ cards: [v5], deletions: [], merges: [] }, { cards: [v3], deletions: [], merges: [] }]), target: repo, ...fakeClock() }).syncOnce();
    expect(repo.getCard(base.misId)?.surname).toBe('Новая');
  });
});

describe('PullSyncEngine: a page and its cursor are one transaction', () => {
  it('a crash after the cards are written but before the cursor leaves neither the cards nor the cursor', async () => {
    const mis = clinic(300);
    const repo = cache();
    let pagesSeen = 0;
    const crashing: PullTarget = {
      transaction: (fn) => repo.transaction(fn),
      applyCards: (cards) => repo.applyCards(cards),
      deleteCards: (misIds) => {
        pagesSeen += 1;
        // page 2: its cards are already written inside the transaction when this throws
        if (pagesSeen === 2) throw new Error('simulated crash mid-page');
        return repo.deleteCards(misIds);
      },
      getCursor: (stream) => repo.getCursor(stream),
      setCursor: (stream, cursor) => repo.setCursor(stream, cursor),
      quarantine: (entry) => repo.quarantine(entry),
    };
    await expect(new PullSyncEngine({ connector: mis, target: crashing, pageSize: 100, ...fakeClock() }).syncOnce()).rejects.toThrow('simulated crash');
    expect(repo.getCursor('patients')).toBe('demo1:100');
    expect(repo.count()).toBe(100);
    expect(repo.getCard('1000150')).toBeNull();

    // Restart: resumes from the stored cursor and ends complete, nothing applied twice.
    const resumed = await new PullSyncEngine({ connector: mis, target: repo, pageSize: 100, ...fakeClock() }).syncOnce();
    expect(resumed).toMatchObject({ pages: 2, inserted: 200, skipped: 0 });
    expectReplica(repo, mis, ids(0, 300));
  });

  it('a failing cursor write rolls back the whole page too', async () => {
    const mis = clinic(50);
    const repo = cache();
    const target: PullTarget = Object.assign(Object.create(repo) as CacheRepository, {
      setCursor: () => {
        throw new Error('disk full');
      },
    });
    await expect(new PullSyncEngine({ connector: mis, target, ...fakeClock() }).syncOnce()).rejects.toThrow('disk full');
    expect(repo.count()).toBe(0);
    expect(repo.getCursor('patients')).toBeNull();
  });
});

describe('PullSyncEngine: malformed MIS payloads', () => {
  const good = () => clinic(1).peek('1000000')!;

  it('quarantines each bad card with a reason, applies the good ones, and moves on', async () => {
    const ok = good();
    const bad: unknown[] = [
      { ...ok, misId: 'B-1', version: 'two' },
      { misId: 'B-2', surname: 'Петров' },
      { ...ok, misId: 'B-3', surname: 'x'.repeat(10 * 1024 * 1024) },
      { ...ok, misId: 'B-4', surname: '<script>alert(1)</script>' },
      { ...ok, misId: 'B-5', birthDate: '1985-02-30' },
      null,
      'not a card',
    ];
    const repo = cache();
    const result = await new PullSyncEngine({ connector: scripted([{ cards: [ok, ...bad, { ...ok }], deletions: [], merges: [] }]), target: repo, ...fakeClock() }).syncOnce();
    expect(result).toMatchObject({ inserted: 1, skipped: 1, quarantined: bad.length });
    expect(repo.getCard(ok.misId)).toEqual(ok);
    expect(repo.count()).toBe(1);
    const rows = quarantined(repo);
    expect(rows.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^card B-1: version/),
      expect.stringMatching(/^card B-2: /),
      expect.stringMatching(/^card B-3: surname/),
      expect.stringMatching(/^card B-4: surname/),
      expect.stringMatching(/^card B-5: birthDate: is not a real calendar date/),
      expect.stringMatching(/^card without a valid misId: \(root\)/),
      expect.stringMatching(/^card without a valid misId/),
    ]);
    // The 10 MB string is not copied into the cache, and no reason echoes a value.
    expect(Math.max(...rows.map((r) => r.payload_excerpt.length))).toBeLessThanOrEqual(2_000);
    expect(rows.some((r) => r.reason.includes('<script>'))).toBe(false);
    expect(repo.getCursor('patients')).toBe('1');
    // Each row knows its card, so a deletion of that card in the MIS (or the retention purge) takes the row with it.
    expect(repo.connection.prepare('SELECT record_id FROM quarantine ORDER BY id').pluck().all()).toEqual(['B-1', 'B-2', 'B-3', 'B-4', 'B-5', null, null]);
    await new PullSyncEngine({ connector: scripted([{ cards: [], deletions: [], merges: [] }, { cards: [], deletions: ['B-2'], merges: [] }]), target: repo, ...fakeClock() }).syncOnce();
    expect(quarantined(repo).map((r) => r.reason)).not.toContainEqual(expect.stringMatching(/^card B-2: /));
    expect(quarantined(repo)).toHaveLength(bad.length - 1);
  });

  it('puts where a refused card came from (a spreadsheet row) before its reason, so the clinic can find it', async () => {
    const ok = good();
    const repo = cache();
    const page = { cards: [ok, { ...ok, misId: 'R-17', birthDate: '31.02.1990' }, { ...ok, misId: 'R-18', surname: '' }], deletions: [], merges: [], origins: [null, 'patients.csv line 17', 'patients.csv line 18'] };
    const result = await new PullSyncEngine({ connector: scripted([page]), target: repo, ...fakeClock() }).syncOnce();
    expect(result).toMatchObject({ inserted: 1, quarantined: 2 });
    expect(quarantined(repo).map((r) => r.reason)).toEqual([
      expect.stringMatching(/^patients\.csv line 17: card R-17: birthDate/),
      expect.stringMatching(/^patients\.csv line 18: card R-18: surname/),
    ]);
  });

  it('never crashes and never half-applies, whatever mix of junk and valid cards arrives (property)', async () => {
    const valid = good();
    const junk = fc.oneof(
      fc.anything(),
      fc.record({ misId: fc.string(), version: fc.anything(), surname: fc.string(), birthDate: fc.string() }),
      fc.constantFrom(...(Object.keys(valid) as (keyof PatientCard)[])).map((key) => {
        const broken: Record<string, unknown> = { ...valid, misId: 'JUNK' };
        delete broken[key];
        return broken;
      }),
    );
    const item = fc.oneof(
      fc.nat({ max: 999 }).map((n) => ({ valid: true, card: { ...valid, misId: `V-${n}` } as unknown })),
      junk.map((card) => ({ valid: false, card })),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(item, { maxLength: 20 }), async (items) => {
        const repo = cache();
        const result = await new PullSyncEngine({ connector: scripted([{ cards: items.map((i) => i.card), deletions: [], merges: [] }]), target: repo, ...fakeClock() }).syncOnce();
        const validIds = new Set(items.filter((i) => i.valid).map((i) => (i.card as PatientCard).misId));
        expect(repo.count()).toBe(validIds.size);
        expect(result.quarantined).toBe(items.filter((i) => !i.valid).length);
        expect(quarantined(repo)).toHaveLength(result.quarantined);
        expect(repo.getCursor('patients')).toBe('1');
        repo.close();
      }),
      { numRuns: 40 },
    );
  });
});

describe('PullSyncEngine: MIS outages', () => {
  it('backs off with growing, capped delays while the MIS is down, shows it offline, and resumes from the cursor', async () => {
    const mis = clinic(200);
    const repo = cache();
    const status = new StatusService(() => new Date(0));
    const reporter: StatusReporter = status;
    const delays: number[] = [];
    const seen: string[] = [];
    let finish!: (stopped: Promise<void>) => void;
    const finished = new Promise<void>((resolve) => (finish = (stopped) => void stopped.then(resolve)));
    const instant = fakeClock();
    const clock: Clock = {
      ...instant.clock,
      setTimeout: (fn, ms) => {
        delays.push(ms);
        seen.push(`${status.snapshot().mis.state}/${status.snapshot().sync.state}`);
        if (delays.length === 4) mis.setOffline(false);
        if (delays.length === 5) finish(engine.stop());
        queueMicrotask(fn);
        return 0;
      },
    };
    const engine: PullSyncEngine = new PullSyncEngine({ connector: mis, target: repo, pageSize: 50, pollIntervalMs: 15_000, backoff: { baseMs: 1_000, capMs: 4_000, jitter: 'equal' }, status: reporter, ...instant, clock });
    // First page lands, then the MIS goes away mid-sync.
    let calls = 0;
    const original = mis.changesSince.bind(mis);
    mis.changesSince = async (cursor, limit) => {
      if (++calls === 2) mis.setOffline(true);
      return original(cursor, limit);
    };
    engine.start();
    await finished;
    expect(delays).toEqual([750, 1_500, 3_000, 3_000, 15_000]);
    expect(seen.slice(0, 4)).toEqual(['offline/error', 'offline/error', 'offline/error', 'offline/error']);
    expect(seen[4]).toBe('online/idle');
    expect(status.snapshot().mis.detail).toBeNull();
    expect(repo.count()).toBe(200);
  });
});

describe('PullSyncEngine: sync does not block lookups', () => {
  it('a second connection on the same file sees each committed page while the sync is still running', async () => {
    const path = tempDatabasePath('cache.db');
    const key = randomKey();
    const writer = cache(path, key);
    const reader = cache(path, key);
    const visible: number[] = [];
    await new PullSyncEngine({
      connector: clinic(300),
      target: writer,
      pageSize: 100,
      ...fakeClock(),
      yieldBetweenPages: async () => void visible.push(reader.count()),
    }).syncOnce();
    expect(visible).toEqual([100, 200]);
    expect(reader.count()).toBe(300);
  });
});

describe('PullSyncEngine: the schedule streams', () => {
  // 22:30 UTC on 6 December is already 7 December in Moscow: the clinic's today, not the machine's.
  const NOW = Date.parse('2026-12-06T22:30:00Z');
  const settings = { horizonDays: 21, timeZone: 'Europe/Moscow' };

  function setup(capabilities: readonly MisCapability[] = ['changesSince', 'schedule', 'callLists'], target?: (repo: CacheRepository) => PullTarget) {
    const repo = cache();
    const mis = new ScriptedScheduleMis(capabilities);
    const schedule = ScheduleRepository.on(repo);
    const pages: CommittedPage[] = [];
    const resets: string[] = [];
    const engine = () =>
      new PullSyncEngine({
        connector: mis,
        target: target ? target(repo) : repo,
        streams: scheduleStreams({ connector: mis, schedule, settings: () => settings, now: () => NOW }),
        pageSize: 2,
        ...fakeClock(),
        onPage: (page) => pages.push(page),
        onCursorReset: (stream) => resets.push(stream),
      });
    return { repo, mis, schedule, pages, resets, engine };
  }

  it("pulls them after the patients, in dependency order, each from its own cursor, asking for the clinic's today and the horizon from the settings", async () => {
    const { repo, mis, schedule, engine } = setup();
    mis.replace('branches', [testBranch()]);
    mis.replace('doctors', [testDoctor('D-1'), testDoctor('D-2', { specialty: 'ЛОР' })]);
    mis.replace('services', [testService()]);
    mis.replace('slots', [testSlot('S-1', '2026-12-07T09:00:00+03:00'), testSlot('S-2', '2026-12-07T09:15:00+03:00'), testSlot('S-3', '2026-12-08T09:00:00+03:00', { doctorId: 'D-2' })]);
    mis.replace('call-tasks', [testCallTask('T-1')]);
    const result = await engine().syncOnce();
    expect(Object.keys(result.streams)).toEqual(['patients', 'schedule.branches', 'schedule.doctors', 'schedule.services', 'schedule.slots', 'schedule.call-tasks']);
    expect(result.streams['schedule.slots']).toMatchObject({ pages: 2, inserted: 3, cursor: '1:3' });
    expect(result).toMatchObject({ inserted: 8, cursor: 'p' });
    expect([...new Set(mis.requests.map((r) => r.stream))]).toEqual(['branches', 'doctors', 'services', 'slots', 'call-tasks']);
    expect(mis.requests.every((r) => r.options.today === '2026-12-07' && r.options.horizonDays === 21)).toBe(true);
    expect(repo.getCursor('schedule.slots')).toBe('1:3');
    expect(repo.getCursor('schedule.call-tasks')).toBe('1:1');
    expect(schedule.freeSlots({ specialty: 'ЛОР', fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 5 }).slots.map((s) => s.id)).toEqual(['S-3']);

    // The next run asks each stream after its stored cursor and gets only what changed.
    mis.push('slots', { record: testSlot('S-1', '2026-12-07T09:00:00+03:00', { version: 2, state: 'booked' }) }, { removed: 'S-2' });
    mis.requests.length = 0;
    const delta = await engine().syncOnce();
    expect(mis.requests.find((r) => r.stream === 'slots')?.cursor).toBe('1:3');
    expect(delta.streams['schedule.slots']).toMatchObject({ updated: 1, deleted: 1 });
    expect(schedule.doctorDay('D-1', 0, Number.MAX_SAFE_INTEGER).map((s) => [s.id, s.state])).toEqual([['S-1', 'booked']]);
  });

  it('runs only the streams the connector offers: none without streamChangesSince, the schedule with `schedule`, call tasks with `callLists`', async () => {
    const streams = (connector: MisConnector) => scheduleStreams({ connector, schedule: ScheduleRepository.on(cache()), settings: () => settings }).map((s) => s.name);
    expect(streams(new ScriptedScheduleMis(['changesSince', 'schedule']))).toEqual(['schedule.branches', 'schedule.doctors', 'schedule.services', 'schedule.slots']);
    expect(streams(new ScriptedScheduleMis(['changesSince', 'callLists']))).toEqual(['schedule.call-tasks']);
    expect(streams(new ScriptedScheduleMis(['changesSince']))).toEqual([]);
    const withoutStreams: MisConnector = Object.assign(new ScriptedScheduleMis(['changesSince', 'schedule', 'callLists']), { streamChangesSince: undefined });
    expect(streams(withoutStreams)).toEqual([]);
  });

  it('quarantines a bad schedule record under its stream, with field paths and never values, and applies the rest of the page', async () => {
    const { repo, mis, schedule, engine } = setup(['changesSince', 'schedule']);
    mis.replace('doctors', [testDoctor()]);
    mis.replace('slots', [
      testSlot('S-1', '2026-12-07T09:00:00+03:00'),
      { ...testSlot('S-2', '2026-12-07T09:15:00+03:00'), startsAt: '07.12.2026 9:15' },
      { ...testSlot('S-3', '2026-12-07T09:30:00+03:00'), patientMisId: '1000777' },
      { ...testSlot('S-4', '2026-12-07T09:45:00+03:00'), comment: 'Иванова, 1985 г.р.' },
      { id: 'x'.repeat(200), state: 'free' },
    ]);
    const result = await engine().syncOnce();
    expect(result.streams['schedule.slots']).toMatchObject({ inserted: 1, quarantined: 4 });
    const rows = repo.connection.prepare<[], { stream: string; reason: string }>('SELECT stream, reason FROM quarantine ORDER BY id').all();
    expect(rows.map((r) => r.stream)).toEqual(['schedule.slots', 'schedule.slots', 'schedule.slots', 'schedule.slots']);
    expect(rows.map((r) => r.reason)).toEqual([
      expect.stringMatching(/^slot S-2: startsAt: /),
      expect.stringMatching(/^slot S-3: patientMisId: only a booked slot names a patient/),
      expect.stringMatching(/^slot S-4: \(root\): /),
      expect.stringMatching(/^slot without a valid id: /),
    ]);
    expect(rows.some((r) => /07\.12\.2026|1000777|Иванова/.test(r.reason))).toBe(false);
    expect(schedule.slot('S-1')).not.toBeNull();
    expect(repo.getCursor('schedule.slots')).toBe('1:5');
  });

  it('a crash inside a schedule page leaves neither its records nor its cursor; the next run resumes from the stored one', async () => {
    let slotWrites = 0;
    const { repo, mis, schedule, engine } = setup(['changesSince', 'schedule']);
    mis.replace('doctors', [testDoctor()]);
    mis.replace('slots', ['S-1', 'S-2', 'S-3', 'S-4'].map((id, i) => testSlot(id, `2026-12-07T1${i}:00:00+03:00`)));
    const crashing = engine();
    const original = schedule.applyRecords.bind(schedule);
    schedule.applyRecords = ((stream, records) => {
      const result = original(stream, records);
      if (stream === 'slots' && ++slotWrites === 2) throw new Error('simulated crash mid-page');
      return result;
    }) as typeof schedule.applyRecords;
    await expect(crashing.syncOnce()).rejects.toThrow('simulated crash');
    expect(repo.getCursor('schedule.slots')).toBe('1:2');
    expect(schedule.doctorDay('D-1', 0, Number.MAX_SAFE_INTEGER).map((s) => s.id)).toEqual(['S-1', 'S-2']);
    schedule.applyRecords = original;
    const resumed = await engine().syncOnce();
    expect(resumed.streams['schedule.slots']).toMatchObject({ pages: 1, inserted: 2, skipped: 0 });
    expect(schedule.doctorDay('D-1', 0, Number.MAX_SAFE_INTEGER).map((s) => s.id)).toEqual(['S-1', 'S-2', 'S-3', 'S-4']);
  });

  it('a MIS that forgot the cursor gets the stream from the start, and what that pass does not carry is removed at its end', async () => {
    const { mis, schedule, resets, engine } = setup(['changesSince', 'schedule']);
    mis.replace('doctors', [testDoctor()]);
    const slots = ['S-1', 'S-2', 'S-3'].map((id, i) => testSlot(id, `2026-12-07T1${i}:00:00+03:00`));
    mis.replace('slots', slots);
    await engine().syncOnce();
    // While our cursor was forgotten, S-2 was removed from the schedule: no removal will say so.
    mis.forget();
    mis.replace('slots', [slots[0]!, slots[2]!]);
    const result = await engine().syncOnce();
    expect(resets).toEqual(['schedule.branches', 'schedule.doctors', 'schedule.services', 'schedule.slots']);
    expect(result.streams['schedule.slots']).toMatchObject({ skipped: 2, deleted: 1 });
    expect(schedule.doctorDay('D-1', 0, Number.MAX_SAFE_INTEGER).map((s) => s.id)).toEqual(['S-1', 'S-3']);
    expect(schedule.doctor('D-1')).not.toBeNull();
  });

  it('drops the slots of days gone by (clinic time) with each slots page', async () => {
    const { mis, schedule, engine } = setup(['changesSince', 'schedule']);
    mis.replace('doctors', [testDoctor()]);
    mis.replace('slots', [
      testSlot('S-yesterday', '2026-12-06T20:00:00+03:00', { state: 'booked' }),
      testSlot('S-today', '2026-12-07T00:00:00+03:00'),
      testSlot('S-tomorrow', '2026-12-08T09:00:00+03:00'),
    ]);
    const result = await engine().syncOnce();
    expect(result.streams['schedule.slots']).toMatchObject({ inserted: 3, deleted: 1 });
    expect(schedule.doctorDay('D-1', 0, Number.MAX_SAFE_INTEGER).map((s) => s.id)).toEqual(['S-today', 'S-tomorrow']);
  });

  it('one backoff for every stream: a failing schedule stream ends the run after the patients committed, and reports each page once committed', async () => {
    const { repo, mis, pages, engine } = setup(['changesSince', 'schedule']);
    mis.replace('doctors', [testDoctor(), testDoctor('D-2'), testDoctor('D-3')]);
    const run = engine();
    const original = mis.streamChangesSince;
    mis.streamChangesSince = async (stream, cursor, limit, options) => {
      if (stream === 'services') throw new MisError('unreachable', 'down');
      return original(stream, cursor, limit, options);
    };
    await expect(run.syncOnce()).rejects.toThrow('down');
    expect(repo.getCursor('patients')).toBe('p');
    expect(repo.getCursor('schedule.doctors')).toBe('1:3');
    expect(repo.getCursor('schedule.services')).toBeNull();
    expect(pages.map((p) => [p.stream, p.inserted, p.last])).toEqual([
      ['patients', 0, true],
      ['schedule.branches', 0, true],
      ['schedule.doctors', 2, false],
      ['schedule.doctors', 1, true],
    ]);
  });
});

describe('PullSyncEngine: a cursor the MIS no longer knows', () => {
  it('the patients stream starts over from the beginning (told once), and the replay changes nothing', async () => {
    const mis = clinic(120);
    const repo = cache();
    await new PullSyncEngine({ connector: mis, target: repo, pageSize: 50, ...fakeClock() }).syncOnce();
    const stored = repo.getCursor('patients');
    const original = mis.changesSince.bind(mis);
    const asked: (string | null)[] = [];
    mis.changesSince = async (cursor, limit) => {
      asked.push(cursor);
      if (cursor === stored) throw new MisError('rejected', 'unknown cursor');
      return original(cursor, limit);
    };
    const resets: string[] = [];
    const result = await new PullSyncEngine({ connector: mis, target: repo, pageSize: 50, ...fakeClock(), onCursorReset: (stream) => resets.push(stream) }).syncOnce();
    expect(resets).toEqual(['patients']);
    expect(asked[0]).toBe(stored);
    expect(asked[1]).toBeNull();
    expect(result).toMatchObject({ inserted: 0, updated: 0, skipped: 120 });
    expect(repo.count()).toBe(120);
  });
});
