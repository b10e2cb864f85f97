import type { z } from 'zod';
import {
  SCHEDULE_STREAMS,
  type Branch,
  type Doctor,
  type MisCallListKind,
  type MisCallTask,
  type SCHEDULE_RECORD_SCHEMAS,
  type ScheduleStream,
  type Service,
  type ServiceKind,
  type Slot,
  type SlotState,
} from '../../../src-shared/schedule/schedule-model';
import type { Db } from '../db/open-database';
import type { ScheduleReader } from './schedule-reader';
import { scheduleCursorStream } from './schedule-streams';

/** A valid record of one schedule stream, as its schema (`SCHEDULE_RECORD_SCHEMAS`) parses it. */
export type ScheduleRecordOf<S extends ScheduleStream> = z.infer<(typeof SCHEDULE_RECORD_SCHEMAS)[S]>;

/** What {@link ScheduleRepository.applyRecords} did. */
export interface ApplyRecordsResult {
  inserted: number;
  updated: number;
  /** Records whose version was not newer than the cached one (replays, out-of-order pages). */
  skipped: number;
}

/** The free-slot search of {@link ScheduleReader.freeSlots} (instants in epoch ms; not the contract's `FreeSlotsQuery`). */
export type FreeSlotsSearch = Parameters<ScheduleReader['freeSlots']>[0];

/** A record as the reader returns it: the stream's shape without `version`. */
type Read<T> = Omit<T, 'version'>;

export interface ScheduleRepositoryOptions {
  /**
   * Runs every read and write. The cache passes its own transaction (which reports a damaged
   * file to the cache's owner before the error reaches the caller); default: runs `fn` as is.
   */
  guard?: <T>(fn: () => T) => T;
}

const TABLES: Readonly<Record<ScheduleStream, string>> = {
  branches: 'branches',
  doctors: 'doctors',
  services: 'services',
  slots: 'slots',
  'call-tasks': 'mis_call_tasks',
};

const SLOT_COLUMNS = 'id, doctor_id, starts_at_iso, duration_min, state, patient_mis_id, appointment_id, service_id';

/**
 * The slot queries the desk runs while a call waits, as prepared by {@link ScheduleRepository}:
 * exported so the EXPLAIN QUERY PLAN tests pin these very texts and the bench runs the same SQL
 * raw. Named parameters: `@specialty`, `@branch`, `@doctor`, `@from`, `@to` (epoch ms), `@limit`, `@id`.
 * Slots at the same instant come in id order: every index ends with the primary key, so the
 * tie-break costs no sort.
 */
export const SLOT_QUERIES = {
  /**
   * (a) The hot query: free slots of a specialty, earliest first. `state = 'free'` selects the
   * partial index; the copied specialty makes it one range of one index, already in time order.
   */
  freeOfSpecialty: `SELECT ${SLOT_COLUMNS} FROM slots WHERE state = 'free' AND specialty = @specialty AND starts_at >= @from AND starts_at < @to ORDER BY starts_at, id LIMIT @limit`,
  /**
   * (a) within one branch. Without statistics (the cache is never ANALYZEd) the planner would
   * take slots_free here too and read the other branches' slots row by row, so it names its index.
   */
  freeOfSpecialtyInBranch: `SELECT ${SLOT_COLUMNS} FROM slots INDEXED BY slots_free_branch WHERE state = 'free' AND branch_id = @branch AND specialty = @specialty AND starts_at >= @from AND starts_at < @to ORDER BY starts_at, id LIMIT @limit`,
  /**
   * (a) of one doctor: the doctor's range; the optional specialty and branch only filter (the
   * `+` keeps them from being index terms, so the plan is always slots_doctor).
   */
  freeOfDoctor: `SELECT ${SLOT_COLUMNS} FROM slots
    WHERE doctor_id = @doctor AND starts_at >= @from AND starts_at < @to AND +state = 'free' AND +specialty IS NOT NULL
      AND (@specialty IS NULL OR +specialty = @specialty) AND (@branch IS NULL OR +branch_id = @branch)
    ORDER BY starts_at, id LIMIT @limit`,
  /** (b) a doctor's slots in a range, every state. */
  doctorDay: `SELECT ${SLOT_COLUMNS} FROM slots WHERE doctor_id = @doctor AND starts_at >= @from AND starts_at < @to ORDER BY starts_at, id`,
  /** (c) booked slots naming a patient in a range. */
  booked: `SELECT ${SLOT_COLUMNS} FROM slots WHERE state = 'booked' AND patient_mis_id IS NOT NULL AND starts_at >= @from AND starts_at < @to ORDER BY starts_at, id`,
  /** A slot by id: the primary key. */
  byId: `SELECT ${SLOT_COLUMNS} FROM slots WHERE id = @id`,
} as const;

interface SlotRow {
  id: string;
  doctor_id: string;
  starts_at_iso: string;
  duration_min: number;
  state: SlotState;
  patient_mis_id: string | null;
  appointment_id: string | null;
  service_id: string | null;
}

interface ExistingRow {
  version: number;
  pass: number;
}

interface DoctorRow {
  id: string;
  name: string;
  specialty: string;
  branch_id: string;
  room: string;
}

interface ServiceRow {
  id: string;
  name: string;
  specialty: string;
  duration_min: number;
  kind: ServiceKind;
  price_rub: number | null;
  prepare: string | null;
}

interface CallTaskRow {
  id: string;
  list: MisCallListKind;
  patient_mis_id: string;
  reason: string;
  due_date: string;
  specialty: string | null;
}

type Value = string | number | null;

/**
 * The cached schedule in cache.db (migration 0004): the write side the pull sync uses and the
 * {@link ScheduleReader} the desk reads through. See this folder's README for the invariants:
 *
 * - a record is written only when its version is newer than the cached one (replays and
 *   out-of-order pages never roll it back);
 * - a slot carries its doctor's specialty and branch (copied on every write of the slot or of
 *   the doctor, cleared when the doctor goes), and only a slot whose doctor is cached is offered;
 * - a pass from the start of a stream (`startPass` … `finishPass`) replaces the stream: what it
 *   did not carry is removed at its end;
 * - every query the desk runs while a call waits is one index search (EXPLAIN QUERY PLAN tests).
 *
 * Instants are epoch milliseconds; `startsAt` comes back as the MIS's ISO text.
 */
export class ScheduleRepository implements ScheduleReader {
  private readonly guard: <T>(fn: () => T) => T;
  private readonly s: ReturnType<typeof prepareStatements>;

  /** Prepares every statement on `db` (a cache.db connection migrated to schema 4 or later). */
  constructor(
    private readonly db: Db,
    options: ScheduleRepositoryOptions = {},
  ) {
    this.guard = options.guard ?? ((fn) => fn());
    this.s = prepareStatements(db);
  }

  /**
   * The repository on a cache connection, every query through the cache's own transaction, so
   * a damaged page found by a schedule query is reported like one found by a patient lookup.
   */
  static on(cache: { readonly connection: Db; transaction<T>(fn: () => T): T }): ScheduleRepository {
    return new ScheduleRepository(cache.connection, { guard: (fn) => cache.transaction(fn) });
  }

  /** The connection the statements are prepared on (a new file means a new repository). */
  get connection(): Db {
    return this.db;
  }

  // ---- write side (the pull sync, inside its page transaction) ----

  /**
   * Inserts or updates a stream's valid records. A record whose version is not newer than the
   * cached one is skipped (and only marked as carried by the current pass). A doctor's specialty
   * and branch are copied into their slots; a slot gets its doctor's when the doctor is cached.
   */
  applyRecords<S extends ScheduleStream>(stream: S, records: readonly ScheduleRecordOf<S>[]): ApplyRecordsResult {
    return this.write(() => {
      const result: ApplyRecordsResult = { inserted: 0, updated: 0, skipped: 0 };
      const statements = this.s.streams[stream];
      const pass = this.passOf(stream).pass;
      const doctorCopy = new Map<string, { specialty: string | null; branchId: string | null }>();
      for (const record of records as readonly ScheduleRecordOf<ScheduleStream>[]) {
        const existing = statements.existing.get(record.id);
        if (existing && existing.version >= record.version) {
          result.skipped += 1;
          if (existing.pass < pass) statements.markPass.run(pass, record.id);
          continue;
        }
        // A doctor's slots follow a new specialty or branch (and a doctor new to the cache fills
        // the copies of slots that arrived before it); an unchanged re-send touches no slot.
        const placement = stream === 'doctors' ? this.s.doctorPlacement.get(record.id) : undefined;
        statements.upsert.run(...this.rowValues(stream, record, pass, doctorCopy));
        if (existing) result.updated += 1;
        else result.inserted += 1;
        if (stream === 'doctors') {
          const doctor = record as Doctor;
          if (placement?.specialty !== doctor.specialty || placement.branch_id !== doctor.branchId) {
            this.s.copyDoctorToSlots.run({ doctor: doctor.id, specialty: doctor.specialty, branch: doctor.branchId });
          }
        }
      }
      return result;
    });
  }

  /** Removes records gone from the MIS; a doctor's slots stop being offered. Returns how many were cached. */
  removeRecords(stream: ScheduleStream, ids: readonly string[]): number {
    return this.write(() => {
      let removed = 0;
      const statements = this.s.streams[stream];
      for (const id of ids) {
        if (typeof id !== 'string') continue;
        removed += statements.remove.run(id).changes;
        if (stream === 'doctors') this.s.copyDoctorToSlots.run({ doctor: id, specialty: null, branch: null });
      }
      return removed;
    });
  }

  /** Drops slots that start before `beforeMs` (the clinic's today, 00:00). Returns how many. */
  prunePast(beforeMs: number): number {
    return this.write(() => this.s.prunePast.run(beforeMs).changes);
  }

  /**
   * A pass from the start of `stream` begins (its cursor was null, or the MIS forgot it): the
   * records it carries are marked with a new pass number, and if the stream held records
   * already, {@link finishPass} removes the ones it did not carry. Call in the page's transaction.
   */
  startPass(stream: ScheduleStream): void {
    this.write(() => {
      const next = this.passOf(stream).pass + 1;
      const holdsRecords = this.s.streams[stream].any.get() !== undefined;
      this.s.setPass.run(stream, next, holdsRecords ? 1 : 0);
    });
  }

  /**
   * The stream's last page was applied: when a pass from the start is being completed over
   * records that were already there, the ones it did not carry are removed (as `removeRecords`
   * would). Returns how many. Call in the page's transaction.
   */
  finishPass(stream: ScheduleStream): number {
    return this.write(() => {
      const { pass, sweep } = this.passOf(stream);
      if (!sweep) return 0;
      const stale = this.s.streams[stream].olderThanPass.all(pass);
      const removed = this.removeRecords(stream, stale);
      this.s.setPass.run(stream, pass, 0);
      return removed;
    });
  }

  // ---- ScheduleReader ----

  branches(): Read<Branch>[] {
    return this.read(() => this.s.branches.all());
  }

  doctors(): Read<Doctor>[] {
    return this.read(() => this.s.doctors.all().map(doctorFromRow));
  }

  services(): Read<Service>[] {
    return this.read(() => this.s.services.all().map(serviceFromRow));
  }

  doctor(id: string): Read<Doctor> | null {
    const row = this.read(() => this.s.doctorById.get(id));
    return row ? doctorFromRow(row) : null;
  }

  service(id: string): Read<Service> | null {
    const row = this.read(() => this.s.serviceById.get(id));
    return row ? serviceFromRow(row) : null;
  }

  branch(id: string): Read<Branch> | null {
    return this.read(() => this.s.branchById.get(id)) ?? null;
  }

  slot(id: string): Read<Slot> | null {
    const row = this.read(() => this.s.slotById.get({ id }));
    return row ? slotFromRow(row) : null;
  }

  /**
   * Free slots, earliest first: of one doctor (`slots_doctor`), else of a specialty
   * (`slots_free`, or `slots_free_branch` with a branch). A slot whose doctor is not cached is
   * never offered. `exclude` is taken out after the search (it reads that many more rows).
   *
   * @throws RangeError when neither a specialty nor a doctor is named.
   */
  freeSlots(query: FreeSlotsSearch): { slots: Read<Slot>[]; truncated: boolean } {
    const limit = Math.max(0, Math.floor(query.limit));
    const exclude = query.exclude ?? EMPTY;
    const bounds = { from: query.fromMs, to: query.toMs, limit: limit + exclude.size + 1 };
    const rows = this.read(() => {
      if (query.doctorId !== undefined) {
        return this.s.freeOfDoctor.all({ ...bounds, doctor: query.doctorId, specialty: query.specialty ?? null, branch: query.branchId ?? null });
      }
      if (query.specialty === undefined) throw new RangeError('freeSlots needs a specialty or a doctor');
      if (query.branchId !== undefined) return this.s.freeOfSpecialtyInBranch.all({ ...bounds, specialty: query.specialty, branch: query.branchId });
      return this.s.freeOfSpecialty.all({ ...bounds, specialty: query.specialty });
    });
    const slots: Read<Slot>[] = [];
    for (const row of rows) {
      if (exclude.has(row.id)) continue;
      if (slots.length === limit) return { slots, truncated: true };
      slots.push(slotFromRow(row));
    }
    return { slots, truncated: false };
  }

  doctorDay(doctorId: string, fromMs: number, toMs: number): Read<Slot>[] {
    return this.read(() => this.s.doctorDay.all({ doctor: doctorId, from: fromMs, to: toMs }).map(slotFromRow));
  }

  bookedSlots(fromMs: number, toMs: number): Read<Slot>[] {
    return this.read(() => this.s.booked.all({ from: fromMs, to: toMs }).map(slotFromRow));
  }

  callTasks(list: MisCallListKind, date: string): Read<MisCallTask>[] {
    return this.read(() => this.s.callTasks.all(list, date).map(callTaskFromRow));
  }

  /** The newest commit of any schedule stream's page (its cursor's `updated_at`), or null before the first. */
  dataAsOf(): number | null {
    const at = this.read(() => this.s.dataAsOf.get());
    return typeof at === 'number' ? at : null;
  }

  // ---- internals ----

  private read<T>(fn: () => T): T {
    return this.guard(fn);
  }

  private write<T>(fn: () => T): T {
    // A savepoint inside the sync's page transaction; its own transaction otherwise.
    return this.guard(() => this.db.transaction(fn)());
  }

  private passOf(stream: ScheduleStream): { pass: number; sweep: boolean } {
    const row = this.s.getPass.get(stream);
    return { pass: row?.pass ?? 0, sweep: row?.sweep === 1 };
  }

  private rowValues(stream: ScheduleStream, record: ScheduleRecordOf<ScheduleStream>, pass: number, doctorCopy: Map<string, { specialty: string | null; branchId: string | null }>): Value[] {
    switch (stream) {
      case 'branches': {
        const r = record as Branch;
        return [r.id, r.version, pass, r.name, r.address];
      }
      case 'doctors': {
        const r = record as Doctor;
        return [r.id, r.version, pass, r.name, r.specialty, r.branchId, r.room];
      }
      case 'services': {
        const r = record as Service;
        return [r.id, r.version, pass, r.name, r.specialty, r.durationMin, r.kind, r.priceRub, r.prepare];
      }
      case 'slots': {
        const r = record as Slot;
        let copy = doctorCopy.get(r.doctorId);
        if (!copy) {
          const doctor = this.s.doctorPlacement.get(r.doctorId);
          copy = { specialty: doctor?.specialty ?? null, branchId: doctor?.branch_id ?? null };
          doctorCopy.set(r.doctorId, copy);
        }
        return [r.id, r.version, pass, r.doctorId, copy.specialty, copy.branchId, Date.parse(r.startsAt), r.startsAt, r.durationMin, r.state, r.patientMisId, r.appointmentId, r.serviceId];
      }
      case 'call-tasks': {
        const r = record as MisCallTask;
        return [r.id, r.version, pass, r.list, r.patientMisId, r.reason, r.dueDate, r.specialty];
      }
    }
  }
}

const EMPTY: ReadonlySet<string> = new Set();

/** Written columns of each table, in {@link ScheduleRepository.rowValues} order. */
const WRITTEN_COLUMNS: Readonly<Record<ScheduleStream, readonly string[]>> = {
  branches: ['id', 'version', 'pass', 'name', 'address'],
  doctors: ['id', 'version', 'pass', 'name', 'specialty', 'branch_id', 'room'],
  services: ['id', 'version', 'pass', 'name', 'specialty', 'duration_min', 'kind', 'price_rub', 'prepare'],
  slots: ['id', 'version', 'pass', 'doctor_id', 'specialty', 'branch_id', 'starts_at', 'starts_at_iso', 'duration_min', 'state', 'patient_mis_id', 'appointment_id', 'service_id'],
  'call-tasks': ['id', 'version', 'pass', 'list', 'patient_mis_id', 'reason', 'due_date', 'specialty'],
};

function streamStatements(db: Db, stream: ScheduleStream) {
  const table = TABLES[stream];
  const columns = WRITTEN_COLUMNS[stream];
  const updates = columns
    .filter((column) => column !== 'id')
    .map((column) => `${column} = excluded.${column}`)
    .join(', ');
  return {
    existing: db.prepare<[string], ExistingRow>(`SELECT version, pass FROM ${table} WHERE id = ?`),
    upsert: db.prepare<Value[]>(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')}) ON CONFLICT (id) DO UPDATE SET ${updates}`),
    markPass: db.prepare<[number, string]>(`UPDATE ${table} SET pass = ? WHERE id = ?`),
    remove: db.prepare<[string]>(`DELETE FROM ${table} WHERE id = ?`),
    any: db.prepare<[], number>(`SELECT 1 FROM ${table} LIMIT 1`).pluck(),
    olderThanPass: db.prepare<[number], string>(`SELECT id FROM ${table} WHERE pass < ?`).pluck(),
  };
}

function prepareStatements(db: Db) {
  const streams = Object.fromEntries(SCHEDULE_STREAMS.map((stream) => [stream, streamStatements(db, stream)])) as Record<ScheduleStream, ReturnType<typeof streamStatements>>;
  const scheduleCursors = SCHEDULE_STREAMS.map(scheduleCursorStream);
  return {
    streams,
    getPass: db.prepare<[string], { pass: number; sweep: number }>('SELECT pass, sweep FROM schedule_passes WHERE stream = ?'),
    setPass: db.prepare<[string, number, number]>(
      'INSERT INTO schedule_passes (stream, pass, sweep) VALUES (?, ?, ?) ON CONFLICT (stream) DO UPDATE SET pass = excluded.pass, sweep = excluded.sweep',
    ),
    doctorPlacement: db.prepare<[string], { specialty: string; branch_id: string }>('SELECT specialty, branch_id FROM doctors WHERE id = ?'),
    // Only the slots whose copy differs are written.
    copyDoctorToSlots: db.prepare<[{ doctor: string; specialty: string | null; branch: string | null }]>(
      'UPDATE slots SET specialty = @specialty, branch_id = @branch WHERE doctor_id = @doctor AND (specialty IS NOT @specialty OR branch_id IS NOT @branch)',
    ),
    prunePast: db.prepare<[number]>('DELETE FROM slots WHERE starts_at < ?'),

    branches: db.prepare<[], Read<Branch>>('SELECT id, name, address FROM branches ORDER BY name, id'),
    branchById: db.prepare<[string], Read<Branch>>('SELECT id, name, address FROM branches WHERE id = ?'),
    doctors: db.prepare<[], DoctorRow>('SELECT id, name, specialty, branch_id, room FROM doctors ORDER BY name, id'),
    doctorById: db.prepare<[string], DoctorRow>('SELECT id, name, specialty, branch_id, room FROM doctors WHERE id = ?'),
    services: db.prepare<[], ServiceRow>('SELECT id, name, specialty, duration_min, kind, price_rub, prepare FROM services ORDER BY name, id'),
    serviceById: db.prepare<[string], ServiceRow>('SELECT id, name, specialty, duration_min, kind, price_rub, prepare FROM services WHERE id = ?'),
    slotById: db.prepare<[{ id: string }], SlotRow>(SLOT_QUERIES.byId),
    freeOfSpecialty: db.prepare<[{ specialty: string; from: number; to: number; limit: number }], SlotRow>(SLOT_QUERIES.freeOfSpecialty),
    freeOfSpecialtyInBranch: db.prepare<[{ specialty: string; branch: string; from: number; to: number; limit: number }], SlotRow>(SLOT_QUERIES.freeOfSpecialtyInBranch),
    freeOfDoctor: db.prepare<[{ doctor: string; specialty: string | null; branch: string | null; from: number; to: number; limit: number }], SlotRow>(SLOT_QUERIES.freeOfDoctor),
    doctorDay: db.prepare<[{ doctor: string; from: number; to: number }], SlotRow>(SLOT_QUERIES.doctorDay),
    booked: db.prepare<[{ from: number; to: number }], SlotRow>(SLOT_QUERIES.booked),
    callTasks: db.prepare<[string, string], CallTaskRow>(
      'SELECT id, list, patient_mis_id, reason, due_date, specialty FROM mis_call_tasks WHERE list = ? AND due_date <= ? ORDER BY due_date, id',
    ),
    dataAsOf: db.prepare<string[], number | null>(`SELECT max(updated_at) FROM sync_cursors WHERE stream IN (${scheduleCursors.map(() => '?').join(', ')})`).pluck().bind(...scheduleCursors),
  };
}

function slotFromRow(row: SlotRow): Read<Slot> {
  return {
    id: row.id,
    doctorId: row.doctor_id,
    startsAt: row.starts_at_iso,
    durationMin: row.duration_min,
    state: row.state,
    patientMisId: row.patient_mis_id,
    appointmentId: row.appointment_id,
    serviceId: row.service_id,
  };
}

function doctorFromRow(row: DoctorRow): Read<Doctor> {
  return { id: row.id, name: row.name, specialty: row.specialty, branchId: row.branch_id, room: row.room };
}

function serviceFromRow(row: ServiceRow): Read<Service> {
  return { id: row.id, name: row.name, specialty: row.specialty, durationMin: row.duration_min, kind: row.kind, priceRub: row.price_rub, prepare: row.prepare };
}

function callTaskFromRow(row: CallTaskRow): Read<MisCallTask> {
  return { id: row.id, list: row.list, patientMisId: row.patient_mis_id, reason: row.reason, dueDate: row.due_date, specialty: row.specialty };
}
