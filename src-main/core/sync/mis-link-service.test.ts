import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName, EventPayload } from '../../../src-shared/ipc/contract';
import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/settings/settings-schema';
import { DatabaseKeySource } from '../cache/database-key';
import { PatientCacheService } from '../cache/patient-cache-service';
import { MisError, type MisCapability, type MisFullExport } from '../connectors/mis/mis-connector';
import { DatabaseError } from '../db/database-error';
import { EventBus } from '../events/event-bus';
import { JournalService } from '../journal/journal-service';
import { createLogger, type LogRecord } from '../log/logger';
import { ScheduleRepository } from '../schedule/schedule-repository';
import { ScriptedScheduleMis, testDoctor, testSlot } from '../schedule/test-support';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { StatusService } from '../status/status-service';
import { MisLinkService, SCHEDULE_AS_OF_REFRESH_MS } from './mis-link-service';

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const started = Date.now();
  while (!condition()) {
    if (Date.now() - started > timeoutMs) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

// 20:30 UTC on 6 December: still the 6th in Moscow (23:30), already the 7th in Yekaterinburg (01:30).
const NOW = Date.parse('2026-12-06T20:30:00Z');

function desk(options: { capabilities?: readonly MisCapability[]; settings?: Settings } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-link-'));
  const secrets = new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([]));
  const logs: LogRecord[] = [];
  const logger = createLogger([(record) => logs.push(record)]);
  const cache = new PatientCacheService({ dataDir, secrets, logger, cacheSizeMb: 8, integrityCheck: null });
  const events = new EventBus(logger);
  const status = new StatusService();
  const journal = new JournalService({ dataDir, keys: new DatabaseKeySource(secrets), logger, status, events });
  const mis = new ScriptedScheduleMis(options.capabilities ?? ['changesSince', 'schedule', 'callLists']);
  let now = NOW;
  const settings = options.settings ?? { ...DEFAULT_SETTINGS, schedule: { horizonDays: 7, timeZone: 'Asia/Yekaterinburg' } };
  const link = new MisLinkService({ connector: () => mis, cache, journal, logger, status, events, settings: () => settings, now: () => now, pollIntervalMs: 10 });
  const seen: { name: EventName; payload: unknown }[] = [];
  events.subscribe(<E extends EventName>(name: E, payload: EventPayload<E>) => void seen.push({ name, payload }));
  const scheduleEvents = () => seen.filter((event) => event.name === 'schedule:changed').map((event) => event.payload as EventPayload<'schedule:changed'>);
  const start = () => {
    cache.start();
    link.start();
    stops.push(async () => {
      await link.stop();
      await cache.stop();
    });
  };
  return { mis, cache, journal, status, link, logs, dataDir, scheduleEvents, start, advance: (ms: number) => (now += ms) };
}

describe('MisLinkService: the schedule', () => {
  it("syncs the schedule streams into the cache the desk reads, for the clinic's today and horizon from the settings, and announces it", async () => {
    const { mis, cache, scheduleEvents, start } = desk();
    mis.replace('doctors', [testDoctor('D-1')]);
    mis.replace('slots', [testSlot('S-1', '2026-12-07T09:00:00+05:00'), testSlot('S-2', '2026-12-07T09:15:00+05:00', { state: 'booked' })]);
    start();
    await waitFor(() => mis.requests.some((request) => request.stream === 'call-tasks') && scheduleEvents().length > 0);
    expect(mis.requests[0]!.options).toEqual({ today: '2026-12-07', horizonDays: 7 });
    const slots = cache.schedule.freeSlots({ specialty: 'терапевт', fromMs: 0, toMs: Number.MAX_SAFE_INTEGER, limit: 10 });
    expect(slots.slots.map((slot) => slot.id)).toEqual(['S-1']);
    // Told with the commit time of the page that changed the schedule (later quiet pages are not told).
    const told = scheduleEvents().at(-1)!.dataAsOf;
    expect(told).toEqual(expect.any(Number));
    expect(told).toBeLessThanOrEqual(cache.schedule.dataAsOf()!);
    expect(told).toBeGreaterThan(Date.now() - 60_000);
  });

  it('announces only what changed: quiet polls stay quiet, a change is told, and "data as of" is told again after a minute', async () => {
    const { mis, scheduleEvents, start, advance } = desk({ capabilities: ['changesSince', 'schedule'] });
    mis.replace('doctors', [testDoctor('D-1')]);
    start();
    await waitFor(() => scheduleEvents().length > 0);
    const polls = () => mis.requests.filter((request) => request.stream === 'slots').length;
    const after = polls();
    await waitFor(() => polls() >= after + 3);
    const quiet = scheduleEvents().length;
    // The first page ever, then the doctors' page: told at most twice, and never again while nothing changes.
    expect(quiet).toBeLessThanOrEqual(2);

    mis.push('slots', { record: testSlot('S-1', '2026-12-08T10:00:00+05:00') });
    await waitFor(() => scheduleEvents().length === quiet + 1);
    const changed = scheduleEvents().length;
    await waitFor(() => polls() >= after + 8);
    expect(scheduleEvents()).toHaveLength(changed);

    advance(SCHEDULE_AS_OF_REFRESH_MS);
    await waitFor(() => scheduleEvents().length === changed + 1);
  });

  it('a connector without the schedule runs only the patients stream and announces nothing about a schedule', async () => {
    const { mis, cache, scheduleEvents, start } = desk({ capabilities: ['changesSince'] });
    mis.replace('doctors', [testDoctor('D-1')]);
    start();
    await waitFor(() => cache.status().dataAsOf !== null);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(mis.requests).toEqual([]);
    expect(scheduleEvents()).toEqual([]);
    expect(cache.schedule.doctors()).toEqual([]);
  });

  it('a stream whose cursor the MIS forgot starts over, logged by stream name only', async () => {
    const { mis, cache, logs, start } = desk({ capabilities: ['changesSince', 'schedule'] });
    mis.replace('doctors', [testDoctor('D-1'), testDoctor('D-2', { name: 'Фёдорова Анна' })]);
    start();
    await waitFor(() => cache.schedule.doctors().length === 2);
    mis.forget();
    mis.replace('doctors', [testDoctor('D-1')]);
    await waitFor(() => cache.schedule.doctors().length === 1);
    const resets = logs.filter((record) => record.event === 'sync.cursor-expired');
    expect(resets.map((record) => record.context?.stream)).toEqual(expect.arrayContaining(['schedule.doctors']));
    expect(JSON.stringify(logs)).not.toContain('Фёдорова');
  });

  it('follows a replaced cache file: the fresh file gets the schedule from scratch, and the reader reads it', async () => {
    const { mis, cache, start } = desk({ capabilities: ['changesSince', 'schedule'] });
    mis.replace('doctors', [testDoctor('D-1')]);
    start();
    await waitFor(() => cache.schedule.doctors().length === 1);
    const before = cache.schedule;
    mis.requests.length = 0;
    cache.reportDamage(new DatabaseError('CORRUPT', 'cache', 'test damage', 'rebuild-cache'), 'query');
    await waitFor(() => cache.isOpen && cache.schedule !== before && cache.schedule.doctors().length === 1);
    expect(mis.requests.find((request) => request.stream === 'doctors')?.cursor).toBeNull();
    expect(new ScheduleRepository(cache.require().connection).doctor('D-1')).not.toBeNull();
  });
});

describe('MisLinkService: the MIS status', () => {
  it('a write the MIS accepted turns the MIS indicator back online while the pull sync still waits out its backoff', async () => {
    const d = desk();
    // The pull side keeps failing (its backoff is long); the outbox side goes through.
    d.mis.changesSince = async () => {
      throw new MisError('unreachable', 'down');
    };
    d.journal.start();
    stops.push(async () => d.journal.stop());
    d.start();
    await waitFor(() => d.status.snapshot().mis.state === 'offline');
    const { db, outbox } = d.journal.require('test');
    db.transaction(() => outbox.enqueue('wrapup', { localId: 'w-1' }))();
    d.link.wakeOutbox();
    await waitFor(() => d.status.snapshot().mis.state === 'online');
    expect(outbox.counts()).toEqual({ pending: 0, failed: 0 });
  });
});

describe('MisLinkService: a cache folder gone under the first sync', () => {
  it('says the sync cannot reach the cache and logs the code, instead of failing in the background, when the folder vanishes during the export', async () => {
    const d = desk();
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let closed = false;
    // A small clinic's export (under the bulk threshold): after it the pull engine opens its own connection.
    Object.assign(d.mis, {
      fullExport: async (): Promise<MisFullExport> => {
        await gate;
        return { cursor: 'c1', total: 10, next: async () => ({ cards: [], done: true }), close: async () => void (closed = true) };
      },
    });
    d.start();
    await waitFor(() => d.link.bulkLoading);
    rmSync(d.dataDir, { recursive: true, force: true });
    release();
    await waitFor(() => d.status.snapshot().sync.state === 'error');
    expect(closed).toBe(true);
    expect(d.status.snapshot().sync.detail).toBe('cacheUnavailable');
    expect(d.logs.find((record) => record.event === 'sync.engine-start-failed')?.context).toMatchObject({ code: 'CANNOT_OPEN' });
    // The phone side is untouched: the MIS indicator is whatever the MIS said, not an error of ours.
    expect(d.status.snapshot().mis.state).not.toBe('error');
  });
});
