import type { PatientCard } from '../../../src-shared/patients/patient-card';
import type { Branch, Doctor, Service, Slot } from '../../../src-shared/schedule/schedule-model';
import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/settings/settings-schema';
import { ManualClock } from '../../../src-shared/time/manual-clock';
import { MisError, type MisSubmission, type MisSubmitResult } from '../connectors/mis/mis-connector';
import type { Db } from '../db/open-database';
import { randomKey, tempDatabasePath, testCard } from '../db/test-support';
import { openJournalDatabase } from '../journal/open-journal';
import { createLogger, type LogRecord } from '../log/logger';
import { Outbox, OutboxSender } from '../sync/outbox';
import { OutboxSettleRegistry } from '../sync/outbox-settle';
import { BookingService } from './booking-service';
import { MemoryScheduleReader } from './memory-schedule-reader';

/** Tests only: a clinic day in Moscow, a real encrypted journal, the real outbox and sender, a scripted MIS. */

/** 2026-12-07 08:00 in Moscow. */
export const NOW = Date.parse('2026-12-07T08:00:00+03:00');
export const PATIENT = 'P-1';
export const OTHER_PATIENT = 'P-2';

type Rec<T> = Omit<T, 'version'>;

export const BRANCHES: Rec<Branch>[] = [
  { id: 'B-1', name: 'Филиал на Ленина', address: 'ул. Ленина, 1' },
  { id: 'B-2', name: 'Филиал на Мира', address: 'пр. Мира, 5' },
];
export const DOCTORS: Rec<Doctor>[] = [
  { id: 'D-1', name: 'Смирнова Ольга Петровна', specialty: 'терапевт', branchId: 'B-1', room: '101' },
  { id: 'D-2', name: 'Петров Иван Сергеевич', specialty: 'терапевт', branchId: 'B-2', room: '202' },
  { id: 'D-3', name: 'Кузнецова Анна Игоревна', specialty: 'кардиолог', branchId: 'B-1', room: '305' },
];
export const SERVICES: Rec<Service>[] = [
  { id: 'SV-1', name: 'Приём терапевта', specialty: 'терапевт', durationMin: 20, kind: 'oms', priceRub: null, prepare: 'паспорт, полис ОМС' },
  { id: 'SV-2', name: 'Приём кардиолога', specialty: 'кардиолог', durationMin: 30, kind: 'paid', priceRub: 2500, prepare: null },
  { id: 'SV-3', name: 'Check-Up терапевт', specialty: 'терапевт', durationMin: 30, kind: 'checkup', priceRub: 9000, prepare: 'натощак' },
];

const free = (id: string, doctorId: string, startsAt: string): Rec<Slot> => ({ id, doctorId, startsAt, durationMin: 20, state: 'free', patientMisId: null, appointmentId: null, serviceId: null });

export function scheduleSlots(): Rec<Slot>[] {
  return [
    free('S-1', 'D-1', '2026-12-07T09:30:00+03:00'),
    free('S-2', 'D-1', '2026-12-07T10:00:00+03:00'),
    free('S-3', 'D-2', '2026-12-07T09:00:00+03:00'),
    free('S-4', 'D-1', '2026-12-08T09:30:00+03:00'),
    free('S-5', 'D-3', '2026-12-07T11:00:00+03:00'),
    free('S-6', 'D-1', '2026-12-07T07:30:00+03:00'),
    free('S-9', 'D-2', '2026-12-07T23:30:00+03:00'),
    { id: 'S-7', doctorId: 'D-1', startsAt: '2026-12-09T09:00:00+03:00', durationMin: 20, state: 'booked', patientMisId: PATIENT, appointmentId: 'A-1', serviceId: 'SV-1' },
    { id: 'S-8', doctorId: 'D-2', startsAt: '2026-12-07T12:00:00+03:00', durationMin: 20, state: 'blocked', patientMisId: null, appointmentId: null, serviceId: null },
  ];
}

/** The MIS's own appointments of {@link PATIENT}: an upcoming one (slot S-7) and a past one. */
export function patientCard(patch: Partial<PatientCard> = {}): PatientCard {
  return {
    ...testCard(1),
    misId: PATIENT,
    appointments: [
      { id: 'A-1', startsAt: '2026-12-09T09:00:00+03:00', doctor: 'Смирнова О. П.', specialty: 'терапевт', service: 'Приём терапевта', branch: 'Филиал на Ленина', status: 'booked' },
      { id: 'A-0', startsAt: '2026-11-20T10:00:00+03:00', doctor: 'Кузнецова А. И.', specialty: 'кардиолог', service: 'Приём кардиолога', branch: 'Филиал на Ленина', status: 'done' },
    ],
    ...patch,
  };
}

/**
 * A MIS that applies each key once: a create or move gets an appointment id (`A-100`, `A-101` …;
 * a move of a known appointment keeps its id when `keepAppointmentOnMove`), a repeated key is a
 * `duplicate` with the same answer. `next` scripts the coming submits (an error to throw, or
 * `applied-then-timeout`: applies, then fails as a timeout the way a lost answer does).
 */
export class FakeBookingMis {
  readonly seen: MisSubmission[] = [];
  readonly applied = new Map<string, MisSubmitResult>();
  readonly next: (Error | 'applied-then-timeout')[] = [];
  keepAppointmentOnMove = false;
  private counter = 100;

  async submit(submission: MisSubmission): Promise<MisSubmitResult> {
    this.seen.push(submission);
    const scripted = this.next.shift();
    if (scripted instanceof Error) throw scripted;
    const known = this.applied.get(submission.idempotencyKey);
    if (known) return { ...known, status: 'duplicate' };
    const payload = submission.payload as { appointmentId?: string | null };
    let appointmentId: string | undefined;
    if (submission.kind === 'booking.create') appointmentId = `A-${this.counter++}`;
    if (submission.kind === 'booking.move') appointmentId = this.keepAppointmentOnMove && payload.appointmentId ? payload.appointmentId : `A-${this.counter++}`;
    const result: MisSubmitResult = { status: 'applied', ref: `ref-${this.applied.size + 1}`, ...(appointmentId !== undefined && { appointmentId }) };
    this.applied.set(submission.idempotencyKey, result);
    if (scripted === 'applied-then-timeout') throw new MisError('timeout', 'no answer in 10 s');
    return result;
  }
}

export const slotTaken = () => new MisError('rejected', 'Слот уже занят', { rejection: 'slot-taken' });

export interface BookingHarness {
  db: Db;
  outbox: Outbox;
  registry: OutboxSettleRegistry;
  sender: OutboxSender;
  mis: FakeBookingMis;
  reader: MemoryScheduleReader;
  cards: Map<string, PatientCard>;
  clock: ManualClock;
  settings: { current: Settings };
  events: [string, unknown][];
  logs: LogRecord[];
  wakes: { count: number };
  /** What `onRejected` was told (the core puts these patients on the callback worklist). */
  rejections: { patientMisId: string; localId: string; at: number }[];
  service: BookingService;
  cache: { getCard(misId: string): PatientCard | null; schedule: MemoryScheduleReader | null };
  journal: { stores: { db: Db; outbox: Outbox } | null; require(what: string): { db: Db; outbox: Outbox } };
  /** Drains the outbox once (time moved past any backoff first). */
  drain(): Promise<void>;
  /** Outbox rows of the booking kinds. */
  bookingItems(): { id: number; kind: string; idempotency_key: string; state: string; last_error: string | null; payload: string }[];
  close(): void;
}

export function bookingHarness(options: { path?: string; key?: Buffer; ids?: string[] } = {}): BookingHarness {
  const clock = new ManualClock(NOW);
  const db = openJournalDatabase({ path: options.path ?? tempDatabasePath('journal.db'), key: options.key ?? randomKey() });
  const outbox = new Outbox(db, { now: () => clock.now() });
  const registry = new OutboxSettleRegistry();
  const mis = new FakeBookingMis();
  // jitter at its top: a transient failure is retried after the whole backoff, never within the same drain
  const sender = new OutboxSender({ outbox, connector: mis, settle: registry, clock, random: () => 0.999 });
  const reader = new MemoryScheduleReader({ branches: BRANCHES, doctors: DOCTORS, services: SERVICES, slots: scheduleSlots() });
  const cards = new Map<string, PatientCard>();
  const settings = { current: structuredClone(DEFAULT_SETTINGS) };
  const events: [string, unknown][] = [];
  const logs: LogRecord[] = [];
  const wakes = { count: 0 };
  const rejections: BookingHarness['rejections'] = [];
  const cache = { getCard: (misId: string) => cards.get(misId) ?? null, schedule: reader as MemoryScheduleReader | null };
  const journal = {
    stores: { db, outbox } as { db: Db; outbox: Outbox } | null,
    require(): { db: Db; outbox: Outbox } {
      if (!this.stores) throw new Error('no journal');
      return this.stores;
    },
  };
  const ids = options.ids ? [...options.ids] : null;
  let n = 0;
  const service = new BookingService({
    journal,
    cache,
    link: { wakeOutbox: () => (wakes.count += 1), onSettled: (prefix, handler) => registry.on(prefix, handler) },
    events: { emit: (name, payload) => (events.push([name, payload]), true) },
    settings: () => settings.current,
    logger: createLogger([(record) => logs.push(record)], 'debug'),
    clock,
    newId: () => ids?.shift() ?? `local-${++n}`,
    onRejected: (rejected) => rejections.push(rejected),
  });
  return {
    db,
    outbox,
    registry,
    sender,
    mis,
    reader,
    cards,
    clock,
    settings,
    events,
    logs,
    wakes,
    rejections,
    service,
    cache,
    journal,
    async drain() {
      const due = outbox.nextDueAt();
      if (due !== null && due > clock.now()) clock.advance(due - clock.now());
      await sender.drainOnce();
      // settle announcements are queued as microtasks after the commit
      await Promise.resolve();
    },
    bookingItems: () =>
      db
        .prepare<[], { id: number; kind: string; idempotency_key: string; state: string; last_error: string | null; payload: string }>(
          "SELECT id, kind, idempotency_key, state, last_error, payload FROM outbox WHERE kind LIKE 'booking.%' ORDER BY id",
        )
        .all(),
    close: () => {
      if (db.open) db.close();
    },
  };
}
