import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import Database from 'better-sqlite3-multiple-ciphers';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FreeSlotsQuerySchema } from '../../../../src-shared/booking/booking-contract';
import type { PatientCard } from '../../../../src-shared/patients/patient-card';
import { seededRandom } from '../../../../src-shared/random/seeded-random';
import { addDays, clinicInstant } from '../../../../src-shared/schedule/clinic-time';
import type { ScheduleStream } from '../../../../src-shared/schedule/schedule-model';
import { syntheticPatient, syntheticPatients } from '../../demo/synthetic-patients';
import { CacheRepository } from '../cache-repository';
import { CACHE_PAGE_SIZE, removeDatabaseFiles, writeCacheSnapshot } from '../cache-bulk-load';
import { patientRowValues, phoneRowValues } from '../cache-rows';
import { CACHE_MIGRATIONS } from '../migrations/cache';
import { migration0004Schedule } from '../migrations/cache/0004-schedule';
import { migrate } from '../migrations/migrate';
import { DEFAULT_CIPHER, openEncryptedDatabase, type DatabaseCipher, type Db } from '../open-database';
import { DemoMis, DemoMisConfigSchema } from '../../connectors/demo/demo-mis';
import { PopChoices } from '../../screen-pop/pop-choices';
import { lookupCached, lookupOnline } from '../../screen-pop/screen-pop-lookup';
import { openJournalDatabase } from '../../journal/open-journal';
import { reversedDigits } from '../../patients/phone-normalisation';
import type { ScheduleReader } from '../../schedule/schedule-reader';
import { SLOT_QUERIES, ScheduleRepository, type ScheduleRecordOf } from '../../schedule/schedule-repository';
import { syntheticSchedule, type SyntheticSchedule } from '../../schedule/synthetic-schedule';

/**
 * The cache bench: builds a fresh encrypted cache of N synthetic cards and measures, in the
 * same run and on the same file, our code against the raw SQLite operation it wraps.
 * Numbers are printed, never asserted (the machine is shared; timings vary).
 */

export interface BenchOptions {
  cards: number;
  seed?: number;
  /** Timed queries per measurement (after a warm-up). */
  queries?: number;
  /** Cards for the cipher comparison (each cipher builds its own cache of this many); 0 skips it. */
  cipherCompareCards?: number;
  /** Latency of the demo MIS for `screenPopOnline`; default: the demo's own default. */
  misLatencyMs?: number;
  /** Cipher of the main measurement (default: the one the desk uses). */
  cipher?: DatabaseCipher;
  /** How many times the ingest (with its raw reference) is measured, each printed (default {@link INGEST_RUNS}). */
  ingestRuns?: number;
  /** Doctors of the synthetic clinic whose schedule the `slots` figure searches (default 200: ≈250,000 slots). */
  scheduleDoctors?: number;
  /** Days of schedule (default 14, the desk's default horizon). */
  scheduleDays?: number;
  /**
   * The booking core's figure, when its bench is plugged in here: run on the bench's cache.db
   * (cards and schedule loaded), it returns its `booking` p95. Absent: no `booking` figure.
   */
  booking?: BookingBench;
  log?: (line: string) => void;
}

/** What a booking bench gets: the cache as the desk opens it, with the synthetic schedule in it. */
export interface ScheduleBenchFixture {
  /** cache.db (encrypted), cards and schedule loaded; still open, closed by the bench after. */
  cache: CacheRepository;
  /** The schedule reader as `PatientCacheService.schedule` makes it. */
  schedule: ScheduleReader;
  key: Buffer;
  /** The bench's temporary folder (for a journal.db of its own); removed after the run. */
  dir: string;
  /** The schedule's first day (clinic-local) and zone. */
  today: string;
  timeZone: string;
  /** What was loaded (ids of doctors, specialties, slots). */
  generated: SyntheticSchedule;
  /** Cards in the cache (their MIS ids are `String(1_000_000 + index)`). */
  cards: number;
  seed: number;
  /** Timed operations per measurement (after a warm-up of its own choosing). */
  queries: number;
}

/** The booking core's bench (owned by `core/booking/`), plugged in through {@link BenchOptions.booking}. */
export type BookingBench = (fixture: ScheduleBenchFixture) => Promise<{ p95Ms: number }> | { p95Ms: number };

/** Exactly the JSON the bench writes with `--json`. */
export interface BenchResult {
  cards: number;
  /** The lowest of {@link ingestRuns}: the target (≥ 50,000) holds in every run or not at all. */
  ingestCardsPerSec: number;
  /** Every ingest run of this bench, in order, each with the raw insert measured just before it. */
  ingestRuns: IngestRun[];
  rawInsertRowsPerSec: number;
  byPhone: { p50Ms: number; p99Ms: number };
  rawByPhone: { p99Ms: number };
  search: { p50Ms: number; p95Ms: number };
  rawSearch: { p95Ms: number };
  /** `screenPop.lookup`'s path: normalise, cache byPhone, choice table. */
  screenPop: { p50Ms: number; p95Ms: number };
  /** The same lookups asked of the demo MIS connector online (`findByPhone`) at its default latency. */
  screenPopOnline: { p50Ms: number; p95Ms: number; latencyMs: number };
  /** Online p50 / cached p50. */
  screenPopRatio: number;
  /**
   * The booking pane's search: free slots of one specialty over the horizon (earliest first,
   * the contract's default limit) through `ScheduleRepository` on the encrypted cache.db.
   */
  slots: { p50Ms: number; p95Ms: number };
  /** The same SQL on a plain (unencrypted) SQLite file of the same rows, no repository. */
  rawSlots: { p50Ms: number; p95Ms: number };
  /** slots p95 / rawSlots p95. */
  slotsRatio: number;
  /** Slots in the synthetic schedule searched. */
  scheduleSlots: number;
  /** The booking core's figure, when its bench is plugged in ({@link BenchOptions.booking}). */
  booking?: { p95Ms: number };
  /** cache.db (file + WAL) with the cards only, before the schedule is added. */
  dbBytes: number;
  rssBytes: number;
}

/** Everything measured, including what the JSON leaves out (printed in the table). */
export interface BenchReport {
  result: BenchResult;
  generatorCardsPerSec: number;
  generatorInLoadMs: number;
  ingestGrossCardsPerSec: number;
  ingestInsertMs: number;
  ingestIndexMs: number;
  /** ingest cards/s ÷ raw insert rows/s of the same run. */
  ingestRatioToRaw: number;
  /** Milliseconds per step of the ingest's index phase. */
  ingestSteps: Record<string, number>;
  rawByPhoneP50Ms: number;
  rawSearchP50Ms: number;
  searchByForm: { form: string; p50Ms: number; p95Ms: number; count: number }[];
  screenPopMix: { known: number; shared: number; unknown: number; remembered: number };
  demoPhoneIndexMs: number;
  schedule: ScheduleBenchReport;
  cipherComparison: { cipher: DatabaseCipher; cards: number; ingestCardsPerSec: number; rawInsertRowsPerSec: number }[];
  cipher: DatabaseCipher;
}

/** What the slot search measured besides its percentiles (printed in the table). */
export interface ScheduleBenchReport {
  doctors: number;
  days: number;
  slots: number;
  free: number;
  specialties: number;
  /** Slots written per second through `ScheduleRepository.applyRecords` into the encrypted cache (the first schedule sync's write cost, without validation). */
  loadSlotsPerSec: number;
  /** Slots asked for per search (the contract's default `limit`). */
  limit: number;
  /** Slots a search returned, on average. */
  meanReturned: number;
  /** What the schedule added to cache.db. */
  bytes: number;
  rawP50Ms: number;
  oursP50Ms: number;
}

const RAW_BATCH = 20_000;
/** Ingest measurements per bench run: the target is judged on every one of them. */
export const INGEST_RUNS = 3;

/** One ingest measurement: cards/s net of the generator, the raw insert of the same run, their ratio. */
export interface IngestRun {
  cardsPerSec: number;
  rawInsertRowsPerSec: number;
  ratioToRaw: number;
}
/** The synthetic schedule's first day and its clinic's zone (fixed, so a seed replays the same schedule). */
const SCHEDULE_TODAY = '2026-12-07';
const SCHEDULE_TIME_ZONE = 'Europe/Moscow';

/** Runs the whole bench in a temporary folder, which is removed afterwards. */
export async function runBench(options: BenchOptions): Promise<BenchReport> {
  const log = options.log ?? (() => undefined);
  const seed = options.seed ?? 20_261_101;
  const queries = options.queries ?? 2_000;
  const n = options.cards;
  const dir = mkdtempSync(join(tmpdir(), 'rg-bench-'));
  const key = randomBytes(32);
  try {
    log(`generator alone: ${n.toLocaleString('en')} synthetic cards (seed ${seed}) …`);
    const genAloneMs = timeGenerator(n, seed);
    log(`  ${fmt(perSec(n, genAloneMs))} cards/s (its time inside each load is measured and subtracted: it is the bench's data source, not ingest work)`);

    const compareCards = Math.min(n, options.cipherCompareCards ?? 100_000);
    const cipherComparison: BenchReport['cipherComparison'] = [];
    const cipher = options.cipher ?? DEFAULT_CIPHER;
    for (const candidate of compareCards > 0 ? (['chacha20', 'sqlcipher', 'aegis'] as const) : []) {
      log(`cipher comparison: ${candidate}, ${compareCards.toLocaleString('en')} cards …`);
      const path = join(dir, `compare-${candidate}.db`);
      const source = timedIterable(syntheticPatients({ count: compareCards, seed }));
      const started = performance.now();
      writeCacheSnapshot({ path, key, cards: source, cipher: candidate });
      const ingestMs = performance.now() - started - source.elapsedMs();
      removeDatabaseFiles(path);
      const rawRate = rawInsert(join(dir, `raw-${candidate}.db`), key, candidate, compareCards, seed);
      cipherComparison.push({ cipher: candidate, cards: compareCards, ingestCardsPerSec: perSec(compareCards, ingestMs), rawInsertRowsPerSec: rawRate });
      log(`  ingest ${fmt(perSec(compareCards, ingestMs))} cards/s, raw insert ${fmt(rawRate)} rows/s`);
    }

    // The earlier ingest runs load a file of their own, closed and removed; the last one is the cache the rest of the bench reads.
    const runs = options.ingestRuns ?? INGEST_RUNS;
    const ingestRuns: IngestRun[] = [];
    for (let run = 1; run < runs; run++) {
      log(`ingest run ${run} of ${runs}:`);
      const runPath = join(dir, `ingest-run-${run}.db`);
      const measured = measureIngest({ dir, path: runPath, key, cipher, n, seed, log });
      measured.repo.close();
      removeDatabaseFiles(runPath);
      ingestRuns.push(ingestRunOf(n, measured.ingest));
    }
    if (runs > 1) log(`ingest run ${runs} of ${runs}:`);
    const path = join(dir, 'cache.db');
    const { repo, ingest } = measureIngest({ dir, path, key, cipher, n, seed, log });
    const { rawInsertRowsPerSec, grossMs, genMs, ingestMs, report } = ingest;
    ingestRuns.push(ingestRunOf(n, ingest));

    log(`byPhone vs raw E.164 lookup: ${queries} queries …`);
    const phone = benchByPhone(repo, n, seed, queries);
    log(`search mix vs raw FTS prefix: ${queries} queries …`);
    const search = benchSearch(repo, n, seed, queries);

    log(`screen pop: ${queries} lookups from the cache, then the same through the demo MIS online …`);
    const pop = await benchScreenPop(repo, join(dir, 'journal.db'), key, n, seed, queries, log, options.misLatencyMs);

    repo.connection.pragma('wal_checkpoint(TRUNCATE)');
    const dbBytes = fileSize(path) + fileSize(`${path}-wal`);
    const schedule = benchSlots(repo, dir, { seed, queries, log, doctors: options.scheduleDoctors ?? 200, days: options.scheduleDays ?? 14 });
    repo.connection.pragma('wal_checkpoint(TRUNCATE)');
    schedule.report.bytes = Math.max(0, fileSize(path) + fileSize(`${path}-wal`) - dbBytes);
    let booking: { p95Ms: number } | undefined;
    if (options.booking) {
      log('booking: the booking core\'s bench …');
      const figure = await options.booking({ cache: repo, schedule: ScheduleRepository.on(repo), key, dir, today: SCHEDULE_TODAY, timeZone: SCHEDULE_TIME_ZONE, generated: schedule.generated, cards: n, seed, queries });
      booking = { p95Ms: round3(figure.p95Ms) };
    }

    repo.close();
    const result: BenchResult = {
      cards: n,
      ingestCardsPerSec: Math.min(...ingestRuns.map((run) => run.cardsPerSec)),
      ingestRuns,
      rawInsertRowsPerSec: round(rawInsertRowsPerSec),
      byPhone: { p50Ms: round3(phone.ours.p50), p99Ms: round3(phone.ours.p99) },
      rawByPhone: { p99Ms: round3(phone.raw.p99) },
      search: { p50Ms: round3(search.ours.p50), p95Ms: round3(search.ours.p95) },
      rawSearch: { p95Ms: round3(search.raw.p95) },
      screenPop: { p50Ms: round3(pop.cached.p50), p95Ms: round3(pop.cached.p95) },
      screenPopOnline: { p50Ms: round3(pop.online.p50), p95Ms: round3(pop.online.p95), latencyMs: pop.latencyMs },
      screenPopRatio: pop.cached.p50 > 0 ? Math.round((pop.online.p50 / pop.cached.p50) * 100) / 100 : 0,
      slots: { p50Ms: round3(schedule.ours.p50), p95Ms: round3(schedule.ours.p95) },
      rawSlots: { p50Ms: round3(schedule.raw.p50), p95Ms: round3(schedule.raw.p95) },
      slotsRatio: schedule.raw.p95 > 0 ? Math.round((schedule.ours.p95 / schedule.raw.p95) * 100) / 100 : 0,
      scheduleSlots: schedule.generated.slots.length,
      ...(booking ? { booking } : {}),
      dbBytes,
      rssBytes: process.resourceUsage().maxRSS * 1024,
    };
    return {
      result,
      generatorCardsPerSec: round(perSec(n, genAloneMs)),
      generatorInLoadMs: Math.round(genMs),
      ingestGrossCardsPerSec: round(perSec(n, grossMs)),
      ingestInsertMs: Math.round(report.insertMs),
      ingestIndexMs: Math.round(report.indexMs),
      ingestRatioToRaw: ingestRatio(perSec(n, ingestMs), rawInsertRowsPerSec),
      ingestSteps: report.steps,
      rawByPhoneP50Ms: round3(phone.raw.p50),
      rawSearchP50Ms: round3(search.raw.p50),
      searchByForm: search.byForm,
      screenPopMix: pop.mix,
      demoPhoneIndexMs: pop.indexMs,
      schedule: schedule.report,
      cipherComparison,
      cipher,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** What the ingest measurement found (`--only ingest` prints just this). */
export interface IngestBenchReport {
  cards: number;
  cipher: DatabaseCipher;
  /** Cards per second through `CacheRepository.bulkLoad`, net of the generator's time inside it. */
  ingestCardsPerSec: number;
  ingestGrossCardsPerSec: number;
  generatorInLoadMs: number;
  insertMs: number;
  indexMs: number;
  /** Milliseconds per step of the index phase. */
  steps: Record<string, number>;
  /** The same cards' rows inserted raw (no indexes, rows prebuilt), same cipher, same run. */
  rawInsertRowsPerSec: number;
  /** ingest cards/s ÷ raw insert rows/s: the loader's speed with the machine's speed divided out. */
  ratioToRaw: number;
  /**
   * The same in CPU time (ms, all threads of the process), which other work on a shared machine
   * disturbs less than wall time: the load's net of the generator's (measured alone, same cards),
   * the raw insert's, and `ratio` = raw ÷ ingest (the CPU-time counterpart of `ratioToRaw`).
   */
  cpu: { ingestMs: number; rawInsertMs: number; generatorMs: number; ratio: number };
  /** Peak RSS of the process after the ingest. */
  rssBytes: number;
}

/**
 * Just the ingest and its raw reference (`npm run bench -- --only ingest`): for quick iterations
 * on the loader. Runs in a temporary folder, removed afterwards.
 */
export function runIngestBench(options: { cards: number; seed?: number; cipher?: DatabaseCipher; log?: (line: string) => void }): IngestBenchReport {
  const dir = mkdtempSync(join(tmpdir(), 'rg-bench-'));
  const cipher = options.cipher ?? DEFAULT_CIPHER;
  try {
    const { repo, ingest } = measureIngest({ dir, path: join(dir, 'cache.db'), key: randomBytes(32), cipher, n: options.cards, seed: options.seed ?? 20_261_101, log: options.log ?? (() => undefined) });
    repo.close();
    return ingestFigures(options.cards, cipher, ingest);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function ingestFigures(n: number, cipher: DatabaseCipher, ingest: ReturnType<typeof measureIngest>['ingest']): IngestBenchReport {
  const ingestCardsPerSec = perSec(n, ingest.ingestMs);
  return {
    cards: n,
    cipher,
    ingestCardsPerSec: round(ingestCardsPerSec),
    ingestGrossCardsPerSec: round(perSec(n, ingest.grossMs)),
    generatorInLoadMs: Math.round(ingest.genMs),
    insertMs: Math.round(ingest.report.insertMs),
    indexMs: Math.round(ingest.report.indexMs),
    steps: ingest.report.steps,
    rawInsertRowsPerSec: round(ingest.rawInsertRowsPerSec),
    ratioToRaw: ingestRatio(ingestCardsPerSec, ingest.rawInsertRowsPerSec),
    cpu: { ingestMs: Math.round(ingest.cpu.ingestMs), rawInsertMs: Math.round(ingest.cpu.rawInsertMs), generatorMs: Math.round(ingest.cpu.generatorMs), ratio: ingestRatio(ingest.cpu.rawInsertMs, ingest.cpu.ingestMs) },
    rssBytes: process.resourceUsage().maxRSS * 1024,
  };
}

function ingestRunOf(n: number, ingest: ReturnType<typeof measureIngest>['ingest']): IngestRun {
  const cardsPerSec = perSec(n, ingest.ingestMs);
  return { cardsPerSec: round(cardsPerSec), rawInsertRowsPerSec: round(ingest.rawInsertRowsPerSec), ratioToRaw: ingestRatio(cardsPerSec, ingest.rawInsertRowsPerSec) };
}

const ingestRatio = (ingest: number, raw: number) => (raw > 0 ? Math.round((ingest / raw) * 1000) / 1000 : 0);

/**
 * The raw insert reference, then `bulkLoad` of the same synthetic cards into a new cache.db at
 * `path` (left open for the rest of the bench).
 */
function measureIngest(o: { dir: string; path: string; key: Buffer; cipher: DatabaseCipher; n: number; seed: number; log: (line: string) => void }) {
  const { n, cipher, log } = o;
  log(`raw insert: ${n.toLocaleString('en')} cards' rows, no indexes, ${cipher} …`);
  const raw = rawInsertTimed(join(o.dir, 'raw.db'), o.key, cipher, n, o.seed);
  const rawInsertRowsPerSec = raw.rowsPerSec;
  log(`  ${fmt(rawInsertRowsPerSec)} rows/s`);
  // The generator's CPU time, to take out of the load's (timing it per card inside the load would cost more than it measures).
  const generatorCpuStarted = process.cpuUsage();
  timeGenerator(n, o.seed);
  const generatorCpuMs = cpuMsSince(generatorCpuStarted);

  log(`ingest: bulkLoad of ${n.toLocaleString('en')} cards, ${cipher} …`);
  const repo = CacheRepository.open({ path: o.path, key: o.key, cipher });
  const source = timedIterable(syntheticPatients({ count: n, seed: o.seed }));
  const started = performance.now();
  const cpuStarted = process.cpuUsage();
  const report = repo.bulkLoad(source, {
    onProgress: (loaded) => {
      if (loaded % 200_000 === 0) log(`  … ${loaded.toLocaleString('en')}`);
    },
  });
  const grossMs = performance.now() - started;
  const ingestCpuMs = cpuMsSince(cpuStarted) - generatorCpuMs;
  const genMs = source.elapsedMs();
  const ingestMs = grossMs - genMs;
  log(
    `  ${fmt(perSec(n, ingestMs))} cards/s, ${ingestRatio(perSec(n, ingestMs), rawInsertRowsPerSec)}× raw insert (insert ${Math.round(report.insertMs)} ms incl. generator ${Math.round(genMs)} ms, indexes + FTS ${Math.round(report.indexMs)} ms)`,
  );
  log(`  index phase: ${Object.entries(report.steps).map(([name, ms]) => `${name} ${ms}`).join(', ')} ms`);
  log(`  CPU time: ingest ${fmt(ingestCpuMs)} ms net of the generator (${fmt(generatorCpuMs)} ms alone), raw insert ${fmt(raw.cpuMs)} ms: ratio ${ingestRatio(raw.cpuMs, ingestCpuMs)}`);
  return { repo, ingest: { rawInsertRowsPerSec, grossMs, genMs, ingestMs, report, cpu: { ingestMs: ingestCpuMs, rawInsertMs: raw.cpuMs, generatorMs: generatorCpuMs } } };
}

/** The table `--only ingest` prints. */
export function formatIngestReport(r: IngestBenchReport): string {
  return [
    `cards ${fmt(r.cards)}, cipher ${r.cipher}`,
    `ingest (bulkLoad, net of generator)  ${fmt(r.ingestCardsPerSec)} cards/s  (gross ${fmt(r.ingestGrossCardsPerSec)}; generator ${fmt(r.generatorInLoadMs)} ms; insert ${fmt(r.insertMs)} ms + indexes/FTS ${fmt(r.indexMs)} ms)`,
    `raw insert (same rows, no indexes)   ${fmt(r.rawInsertRowsPerSec)} rows/s`,
    `ingest / raw insert                  ${r.ratioToRaw}`,
    `CPU time (ms)                        ingest ${fmt(r.cpu.ingestMs)} net of generator ${fmt(r.cpu.generatorMs)}, raw insert ${fmt(r.cpu.rawInsertMs)}: ratio ${r.cpu.ratio}`,
    `index phase (ms)                     ${Object.entries(r.steps).map(([name, ms]) => `${name} ${ms}`).join(', ')}`,
    `peak RSS                             ${(r.rssBytes / 1_048_576).toFixed(1)} MiB`,
  ].join('\n');
}

/**
 * Wraps an iterable and accumulates the time spent producing items, so the generator's cost
 * inside a load is measured in the same run (a separate generator pass is at the mercy of
 * whatever else the shared machine is doing at that moment).
 */
function timedIterable<T>(source: Iterable<T>): Iterable<T> & { elapsedMs: () => number } {
  let elapsed = 0;
  return {
    elapsedMs: () => elapsed,
    *[Symbol.iterator]() {
      const iterator = source[Symbol.iterator]();
      for (;;) {
        const started = performance.now();
        const next = iterator.next();
        elapsed += performance.now() - started;
        if (next.done) return;
        yield next.value;
      }
    },
  };
}

function timeGenerator(n: number, seed: number): number {
  const started = performance.now();
  let phones = 0;
  for (const card of syntheticPatients({ count: n, seed })) phones += card.phones.length;
  if (phones < 0) throw new Error('unreachable');
  return performance.now() - started;
}

/** The raw insert's statements: 64-row `INSERT … VALUES (…), …` bound from one array (see {@link rawInsert}). */
class ReferenceBatchInsert {
  private readonly values: unknown[] = [];
  private rows = 0;
  private readonly statements = new Map<number, ReturnType<Db['prepare']>>();

  constructor(
    private readonly db: Db,
    private readonly table: string,
    private readonly columns: readonly string[],
  ) {}

  add(...row: unknown[]): void {
    for (const value of row) this.values.push(value);
    this.rows += 1;
    if (this.rows === 64) this.flush();
  }

  flush(): void {
    if (this.rows === 0) return;
    let statement = this.statements.get(this.rows);
    if (!statement) {
      const tuple = `(${this.columns.map(() => '?').join(', ')})`;
      statement = this.db.prepare(`INSERT INTO ${this.table} (${this.columns.join(', ')}) VALUES ${Array.from({ length: this.rows }, () => tuple).join(', ')}`);
      this.statements.set(this.rows, statement);
    }
    statement.run(this.values);
    this.values.length = 0;
    this.rows = 0;
  }
}

/**
 * The floor: the same rows (card JSON + key columns, phone rows) inserted with prepared
 * statements into the same schema with no secondary index, no FTS, same cipher and pragmas.
 * Rows are built before the clock starts, batch by batch, so this times SQLite alone.
 */
function rawInsert(path: string, key: Buffer, cipher: DatabaseCipher, n: number, seed: number): number {
  return rawInsertTimed(path, key, cipher, n, seed).rowsPerSec;
}

/** {@link rawInsert} with the CPU time of its timed sections (what a shared machine disturbs least). */
function rawInsertTimed(path: string, key: Buffer, cipher: DatabaseCipher, n: number, seed: number): { rowsPerSec: number; cpuMs: number } {
  removeDatabaseFiles(path);
  const db = openEncryptedDatabase({ path, key, dbName: 'cache', durability: 'normal', cacheSizeMb: 256, pageSize: CACHE_PAGE_SIZE, cipher, journalMode: 'memory' });
  migrate(db, CACHE_MIGRATIONS, 'cache');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma('ignore_check_constraints = ON');
  db.pragma('cache_size = -16384');
  for (const name of db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").pluck().all()) db.exec(`DROP INDEX "${name}"`);
  // Multi-row statements (the baseline is SQLite's own speed, not better-sqlite3's per-call
  // cost), written exactly as when the ingest targets were set: 64 rows a statement, bound from
  // one array. Frozen on purpose: the ratio ingest / raw insert divides the machine's speed out,
  // and only stays comparable across changes of the loader if this side does not change with it.
  const patients = new ReferenceBatchInsert(db, 'patients', ['id', 'mis_id', 'version', 'name_key', 'birth_date', 'oms_policy', 'snils']);
  const cards = new ReferenceBatchInsert(db, 'patient_cards', ['patient_id', 'card']);
  const phones = new ReferenceBatchInsert(db, 'patient_phones', ['patient_id', 'e164', 'reversed_digits', 'kind']);
  let insertMs = 0;
  let cpuMs = 0;
  for (let start = 0; start < n; start += RAW_BATCH) {
    const batch = [...syntheticPatients({ count: Math.min(RAW_BATCH, n - start), seed, startIndex: start })].map((card) => ({
      values: patientRowValues(card),
      phones: phoneRowValues(card),
    }));
    const started = performance.now();
    const cpuStarted = process.cpuUsage();
    db.exec('BEGIN');
    let id = start;
    for (const row of batch) {
      id += 1;
      const [misId, version, nameKey, birthDate, omsPolicy, snils, stored] = row.values;
      patients.add(id, misId, version, nameKey, birthDate, omsPolicy, snils);
      cards.add(id, stored);
      for (const [e164, reversed, kind] of row.phones) phones.add(id, e164, reversed, kind);
    }
    patients.flush();
    cards.flush();
    phones.flush();
    db.exec('COMMIT');
    insertMs += performance.now() - started;
    cpuMs += cpuMsSince(cpuStarted);
  }
  db.close();
  removeDatabaseFiles(path);
  return { rowsPerSec: perSec(n, insertMs), cpuMs };
}

/** CPU time of this process (all threads) since `from`, in ms. */
function cpuMsSince(from: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(from);
  return (used.user + used.system) / 1000;
}

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

function formatPhone(national10: string, style: number): string {
  const [a, b, c, d] = [national10.slice(0, 3), national10.slice(3, 6), national10.slice(6, 8), national10.slice(8)];
  switch (style % 4) {
    case 0:
      return `8 (${a}) ${b}-${c}-${d}`;
    case 1:
      return `+7 ${a} ${b}${c}${d}`;
    case 2:
      return `7${national10}`;
    default:
      return national10;
  }
}

function benchByPhone(repo: CacheRepository, n: number, seed: number, queries: number) {
  const random = seededRandom(seed ^ 0x5eed);
  const raw = repo.connection.prepare<[string], { card: string }>('SELECT c.card FROM patient_phones ph JOIN patient_cards c ON c.patient_id = ph.patient_id WHERE ph.reversed_digits = ?');
  const cases: { input: string; key: string }[] = [];
  while (cases.length < queries + 200) {
    const card = syntheticPatient(Math.floor(random() * n), seed);
    const phone = card.phones[Math.floor(random() * card.phones.length)];
    if (random() < 0.1 || !phone) {
      // A caller who is not a patient yet: the miss path must be as fast as the hit path.
      const national10 = `9${String(Math.floor(random() * 1e9)).padStart(9, '0')}`;
      cases.push({ input: formatPhone(national10, cases.length), key: reversedDigits(`+7${national10}`) });
    } else {
      cases.push({ input: formatPhone(phone.national10, cases.length), key: reversedDigits(phone.e164) });
    }
  }
  const ours: number[] = [];
  const rawTimes: number[] = [];
  cases.forEach((item, i) => {
    // Alternate which goes first so neither side always gets the warmer cache.
    const runOurs = () => {
      const t = performance.now();
      repo.byPhone(item.input);
      return performance.now() - t;
    };
    const runRaw = () => {
      const t = performance.now();
      raw.all(item.key);
      return performance.now() - t;
    };
    let o: number;
    let r: number;
    if (i % 2 === 0) {
      o = runOurs();
      r = runRaw();
    } else {
      r = runRaw();
      o = runOurs();
    }
    if (i >= 200) {
      ours.push(o);
      rawTimes.push(r);
    }
  });
  return { ours: percentiles(ours), raw: percentiles(rawTimes) };
}

/**
 * The screen pop: random caller ids in the four shapes phones send (own mobiles, shared family
 * numbers — a child's card carries a parent's mobile — and 10% unknown numbers), looked up as
 * `screenPop.lookup` does (normalise, cache byPhone, choice table in an encrypted journal.db
 * where a third of the shared numbers have a remembered choice), then the same lookups through
 * the demo MIS connector online (`findByPhone` + validating every card) at its default latency.
 */
async function benchScreenPop(repo: CacheRepository, journalPath: string, key: Buffer, n: number, seed: number, queries: number, log: (line: string) => void, misLatencyMs?: number) {
  const random = seededRandom(seed ^ 0x90b);
  const journal = openJournalDatabase({ path: journalPath, key });
  const choices = new PopChoices(journal);
  const mix = { known: 0, shared: 0, unknown: 0, remembered: 0 };
  const inputs: string[] = [];
  journal.exec('BEGIN');
  while (inputs.length < queries + 100) {
    const roll = random();
    const card = syntheticPatient(Math.floor(random() * n), seed);
    const relative = card.phones.find((phone) => phone.kind === 'relative');
    if (roll < 0.1) {
      mix.unknown += 1;
      inputs.push(formatPhone(`9${String(Math.floor(random() * 1e9)).padStart(9, '0')}`, inputs.length));
    } else if (roll < 0.4 && relative) {
      mix.shared += 1;
      if (random() < 0.33) {
        mix.remembered += 1;
        choices.remember(relative.e164, card.misId, Date.now());
      }
      inputs.push(formatPhone(relative.national10, inputs.length));
    } else if (card.phones[0]) {
      mix.known += 1;
      inputs.push(formatPhone(card.phones[0].national10, inputs.length));
    }
  }
  journal.exec('COMMIT');

  const cachedTimes: number[] = [];
  inputs.forEach((input, i) => {
    const t = performance.now();
    lookupCached(input, repo, choices);
    const elapsed = performance.now() - t;
    if (i >= 100) cachedTimes.push(elapsed);
  });

  const latencyMs = misLatencyMs ?? DemoMisConfigSchema.parse({}).latencyMs;
  const demo = new DemoMis({ patients: n, seed, latencyMs });
  const indexStarted = performance.now();
  demo.warmPhoneIndex();
  const indexMs = performance.now() - indexStarted;
  log(`  demo MIS phone index over ${n.toLocaleString('en')} patients built in ${Math.round(indexMs)} ms (once, before timing); default latency ${latencyMs} ms`);
  const onlineTimes: number[] = [];
  for (let i = 0; i < inputs.length; i++) {
    const t = performance.now();
    await lookupOnline(inputs[i]!, demo, choices);
    const elapsed = performance.now() - t;
    if (i >= 100) onlineTimes.push(elapsed);
  }
  demo.close();
  journal.close();
  return { cached: percentiles(cachedTimes), online: percentiles(onlineTimes), latencyMs, mix, indexMs: Math.round(indexMs) };
}

/** The query forms of the search grammar, each built from a real card of the population. */
const SEARCH_FORMS: readonly { form: string; make: (card: PatientCard, random: () => number) => string | null }[] = [
  { form: 'full phone', make: (c, r) => (c.phones[0] ? formatPhone(c.phones[0].national10, Math.floor(r() * 4)) : null) },
  { form: 'phone last 4', make: (c) => c.phones[0]?.national10.slice(-4) ?? null },
  { form: 'phone last 7', make: (c) => c.phones[0]?.national10.slice(-7) ?? null },
  { form: 'ОМС policy', make: (c) => c.omsPolicy },
  { form: 'СНИЛС', make: (c) => (c.snils ? `${c.snils.slice(0, 3)}-${c.snils.slice(3, 6)}-${c.snils.slice(6, 9)} ${c.snils.slice(9)}` : null) },
  { form: 'birth date', make: (c) => `${c.birthDate.slice(8)}.${c.birthDate.slice(5, 7)}.${c.birthDate.slice(0, 4)}` },
  { form: 'surname', make: (c) => c.surname },
  { form: 'surname prefix 1-3', make: (c, r) => c.surname.slice(0, 1 + Math.floor(r() * 3)) },
  { form: 'surname prefix 4-6', make: (c, r) => c.surname.slice(0, 4 + Math.floor(r() * 3)) },
  { form: 'surname + initial', make: (c) => `${c.surname} ${c.givenName.slice(0, 1)}` },
  { form: 'given + surname', make: (c) => `${c.givenName} ${c.surname}` },
  { form: 'prefixes order-free', make: (c) => `${c.givenName.slice(0, 3)} ${c.surname.slice(0, 4)}` },
  { form: 'full name', make: (c) => `${c.surname} ${c.givenName} ${c.patronymic ?? ''}`.trim() },
  { form: 'patronymic', make: (c) => c.patronymic },
  { form: 'ё folded', make: (c) => (/ё/i.test(c.surname + c.givenName) ? `${c.surname} ${c.givenName}`.toLowerCase().replace(/ё/g, 'е') : `${c.givenName}`.toUpperCase()) },
  { form: 'hyphen half', make: (c) => (c.surname.includes('-') ? c.surname.split('-')[1]! : `${c.surname.slice(0, 5)}`) },
  { form: 'name + year', make: (c) => `${c.surname} ${c.birthDate.slice(0, 4)}` },
  { form: 'name + date', make: (c) => `${c.surname} ${c.birthDate.slice(8)}.${c.birthDate.slice(5, 7)}.${c.birthDate.slice(0, 4)}` },
  { form: 'name + phone digits', make: (c) => (c.phones[0] ? `${c.surname.slice(0, 4)} ${c.phones[0].national10.slice(-4)}` : null) },
];

function benchSearch(repo: CacheRepository, n: number, seed: number, queries: number) {
  const random = seededRandom(seed ^ 0x5ea4c4);
  const mix: { form: string; text: string }[] = [];
  const rawPrefixes: string[] = [];
  for (let i = 0; mix.length < queries + 100; i++) {
    const spec = SEARCH_FORMS[i % SEARCH_FORMS.length]!;
    const card = syntheticPatient(Math.floor(random() * n), seed);
    const text = spec.make(card, random);
    if (text) mix.push({ form: spec.form, text });
    // Raw baseline: a one-word FTS prefix query of the kind typed in the box (1–6 letters).
    rawPrefixes.push(card.surname.toLowerCase().replace(/ё/g, 'е').split('-')[0]!.slice(0, 1 + (i % 6)));
  }
  const rawFts = repo.connection.prepare<[string], number>('SELECT rowid FROM patients_fts WHERE patients_fts MATCH ? LIMIT 50').pluck();
  const ours: number[] = [];
  const raw: number[] = [];
  const byForm = new Map<string, number[]>();
  mix.forEach((item, i) => {
    let t = performance.now();
    repo.search(item.text);
    const o = performance.now() - t;
    const prefix = rawPrefixes[i % rawPrefixes.length]!;
    t = performance.now();
    rawFts.all(`"${prefix}"*`);
    const r = performance.now() - t;
    if (i < 100) return;
    ours.push(o);
    raw.push(r);
    const list = byForm.get(item.form) ?? [];
    list.push(o);
    byForm.set(item.form, list);
  });
  return {
    ours: percentiles(ours),
    raw: percentiles(raw),
    byForm: [...byForm].map(([form, times]) => ({ form, count: times.length, p50Ms: round3(percentiles(times).p50), p95Ms: round3(percentiles(times).p95) })),
  };
}

/**
 * The booking pane's search at a clinic's scale: a synthetic schedule (seeded: `doctors` across
 * 12 specialties and 4 branches, `days` from {@link SCHEDULE_TODAY}, ≈60% booked) written into
 * the bench's encrypted cache.db through `ScheduleRepository`, then free slots of a random
 * specialty from a random time of the first day to the horizon's end, earliest first, at the
 * contract's default limit — through the reader `PatientCacheService.schedule` gives the desk,
 * interleaved with the same SQL (`SLOT_QUERIES.freeOfSpecialty`) on a plain SQLite file holding
 * the same rows under the same schema (migration 0004), read with no repository.
 */
function benchSlots(repo: CacheRepository, dir: string, options: { seed: number; queries: number; log: (line: string) => void; doctors: number; days: number }) {
  const { log, queries } = options;
  const generated = syntheticSchedule({ doctors: options.doctors, days: options.days, today: SCHEDULE_TODAY, timeZone: SCHEDULE_TIME_ZONE, seed: options.seed });
  const free = generated.slots.filter((slot) => slot.state === 'free').length;
  log(`slots: ${fmt(generated.slots.length)} slots of ${options.doctors} doctors over ${options.days} days (${fmt(free)} free) into cache.db …`);
  const writer = ScheduleRepository.on(repo);
  const started = performance.now();
  const load = <S extends ScheduleStream>(stream: S, records: readonly ScheduleRecordOf<S>[]) => {
    for (let at = 0; at < records.length; at += 5_000) repo.transaction(() => writer.applyRecords(stream, records.slice(at, at + 5_000)));
  };
  load('branches', generated.branches);
  load('doctors', generated.doctors);
  load('services', generated.services);
  load('slots', generated.slots);
  const loadMs = performance.now() - started;
  log(`  ${fmt(perSec(generated.slots.length, loadMs))} slots/s through applyRecords`);

  const rawPath = join(dir, 'raw-slots.db');
  const raw = new Database(rawPath);
  raw.pragma('journal_mode = WAL');
  raw.pragma('synchronous = NORMAL');
  raw.pragma('temp_store = MEMORY');
  migration0004Schedule.up(raw);
  const insert = raw.prepare(
    'INSERT INTO slots (id, version, doctor_id, specialty, branch_id, starts_at, starts_at_iso, duration_min, state, patient_mis_id, appointment_id, service_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const doctorOf = new Map(generated.doctors.map((doctor) => [doctor.id, doctor]));
  raw.transaction(() => {
    for (const slot of generated.slots) {
      const doctor = doctorOf.get(slot.doctorId)!;
      insert.run(slot.id, slot.version, slot.doctorId, doctor.specialty, doctor.branchId, Date.parse(slot.startsAt), slot.startsAt, slot.durationMin, slot.state, slot.patientMisId, slot.appointmentId, slot.serviceId);
    }
  })();
  const rawQuery = raw.prepare<[{ specialty: string; from: number; to: number; limit: number }], unknown>(SLOT_QUERIES.freeOfSpecialty);

  // The reader exactly as the desk gets it (`PatientCacheService.schedule`).
  const reader: ScheduleReader = ScheduleRepository.on(repo);
  const limit = FreeSlotsQuerySchema.parse({ specialty: 'x', from: SCHEDULE_TODAY, to: SCHEDULE_TODAY }).limit;
  const random = seededRandom(options.seed ^ 0x5107);
  const dayStart = clinicInstant(SCHEDULE_TODAY, 0, SCHEDULE_TIME_ZONE);
  const horizonEnd = clinicInstant(addDays(SCHEDULE_TODAY, options.days), 0, SCHEDULE_TIME_ZONE);
  const specialties = [...new Set(generated.doctors.map((doctor) => doctor.specialty))];
  const ours: number[] = [];
  const rawTimes: number[] = [];
  let returned = 0;
  for (let i = 0; i < queries + 100; i++) {
    const specialty = specialties[Math.floor(random() * specialties.length)]!;
    // "From now": some time of the first day, to the end of the horizon.
    const fromMs = dayStart + Math.floor(random() * 24 * 60) * 60_000;
    const runOurs = () => {
      const t = performance.now();
      const result = reader.freeSlots({ specialty, fromMs, toMs: horizonEnd, limit, exclude: new Set() });
      const elapsed = performance.now() - t;
      if (i >= 100) returned += result.slots.length;
      return elapsed;
    };
    const runRaw = () => {
      const t = performance.now();
      rawQuery.all({ specialty, from: fromMs, to: horizonEnd, limit });
      return performance.now() - t;
    };
    let o: number;
    let r: number;
    if (i % 2 === 0) {
      o = runOurs();
      r = runRaw();
    } else {
      r = runRaw();
      o = runOurs();
    }
    if (i >= 100) {
      ours.push(o);
      rawTimes.push(r);
    }
  }
  raw.close();
  removeDatabaseFiles(rawPath);
  const oursP = percentiles(ours);
  const rawP = percentiles(rawTimes);
  const report: ScheduleBenchReport = {
    doctors: generated.doctors.length,
    days: options.days,
    slots: generated.slots.length,
    free,
    specialties: specialties.length,
    loadSlotsPerSec: round(perSec(generated.slots.length, loadMs)),
    limit,
    meanReturned: queries > 0 ? Math.round(returned / queries) : 0,
    bytes: 0,
    rawP50Ms: round3(rawP.p50),
    oursP50Ms: round3(oursP.p50),
  };
  return { report, ours: oursP, raw: rawP, generated };
}

/** Nearest-rank percentiles: the smallest time at or above that share of the times; 0 for none. */
export function percentiles(times: readonly number[]): Percentiles {
  const sorted = [...times].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? 0;
  return { p50: at(0.5), p95: at(0.95), p99: at(0.99) };
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

const perSec = (count: number, ms: number) => (ms <= 0 ? 0 : (count * 1000) / ms);
const round = (x: number) => Math.round(x);
const round3 = (x: number) => Math.round(x * 1000) / 1000;
const fmt = (x: number) => Math.round(x).toLocaleString('en');

/** The human-readable table printed after a run. */
export function formatReport(report: BenchReport): string {
  const r = report.result;
  const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(1)} MiB`;
  const rows: [string, string, string][] = [
    ['cards', fmt(r.cards), `cipher ${report.cipher}`],
    ['ingest runs (each net of generator)', r.ingestRuns.map((run) => fmt(run.cardsPerSec)).join(' / '), `cards/s, lowest is the figure; raw insert ${r.ingestRuns.map((run) => fmt(run.rawInsertRowsPerSec)).join(' / ')} rows/s; ratio ${r.ingestRuns.map((run) => run.ratioToRaw).join(' / ')}`],
    ['ingest (bulkLoad, lowest run)', `${fmt(r.ingestCardsPerSec)} cards/s`, `target ≥ 50,000 in every run; last run ${report.ingestRatioToRaw}× raw insert; gross incl. generator ${fmt(report.ingestGrossCardsPerSec)} cards/s (generator ${fmt(report.generatorInLoadMs)} ms); insert ${fmt(report.ingestInsertMs)} ms + indexes/FTS ${fmt(report.ingestIndexMs)} ms`],
    ['raw insert (same rows, no indexes)', `${fmt(r.rawInsertRowsPerSec)} rows/s`, 'patient rows (each with its phone rows) per second'],
    ['generator alone', `${fmt(report.generatorCardsPerSec)} cards/s`, ''],
    ['byPhone p50 / p99', `${r.byPhone.p50Ms} / ${r.byPhone.p99Ms} ms`, `target p99 ≤ 1 ms and ≤ 3× raw (${r.rawByPhone.p99Ms > 0 ? (r.byPhone.p99Ms / r.rawByPhone.p99Ms).toFixed(2) : '∞'}×)`],
    ['raw E.164 lookup p50 / p99', `${report.rawByPhoneP50Ms} / ${r.rawByPhone.p99Ms} ms`, 'SELECT card … WHERE reversed_digits = ? (pre-normalised)'],
    ['search p50 / p95', `${r.search.p50Ms} / ${r.search.p95Ms} ms`, 'target p95 ≤ 20 ms; mix of every query form'],
    ['screen pop (cache) p50 / p95', `${r.screenPop.p50Ms} / ${r.screenPop.p95Ms} ms`, `target p95 ≤ 50 ms (INVITE → card painted); normalise + byPhone + choice; ${report.screenPopMix.known} own / ${report.screenPopMix.shared} shared (${report.screenPopMix.remembered} remembered) / ${report.screenPopMix.unknown} unknown`],
    ['screen pop (MIS online) p50 / p95', `${r.screenPopOnline.p50Ms} / ${r.screenPopOnline.p95Ms} ms`, `demo MIS findByPhone + validation at latency ${r.screenPopOnline.latencyMs} ms (demo default ${DemoMisConfigSchema.parse({}).latencyMs} ms) (phone index ${fmt(report.demoPhoneIndexMs)} ms, built once); online / cached p50 = ${r.screenPopRatio}×`],
    ['raw FTS prefix p50 / p95', `${report.rawSearchP50Ms} / ${r.rawSearch.p95Ms} ms`, "MATCH '\"prefix\"*' LIMIT 50, 1–6 letter surname prefixes"],
    [
      'slots p50 / p95',
      `${r.slots.p50Ms} / ${r.slots.p95Ms} ms`,
      `target p95 ≤ 20 ms; free slots of one specialty, ${report.schedule.days} days, limit ${report.schedule.limit} (${report.schedule.meanReturned} returned on average); ${fmt(r.scheduleSlots)} slots of ${report.schedule.doctors} doctors (${fmt(report.schedule.free)} free, ${report.schedule.specialties} specialties); p95 ${r.slotsRatio}× raw`,
    ],
    ['raw slots SQL p50 / p95', `${r.rawSlots.p50Ms} / ${r.rawSlots.p95Ms} ms`, 'the same SQL on a plain SQLite file of the same rows (unencrypted, no repository, rows not mapped)'],
    ['schedule load (applyRecords)', `${fmt(report.schedule.loadSlotsPerSec)} slots/s`, `into the encrypted cache.db; the schedule adds ${mb(report.schedule.bytes)}`],
    ...(r.booking ? [['booking p95', `${r.booking.p95Ms} ms`, 'the booking core\'s bench'] as [string, string, string]] : []),
    ['db size (file + WAL)', mb(r.dbBytes), `${fmt(r.dbBytes / Math.max(1, r.cards))} bytes/card (cards only, before the schedule)`],
    ['peak RSS', mb(r.rssBytes), ''],
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  const valueWidth = Math.max(...rows.map((row) => row[1].length));
  const lines = rows.map(([name, value, note]) => `${name.padEnd(width)}  ${value.padStart(valueWidth)}  ${note}`);
  lines.push('', 'search by query form (p50 / p95 ms):');
  for (const f of report.searchByForm) lines.push(`  ${f.form.padEnd(22)} ${String(f.p50Ms).padStart(7)} / ${String(f.p95Ms).padStart(7)}   (n=${f.count})`);
  if (report.cipherComparison.length > 0) lines.push('', 'cipher comparison (same code, fresh file each):');
  for (const c of report.cipherComparison) {
    lines.push(`  ${c.cipher.padEnd(10)} ${fmt(c.cards)} cards: ingest ${fmt(c.ingestCardsPerSec)} cards/s, raw insert ${fmt(c.rawInsertRowsPerSec)} rows/s`);
  }
  return lines.join('\n');
}

