import { isAbsolute } from 'node:path';
import { z } from 'zod';
import { nameMatchesWords, nameSortKey, nameTokens } from '../../../../src-shared/patients/name-folding';
import { MAX_APPOINTMENTS_PER_CARD, type PatientCard } from '../../../../src-shared/patients/patient-card';
import { DEFAULT_CLINIC_TIME_ZONE, isKnownTimeZone } from '../../../../src-shared/schedule/clinic-time';
import type { ScheduleStream } from '../../../../src-shared/schedule/schedule-model';
import { syntheticMobile, syntheticPatient, syntheticPatientName } from '../../demo/synthetic-patients';
import { DemoNameIndex, NAME_INDEX_MAX_WORDS } from './demo-name-index';
import {
  MIS_CONNECTOR_API_VERSION,
  MisError,
  type MisChangesPage,
  type MisFullExport,
  type MisConnector,
  type MisConnectorManifest,
  type MisHealth,
  type MisStreamOptions,
  type MisStreamPage,
  type MisSubmission,
  type MisSubmitResult,
} from '../mis/mis-connector';
import { DemoLedger, ledgerReport, type LedgerEntry, type LedgerReport } from './demo-ledger';
import { DemoSchedule, isScheduleWriteKind, type VisitOnCard } from './demo-schedule';
import { buildPhoneRun, loadPhoneIndex, ownersOf, savePhoneIndex, type PhoneRun } from './demo-phone-index';
import { seededRandom, type Random } from '../../../../src-shared/random/seeded-random';
import { every, sleep, systemClock, type Clock } from '../../../../src-shared/time/clock';

/** The demo clinic's default round trip (see `latencyMs`). */
export const DEMO_MIS_DEFAULT_LATENCY_MS = 60;

/** Settings of the embedded demo clinic (rendered as its settings form). */
export const DemoMisConfigSchema = z
  .object({
    patients: z.number().int().min(1).max(1_000_000).default(20_000).meta({ title: 'Patients in the demo clinic', title_ru: 'Пациентов в демо-клинике' }),
    seed: z.number().int().default(1).meta({ title: 'Seed (the same clinic for the same number)', title_ru: 'Зерно (одно число — одна и та же клиника)' }),
    offline: z.boolean().default(false).meta({ title: 'Start with the MIS offline', title_ru: 'Начать с недоступной МИС' }),
    /**
     * Round trip of every call. 60 ms by default: the demo stands for a MIS across the clinic's
     * network (an HTTP service of 1C:Medicina, a FHIR server), not for a function call, so the
     * screen pop's "online vs cached" comparison and the sync's pacing mean something.
     */
    latencyMs: z.number().int().min(0).max(60_000).default(DEMO_MIS_DEFAULT_LATENCY_MS).meta({ title: 'Round trip of every call, ms', title_ru: 'Задержка каждого вызова, мс' }),
    errorRate: z.number().min(0).max(1).default(0).meta({ title: 'Share of calls that fail', title_ru: 'Доля вызовов с ошибкой' }),
    timeoutRate: z.number().min(0).max(1).default(0).meta({ title: 'Share of calls that time out', title_ru: 'Доля вызовов без ответа вовремя' }),
    /** 0 = the clinic only changes when `evolve()` is called. */
    evolveIntervalMs: z.number().int().min(0).default(0).meta({ title: 'The clinic changes every, ms (0: never)', title_ru: 'Клиника меняется каждые, мс (0 — никогда)' }),
    /**
     * The schedule's SQLite file (absolute). Desks configured with the same file share one
     * schedule, as desks of one clinic share its MIS; default `<data dir>/demo-mis/schedule.db`.
     */
    scheduleFile: z.string().min(1).max(4_096).refine(isAbsolute, { message: 'must be an absolute path' }).optional().meta({ title: 'Shared schedule file (absolute path)', title_ru: 'Общий файл расписания (полный путь)', widget: 'path' }),
    /** How often the front desk and the patients' app book or cancel a slot; 0 = never. */
    otherChannelsIntervalMs: z.number().int().min(0).default(20_000).meta({ title: 'Other channels book every, ms (0: never)', title_ru: 'Другие каналы записывают каждые, мс (0 — никогда)' }),
    /** The clinic's time zone: its slots are on this wall clock. */
    timeZone: z.string().min(1).max(64).refine(isKnownTimeZone, { message: 'must be an IANA time zone like Europe/Moscow' }).default(DEFAULT_CLINIC_TIME_ZONE).meta({ title: 'Clinic time zone', title_ru: 'Часовой пояс клиники' }),
  })
  .strict();
export type DemoMisConfig = z.infer<typeof DemoMisConfigSchema>;

export const DEMO_MIS_MANIFEST: MisConnectorManifest<DemoMisConfig> = {
  id: 'demo',
  kind: 'mis',
  version: '0.1.0',
  apiVersion: MIS_CONNECTOR_API_VERSION,
  capabilities: ['changesSince', 'getCard', 'findByPhone', 'search', 'submit', 'schedule', 'booking', 'callLists'],
  configSchema: DemoMisConfigSchema,
};

export interface DemoMisOptions {
  patients?: number;
  seed?: number;
  /** The ledger's SQLite file; default `:memory:`. A file survives the desk being killed. */
  ledgerPath?: string;
  /** Where the caller lookup index is saved once built and loaded on the next start; default: not saved. */
  phoneIndexPath?: string;
  latencyMs?: number;
  errorRate?: number;
  timeoutRate?: number;
  /** Seed of the fault stream, independent of the clinic's evolution. */
  faultSeed?: number;
  /** The clock of its change log, its latency and its evolution timer; tests give their own so they never wait. */
  clock?: Clock;
  /** A reason to reject a write permanently (like a MIS validation error), or `null` to accept it. */
  rejectWhen?: (submission: MisSubmission) => string | null;
  /** The schedule's SQLite file (see `DemoSchedule`); default `:memory:`. Desks given the same file share one schedule. */
  scheduleFile?: string;
  /** The clinic's time zone (default Europe/Moscow). */
  timeZone?: string;
}

/** A change in the clinic's log. Sequence = base population size + position in this list + 1. */
type LogEntry =
  | { type: 'upsert'; card: PatientCard }
  | { type: 'delete'; misId: string }
  | { type: 'merge'; from: string; into: string };

/** What one `evolve` step did, for tests and the demo's activity line. */
export type DemoChange = { type: 'new' | 'rename' | 'phone' | 'cancel' | 'delete'; misId: string } | { type: 'merge'; from: string; into: string };

const CURSOR_PREFIX = 'demo1:';
const MIS_ID_BASE = 1_000_000;
/** The phone index's file name in the demo MIS's folder (next to its ledger). */
export const DEMO_PHONE_INDEX_FILE = 'phone-index.bin';
const SEARCH_LIMIT = 50;
/** Patients a search scans between two turns of the event loop (a few ms). */
const SCAN_CHUNK = 2_000;
/** Patients per run of the phone index: ~8 ms of generating and sorting on this class of machine. */
const PHONE_RUN_PATIENTS = 2_000;
/** Patients per run of the name index: a few ms of generating names. */
const NAME_RUN_PATIENTS = 4_000;


/**
 * The embedded demo MIS (docs/architecture.md, "Connectors"): a deterministic seeded clinic with an ordered change log,
 * so `changesSince` pages are real deltas and a restarted desk resumes where it stopped.
 *
 * The initial population is virtual: sequence `i` (1…N) is "patient `i-1` created", generated
 * on demand from (seed, index) and emitted in its current state (or skipped when deleted), so
 * a million-patient clinic costs no memory until it changes. Later changes (`evolve`,
 * `editPatient`) append real log entries carrying a snapshot of the card.
 *
 * Writes go through a ledger (SQLite, `synchronous=FULL`) keyed by idempotency key, so tests
 * can prove every outbox item was applied exactly once even across SIGKILLs of the desk.
 */
export class DemoMis implements MisConnector {
  readonly manifest = DEMO_MIS_MANIFEST as MisConnectorManifest;
  private readonly seed: number;
  private readonly basePopulation: number;
  private nextIndex: number;
  /** Current state of every patient that changed after creation. */
  private readonly changed = new Map<string, PatientCard>();
  private readonly gone = new Set<string>();
  private readonly log: LogEntry[] = [];
  private evolveRandom: Random;
  private readonly faultRandom: Random;
  private readonly ledger: DemoLedger;
  /** The clinic's schedule: branches, doctors, services, slots, call tasks; booking writes. */
  readonly schedule: DemoSchedule;
  private readonly clock: Clock;
  private readonly rejectWhen: (submission: MisSubmission) => string | null;
  private offline = false;
  private stopTicking: (() => void) | null = null;
  /** National10 → base-population indices, as sorted runs of {@link PHONE_RUN_PATIENTS} patients (see {@link preparePhoneIndex}). */
  private readonly phoneRuns: PhoneRun[] = [];
  /** Base-population patients indexed so far (the runs cover 0 … this − 1). */
  private phoneIndexedUpTo = 0;
  private phoneIndexing: Promise<void> | null = null;
  private readonly phoneIndexPath: string | null;
  private phoneIndexSaved = false;
  private closed = false;
  private readonly nameIndex: DemoNameIndex;
  private nameIndexing: Promise<void> | null = null;
  /** Injected round-trip delay of every call. */
  latencyMs: number;

  /** The seeded base population (the demo switchboard's callers are mostly these patients). */
  get population(): { patients: number; seed: number } {
    return { patients: this.basePopulation, seed: this.seed };
  }
  /** Share of calls failing with a transient `unreachable` error. */
  errorRate: number;
  /** Share of calls failing with `timeout`; a timed-out submit may still have been applied (as in life). */
  timeoutRate: number;

  constructor(options: DemoMisOptions = {}) {
    this.seed = options.seed ?? 1;
    this.basePopulation = options.patients ?? 20_000;
    this.nextIndex = this.basePopulation;
    this.evolveRandom = seededRandom(this.seed * 7919 + 17);
    this.faultRandom = seededRandom(options.faultSeed ?? this.seed * 104_729 + 3);
    this.ledger = new DemoLedger(options.ledgerPath ?? ':memory:');
    this.phoneIndexPath = options.phoneIndexPath ?? null;
    this.nameIndex = new DemoNameIndex(this.basePopulation, this.seed);
    this.latencyMs = options.latencyMs ?? 0;
    this.errorRate = options.errorRate ?? 0;
    this.timeoutRate = options.timeoutRate ?? 0;
    this.rejectWhen = options.rejectWhen ?? (() => null);
    this.replay(this.ledger.loadChanges(`seed=${this.seed};patients=${this.basePopulation}`));
    this.clock = options.clock ?? systemClock;
    this.schedule = new DemoSchedule({
      path: options.scheduleFile ?? ':memory:',
      seed: this.seed,
      patients: this.basePopulation,
      timeZone: options.timeZone ?? DEFAULT_CLINIC_TIME_ZONE,
      clock: this.clock,
    });
  }

  /** Every call throws `MisError('unreachable')` while offline (`--mis-offline`). */
  setOffline(offline: boolean): void {
    this.offline = offline;
  }

  get isOffline(): boolean {
    return this.offline;
  }

  /** Sequence of the newest change; a cursor equal to it means "up to date". */
  get lastSequence(): number {
    return this.basePopulation + this.log.length;
  }

  async health(): Promise<MisHealth> {
    await this.roundTrip();
    return { state: this.latencyMs > 1_000 || this.errorRate > 0 || this.timeoutRate > 0 ? 'degraded' : 'online', latencyMs: this.latencyMs };
  }

  async changesSince(cursor: string | null, limit: number): Promise<MisChangesPage> {
    await this.roundTrip();
    const from = decodeCursor(cursor, this.lastSequence);
    const max = Math.max(1, Math.floor(limit));
    const page: MisChangesPage = { cards: [], deletions: [], merges: [], nextCursor: encodeCursor(from), hasMore: false, total: this.lastSequence - from };
    let seq = from;
    let records = 0;
    while (seq < this.lastSequence && records < max) {
      seq += 1;
      records += 1;
      if (seq <= this.basePopulation) {
        const card = this.current(String(MIS_ID_BASE + seq - 1));
        if (card) page.cards.push(card);
        continue;
      }
      const entry = this.log[seq - this.basePopulation - 1]!;
      if (entry.type === 'upsert') page.cards.push(structuredClone(entry.card));
      else if (entry.type === 'delete') page.deletions.push(entry.misId);
      else page.merges.push({ from: entry.from, into: entry.into });
    }
    page.nextCursor = encodeCursor(seq);
    page.hasMore = seq < this.lastSequence;
    return page;
  }

  /**
   * Every living patient as of now, `pageSize` at a time, in MIS-id order (the base population
   * generated from its seed as it is generated for `changesSince`, changed ones in their current
   * state, deleted and merged-away ones left out), with the cursor at the end of the change log:
   * the desk's first sync loads it in bulk and continues with deltas from there. Each page is a
   * round trip (latency, faults) like every call.
   */
  async fullExport(options: { pageSize: number }): Promise<MisFullExport> {
    await this.roundTrip();
    const cursor = encodeCursor(this.lastSequence);
    const end = this.nextIndex;
    const total = Math.max(0, end - this.gone.size);
    const pageSize = Math.max(1, Math.floor(options.pageSize));
    let index = 0;
    let closed = false;
    return {
      cursor,
      total,
      next: async () => {
        if (closed || index >= end) return { cards: [], done: true };
        await this.roundTrip();
        const cards: PatientCard[] = [];
        while (index < end && cards.length < pageSize) {
          // Generated in the desk's process (a demo): give way between chunks, as for a search.
          if (cards.length > 0 && cards.length % SCAN_CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
          const card = this.current(String(MIS_ID_BASE + index));
          index += 1;
          if (card) cards.push(card);
        }
        return { cards, done: index >= end };
      },
      close: () => {
        closed = true;
      },
    };
  }

  /**
   * A page of a schedule stream (`branches`, `doctors`, `services`, `slots`, `call-tasks`)
   * after `cursor`, over the horizon `[today, today + horizonDays)`; see
   * `DemoSchedule.streamChangesSince`. Behind the same round trip (latency, faults) as every call.
   */
  async streamChangesSince(stream: ScheduleStream, cursor: string | null, limit: number, options: MisStreamOptions): Promise<MisStreamPage> {
    await this.roundTrip();
    return this.schedule.streamChangesSince(stream, cursor, limit, options);
  }

  async getCard(misId: string): Promise<unknown> {
    await this.roundTrip();
    return this.current(misId);
  }

  /**
   * Cards carrying the number (its last ten digits), as the MIS's own caller lookup would
   * answer: through an index of the base population (built once, on the first call: a real
   * MIS has one) plus every card changed since, at most 50.
   */
  async findByPhone(raw: string): Promise<unknown[]> {
    await this.roundTrip();
    await this.preparePhoneIndex();
    return this.cardsByPhone(raw);
  }

  /** {@link findByPhone} without the round trip (latency, faults): the clinic's own answer. */
  cardsByPhone(raw: string): PatientCard[] {
    const digits = String(raw).replace(/\D/g, '');
    if (digits.length < 10) return [];
    const national10 = digits.slice(-10);
    const matches = (card: PatientCard) => card.phones.some((p) => p.national10 === national10);
    const found: PatientCard[] = [];
    this.indexPhonesNow();
    for (const owner of ownersOf(this.phoneRuns, national10)) {
      if (found.length >= SEARCH_LIMIT) break;
      const misId = String(MIS_ID_BASE + owner);
      if (this.changed.has(misId) || this.gone.has(misId)) continue;
      const card = syntheticPatient(owner, this.seed);
      if (matches(card)) found.push(card);
    }
    for (const card of this.changed.values()) {
      if (found.length >= SEARCH_LIMIT) break;
      if (!this.gone.has(card.misId) && matches(card)) found.push(structuredClone(card));
    }
    return found;
  }

  /**
   * Makes the caller lookup index ready without stalling the desk: loaded from its file when a
   * previous start saved one for this clinic, otherwise built one run of
   * {@link PHONE_RUN_PATIENTS} patients per turn of the event loop (this MIS lives in the desk's
   * own process, where screen pops and IPC share the thread) and then saved. Resolves when the
   * index is complete.
   */
  preparePhoneIndex(): Promise<void> {
    this.phoneIndexing ??= (async () => {
      if (this.loadSavedPhoneIndex()) return;
      while (this.phoneIndexedUpTo < this.basePopulation && !this.closed) {
        this.indexNextRun();
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      this.savePhoneIndexOnce();
    })();
    return this.phoneIndexing;
  }

  /** Builds (or loads) the whole phone index now, in one go: the bench's first timed lookup must not pay for it. */
  warmPhoneIndex(): void {
    this.indexPhonesNow();
    this.savePhoneIndexOnce();
  }

  private indexPhonesNow(): void {
    if (this.phoneIndexedUpTo === 0 && this.loadSavedPhoneIndex()) return;
    while (this.phoneIndexedUpTo < this.basePopulation) this.indexNextRun();
  }

  private indexNextRun(): void {
    const from = this.phoneIndexedUpTo;
    const to = Math.min(this.basePopulation, from + PHONE_RUN_PATIENTS);
    this.phoneRuns.push(buildPhoneRun(from, to, this.seed));
    this.phoneIndexedUpTo = to;
  }

  private loadSavedPhoneIndex(): boolean {
    if (!this.phoneIndexPath || this.phoneIndexedUpTo > 0) return false;
    const runs = loadPhoneIndex(this.phoneIndexPath, { seed: this.seed, patients: this.basePopulation });
    if (!runs) return false;
    this.phoneRuns.push(...runs);
    this.phoneIndexedUpTo = this.basePopulation;
    this.phoneIndexSaved = true;
    return true;
  }

  private savePhoneIndexOnce(): void {
    if (!this.phoneIndexPath || this.phoneIndexSaved || this.phoneIndexedUpTo < this.basePopulation) return;
    this.phoneIndexSaved = true;
    try {
      savePhoneIndex(this.phoneIndexPath, { seed: this.seed, patients: this.basePopulation }, this.phoneRuns);
    } catch {
      // Only a cache of work: the next start builds it again.
    }
  }

  /**
   * The clinic's own name search, as a MIS's patient search box works: every word of the query
   * is the start of some part of the name (surname, either half of a double surname, given
   * name, patronymic), in any order; case and ё/е do not matter. At most 50 cards.
   */
  async search(query: string): Promise<unknown[]> {
    await this.roundTrip();
    const words = nameTokens(query);
    if (words.length === 0) return [];
    if (words.length > NAME_INDEX_MAX_WORDS) return this.scan((card) => nameMatchesWords(nameSortKey(card), words));
    return this.searchNames(words);
  }

  /**
   * Builds the name index a run of {@link NAME_RUN_PATIENTS} patients per turn of the event loop
   * (the desk's thread), so searches read it instead of scanning. Resolves when it is complete.
   */
  prepareNameIndex(): Promise<void> {
    this.nameIndexing ??= (async () => {
      while (!this.nameIndex.complete && !this.closed) {
        this.nameIndex.indexRun(NAME_RUN_PATIENTS);
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    })();
    return this.nameIndexing;
  }

  /**
   * The search through the name index: the same cards, in the same order (by MIS id), as
   * {@link scan} with the name rule. The indexed base patients are read from the index; the
   * rest of the base (while it is still being built) is scanned; changed cards (renamed, new,
   * merged) are checked as they are now; deleted ones are skipped.
   */
  private async searchNames(words: readonly string[]): Promise<PatientCard[]> {
    const matches = (card: PatientCard) => nameMatchesWords(nameSortKey(card), words);
    const changedHits: number[] = [];
    for (const [misId, card] of this.changed) {
      if (!this.gone.has(misId) && matches(card)) changedHits.push(Number(misId) - MIS_ID_BASE);
    }
    changedHits.sort((a, b) => a - b);
    const found: PatientCard[] = [];
    let next = 0;
    const takeChangedBefore = (index: number) => {
      while (next < changedHits.length && changedHits[next]! < index && found.length < SEARCH_LIMIT) found.push(this.current(String(MIS_ID_BASE + changedHits[next++]!))!);
    };
    const takeBase = (index: number) => {
      takeChangedBefore(index);
      const misId = String(MIS_ID_BASE + index);
      if (found.length < SEARCH_LIMIT && !this.changed.has(misId) && !this.gone.has(misId)) found.push(syntheticPatient(index, this.seed));
    };
    const indexedUpTo = this.nameIndex.indexedUpTo;
    for (const index of this.nameIndex.matching(words)) {
      if (found.length >= SEARCH_LIMIT) return found;
      takeBase(index);
    }
    for (let index = indexedUpTo; index < this.basePopulation && found.length < SEARCH_LIMIT; index++) {
      if (index > indexedUpTo && (index - indexedUpTo) % SCAN_CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      if (nameMatchesWords(nameSortKey(syntheticPatientName(index, this.seed)), words)) takeBase(index);
    }
    takeChangedBefore(Infinity);
    return found;
  }

  async submit(submission: MisSubmission): Promise<MisSubmitResult> {
    await this.roundTrip({ submit: submission });
    return this.receive(submission);
  }

  /** Patches a patient as the MIS's own staff would: bumps the version and appends to the change log. */
  editPatient(misId: string, patch: Partial<Omit<PatientCard, 'misId' | 'version'>>): PatientCard {
    const card = this.current(misId);
    if (!card) throw new MisError('rejected', `Unknown patient ${misId}.`);
    const next: PatientCard = { ...card, ...structuredClone(patch), misId, version: card.version + 1 };
    this.record(next);
    return structuredClone(next);
  }

  /**
   * Lets the clinic live for `steps` changes: new patients, renamed patients, changed phones,
   * cancelled appointments, duplicates merged and patients deleted. Deterministic per seed.
   */
  evolve(steps: number): DemoChange[] {
    return this.ledger.transaction(() => {
      const changes: DemoChange[] = [];
      for (let i = 0; i < steps; i++) {
        const change = this.evolveOnce();
        if (change) changes.push(change);
      }
      return changes;
    });
  }

  /** Keeps evolving every `intervalMs` while the desk runs; `stopEvolving()` ends it. */
  startEvolving(intervalMs: number, stepsPerTick = 1): void {
    this.stopEvolving();
    this.stopTicking = every(this.clock, intervalMs, () => this.evolve(stepsPerTick));
  }

  stopEvolving(): void {
    this.stopTicking?.();
    this.stopTicking = null;
  }

  /**
   * Another channel of the clinic (the front desk) books this slot now, as if between the
   * operator seeing it free and confirming (`demo.simulate` take-slot). False when it was not free.
   */
  takeSlot(slotId: string): boolean {
    return this.schedule.takeSlot(slotId);
  }

  /** The front desk and the patients' app book (and now and then cancel) a slot every `intervalMs`; 0 stops them. */
  startOtherChannels(intervalMs: number): void {
    this.schedule.startOtherChannels(intervalMs);
  }

  stopOtherChannels(): void {
    this.schedule.stopOtherChannels();
  }

  /** The card as the MIS holds it now (a copy), or `null` if it never existed or is gone. */
  peek(misId: string): PatientCard | null {
    return this.current(misId);
  }

  /** Delivered / lost / duplicated over the local ids the desk meant to send. */
  ledgerReport(expectedLocalIds: Iterable<string>): LedgerReport {
    return ledgerReport([...this.ledger.receipts(), ...this.schedule.receipts()], expectedLocalIds);
  }

  /** The ledger entry of one idempotency key (tests): the patient ledger's, else the schedule's (booking writes). */
  ledgerEntry(idempotencyKey: string): LedgerEntry | null {
    const entry = this.ledger.entry(idempotencyKey);
    if (entry) return entry;
    const booking = this.schedule.ledgerEntry(idempotencyKey);
    return booking && { idempotencyKey: booking.idempotencyKey, localId: booking.localId, kind: booking.kind, firstReceivedAt: booking.firstReceivedAt, receipts: booking.receipts };
  }

  /**
   * Every applied write, oldest first, optionally of one kind (`demo.ledger`, for e2e): the
   * ledger's (wrap-ups, new patients …) and the schedule's (`booking.*`, `call-list.outcome`).
   */
  ledgerEntries(kind?: string): LedgerEntry[] {
    const bookings = this.schedule
      .ledgerEntries(kind)
      .map(({ idempotencyKey, localId, kind: entryKind, firstReceivedAt, receipts }) => ({ idempotencyKey, localId, kind: entryKind, firstReceivedAt, receipts }));
    // A stable sort: the ledger's entries before the schedule's at the same millisecond.
    return [...this.ledger.entries(kind), ...bookings].sort((a, b) => a.firstReceivedAt - b.firstReceivedAt);
  }

  /** Notes appended to a patient's history by delivered wrap-ups, oldest first. */
  patientHistory(misId: string) {
    return this.ledger.history(misId);
  }

  close(): void {
    this.closed = true;
    this.stopEvolving();
    this.schedule.close();
    this.ledger.close();
  }

  private receive(submission: MisSubmission): MisSubmitResult {
    if (typeof submission.idempotencyKey !== 'string' || submission.idempotencyKey.length === 0 || submission.idempotencyKey.length > 128) {
      throw new MisError('rejected', 'The write has no valid idempotency key.');
    }
    if (typeof submission.kind !== 'string' || submission.kind.length === 0 || submission.kind.length > 64) {
      throw new MisError('rejected', 'The write has no valid kind.');
    }
    if (isScheduleWriteKind(submission.kind)) return this.receiveScheduleWrite(submission);
    // A key already seen is answered as duplicate even if the rules changed since: it was applied.
    if (this.ledger.entry(submission.idempotencyKey) === null) {
      const reason = this.rejectWhen(submission);
      if (reason !== null) throw new MisError('rejected', reason);
    }
    const at = this.clock.now();
    const status = this.ledger.receive(submission.idempotencyKey, localIdOf(submission), submission.kind, at, () => this.apply(submission, at));
    return { status, ref: `demo-${submission.idempotencyKey}` };
  }

  /**
   * A booking write or a call-list outcome: decided by the schedule in one transaction of its
   * file (a duplicate key answers with the same appointment); the visit it booked, moved or
   * cancelled then goes on the patient's card, through the change log, so the desk's next
   * patient sync brings it.
   */
  private receiveScheduleWrite(submission: MisSubmission): MisSubmitResult {
    if (this.schedule.ledgerEntry(submission.idempotencyKey) === null) {
      const reason = this.rejectWhen(submission);
      if (reason !== null) throw new MisError('rejected', reason, { rejection: 'refused' });
    }
    const result = this.schedule.write(submission, localIdOf(submission), this.clock.now(), { patientKnown: (misId) => this.current(misId) !== null });
    if (result.visits.length > 0) this.ledger.transaction(() => result.visits.forEach((visit) => this.putVisitOnCard(visit)));
    return { status: result.status, ref: `demo-${submission.idempotencyKey}`, ...(result.appointmentId !== null && { appointmentId: result.appointmentId }) };
  }

  /** The visit on the patient's card (replacing the same appointment), as a new version of the card. */
  private putVisitOnCard({ patientMisId, appointment }: VisitOnCard): void {
    const card = this.current(patientMisId);
    if (!card) return;
    const appointments = [...card.appointments.filter((a) => a.id !== appointment.id), appointment].slice(-MAX_APPOINTMENTS_PER_CARD);
    this.record({ ...card, version: card.version + 1, appointments });
  }

  /**
   * What a first delivery does in the clinic (inside the ledger's transaction, so it happens
   * exactly once): a wrap-up's note joins the patient's history; a new-patient draft becomes
   * a card (version 1) in the change log, so the desk's next sync brings it.
   */
  private apply(submission: MisSubmission, at: number): void {
    const payload = (submission.payload ?? {}) as Record<string, unknown>;
    const text = (value: unknown) => (typeof value === 'string' ? value : null);
    if (submission.kind === 'wrapup') {
      const misId = text(payload.misId);
      if (misId === null) return;
      const category = text(payload.category) ?? '';
      const note = text(payload.note) ?? '';
      const line = [category, note].filter((part) => part.length > 0).join(': ');
      this.ledger.appendHistory(misId, at, text(payload.callId), line.slice(0, 2_200));
      return;
    }
    if (submission.kind === 'new-patient') {
      const surname = text(payload.surname);
      const givenName = text(payload.givenName);
      const phone = text(payload.phone);
      if (!surname || !givenName || !phone || !/^\+\d{11,15}$/.test(phone)) return;
      const index = this.nextIndex++;
      const template = syntheticPatient(index, this.seed);
      const birthDate = text(payload.birthDate);
      this.record({
        ...template,
        version: 1,
        surname,
        givenName,
        patronymic: text(payload.patronymic) || null,
        ...(birthDate && { birthDate }),
        phones: [{ e164: phone, national10: phone.slice(-10), kind: 'mobile' }],
        email: null,
        address: null,
        omsPolicy: null,
        dms: null,
        snils: null,
        lastVisit: null,
        appointments: [],
      });
    }
  }

  /** Latency, then the injected faults, drawn from the fault stream in a fixed order. */
  private async roundTrip(context: { submit?: MisSubmission } = {}): Promise<void> {
    if (this.latencyMs > 0) await sleep(this.clock, this.latencyMs);
    if (this.offline) throw new MisError('unreachable', 'The demo MIS is offline.');
    const error = this.faultRandom();
    const timeout = this.faultRandom();
    const appliedBeforeTimeout = this.faultRandom();
    if (error < this.errorRate) throw new MisError('unreachable', 'The demo MIS failed the request (injected).');
    if (timeout < this.timeoutRate) {
      // The ambiguous case an outbox must survive: the MIS applied the write, the answer was lost.
      if (context.submit && appliedBeforeTimeout < 0.5) {
        try {
          this.receive(context.submit);
        } catch {
          // a rejection behind a timeout is just a timeout to the caller
        }
      }
      throw new MisError('timeout', 'The demo MIS did not answer in time (injected).');
    }
  }

  private evolveOnce(): DemoChange | null {
    const r = this.evolveRandom;
    const roll = r();
    if (roll < 0.3) {
      const index = this.nextIndex++;
      const card = syntheticPatient(index, this.seed);
      this.record({ ...card, version: 1 });
      return { type: 'new', misId: card.misId };
    }
    const target = this.pickLive();
    if (!target) return null;
    if (roll < 0.45) {
      // A new surname of the right gender form (a marriage, a corrected typo), from another seed's patients.
      let renamed = target.surname;
      for (let attempt = 0; attempt < 16 && renamed === target.surname; attempt++) {
        const donor = syntheticPatient(Math.floor(r() * 1_000_000), this.seed + 1);
        if (donor.sex === target.sex) renamed = donor.surname;
      }
      this.record({ ...target, version: target.version + 1, surname: renamed });
      return { type: 'rename', misId: target.misId };
    }
    if (roll < 0.65) {
      const national10 = syntheticMobile(Math.floor(r() * 1_000_000) + 5_000_000, this.seed);
      const phones = [{ e164: `+7${national10}`, national10, kind: 'mobile' as const }, ...target.phones.filter((p) => p.kind !== 'mobile')].slice(0, 10);
      this.record({ ...target, version: target.version + 1, phones });
      return { type: 'phone', misId: target.misId };
    }
    if (roll < 0.8) {
      const open = target.appointments.findIndex((a) => a.status === 'booked' || a.status === 'confirmed');
      if (open < 0) return null;
      const appointments = target.appointments.map((a, i) => (i === open ? { ...a, status: 'cancelled' as const } : a));
      this.record({ ...target, version: target.version + 1, appointments });
      return { type: 'cancel', misId: target.misId };
    }
    if (roll < 0.9) {
      const into = this.pickLive();
      if (!into || into.misId === target.misId) return null;
      const phones = [...into.phones];
      for (const phone of target.phones) if (phones.length < 10 && !phones.some((p) => p.e164 === phone.e164)) phones.push(phone);
      this.append({ type: 'merge', from: target.misId, into: into.misId });
      this.record({ ...into, version: into.version + 1, phones });
      return { type: 'merge', from: target.misId, into: into.misId };
    }
    this.append({ type: 'delete', misId: target.misId });
    return { type: 'delete', misId: target.misId };
  }

  private pickLive(): PatientCard | null {
    for (let attempt = 0; attempt < 8; attempt++) {
      const card = this.current(String(MIS_ID_BASE + Math.floor(this.evolveRandom() * this.nextIndex)));
      if (card) return card;
    }
    return null;
  }

  private record(card: PatientCard): void {
    this.append({ type: 'upsert', card: structuredClone(card) });
  }

  /** One change: applied to the clinic's state, added to its log, and kept in the ledger file. */
  private append(entry: LogEntry): void {
    this.applyEntry(entry);
    this.log.push(entry);
    this.ledger.appendChange(entry);
  }

  private applyEntry(entry: LogEntry): void {
    if (entry.type === 'upsert') {
      this.changed.set(entry.card.misId, structuredClone(entry.card));
      const index = Number(entry.card.misId) - MIS_ID_BASE;
      if (Number.isSafeInteger(index) && index >= this.nextIndex) this.nextIndex = index + 1;
      return;
    }
    const misId = entry.type === 'delete' ? entry.misId : entry.from;
    this.gone.add(misId);
    this.changed.delete(misId);
  }

  /**
   * Rebuilds the clinic's state from the log kept by an earlier run (a restarted demo clinic
   * is the same clinic, so the desk's cursor stays valid); entries that are not well-formed
   * end the replay there.
   */
  private replay(entries: readonly unknown[]): void {
    for (const entry of entries) {
      if (!isLogEntry(entry)) break;
      this.applyEntry(entry);
      this.log.push(entry);
    }
    // The evolution goes on from here instead of repeating the first run's choices.
    if (this.log.length > 0) this.evolveRandom = seededRandom(this.seed * 7919 + 17 + this.log.length);
  }

  private current(misId: string): PatientCard | null {
    if (this.gone.has(misId)) return null;
    const changed = this.changed.get(misId);
    if (changed) return structuredClone(changed);
    if (!/^\d{7,}$/.test(misId)) return null;
    const index = Number(misId) - MIS_ID_BASE;
    if (!Number.isSafeInteger(index) || index < 0 || index >= this.basePopulation) return null;
    return syntheticPatient(index, this.seed);
  }

  /**
   * The MIS's own search: every patient in order, at most {@link SEARCH_LIMIT} found. It runs in
   * the desk's process (a demo), so it gives way every {@link SCAN_CHUNK} patients: a search of a
   * million-patient clinic takes seconds, like a slow MIS, but never holds the desk's thread.
   */
  private async scan(match: (card: PatientCard) => boolean): Promise<PatientCard[]> {
    const found: PatientCard[] = [];
    for (let index = 0; index < this.nextIndex && found.length < SEARCH_LIMIT; index++) {
      if (index > 0 && index % SCAN_CHUNK === 0) await new Promise<void>((resolve) => setImmediate(resolve));
      const card = this.current(String(MIS_ID_BASE + index));
      if (card && match(card)) found.push(card);
    }
    return found;
  }
}

/** The local id a write belongs to: `payload.localId` when given, else the key itself. */
function localIdOf(submission: MisSubmission): string {
  const payload = submission.payload as { localId?: unknown } | null;
  return typeof payload?.localId === 'string' && payload.localId.length > 0 ? payload.localId : submission.idempotencyKey;
}

function isLogEntry(value: unknown): value is LogEntry {
  const entry = value as { type?: unknown; card?: { misId?: unknown }; misId?: unknown; from?: unknown; into?: unknown } | null;
  if (!entry || typeof entry !== 'object') return false;
  if (entry.type === 'upsert') return typeof entry.card?.misId === 'string';
  if (entry.type === 'delete') return typeof entry.misId === 'string';
  return entry.type === 'merge' && typeof entry.from === 'string' && typeof entry.into === 'string';
}

function encodeCursor(seq: number): string {
  return `${CURSOR_PREFIX}${seq}`;
}

function decodeCursor(cursor: string | null, last: number): number {
  if (cursor === null) return 0;
  const match = /^demo1:(\d{1,15})$/.exec(cursor);
  const seq = match ? Number(match[1]) : NaN;
  if (!Number.isSafeInteger(seq) || seq > last) {
    throw new MisError('rejected', 'The sync cursor does not belong to this demo clinic; a full sync is needed.');
  }
  return seq;
}
