import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3-multiple-ciphers';
import type { Appointment } from '../../../../src-shared/patients/patient-card';
import { isRealIsoDate } from '../../../../src-shared/patients/patient-card';
import { seededRandom, type Random } from '../../../../src-shared/random/seeded-random';
import {
  addDays,
  clinicDate,
  clinicInstant,
  clinicIso,
  DEFAULT_CLINIC_TIME_ZONE,
  daysBetween,
  weekday,
  zoneOffsetMinutes,
} from '../../../../src-shared/schedule/clinic-time';
import {
  SCHEDULE_STREAMS,
  type Branch,
  type Doctor,
  type MisCallTask,
  type ScheduleStream,
  type Service,
  type Slot,
  type SlotState,
} from '../../../../src-shared/schedule/schedule-model';
import { every, systemClock, type Clock } from '../../../../src-shared/time/clock';
import type { Db } from '../../db/open-database';
import { MisError, type MisStreamOptions, type MisStreamPage } from '../mis/mis-connector';
import {
  BookingCancelPayloadSchema,
  BookingCreatePayloadSchema,
  BookingMovePayloadSchema,
  CallListOutcomePayloadSchema,
  MIS_WRITE_KINDS,
  type BookingCancelPayload,
  type BookingCreatePayload,
  type BookingMovePayload,
  type CallListOutcomePayload,
} from '../mis/mis-writes';
import type { LedgerEntry } from './demo-ledger';
import {
  AFTERNOON_FROM_MIN,
  BRANCHES,
  DOCTORS,
  RESULTS_REASONS,
  SERVICES,
  SHIFTS,
  SPECIALTIES,
  type DoctorData,
  type ServiceData,
  type ShiftData,
  type SpecialtyData,
} from './demo-schedule-data';

/** The schedule's file name in the demo MIS's folder (next to its ledger). */
export const DEMO_SCHEDULE_FILE = 'schedule.db';

/** Base-population patient `i` is MIS id `1000000 + i`, as `syntheticPatient` numbers them. */
const PATIENT_MIS_ID_BASE = 1_000_000;
/** Days ahead the other channels book into (the desk's default horizon). */
const OTHER_CHANNELS_DAYS = 14;
/** Share of base slots blocked (the doctor's paperwork, a meeting). */
const BLOCKED_SHARE = 0.03;
const CURSOR_PREFIX = 'dsch1';
const STREAM_CODES: Record<ScheduleStream, string> = { branches: 'br', doctors: 'dr', services: 'sv', slots: 'sl', 'call-tasks': 'ct' };
const MAX_HORIZON_DAYS = 366;
/** Days whose generated slots are kept in memory (a 62-day horizon and some). */
const DAY_CACHE_LIMIT = 120;
/** The clinic's earliest opening and latest closing (see `SHIFTS`), minutes since midnight. */
const DAY_FIRST_MIN = Math.min(...Object.values(SHIFTS).map((s) => s.from));
const DAY_LAST_MIN = Math.max(...Object.values(SHIFTS).map((s) => s.to));

/** Who else books in the clinic: the front desk and the patients' app. */
export type OtherChannel = 'front-desk' | 'app';

/** One move of the other channels (`otherChannelsTick`). */
export interface OtherChannelChange {
  type: 'book' | 'cancel';
  slotId: string;
  channel: OtherChannel;
}

/** A visit as it goes on the patient's card after a booking write: the card's appointment (id = the MIS's appointment id). */
export interface VisitOnCard {
  patientMisId: string;
  appointment: Appointment;
}

export interface ScheduleWriteResult {
  status: 'applied' | 'duplicate';
  /** The appointment made, moved or cancelled (same for a duplicate); null for a call-list outcome. */
  appointmentId: string | null;
  /** What the first delivery changed on patients' cards (empty for a duplicate). */
  visits: VisitOnCard[];
}

export interface ScheduleWriteHooks {
  /** Whether the MIS knows the patient (`patient-unknown` otherwise). */
  patientKnown(misId: string): boolean;
}

/** A call-list outcome as the schedule recorded it (tests, demo). */
export interface RecordedCallOutcome {
  key: string;
  listId: string;
  taskId: string;
  patientMisId: string;
  outcome: string;
  attempts: number;
  appointmentId: string | null;
  at: string;
  /** The MIS call task it closed, or null (a confirm-tomorrow list, `noAnswer`, a task it does not know). */
  closedTask: string | null;
}

export interface DemoScheduleOptions {
  /** The schedule's SQLite file (shared by every desk configured with it), or `:memory:` (default). */
  path?: string;
  seed?: number;
  /** The base population: a base-booked slot names one of its patients. */
  patients?: number;
  /** The clinic's IANA zone; every slot is on its wall clock. Default Europe/Moscow. */
  timeZone?: string;
  /** The clinic's clock (its today, the other channels' timer). */
  clock?: Clock;
}

type ScheduleWriteKind = (typeof MIS_WRITE_KINDS)[keyof typeof MIS_WRITE_KINDS];
const SCHEDULE_WRITE_KINDS: readonly string[] = Object.values(MIS_WRITE_KINDS);

/** True for the writes the schedule handles (`booking.*`, `call-list.outcome`). */
export function isScheduleWriteKind(kind: string): kind is ScheduleWriteKind {
  return SCHEDULE_WRITE_KINDS.includes(kind);
}

type ParsedWrite =
  | { kind: 'booking.create'; payload: BookingCreatePayload }
  | { kind: 'booking.move'; payload: BookingMovePayload }
  | { kind: 'booking.cancel'; payload: BookingCancelPayload }
  | { kind: 'call-list.outcome'; payload: CallListOutcomePayload };

/** A slot as the schedule generates it, before any booking made since (its base state). */
interface BaseSlot {
  id: string;
  doctor: DoctorData;
  day: string;
  minutes: number;
  startsAt: string;
  durationMin: number;
  state: SlotState;
  patientMisId: string | null;
  appointmentId: string | null;
  serviceId: string | null;
}

interface GeneratedDay {
  slots: BaseSlot[];
  byId: Map<string, BaseSlot>;
}

interface OverrideRow {
  slot_id: string;
  day: string;
  state: SlotState;
  patient_mis_id: string | null;
  appointment_id: string | null;
  service_id: string | null;
  version: number;
  seq: number;
}

interface LedgerRow {
  idempotency_key: string;
  local_id: string;
  kind: string;
  first_received_at: number;
  receipts: number;
  appointment_id: string | null;
}

interface ActiveAppointment {
  appointmentId: string;
  base: BaseSlot;
  slot: Slot;
  patientMisId: string;
  serviceId: string | null;
}

interface Horizon {
  today: string;
  days: number;
}

/** Where a stream's sync stands: a session runs from `from` (null: the first sync) to the change sequence `target`. */
interface Session {
  /** The schedule's tag: a cursor names the schedule it belongs to. */
  tag: string;
  stream: ScheduleStream;
  target: number;
  window: Horizon;
  from: { seq: number; window: Horizon } | null;
  /** `n`: the new records (everything on a first sync; days that entered the horizon); `c`: the changes after `from`. */
  phase: 'n' | 'c';
  /** `n`: index into the new records; `c`: the last change sequence read. */
  pos: number;
}

type StreamItem = { record: unknown } | { removed: string };

const SPECIALTY_BY_NAME = new Map<string, SpecialtyData>(SPECIALTIES.map((s) => [s.name, s]));
const DOCTOR_BY_ID = new Map<string, DoctorData>(DOCTORS.map((d) => [d.id, d]));
const SERVICE_BY_ID = new Map<string, ServiceData>(SERVICES.map((s) => [s.id, s]));
const BRANCH_NAME = new Map<string, string>(BRANCHES.map((b) => [b.id, b.name]));
const SERVICES_BY_SPECIALTY = new Map<string, ServiceData[]>();
for (const service of SERVICES) SERVICES_BY_SPECIALTY.set(service.specialty, [...(SERVICES_BY_SPECIALTY.get(service.specialty) ?? []), service]);
const RECALL_SPECIALTIES = SPECIALTIES.filter((s) => s.recallWeight > 0);
const RECALL_WEIGHT = RECALL_SPECIALTIES.reduce((sum, s) => sum + s.recallWeight, 0);
const SLOT_ID = /^(d\d{2})@(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/;
/** A MIS call task id (`rc-2026-12-07-03`), alone or after a `:` or `/`. */
const TASK_ID = /(?:^|[:/])((rc|rs)-(\d{4}-\d{2}-\d{2})-\d{2})$/;

/**
 * The demo clinic's schedule (docs/architecture.md, "Connectors"): two branches, forty doctors,
 * their services and slots, and the MIS's own call tasks (recalls, results ready).
 *
 * The schedule is virtual like the population: every slot of every day is generated from the
 * catalog, and its base state (free, booked by a base-population patient, blocked) is a seeded
 * function of its id and of how far its day is from the clinic's opening day (`anchorDate`):
 * mornings and nearer days are fuller. What changed since (bookings from the desk and from the
 * other channels, moves, cancellations, closed call tasks) lives in `schedule.db`, a plain
 * SQLite file shared by every desk configured with it. Each booking decision is one
 * `BEGIN IMMEDIATE` transaction that checks the slot and records the change, so a slot is never
 * booked twice, even by two processes; each change takes the next number of one change sequence,
 * which is what the stream cursors count.
 */
export class DemoSchedule {
  readonly timeZone: string;
  /** The clinic day the schedule was opened on (stored in the file): day 0 of "nearer days are fuller". */
  readonly anchorDate: string;
  private readonly seed: number;
  private readonly patients: number;
  private readonly clock: Clock;
  private readonly db: Db;
  /** Random id of this schedule's state (new when the file is made or reset), so a cursor of another schedule is refused. */
  private readonly tag: string;
  private readonly days = new Map<string, GeneratedDay>();
  private readonly tasks = new Map<string, MisCallTask[]>();
  private otherChannelsRandom: Random | null = null;
  private stopOtherChannelsTimer: (() => void) | null = null;
  private readonly statements;

  constructor(options: DemoScheduleOptions = {}) {
    const path = options.path ?? ':memory:';
    this.seed = options.seed ?? 1;
    this.patients = Math.max(1, options.patients ?? 20_000);
    this.timeZone = options.timeZone ?? DEFAULT_CLINIC_TIME_ZONE;
    this.clock = options.clock ?? systemClock;
    // Another desk may hold the write lock for a moment: wait for it rather than fail.
    this.db = new Database(path, { timeout: 10_000 });
    if (path !== ':memory:') this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
      ) STRICT;
      -- One sequence numbers every change (slot or call task): what the stream cursors count.
      CREATE TABLE IF NOT EXISTS counter (
        id  INTEGER PRIMARY KEY CHECK (id = 1),
        seq INTEGER NOT NULL
      ) STRICT;
      INSERT OR IGNORE INTO counter (id, seq) VALUES (1, 0);
      -- The current state of every slot that changed from its base state.
      CREATE TABLE IF NOT EXISTS slot_state (
        slot_id        TEXT    PRIMARY KEY,
        day            TEXT    NOT NULL,
        state          TEXT    NOT NULL,
        patient_mis_id TEXT,
        appointment_id TEXT,
        service_id     TEXT,
        version        INTEGER NOT NULL,
        seq            INTEGER NOT NULL UNIQUE
      ) STRICT;
      CREATE INDEX IF NOT EXISTS slot_state_day ON slot_state (day);
      -- Where each appointment made or moved since the base state is (its slot says whether it is live).
      CREATE TABLE IF NOT EXISTS appointments (
        appointment_id TEXT    PRIMARY KEY,
        slot_id        TEXT    NOT NULL,
        patient_mis_id TEXT    NOT NULL,
        service_id     TEXT,
        status         TEXT    NOT NULL,
        channel        TEXT    NOT NULL,
        updated_at     INTEGER NOT NULL
      ) STRICT;
      CREATE TABLE IF NOT EXISTS call_task_closed (
        task_id TEXT    PRIMARY KEY,
        day     TEXT    NOT NULL,
        outcome TEXT    NOT NULL,
        at      INTEGER NOT NULL,
        seq     INTEGER NOT NULL UNIQUE
      ) STRICT;
      CREATE INDEX IF NOT EXISTS call_task_closed_day ON call_task_closed (day);
      CREATE TABLE IF NOT EXISTS call_outcomes (
        idempotency_key TEXT    PRIMARY KEY,
        list_id         TEXT    NOT NULL,
        task_id         TEXT    NOT NULL,
        patient_mis_id  TEXT    NOT NULL,
        outcome         TEXT    NOT NULL,
        attempts        INTEGER NOT NULL,
        appointment_id  TEXT,
        at              TEXT    NOT NULL,
        closed_task     TEXT
      ) STRICT;
      -- Booking writes received, by idempotency key: a retried key answers duplicate with its appointment.
      CREATE TABLE IF NOT EXISTS ledger (
        idempotency_key   TEXT    PRIMARY KEY,
        local_id          TEXT    NOT NULL,
        kind              TEXT    NOT NULL,
        first_received_at INTEGER NOT NULL,
        receipts          INTEGER NOT NULL DEFAULT 1,
        appointment_id    TEXT
      ) STRICT;
      CREATE INDEX IF NOT EXISTS ledger_local_id ON ledger (local_id);
    `);
    const opened = this.openClinic();
    this.tag = opened.tag;
    this.anchorDate = opened.anchor;
    this.statements = {
      currentSeq: this.db.prepare<[], number>('SELECT seq FROM counter WHERE id = 1').pluck(),
      nextSeq: this.db.prepare<[], number>('UPDATE counter SET seq = seq + 1 WHERE id = 1 RETURNING seq').pluck(),
      override: this.db.prepare<[string], OverrideRow>('SELECT * FROM slot_state WHERE slot_id = ?'),
      overridesOfDay: this.db.prepare<[string], OverrideRow>('SELECT * FROM slot_state WHERE day = ?'),
      changedSlots: this.db.prepare<[number, number, string, string, number], OverrideRow>(
        'SELECT * FROM slot_state WHERE seq > ? AND seq <= ? AND day >= ? AND day < ? ORDER BY seq LIMIT ?',
      ),
      countChangedSlots: this.db
        .prepare<[number, number, string, string], number>('SELECT count(*) FROM slot_state WHERE seq > ? AND seq <= ? AND day >= ? AND day < ?')
        .pluck(),
      upsertSlot: this.db.prepare<[string, string, SlotState, string | null, string | null, string | null, number, number]>(
        `INSERT INTO slot_state (slot_id, day, state, patient_mis_id, appointment_id, service_id, version, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (slot_id) DO UPDATE SET state = excluded.state, patient_mis_id = excluded.patient_mis_id, appointment_id = excluded.appointment_id,
           service_id = excluded.service_id, version = excluded.version, seq = excluded.seq`,
      ),
      appointment: this.db.prepare<[string], { slot_id: string; channel: string }>('SELECT slot_id, channel FROM appointments WHERE appointment_id = ?'),
      upsertAppointment: this.db.prepare<[string, string, string, string | null, string, string, number]>(
        `INSERT INTO appointments (appointment_id, slot_id, patient_mis_id, service_id, status, channel, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (appointment_id) DO UPDATE SET slot_id = excluded.slot_id, service_id = excluded.service_id, status = excluded.status,
           channel = excluded.channel, updated_at = excluded.updated_at`,
      ),
      ledgerByKey: this.db.prepare<[string], LedgerRow>('SELECT * FROM ledger WHERE idempotency_key = ?'),
      ledgerInsert: this.db.prepare<[string, string, string, number, string | null]>(
        'INSERT INTO ledger (idempotency_key, local_id, kind, first_received_at, appointment_id) VALUES (?, ?, ?, ?, ?)',
      ),
      ledgerBump: this.db.prepare<[string]>('UPDATE ledger SET receipts = receipts + 1 WHERE idempotency_key = ?'),
      ledgerEntries: this.db.prepare<[string | null, string | null], LedgerRow>('SELECT * FROM ledger WHERE ? IS NULL OR kind = ? ORDER BY first_received_at, rowid'),
      appointmentOfLocal: this.db
        .prepare<[string], string>(
          "SELECT appointment_id FROM ledger WHERE local_id = ? AND appointment_id IS NOT NULL AND kind IN ('booking.create', 'booking.move') ORDER BY rowid DESC LIMIT 1",
        )
        .pluck(),
      taskClosed: this.db.prepare<[string], { seq: number }>('SELECT seq FROM call_task_closed WHERE task_id = ?'),
      closeTask: this.db.prepare<[string, string, string, number, number]>('INSERT INTO call_task_closed (task_id, day, outcome, at, seq) VALUES (?, ?, ?, ?, ?)'),
      closedOfDay: this.db.prepare<[string], { task_id: string; seq: number }>('SELECT task_id, seq FROM call_task_closed WHERE day = ?'),
      closedBetween: this.db.prepare<[number, number, string], string>('SELECT task_id FROM call_task_closed WHERE seq > ? AND seq <= ? AND day = ? ORDER BY seq').pluck(),
      recordOutcome: this.db.prepare<[string, string, string, string, string, number, string | null, string, string | null]>(
        'INSERT INTO call_outcomes (idempotency_key, list_id, task_id, patient_mis_id, outcome, attempts, appointment_id, at, closed_task) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      outcomes: this.db.prepare<[], Record<string, unknown>>('SELECT * FROM call_outcomes ORDER BY rowid'),
    };
  }

  /** The clinic's today (its clock, its zone). */
  today(): string {
    return clinicDate(this.clock.now(), this.timeZone);
  }

  branches(): Branch[] {
    return BRANCHES.map((b) => ({ id: b.id, version: 1, name: b.name, address: b.address }));
  }

  doctors(): Doctor[] {
    return DOCTORS.map((d) => ({ id: d.id, version: 1, name: d.name, specialty: d.specialty, branchId: d.branchId, room: d.room }));
  }

  services(): Service[] {
    return SERVICES.map((s) => ({
      id: s.id,
      version: 1,
      name: s.name,
      specialty: s.specialty,
      durationMin: SPECIALTY_BY_NAME.get(s.specialty)!.slotMin,
      kind: s.kind,
      priceRub: s.priceRub,
      prepare: s.prepare,
    }));
  }

  /** One slot as the MIS holds it now, or null when the schedule has no such slot. */
  slot(slotId: string): Slot | null {
    return this.effective(slotId)?.slot ?? null;
  }

  /** Every slot of a clinic day as the MIS holds it now, by doctor and time; optionally one doctor's. */
  daySlots(date: string, doctorId?: string): Slot[] {
    if (!isRealIsoDate(date)) return [];
    const overrides = this.overridesOf(date);
    return this.generatedDay(date)
      .slots.filter((base) => doctorId === undefined || base.doctor.id === doctorId)
      .map((base) => merge(base, overrides.get(base.id)));
  }

  /** The MIS's open call tasks of a day (recalls and results ready, minus those an outcome closed). */
  callTasks(date: string): MisCallTask[] {
    if (!isRealIsoDate(date)) return [];
    const closed = new Set(this.statements.closedOfDay.all(date).map((row) => row.task_id));
    return this.generatedTasks(date).flatMap((task) => (closed.has(task.id) ? [] : [{ ...task }]));
  }

  /** Call-list outcomes received, oldest first. */
  callOutcomes(): RecordedCallOutcome[] {
    return this.statements.outcomes.all().map((row) => ({
      key: row.idempotency_key as string,
      listId: row.list_id as string,
      taskId: row.task_id as string,
      patientMisId: row.patient_mis_id as string,
      outcome: row.outcome as string,
      attempts: row.attempts as number,
      appointmentId: row.appointment_id as string | null,
      at: row.at as string,
      closedTask: row.closed_task as string | null,
    }));
  }

  /** The newest change's number (tests). */
  get lastSequence(): number {
    return this.statements.currentSeq.get()!;
  }

  /**
   * A page of a schedule stream after `cursor` (null: from the start). A first sync pages
   * through every record (slots: every slot of `[today, today + horizonDays)`); a later one
   * returns the slots changed since its cursor (current state, higher version) and every slot
   * of the days that entered the horizon since; `call-tasks` are today's open tasks, and those
   * closed or of a past day come back as `removed`. A cursor of another schedule is `rejected`.
   */
  streamChangesSince(stream: ScheduleStream, cursor: string | null, limit: number, options: MisStreamOptions): MisStreamPage {
    if (!SCHEDULE_STREAMS.includes(stream)) throw new MisError('rejected', `The demo MIS has no schedule stream "${String(stream)}".`);
    const window = checkedHorizon(options);
    const max = Number.isFinite(limit) ? Math.max(1, Math.floor(limit)) : 250;
    return this.db.transaction(() => {
      const session = this.openSession(stream, cursor, window);
      if (stream === 'slots') return this.slotsPage(session, max);
      const items: StreamItem[] = stream === 'call-tasks' ? this.callTaskItems(session) : session.from ? [] : this.catalog(stream).map((record) => ({ record }));
      return this.listPage(session, items, max);
    })();
  }

  /**
   * Applies a booking write (`booking.create` / `booking.move` / `booking.cancel`) or a
   * call-list outcome at most once per idempotency key, in one `BEGIN IMMEDIATE` transaction:
   * a key seen before answers `duplicate` with the same appointment (and counts the receipt);
   * a refusal throws `MisError('rejected', …, { rejection })` and changes nothing.
   */
  write(submission: { idempotencyKey: string; kind: string; payload: unknown }, localId: string, at: number, hooks: ScheduleWriteHooks): ScheduleWriteResult {
    const write = parseWrite(submission.kind, submission.payload);
    return this.db.transaction((): ScheduleWriteResult => {
      const seen = this.statements.ledgerByKey.get(submission.idempotencyKey);
      if (seen) {
        this.statements.ledgerBump.run(submission.idempotencyKey);
        return { status: 'duplicate', appointmentId: seen.appointment_id, visits: [] };
      }
      const { appointmentId, visits } = this.apply(write, submission.idempotencyKey, at, hooks);
      this.statements.ledgerInsert.run(submission.idempotencyKey, localId, submission.kind, at, appointmentId);
      return { status: 'applied', appointmentId, visits };
    }).immediate();
  }

  /**
   * Another channel (the front desk by default) books a free slot for a base-population
   * patient now. False when the slot is not free or not in the schedule.
   */
  takeSlot(slotId: string, channel: OtherChannel = 'front-desk'): boolean {
    return this.db.transaction(() => this.bookForOtherChannel(slotId, channel)).immediate();
  }

  /**
   * One move of the other channels: mostly a booking of a free future slot (nearer days more
   * often), sometimes the cancellation of a visit booked elsewhere (never one of a desk's).
   * Deterministic per seed and the schedule's state when the channels started.
   */
  otherChannelsTick(): OtherChannelChange | null {
    this.otherChannelsRandom ??= seededRandom(hash32(`${this.seed}|channels|${this.lastSequence}`));
    const r = this.otherChannelsRandom;
    const cancel = r() < 0.15;
    const channel: OtherChannel = r() < 0.6 ? 'front-desk' : 'app';
    const day = addDays(this.today(), Math.floor(r() ** 2 * OTHER_CHANNELS_DAYS));
    const pickDoctor = r();
    const pickSlot = r();
    const now = this.clock.now();
    return this.db.transaction((): OtherChannelChange | null => {
      const overrides = this.overridesOf(day);
      const future = this.generatedDay(day).slots.filter((base) => Date.parse(base.startsAt) > now);
      const doctors = [...new Set(future.map((base) => base.doctor.id))];
      if (doctors.length === 0) return null;
      const doctorId = doctors[Math.floor(pickDoctor * doctors.length)]!;
      const slots = future.filter((base) => base.doctor.id === doctorId).map((base) => ({ base, slot: merge(base, overrides.get(base.id)) }));
      if (!cancel) {
        const free = slots.filter(({ slot }) => slot.state === 'free');
        if (free.length === 0) return null;
        const chosen = free[Math.floor(pickSlot * free.length)]!;
        return this.bookForOtherChannel(chosen.base.id, channel) ? { type: 'book', slotId: chosen.base.id, channel } : null;
      }
      const theirs = slots.filter(({ slot }) => slot.state === 'booked' && slot.appointmentId !== null && this.statements.appointment.get(slot.appointmentId)?.channel !== 'desk');
      if (theirs.length === 0) return null;
      const chosen = theirs[Math.floor(pickSlot * theirs.length)]!;
      this.setSlot(chosen.base, chosen.slot.version, { state: 'free', patientMisId: null, appointmentId: null, serviceId: null });
      this.statements.upsertAppointment.run(chosen.slot.appointmentId!, chosen.base.id, chosen.slot.patientMisId!, chosen.slot.serviceId, 'cancelled', channel, now);
      return { type: 'cancel', slotId: chosen.base.id, channel };
    }).immediate();
  }

  /** Lets the other channels book and cancel every `intervalMs` on the clock; `stopOtherChannels()` ends it. */
  startOtherChannels(intervalMs: number): void {
    this.stopOtherChannels();
    if (intervalMs <= 0) return;
    this.stopOtherChannelsTimer = every(this.clock, intervalMs, () => {
      try {
        this.otherChannelsTick();
      } catch {
        // The file was busy or closed: the next tick tries again.
      }
    });
  }

  stopOtherChannels(): void {
    this.stopOtherChannelsTimer?.();
    this.stopOtherChannelsTimer = null;
  }

  /** The ledger entry of one booking write's key, or null. */
  ledgerEntry(idempotencyKey: string): (LedgerEntry & { appointmentId: string | null }) | null {
    const row = this.statements.ledgerByKey.get(idempotencyKey);
    return row ? toLedgerEntry(row) : null;
  }

  /** Booking writes and call-list outcomes received, oldest first, optionally of one kind. */
  ledgerEntries(kind?: string): (LedgerEntry & { appointmentId: string | null })[] {
    return this.statements.ledgerEntries.all(kind ?? null, kind ?? null).map(toLedgerEntry);
  }

  /** Every booking write's local id and receipt count (for the MIS's ledger report). */
  receipts(): { localId: string; receipts: number }[] {
    return this.ledgerEntries().map((entry) => ({ localId: entry.localId, receipts: entry.receipts }));
  }

  close(): void {
    this.stopOtherChannels();
    if (this.db.open) this.db.close();
  }

  // ---- the clinic in the file ------------------------------------------------------------

  /**
   * The schedule's identity in the file: its tag and opening day. A file of another clinic
   * (another seed or population) has its changes dropped, since they name slots and patients
   * of that clinic; its ledger of received keys is kept.
   */
  private openClinic(): { tag: string; anchor: string } {
    const clinic = `seed=${this.seed};patients=${this.patients}`;
    return this.db.transaction(() => {
      const get = (key: string) => this.db.prepare<[string], string>('SELECT value FROM meta WHERE key = ?').pluck().get(key);
      const set = (key: string, value: string) =>
        this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
      const tag = get('tag');
      const anchor = get('anchor');
      if (get('clinic') === clinic && tag && anchor && isRealIsoDate(anchor)) return { tag, anchor };
      this.db.exec('DELETE FROM slot_state; DELETE FROM appointments; DELETE FROM call_task_closed; DELETE FROM call_outcomes;');
      const fresh = { tag: randomBytes(4).toString('hex'), anchor: this.today() };
      set('clinic', clinic);
      set('tag', fresh.tag);
      set('anchor', fresh.anchor);
      return fresh;
    }).immediate();
  }

  // ---- slots -------------------------------------------------------------------------------

  /** The base slots of a day (generated once, kept for a while). */
  private generatedDay(day: string): GeneratedDay {
    let generated = this.days.get(day);
    if (!generated) {
      if (this.days.size >= DAY_CACHE_LIMIT) this.days.clear();
      const startsAt = dayClock(day, this.timeZone);
      const slots = DOCTORS.flatMap((doctor) => this.baseSlotsOf(doctor, day, startsAt));
      generated = { slots, byId: new Map(slots.map((s) => [s.id, s])) };
      this.days.set(day, generated);
    }
    return generated;
  }

  private baseSlotsOf(doctor: DoctorData, day: string, startsAt: (minutes: number) => string): BaseSlot[] {
    const specialty = SPECIALTY_BY_NAME.get(doctor.specialty)!;
    const length = specialty.slotMin;
    const slots: BaseSlot[] = [];
    const fromAnchor = Math.max(0, daysBetween(this.anchorDate, day));
    const morningFullness = Math.max(0.3, 0.8 - 0.036 * fromAnchor);
    for (const t of slotStarts(doctor, day)) {
      const id = `${doctor.id}@${day}T${pad2(Math.floor(t / 60))}:${pad2(t % 60)}`;
      const r = seededRandom(hash32(`${this.seed}|${id}`));
      const blockedDraw = r();
      const bookedDraw = r();
      const patientDraw = r();
      const serviceDraw = r();
      let fullness = t < AFTERNOON_FROM_MIN ? morningFullness : morningFullness * 0.6;
      // Whoever calls today about tomorrow must be able to see a therapist in the afternoon.
      if (doctor.specialty === 'терапевт' && t >= AFTERNOON_FROM_MIN && fromAnchor <= 1) fullness = Math.min(fullness, 0.35);
      const state: SlotState = blockedDraw < BLOCKED_SHARE ? 'blocked' : bookedDraw < fullness ? 'booked' : 'free';
      slots.push({
        id,
        doctor,
        day,
        minutes: t,
        startsAt: startsAt(t),
        durationMin: length,
        state,
        patientMisId: state === 'booked' ? String(PATIENT_MIS_ID_BASE + Math.floor(patientDraw * this.patients)) : null,
        appointmentId: state === 'booked' ? `ab-${id}` : null,
        serviceId: state === 'booked' ? pickService(doctor.specialty, serviceDraw).id : null,
      });
    }
    return slots;
  }

  private baseSlot(slotId: string): BaseSlot | null {
    const match = SLOT_ID.exec(slotId);
    if (!match || !DOCTOR_BY_ID.has(match[1]!) || !isRealIsoDate(match[2]!)) return null;
    return this.generatedDay(match[2]!).byId.get(slotId) ?? null;
  }

  private effective(slotId: string): { base: BaseSlot; slot: Slot } | null {
    const base = this.baseSlot(slotId);
    if (!base) return null;
    return { base, slot: merge(base, this.statements.override.get(slotId)) };
  }

  private overridesOf(day: string): Map<string, OverrideRow> {
    return new Map(this.statements.overridesOfDay.all(day).map((row) => [row.slot_id, row]));
  }

  /** Records a slot's new state under the next change number and a higher version; returns that number. */
  private setSlot(
    base: BaseSlot,
    previousVersion: number,
    next: { state: SlotState; patientMisId: string | null; appointmentId: string | null; serviceId: string | null },
    seq = this.statements.nextSeq.get()!,
  ): number {
    this.statements.upsertSlot.run(base.id, base.day, next.state, next.patientMisId, next.appointmentId, next.serviceId, previousVersion + 1, seq);
    return seq;
  }

  private bookForOtherChannel(slotId: string, channel: OtherChannel): boolean {
    const found = this.effective(slotId);
    if (!found || found.slot.state !== 'free') return false;
    const seq = this.statements.nextSeq.get()!;
    const r = seededRandom(hash32(`${this.seed}|${channel}|${slotId}|${seq}`));
    const patientMisId = String(PATIENT_MIS_ID_BASE + Math.floor(r() * this.patients));
    const serviceId = pickService(found.base.doctor.specialty, r()).id;
    const appointmentId = `ap-${this.tag}-${seq}`;
    this.setSlot(found.base, found.slot.version, { state: 'booked', patientMisId, appointmentId, serviceId }, seq);
    this.statements.upsertAppointment.run(appointmentId, slotId, patientMisId, serviceId, 'booked', channel, this.clock.now());
    return true;
  }

  // ---- writes ------------------------------------------------------------------------------

  private apply(write: ParsedWrite, key: string, at: number, hooks: ScheduleWriteHooks): { appointmentId: string | null; visits: VisitOnCard[] } {
    switch (write.kind) {
      case 'booking.create':
        return this.create(write.payload, at, hooks);
      case 'booking.move':
        return this.move(write.payload, at);
      case 'booking.cancel':
        return this.cancel(write.payload, at);
      case 'call-list.outcome':
        return this.outcome(write.payload, key, at);
    }
  }

  private create(p: BookingCreatePayload, at: number, hooks: ScheduleWriteHooks): { appointmentId: string; visits: VisitOnCard[] } {
    const target = this.bookableSlot(p.slotId);
    if (target.base.doctor.id !== p.doctorId) throw refused(`Слот ${p.slotId} — не у врача ${p.doctorId}.`);
    const service = serviceFor(p.serviceId, target.base.doctor);
    if (!hooks.patientKnown(p.patientMisId)) throw new MisError('rejected', 'Пациент не найден в МИС.', { rejection: 'patient-unknown' });
    const seq = this.statements.nextSeq.get()!;
    const appointmentId = `ap-${this.tag}-${seq}`;
    this.setSlot(target.base, target.slot.version, { state: 'booked', patientMisId: p.patientMisId, appointmentId, serviceId: service.id }, seq);
    this.statements.upsertAppointment.run(appointmentId, target.base.id, p.patientMisId, service.id, 'booked', 'desk', at);
    return { appointmentId, visits: [this.visit(target.base, service.id, appointmentId, p.patientMisId, 'booked')] };
  }

  private move(p: BookingMovePayload, at: number): { appointmentId: string; visits: VisitOnCard[] } {
    const appointment = this.findAppointment(p.appointmentId, p.localOf, p.patientMisId);
    if (!appointment) throw new MisError('rejected', 'Запись не найдена: её уже отменили или перенесли.', { rejection: 'appointment-unknown' });
    const { appointmentId } = appointment;
    // Already there: nothing to change.
    if (p.slotId === appointment.base.id) return { appointmentId, visits: [] };
    const target = this.bookableSlot(p.slotId);
    if (target.base.doctor.id !== p.doctorId) throw refused(`Слот ${p.slotId} — не у врача ${p.doctorId}.`);
    let serviceId: string;
    if (p.serviceId !== null) serviceId = serviceFor(p.serviceId, target.base.doctor).id;
    else {
      const kept = appointment.serviceId === null ? undefined : SERVICE_BY_ID.get(appointment.serviceId);
      serviceId = kept && kept.specialty === target.base.doctor.specialty ? kept.id : pickService(target.base.doctor.specialty, 0).id;
    }
    // Both halves in this transaction: the new slot booked and the old one freed, or neither.
    this.setSlot(appointment.base, appointment.slot.version, { state: 'free', patientMisId: null, appointmentId: null, serviceId: null });
    this.setSlot(target.base, target.slot.version, { state: 'booked', patientMisId: p.patientMisId, appointmentId, serviceId });
    this.statements.upsertAppointment.run(appointmentId, target.base.id, p.patientMisId, serviceId, 'booked', 'desk', at);
    return { appointmentId, visits: [this.visit(target.base, serviceId, appointmentId, p.patientMisId, 'booked')] };
  }

  private cancel(p: BookingCancelPayload, at: number): { appointmentId: string; visits: VisitOnCard[] } {
    let appointment = this.findAppointment(p.appointmentId, p.localOf, p.patientMisId);
    if (!appointment && p.slotId !== null && p.appointmentId === null && p.localOf === null) {
      // Only the slot is named: the visit held there by this patient.
      const held = this.effective(p.slotId);
      if (held && held.slot.state === 'booked' && held.slot.patientMisId === p.patientMisId && held.slot.appointmentId !== null) {
        appointment = this.findAppointment(held.slot.appointmentId, null, p.patientMisId);
      }
    }
    if (!appointment) throw new MisError('rejected', 'Запись не найдена: её уже отменили или перенесли.', { rejection: 'appointment-unknown' });
    const { appointmentId } = appointment;
    this.setSlot(appointment.base, appointment.slot.version, { state: 'free', patientMisId: null, appointmentId: null, serviceId: null });
    this.statements.upsertAppointment.run(appointmentId, appointment.base.id, p.patientMisId, appointment.serviceId, 'cancelled', 'desk', at);
    return { appointmentId, visits: [this.visit(appointment.base, appointment.serviceId, appointmentId, p.patientMisId, 'cancelled')] };
  }

  /** Records the outcome; any outcome but `noAnswer` (called again later) closes the MIS task it names. */
  private outcome(p: CallListOutcomePayload, key: string, at: number): { appointmentId: null; visits: VisitOnCard[] } {
    let closed: string | null = null;
    if (p.outcome !== 'noAnswer') {
      // The desk names the task as the MIS did, or prefixed with its list (`recall:2026-12-07/rc-2026-12-07-03`).
      const match = TASK_ID.exec(p.taskId);
      const id = match?.[1];
      const day = match?.[3];
      if (id && day && isRealIsoDate(day) && this.generatedTasks(day).some((task) => task.id === id)) {
        if (!this.statements.taskClosed.get(id)) this.statements.closeTask.run(id, day, p.outcome, at, this.statements.nextSeq.get()!);
        closed = id;
      }
    }
    this.statements.recordOutcome.run(key, p.listId, p.taskId, p.patientMisId, p.outcome, p.attempts, p.appointmentId, p.at, closed);
    return { appointmentId: null, visits: [] };
  }

  /** The slot a booking names, if it can be booked: `slot-gone` (not in the schedule, blocked) or `slot-taken` otherwise. */
  private bookableSlot(slotId: string): { base: BaseSlot; slot: Slot } {
    const found = this.effective(slotId);
    if (!found || found.slot.state === 'blocked') throw new MisError('rejected', 'Этого слота больше нет в расписании.', { rejection: 'slot-gone' });
    if (found.slot.state !== 'free') throw new MisError('rejected', 'Слот уже занят', { rejection: 'slot-taken' });
    return found;
  }

  /** A live appointment of the patient, by the MIS's id, else by the local id of the desk's booking that made it. */
  private findAppointment(appointmentId: string | null, localOf: string | null, patientMisId: string): ActiveAppointment | null {
    const ids = [appointmentId, localOf === null ? undefined : this.statements.appointmentOfLocal.get(localOf)];
    for (const id of ids) {
      if (!id) continue;
      const found = this.liveAppointment(id);
      if (found && found.patientMisId === patientMisId) return found;
    }
    return null;
  }

  /** The appointment `id` if its slot still holds it (moved ones are found through the appointments table). */
  private liveAppointment(id: string): ActiveAppointment | null {
    const row = this.statements.appointment.get(id);
    const slotId = row ? row.slot_id : id.startsWith('ab-') ? id.slice(3) : null;
    if (slotId === null) return null;
    const found = this.effective(slotId);
    if (!found || found.slot.state !== 'booked' || found.slot.appointmentId !== id || found.slot.patientMisId === null) return null;
    return { appointmentId: id, base: found.base, slot: found.slot, patientMisId: found.slot.patientMisId, serviceId: found.slot.serviceId };
  }

  private visit(base: BaseSlot, serviceId: string | null, appointmentId: string, patientMisId: string, status: 'booked' | 'cancelled'): VisitOnCard {
    const service = serviceId === null ? undefined : SERVICE_BY_ID.get(serviceId);
    return {
      patientMisId,
      appointment: {
        id: appointmentId,
        startsAt: base.startsAt,
        doctor: base.doctor.name,
        specialty: base.doctor.specialty,
        service: service?.name ?? pickService(base.doctor.specialty, 0).name,
        branch: BRANCH_NAME.get(base.doctor.branchId)!,
        status,
      },
    };
  }

  // ---- call tasks --------------------------------------------------------------------------

  /** The day's recalls (~30) and results ready (~20) of base-population patients; deterministic per seed and day. */
  private generatedTasks(day: string): MisCallTask[] {
    let tasks = this.tasks.get(day);
    if (tasks) return tasks;
    if (this.tasks.size >= DAY_CACHE_LIMIT) this.tasks.clear();
    const r = seededRandom(hash32(`${this.seed}|tasks|${day}`));
    const recalls = 28 + Math.floor(r() * 5);
    const results = 18 + Math.floor(r() * 5);
    const used = new Set<number>();
    const patient = () => {
      let index = Math.floor(r() * this.patients);
      for (let attempt = 0; attempt < 8 && used.has(index) && used.size < this.patients; attempt++) index = Math.floor(r() * this.patients);
      used.add(index);
      return String(PATIENT_MIS_ID_BASE + index);
    };
    tasks = [];
    for (let i = 1; i <= recalls; i++) {
      let roll = r() * RECALL_WEIGHT;
      const specialty = RECALL_SPECIALTIES.find((s) => (roll -= s.recallWeight) < 0) ?? RECALL_SPECIALTIES[0]!;
      tasks.push({ id: `rc-${day}-${pad2(i)}`, version: 1, list: 'recall', patientMisId: patient(), reason: `повторный приём ${specialty.recallWith}`, dueDate: day, specialty: specialty.name });
    }
    for (let i = 1; i <= results; i++) {
      const reason = RESULTS_REASONS[Math.floor(r() * RESULTS_REASONS.length)]!;
      tasks.push({ id: `rs-${day}-${pad2(i)}`, version: 1, list: 'results', patientMisId: patient(), reason, dueDate: day, specialty: null });
    }
    this.tasks.set(day, tasks);
    return tasks;
  }

  // ---- streams -----------------------------------------------------------------------------

  private catalog(stream: 'branches' | 'doctors' | 'services'): unknown[] {
    if (stream === 'branches') return this.branches();
    if (stream === 'doctors') return this.doctors();
    return this.services();
  }

  private openSession(stream: ScheduleStream, cursor: string | null, window: Horizon): Session {
    const current = this.statements.currentSeq.get()!;
    const tag = this.tag;
    if (cursor === null) return { tag, stream, target: current, window, from: null, phase: 'n', pos: 0 };
    const decoded = decodeCursor(cursor);
    if (!decoded || decoded.tag !== this.tag || decoded.stream !== stream || decoded.target > current || (decoded.from && decoded.from.seq > decoded.target)) {
      throw new MisError('rejected', 'The schedule cursor does not belong to this demo clinic; a full sync is needed.');
    }
    if (decoded.done) return { tag, stream, target: current, window, from: { seq: decoded.target, window: decoded.window }, phase: 'n', pos: 0 };
    return { tag, stream, target: decoded.target, window: decoded.window, from: decoded.from, phase: decoded.phase, pos: decoded.pos };
  }

  private listPage(session: Session, items: StreamItem[], max: number): MisStreamPage {
    const slice = items.slice(session.pos, session.pos + max);
    const pos = session.pos + slice.length;
    const hasMore = pos < items.length;
    return {
      records: slice.flatMap((item) => ('record' in item ? [item.record] : [])),
      removed: slice.flatMap((item) => ('removed' in item ? [item.removed] : [])),
      nextCursor: hasMore ? encodeCursor({ ...session, pos }) : encodeDone(session),
      hasMore,
      total: items.length - session.pos,
    };
  }

  /** Today's open tasks (closed up to the session's change number left out), and what left since `from` as removed. */
  private callTaskItems(session: Session): StreamItem[] {
    const { window, from, target } = session;
    const closedByTarget = new Set(
      this.statements.closedOfDay
        .all(window.today)
        .filter((row) => row.seq <= target)
        .map((row) => row.task_id),
    );
    const open = (): StreamItem[] => this.generatedTasks(window.today).flatMap((task) => (closedByTarget.has(task.id) ? [] : [{ record: { ...task } }]));
    if (!from) return open();
    if (from.window.today !== window.today) return [...this.generatedTasks(from.window.today).map((task) => ({ removed: task.id })), ...open()];
    return this.statements.closedBetween.all(from.seq, target, window.today).map((id) => ({ removed: id }));
  }

  private slotsPage(session: Session, max: number): MisStreamPage {
    const { window, from, target } = session;
    const newDays = horizonDays(window).filter((day) => !from || !inHorizon(day, from.window));
    // Counted without generating: a page generates only the days it reaches.
    const dayLengths = newDays.map(daySlotCount);
    const newTotal = dayLengths.reduce((sum, n) => sum + n, 0);
    // Changes after `from` on the days both horizons cover (the new days come whole).
    const lo = from ? maxDate(window.today, from.window.today) : window.today;
    const hi = from ? minDate(horizonEnd(window), horizonEnd(from.window)) : window.today;
    const changedTotal = (after: number) => (from && lo < hi ? this.statements.countChangedSlots.get(after, target, lo, hi)! : 0);
    const records: Slot[] = [];
    let { phase, pos } = session;
    const total = phase === 'n' ? newTotal - pos + changedTotal(from?.seq ?? target) : changedTotal(pos);

    if (phase === 'n') {
      let skip = pos;
      for (let i = 0; i < newDays.length && records.length < max; i++) {
        if (skip >= dayLengths[i]!) {
          skip -= dayLengths[i]!;
          continue;
        }
        const day = newDays[i]!;
        const overrides = this.overridesOf(day);
        const slots = this.generatedDay(day).slots;
        for (let j = skip; j < slots.length && records.length < max; j++) records.push(merge(slots[j]!, overrides.get(slots[j]!.id)));
        skip = 0;
      }
      pos += records.length;
      if (pos >= newTotal) {
        phase = 'c';
        pos = from?.seq ?? target;
      }
    }
    let done = phase === 'c' && (!from || lo >= hi || pos >= target);
    if (phase === 'c' && !done && records.length < max) {
      const want = max - records.length;
      // One more than fits tells whether another page follows.
      const rows = this.statements.changedSlots.all(pos, target, lo, hi, want + 1);
      for (const row of rows.slice(0, want)) {
        pos = row.seq;
        const base = this.baseSlot(row.slot_id);
        if (base) records.push(merge(base, row));
      }
      if (rows.length <= want) done = true;
    }
    return {
      records,
      removed: [],
      nextCursor: done ? encodeDone(session) : encodeCursor({ ...session, phase, pos }),
      hasMore: !done,
      total,
    };
  }
}

// ---- helpers -------------------------------------------------------------------------------

/**
 * `startsAt` of the day's wall times. The zone's offset is looked up at the clinic's opening
 * and closing hours (Intl is slow: ~0.1 ms a lookup, and a day has ~700 slots); when they agree
 * (any day without a clock change during opening hours) every slot of the day has that offset,
 * otherwise each time goes through `clinicIso`.
 */
function dayClock(day: string, timeZone: string): (minutes: number) => string {
  const opening = zoneOffsetMinutes(clinicInstant(day, DAY_FIRST_MIN, timeZone), timeZone);
  const closing = zoneOffsetMinutes(clinicInstant(day, DAY_LAST_MIN, timeZone), timeZone);
  if (opening !== closing) return (minutes) => clinicIso(day, minutes, timeZone);
  const abs = Math.abs(opening);
  const offset = `${opening < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
  return (minutes) => `${day}T${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}:00${offset}`;
}

/** A doctor's slot start times on a day (minutes since midnight): the shift cut into slots of the specialty, around the break. */
function slotStarts(doctor: DoctorData, day: string): number[] {
  const length = SPECIALTY_BY_NAME.get(doctor.specialty)!.slotMin;
  const starts: number[] = [];
  for (const shift of shiftsOf(doctor, day)) {
    for (let t = shift.from; t + length <= shift.to; ) {
      if (t < shift.breakTo && t + length > shift.breakFrom) {
        t = shift.breakTo;
        continue;
      }
      starts.push(t);
      t += length;
    }
  }
  return starts;
}

/** How many slots a day has (all doctors). */
function daySlotCount(day: string): number {
  return DOCTORS.reduce((sum, doctor) => sum + slotStarts(doctor, day).length, 0);
}

function shiftsOf(doctor: DoctorData, day: string): ShiftData[] {
  const dow = weekday(day);
  if (dow === 0) return doctor.sunday === 'day' ? [SHIFTS['sun-day']] : [];
  if (dow === 6) return doctor.saturday ? [SHIFTS[`sat-${doctor.saturday}`]] : [];
  if (doctor.daysOff?.includes(dow)) return [];
  if (doctor.weekdays === 'even-am' || doctor.weekdays === 'odd-am') {
    const even = Number(day.slice(8, 10)) % 2 === 0;
    return [(doctor.weekdays === 'even-am') === even ? SHIFTS.am : SHIFTS.pm];
  }
  return [SHIFTS[doctor.weekdays]];
}

/** A service of the specialty: its ОМС visit half the time, else one of the others. */
function pickService(specialty: string, draw: number): ServiceData {
  const services = SERVICES_BY_SPECIALTY.get(specialty)!;
  if (draw < 0.5 || services.length === 1) return services[0]!;
  return services[1 + Math.min(services.length - 2, Math.floor(((draw - 0.5) / 0.5) * (services.length - 1)))]!;
}

function serviceFor(serviceId: string, doctor: DoctorData): ServiceData {
  const service = SERVICE_BY_ID.get(serviceId);
  if (!service) throw refused(`Услуги ${serviceId} нет в каталоге.`);
  if (service.specialty !== doctor.specialty) throw refused(`Услугу «${service.name}» не оказывает ${doctor.specialty}.`);
  return service;
}

function refused(message: string): MisError {
  return new MisError('rejected', message, { rejection: 'refused' });
}

function parseWrite(kind: string, payload: unknown): ParsedWrite {
  const schema =
    kind === MIS_WRITE_KINDS.bookingCreate
      ? BookingCreatePayloadSchema
      : kind === MIS_WRITE_KINDS.bookingMove
        ? BookingMovePayloadSchema
        : kind === MIS_WRITE_KINDS.bookingCancel
          ? BookingCancelPayloadSchema
          : kind === MIS_WRITE_KINDS.callListOutcome
            ? CallListOutcomePayloadSchema
            : null;
  if (!schema) throw refused(`Unknown write kind ${kind}.`);
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(payload)'))].join(', ');
    throw refused(`The ${kind} payload is not valid: ${fields}.`);
  }
  return { kind, payload: parsed.data } as ParsedWrite;
}

function merge(base: BaseSlot, row: OverrideRow | undefined): Slot {
  const common = { id: base.id, doctorId: base.doctor.id, startsAt: base.startsAt, durationMin: base.durationMin };
  if (!row) {
    return { ...common, version: 1, state: base.state, patientMisId: base.patientMisId, appointmentId: base.appointmentId, serviceId: base.serviceId };
  }
  const booked = row.state === 'booked';
  return {
    ...common,
    version: row.version,
    state: row.state,
    patientMisId: booked ? row.patient_mis_id : null,
    appointmentId: booked ? row.appointment_id : null,
    serviceId: booked ? row.service_id : null,
  };
}

function toLedgerEntry(row: LedgerRow): LedgerEntry & { appointmentId: string | null } {
  return {
    idempotencyKey: row.idempotency_key,
    localId: row.local_id,
    kind: row.kind,
    firstReceivedAt: row.first_received_at,
    receipts: row.receipts,
    appointmentId: row.appointment_id,
  };
}

function checkedHorizon(options: MisStreamOptions): Horizon {
  if (typeof options?.today !== 'string' || !isRealIsoDate(options.today)) throw new MisError('rejected', 'The schedule horizon needs today as YYYY-MM-DD.');
  const days = options.horizonDays;
  if (!Number.isSafeInteger(days) || days < 1 || days > MAX_HORIZON_DAYS) throw new MisError('rejected', `The schedule horizon must be 1–${MAX_HORIZON_DAYS} days.`);
  return { today: options.today, days };
}

function horizonDays(horizon: Horizon): string[] {
  return Array.from({ length: horizon.days }, (_, i) => addDays(horizon.today, i));
}

function horizonEnd(horizon: Horizon): string {
  return addDays(horizon.today, horizon.days);
}

function inHorizon(day: string, horizon: Horizon): boolean {
  return day >= horizon.today && day < horizonEnd(horizon);
}

const maxDate = (a: string, b: string) => (a > b ? a : b);
const minDate = (a: string, b: string) => (a < b ? a : b);

/**
 * Cursors: `dsch1.<tag>.<stream>.<target>.<today>.<days>` once a session is done (its target is
 * where the next one starts), plus `.<phase>.<pos>.<from seq>.<from today>.<from days>` (`~` for
 * a first sync) while it pages.
 */
function encodeDone(session: Session): string {
  return [CURSOR_PREFIX, session.tag, STREAM_CODES[session.stream], session.target, session.window.today, session.window.days].join('.');
}

function encodeCursor(session: Session): string {
  const from = session.from ? [session.from.seq, session.from.window.today, session.from.window.days] : ['~', '~', '~'];
  return [encodeDone(session), session.phase, session.pos, ...from].join('.');
}

interface DecodedCursor {
  tag: string;
  stream: ScheduleStream;
  target: number;
  window: Horizon;
  done: boolean;
  phase: 'n' | 'c';
  pos: number;
  from: { seq: number; window: Horizon } | null;
}

function decodeCursor(cursor: unknown): DecodedCursor | null {
  if (typeof cursor !== 'string' || cursor.length > 200) return null;
  const parts = cursor.split('.');
  if ((parts.length !== 6 && parts.length !== 11) || parts[0] !== CURSOR_PREFIX) return null;
  const stream = SCHEDULE_STREAMS.find((s) => STREAM_CODES[s] === parts[2]);
  const count = (text: string | undefined) => (text !== undefined && /^\d{1,15}$/.test(text) ? Number(text) : null);
  const horizon = (today: string | undefined, days: string | undefined): Horizon | null => {
    const n = count(days);
    return today !== undefined && isRealIsoDate(today) && n !== null && n >= 1 && n <= MAX_HORIZON_DAYS ? { today, days: n } : null;
  };
  const target = count(parts[3]);
  const window = horizon(parts[4], parts[5]);
  if (!stream || target === null || !window || !/^[0-9a-f]{8}$/.test(parts[1]!)) return null;
  const decoded: DecodedCursor = { tag: parts[1]!, stream, target, window, done: true, phase: 'n', pos: 0, from: null };
  if (parts.length === 6) return decoded;
  const phase = parts[6];
  const pos = count(parts[7]);
  if ((phase !== 'n' && phase !== 'c') || pos === null) return null;
  if (parts[8] === '~' && parts[9] === '~' && parts[10] === '~') return { ...decoded, done: false, phase, pos };
  const fromSeq = count(parts[8]);
  const fromWindow = horizon(parts[9], parts[10]);
  if (fromSeq === null || !fromWindow) return null;
  return { ...decoded, done: false, phase, pos, from: { seq: fromSeq, window: fromWindow } };
}

/** FNV-1a, 32 bits: a text's seed for `seededRandom`. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

const pad2 = (n: number) => String(n).padStart(2, '0');
