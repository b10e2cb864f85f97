import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { PatientCard, PatientPhone } from '../../../src-shared/patients/patient-card';
import { clinicIso } from '../../../src-shared/schedule/clinic-time';
import type { Doctor, MisCallTask, Service, Slot } from '../../../src-shared/schedule/schedule-model';
import { DEFAULT_SETTINGS, type Settings } from '../../../src-shared/settings/settings-schema';
import { ManualClock } from '../../../src-shared/time/manual-clock';
import { DatabaseKeySource } from '../cache/database-key';
import type { PbxEvent, PbxSharedChannel } from '../connectors/pbx/pbx-connector';
import { EventBus } from '../events/event-bus';
import { JournalService } from '../journal/journal-service';
import { createLogger, type LogRecord } from '../log/logger';
import type { ScheduleReader } from '../schedule/schedule-reader';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { StatusService } from '../status/status-service';
import { encodeStatus, freshStatus, withStatus } from './call-list-record';
import { CallListService, type CallListPbx, type VisitCanceller } from './call-list-service';
import { createCallListsHandlers } from './call-lists-handlers';

const MSK = 'Europe/Moscow';
/** Sunday 6 December 2026, 10:00 in Moscow (07:00 UTC). */
const T0 = Date.UTC(2026, 11, 6, 7, 0);
const TODAY = '2026-12-06';
const TOMORROW = '2026-12-07';
const CONFIRM = `confirm-tomorrow:${TOMORROW}`;
const RECALL = `recall:${TODAY}`;
const RESULTS = `results:${TODAY}`;
const MIN = 60_000;
const CTX = { host: 'web' as const, client: 't' };

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

// ── the cached schedule and cards ───────────────────────────────────────────────────────────

type Rec<T> = Omit<T, 'version'>;

/** The schedule reader the service sees: tomorrow's booked slots and the MIS's call tasks, in memory. */
class FakeSchedule implements ScheduleReader {
  asOf: number | null = T0 - MIN;
  constructor(
    public slots: Rec<Slot>[],
    public tasks: Rec<MisCallTask>[] = [],
    private readonly doctorList: Rec<Doctor>[] = DOCTORS,
    private readonly serviceList: Rec<Service>[] = SERVICES,
  ) {}
  branches = () => [];
  doctors = () => this.doctorList;
  services = () => this.serviceList;
  doctor = (id: string) => this.doctorList.find((doctor) => doctor.id === id) ?? null;
  service = (id: string) => this.serviceList.find((service) => service.id === id) ?? null;
  branch = () => null;
  slot = (id: string) => this.slots.find((slot) => slot.id === id) ?? null;
  freeSlots = () => ({ slots: [], truncated: false });
  doctorDay = () => [];
  bookedSlots(fromMs: number, toMs: number): Rec<Slot>[] {
    return this.slots
      .filter((slot) => slot.state === 'booked' && slot.patientMisId !== null && Date.parse(slot.startsAt) >= fromMs && Date.parse(slot.startsAt) < toMs)
      .sort((a, b) => Date.parse(a.startsAt) - Date.parse(b.startsAt));
  }
  callTasks(list: 'recall' | 'results', date: string): Rec<MisCallTask>[] {
    return this.tasks.filter((task) => task.list === list && task.dueDate <= date);
  }
  dataAsOf = () => this.asOf;
}

const DOCTORS: Rec<Doctor>[] = [
  { id: 'D1', name: 'Смирнова Ольга Петровна', specialty: 'терапевт', branchId: 'B1', room: '101' },
  { id: 'D2', name: 'Кузнецов Игорь Олегович', specialty: 'ЛОР', branchId: 'B1', room: '205' },
];
const SERVICES: Rec<Service>[] = [{ id: 'S1', name: 'Приём терапевта', specialty: 'терапевт', durationMin: 20, kind: 'oms', priceRub: null, prepare: null }];

const pad = (n: number) => String(n).padStart(2, '0');
const misId = (n: number) => `P${pad(n)}`;

function phone(n: number, kind: PatientPhone['kind']): PatientPhone {
  const national10 = `916${String(n).padStart(7, '0')}`;
  return { e164: `+7${national10}`, national10, kind };
}

function card(n: number, overrides: Partial<PatientCard> = {}, consentCalls = true): PatientCard {
  return {
    misId: misId(n),
    version: 1,
    surname: 'Иванов',
    givenName: `Пациент${n}`,
    patronymic: null,
    birthDate: '1980-01-01',
    sex: 'male',
    phones: [phone(n, 'mobile')],
    email: null,
    address: null,
    omsPolicy: null,
    dms: null,
    snils: null,
    flags: { allergies: null, vip: false, preferredChannel: null, consentSms: true, consentCalls },
    lastVisit: null,
    appointments: [],
    ...overrides,
  };
}

function slot(n: number, date: string, minutes: number, overrides: Partial<Rec<Slot>> = {}): Rec<Slot> {
  return {
    id: `slot-${date}-${pad(n)}`,
    doctorId: n % 2 === 0 ? 'D2' : 'D1',
    startsAt: clinicIso(date, minutes, MSK),
    durationMin: 20,
    state: 'booked',
    patientMisId: misId(n),
    appointmentId: `A${pad(n)}`,
    serviceId: n % 2 === 0 ? null : 'S1',
    ...overrides,
  };
}

/** 24 patients booked tomorrow from 09:00 every 20 minutes, one free and one blocked slot, and visits today and the day after (not tomorrow's list). */
function tomorrowsDay(): Rec<Slot>[] {
  const slots = Array.from({ length: 24 }, (_, i) => slot(i + 1, TOMORROW, 9 * 60 + i * 20));
  slots.push(slot(90, TOMORROW, 18 * 60, { state: 'free', patientMisId: null, appointmentId: null }));
  slots.push(slot(91, TOMORROW, 18 * 60 + 20, { state: 'blocked', patientMisId: null, appointmentId: null }));
  slots.push(slot(92, TODAY, 15 * 60, { patientMisId: misId(1) }));
  // 00:10 on the 8th in Moscow is still the 7th in UTC: not tomorrow's on the clinic's clock.
  slots.push(slot(93, '2026-12-08', 10, { patientMisId: misId(2) }));
  return slots;
}

/** The cards: P01…P24 with an own mobile, but P03 only a relative's after a home phone, P05 without consent, P06 with no phone, P07 not cached. */
function cards(): Map<string, PatientCard> {
  const all = new Map<string, PatientCard>();
  for (let n = 1; n <= 40; n++) all.set(misId(n), card(n));
  all.set(misId(3), card(3, { phones: [phone(303, 'relative'), phone(302, 'home'), phone(3, 'mobile')] }));
  all.set(misId(4), card(4, { phones: [phone(404, 'relative'), phone(402, 'home')] }));
  all.set(misId(5), card(5, {}, false));
  all.set(misId(6), card(6, { phones: [] }));
  all.delete(misId(7));
  return all;
}

// ── the PBX and its shared channel ──────────────────────────────────────────────────────────

/** One PBX several desks use: its shared channel keeps records durably and tells every connected desk of each change. */
class FakeBoard {
  readonly records = new Map<string, string>();
  readonly desks = new Set<FakePbx>();

  announce(key: string, value: string | null): void {
    queueMicrotask(() => {
      for (const desk of this.desks) desk.emit({ type: 'shared.changed', at: 0, key, value });
    });
  }

  /** A value put on the channel by something that is not a desk (or a broken one). */
  inject(key: string, value: string): void {
    this.records.set(key, value);
    this.announce(key, value);
  }
}

class FakePbx implements CallListPbx {
  readonly shared: PbxSharedChannel | null;
  callsBackViaPbx = false;
  readonly originated: string[] = [];
  private readonly listeners = new Set<(event: PbxEvent) => void>();
  private readonly connectedListeners = new Set<() => void>();

  constructor(
    private readonly board: FakeBoard,
    public agent: { extension: string; name: string } | null,
    shares = true,
  ) {
    this.shared = shares
      ? {
          publish: async (key, value) => {
            if (!this.board.desks.has(this)) throw new Error('not connected');
            this.board.records.set(key, value);
            this.board.announce(key, value);
          },
          remove: async (key) => {
            this.board.records.delete(key);
            this.board.announce(key, null);
          },
          list: async (prefix) => [...this.board.records].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => ({ key, value })),
          removeTree: async (folder) => {
            for (const key of [...this.board.records.keys()]) if (key.startsWith(`${folder}/`)) this.board.records.delete(key);
          },
        }
      : null;
  }

  async originate(number: string): Promise<void> {
    this.originated.push(number);
  }

  onEvent(listener: (event: PbxEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onConnected(listener: () => void): () => void {
    this.connectedListeners.add(listener);
    return () => this.connectedListeners.delete(listener);
  }

  connect(): void {
    this.board.desks.add(this);
    for (const listener of this.connectedListeners) listener();
  }

  disconnect(): void {
    this.board.desks.delete(this);
  }

  emit(event: PbxEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

// ── desks ───────────────────────────────────────────────────────────────────────────────────

const running: { stop(): void }[] = [];
afterEach(() => {
  for (const desk of running.splice(0).reverse()) desk.stop();
});

interface DeskOptions {
  extension?: string;
  name?: string;
  dataDir?: string;
  schedule?: FakeSchedule | null;
  cards?: Map<string, PatientCard>;
  booking?: VisitCanceller | null;
  shares?: boolean;
  connect?: boolean;
  settings?: (settings: Settings) => void;
}

function openDesk(board: FakeBoard, clock: ManualClock, options: DeskOptions = {}) {
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'rg-call-lists-'));
  const settings = structuredClone(DEFAULT_SETTINGS);
  settings.schedule.timeZone = MSK;
  options.settings?.(settings);
  const logs: LogRecord[] = [];
  const logger = createLogger([(record) => logs.push(record)], 'debug');
  const events = new EventBus(logger);
  const changes: (string | null)[] = [];
  events.subscribe((name, payload) => {
    if (name === 'callLists:changed') changes.push((payload as { listId: string | null }).listId);
  });
  const status = new StatusService(() => new Date(clock.now()));
  const secrets = new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([]));
  const journal = new JournalService({ dataDir, keys: new DatabaseKeySource(secrets), logger, status, events, now: () => clock.now() });
  const pbx = new FakePbx(board, options.extension === undefined ? { extension: '101', name: 'Иванова' } : { extension: options.extension, name: options.name ?? '' }, options.shares ?? true);
  const schedule = options.schedule === undefined ? new FakeSchedule(tomorrowsDay()) : options.schedule;
  const cardMap = options.cards ?? cards();
  let wakes = 0;
  const service = new CallListService({
    journal,
    pbx,
    schedule: () => schedule,
    card: (id) => cardMap.get(id) ?? null,
    booking: () => options.booking ?? null,
    events,
    logger,
    settings: () => settings,
    wakeOutbox: () => (wakes += 1),
    clock,
  });
  journal.start();
  service.start();
  if (options.connect ?? true) pbx.connect();
  let stopped = false;
  const desk = {
    dataDir,
    settings,
    journal,
    pbx,
    schedule,
    cards: cardMap,
    service,
    events,
    handlers: createCallListsHandlers(service),
    logs,
    changes,
    wakes: () => wakes,
    task: (listId: string, id: string) => service.tasks(listId).tasks.find((task) => task.id === id),
    outbox: (kind = 'call-list.outcome') => journal.require('test').outbox.listUndelivered().filter((item) => item.kind === kind),
    stop() {
      if (stopped) return;
      stopped = true;
      pbx.disconnect();
      service.stop();
      journal.stop();
    },
  };
  running.push(desk);
  return desk;
}

/** A desk at `at` (default T0) on a board of its own. */
function oneDesk(options: DeskOptions & { at?: number } = {}) {
  const clock = new ManualClock(options.at ?? T0);
  const board = new FakeBoard();
  return { clock, board, desk: openDesk(board, clock, options) };
}

const taskId = (listId: string, sourceId: string) => `${listId}/${sourceId}`;
const visitTask = (n: number) => taskId(CONFIRM, `slot-${TOMORROW}-${pad(n)}`);

// ── tests ───────────────────────────────────────────────────────────────────────────────────

describe('CallListService: building the lists', () => {
  it("builds «confirm tomorrow» from tomorrow's booked slots on the clinic's clock: 24 patients, in visit order, name and own mobile from the card", async () => {
    const { desk } = oneDesk({
      schedule: new FakeSchedule(tomorrowsDay(), [
        { id: 'R1', list: 'recall', patientMisId: misId(30), reason: 'повторный приём у кардиолога', dueDate: TODAY, specialty: 'кардиолог' },
        { id: 'R2', list: 'recall', patientMisId: misId(31), reason: 'диспансеризация', dueDate: '2026-12-01', specialty: null },
        { id: 'R3', list: 'recall', patientMisId: misId(32), reason: 'позже', dueDate: TOMORROW, specialty: null },
        { id: 'L1', list: 'results', patientMisId: misId(33), reason: 'готовы анализы', dueDate: TODAY, specialty: null },
      ]),
    });
    const overview = await desk.handlers['callLists.overview']({}, CTX);
    expect(overview.lists.map((list) => [list.id, list.kind, list.day])).toEqual([
      [CONFIRM, 'confirm-tomorrow', TOMORROW],
      [RECALL, 'recall', TODAY],
      [RESULTS, 'results', TODAY],
    ]);
    expect(overview.window).toEqual({ open: true, from: '09:00', to: '21:00', timeZone: MSK });
    expect(overview.shared).toBe(true);
    // P05 has not consented, P06 has no phone, P07's card is not cached (no number either).
    expect(overview.lists[0]!.counters).toEqual({ total: 24, done: 0, open: 21, waiting: 0, blocked: 3, confirmed: 0, cancelled: 0, noAnswer: 0 });
    expect(overview.lists[1]!.counters.total).toBe(2);
    expect(overview.lists[2]!.counters.total).toBe(1);

    const { tasks } = desk.service.tasks(CONFIRM);
    expect(tasks).toHaveLength(24);
    // Open ones in visit order, then the blocked ones.
    expect(tasks.map((task) => task.patientMisId)).toEqual([...[1, 2, 3, 4, ...Array.from({ length: 17 }, (_, i) => i + 8)].map(misId), misId(5), misId(6), misId(7)]);
    expect(tasks[0]).toEqual({
      id: visitTask(1),
      listId: CONFIRM,
      patientMisId: 'P01',
      patientName: 'Иванов Пациент1',
      number: '+79160000001',
      reason: 'Приём терапевта',
      visit: { slotId: `slot-${TOMORROW}-01`, appointmentId: 'A01', startsAt: `${TOMORROW}T09:00:00+03:00`, doctor: 'Смирнова Ольга Петровна', room: '101' },
      state: 'open',
      blockedBy: null,
      attempts: 0,
      nextAttemptAt: null,
      claimedBy: null,
      mine: false,
      outcome: null,
      closedAt: null,
    });
    // No service on the slot: the doctor's specialty says why.
    expect(desk.task(CONFIRM, visitTask(2))).toMatchObject({ reason: 'ЛОР', visit: { doctor: 'Кузнецов Игорь Олегович', room: '205' } });
    // The patient's own mobile first; else a home phone before a relative's.
    expect(desk.task(CONFIRM, visitTask(3))!.number).toBe('+79160000003');
    expect(desk.task(CONFIRM, visitTask(4))!.number).toBe('+79160000402');
    expect(desk.task(CONFIRM, visitTask(5))).toMatchObject({ state: 'blocked', blockedBy: 'noConsent', number: '+79160000005' });
    expect(desk.task(CONFIRM, visitTask(6))).toMatchObject({ state: 'blocked', blockedBy: 'noPhone', number: null });
    expect(desk.task(CONFIRM, visitTask(7))).toMatchObject({ state: 'blocked', blockedBy: 'noPhone', number: null, patientName: null });

    expect(desk.service.tasks(RECALL).tasks.map((task) => [task.id, task.reason, task.visit])).toEqual([
      [taskId(RECALL, 'R1'), 'повторный приём у кардиолога', null],
      [taskId(RECALL, 'R2'), 'диспансеризация', null],
    ]);
    expect(desk.service.tasks(RESULTS).tasks.map((task) => task.id)).toEqual([taskId(RESULTS, 'L1')]);
    // Logs: kinds and counts, never a name or a number.
    const built = desk.logs.filter((record) => record.event === 'callLists.built');
    expect(built.map((record) => record.context)).toContainEqual({ list: 'confirm-tomorrow', tasks: 24, added: 24, updated: 0, removed: 0 });
    expect(JSON.stringify(desk.logs)).not.toMatch(/Иванов|916000|P0\d/);
  });

  it('builds again idempotently: the same ids and statuses, nothing rewritten; a change in the source updates only what changed', () => {
    const { desk } = oneDesk();
    const first = desk.service.tasks(CONFIRM).tasks;
    const claimed = desk.service.next(CONFIRM).task!;
    expect(claimed.id).toBe(visitTask(1));
    const builds = () => desk.logs.filter((record) => record.event === 'callLists.built').length;
    const before = builds();
    desk.service.sourcesChanged();
    expect(desk.service.tasks(CONFIRM).tasks.map((task) => task.id).sort()).toEqual(first.map((task) => task.id).sort());
    expect(builds()).toBe(before);
    expect(desk.task(CONFIRM, visitTask(1))).toMatchObject({ state: 'claimed', mine: true });

    // The cache syncs: P08 revokes consent, slot 10 is cancelled by the patient elsewhere, slot 1 (claimed) too, and a new visit is booked.
    desk.cards.set(misId(8), card(8, {}, false));
    desk.schedule!.slots = desk.schedule!.slots.filter((s) => s.id !== `slot-${TOMORROW}-10` && s.id !== `slot-${TOMORROW}-01`);
    desk.schedule!.slots.push(slot(25, TOMORROW, 19 * 60));
    desk.schedule!.asOf = T0;
    const after = desk.service.tasks(CONFIRM);
    expect(after.tasks.map((task) => task.id)).not.toContain(visitTask(10));
    // Someone is on it: kept, whatever the schedule says now.
    expect(desk.task(CONFIRM, visitTask(1))).toMatchObject({ state: 'claimed', mine: true });
    expect(desk.task(CONFIRM, visitTask(8))).toMatchObject({ state: 'blocked', blockedBy: 'noConsent' });
    expect(desk.task(CONFIRM, taskId(CONFIRM, `slot-${TOMORROW}-25`))).toMatchObject({ state: 'open', patientMisId: 'P25' });
    expect(after.counters.total).toBe(24);
    expect(desk.logs.filter((record) => record.event === 'callLists.built').at(-1)!.context).toEqual({ list: 'confirm-tomorrow', tasks: 23, added: 1, updated: 1, removed: 1 });
  });

  it('a schedule:changed event (a sync page) makes the panes reload, coalesced', () => {
    const { clock, desk } = oneDesk();
    desk.service.overview();
    clock.advance(100);
    desk.changes.length = 0;
    for (let i = 0; i < 5; i++) desk.events.emit('schedule:changed', { dataAsOf: T0 + i });
    clock.advance(2_100);
    expect(desk.changes).toEqual([null]);
  });

  it('a MIS task an earlier day already settled is not called again; one that went unanswered is', () => {
    const recall = (id: string): Rec<MisCallTask> => ({ id, list: 'recall', patientMisId: misId(30), reason: 'повторный приём', dueDate: '2026-12-01', specialty: null });
    const { clock, desk } = oneDesk({ schedule: new FakeSchedule([], [recall('R1'), recall('R2')]) });
    desk.service.next(RECALL);
    desk.service.complete(taskId(RECALL, 'R1'), 'booked');
    desk.service.next(RECALL);
    for (let i = 0; i < 3; i++) {
      desk.service.complete(taskId(RECALL, 'R2'), 'noAnswer');
      clock.advance(30 * MIN);
    }
    expect(desk.service.tasks(RECALL).counters).toMatchObject({ total: 2, done: 2, noAnswer: 1 });
    // The next day (the MIS still lists both).
    clock.advance(24 * 60 * MIN);
    const next = `recall:2026-12-07`;
    expect(desk.service.overview().lists.map((list) => list.id)).toEqual([`confirm-tomorrow:2026-12-08`, next, `results:2026-12-07`]);
    expect(desk.service.tasks(next).tasks.map((task) => task.id)).toEqual([taskId(next, 'R2')]);
  });

  it('without a cached schedule the lists are empty, and the journal being closed is said', () => {
    const { desk } = oneDesk({ schedule: null });
    expect(desk.service.overview().lists.every((list) => list.counters.total === 0)).toBe(true);
    expect(desk.service.next(CONFIRM)).toEqual({ task: null, why: 'empty' });
    desk.journal.stop();
    expect(() => desk.service.overview()).toThrow(expect.objectContaining({ code: 'JOURNAL_UNAVAILABLE' }));
  });
});

describe('CallListService: consent and the calling window', () => {
  it('never dials a patient without consent: next skips them, call refuses NO_CALL_CONSENT, no phone is NOT_AVAILABLE', async () => {
    const schedule = new FakeSchedule([slot(5, TOMORROW, 9 * 60), slot(6, TOMORROW, 9 * 60 + 20), slot(1, TOMORROW, 10 * 60)]);
    const { desk } = oneDesk({ schedule });
    expect(desk.service.next(CONFIRM).task!.id).toBe(visitTask(1));
    await expect(desk.service.call(visitTask(5))).rejects.toMatchObject({ code: 'NO_CALL_CONSENT' });
    await expect(desk.service.call(visitTask(6))).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
    expect(desk.task(CONFIRM, visitTask(5))).toMatchObject({ state: 'blocked', claimedBy: null });
    expect(desk.pbx.originated).toEqual([]);
    desk.service.complete(visitTask(1), 'confirmed');
    expect(desk.service.next(CONFIRM)).toEqual({ task: null, why: 'empty' });
  });

  it("outside the window on the clinic's clock: next says outsideWindow, call refuses OUTSIDE_CALLING_WINDOW; the window opening is pushed", async () => {
    // 08:30 in Moscow.
    const { clock, desk } = oneDesk({ at: Date.UTC(2026, 11, 6, 5, 30) });
    expect(desk.service.overview().window).toMatchObject({ open: false, from: '09:00', to: '21:00' });
    expect(await desk.handlers['callLists.next']({ listId: CONFIRM }, CTX)).toEqual({ task: null, why: 'outsideWindow' });
    await expect(desk.service.call(visitTask(1))).rejects.toMatchObject({ code: 'OUTSIDE_CALLING_WINDOW' });
    expect(desk.task(CONFIRM, visitTask(1))).toMatchObject({ state: 'open', claimedBy: null });
    clock.advance(100);
    desk.changes.length = 0;
    clock.advance(30 * MIN - 100);
    expect(desk.changes).toEqual([]);
    clock.advance(100);
    expect(desk.changes).toEqual([null]);
    expect(desk.service.overview().window.open).toBe(true);
    expect(desk.service.next(CONFIRM).task!.id).toBe(visitTask(1));
    // 21:00 closes it again (the window is [from, to)).
    clock.advance(12 * 60 * MIN);
    expect(desk.service.overview().window.open).toBe(false);
    await expect(desk.service.call(visitTask(1))).rejects.toMatchObject({ code: 'OUTSIDE_CALLING_WINDOW' });
  });

  it('dials through the PBX on a CTI desk, else answers via softphone; a call claims an open task', async () => {
    const { desk } = oneDesk();
    expect(await desk.handlers['callLists.call']({ id: visitTask(2) }, CTX)).toEqual({ via: 'softphone', number: '+79160000002' });
    expect(desk.task(CONFIRM, visitTask(2))).toMatchObject({ state: 'claimed', mine: true, claimedBy: { extension: '101', name: 'Иванова' } });
    desk.pbx.callsBackViaPbx = true;
    expect(await desk.service.call(visitTask(2))).toEqual({ via: 'pbx', number: '+79160000002' });
    expect(desk.pbx.originated).toEqual(['+79160000002']);
    // next gives back this desk's own claim before taking another.
    expect(desk.service.next(CONFIRM).task!.id).toBe(visitTask(2));
  });

  it('a desk without an agent extension cannot work the lists', () => {
    const clock = new ManualClock(T0);
    const desk = openDesk(new FakeBoard(), clock, { extension: undefined });
    desk.pbx.agent = null;
    expect(() => desk.service.next(CONFIRM)).toThrow(expect.objectContaining({ code: 'PBX_UNAVAILABLE' }));
  });
});

describe('CallListService: outcomes', () => {
  it('noAnswer: waiting for retryMinutes, due again when the timer fires (callLists:changed), done with noAnswer after maxAttempts', () => {
    const { clock, desk } = oneDesk({ schedule: new FakeSchedule([slot(1, TOMORROW, 9 * 60)]) });
    const id = visitTask(1);
    for (let attempt = 1; attempt <= 2; attempt++) {
      expect(desk.service.next(CONFIRM).task).toMatchObject({ id, state: 'claimed' });
      const waiting = desk.service.complete(id, 'noAnswer');
      expect(waiting).toMatchObject({ state: 'waiting', attempts: attempt, outcome: 'noAnswer', claimedBy: null, nextAttemptAt: clock.now() + 30 * MIN });
      expect(desk.service.next(CONFIRM)).toEqual({ task: null, why: 'allWaiting' });
      expect(desk.service.tasks(CONFIRM).counters).toMatchObject({ waiting: 1, open: 0, noAnswer: 1 });
      clock.advance(100);
      desk.changes.length = 0;
      clock.advance(30 * MIN - 101);
      expect(desk.changes).toEqual([]);
      expect(desk.task(CONFIRM, id)!.state).toBe('waiting');
      clock.advance(1);
      // The retry came due: the timer fired and the push follows.
      clock.advance(100);
      expect(desk.changes).toEqual([null]);
      expect(desk.task(CONFIRM, id)).toMatchObject({ state: 'open', attempts: attempt });
    }
    desk.service.next(CONFIRM);
    expect(desk.service.complete(id, 'noAnswer')).toMatchObject({ state: 'done', outcome: 'noAnswer', attempts: 3, closedAt: clock.now() });
    expect(desk.service.tasks(CONFIRM).counters).toMatchObject({ total: 1, done: 1, noAnswer: 1, waiting: 0 });
    expect(desk.service.next(CONFIRM)).toEqual({ task: null, why: 'empty' });
    // Three outcomes to the MIS, each under its own stable key.
    const items = desk.outbox();
    expect(items.map((item) => (item.payload as { attempts: number }).attempts)).toEqual([1, 2, 3]);
    expect(new Set(items.map((item) => item.idempotencyKey)).size).toBe(3);
    expect(desk.wakes()).toBe(3);
  });

  it('settings apply live: a shorter retry delay and fewer attempts', () => {
    const { clock, desk } = oneDesk({ schedule: new FakeSchedule([slot(1, TOMORROW, 9 * 60)]) });
    desk.settings.callLists = { ...desk.settings.callLists, retryMinutes: 5, maxAttempts: 2 };
    desk.service.settingsChanged();
    desk.service.next(CONFIRM);
    expect(desk.service.complete(visitTask(1), 'noAnswer')).toMatchObject({ state: 'waiting', nextAttemptAt: clock.now() + 5 * MIN });
    clock.advance(5 * MIN);
    desk.service.next(CONFIRM);
    expect(desk.service.complete(visitTask(1), 'noAnswer')).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('confirmed closes the task with ONE call-list.outcome item; completing again adds nothing; an outcome that does not fit the list is refused', async () => {
    const { clock, desk } = oneDesk({
      schedule: new FakeSchedule(tomorrowsDay(), [{ id: 'R1', list: 'recall', patientMisId: misId(30), reason: 'повторный приём', dueDate: TODAY, specialty: null }]),
    });
    desk.service.next(CONFIRM);
    const done = await desk.handlers['callLists.complete']({ id: visitTask(1), outcome: 'confirmed' }, CTX);
    expect(done).toMatchObject({ state: 'done', outcome: 'confirmed', closedAt: clock.now(), claimedBy: null, mine: false });
    expect(desk.service.complete(visitTask(1), 'confirmed')).toMatchObject({ state: 'done' });
    const items = desk.outbox();
    expect(items).toHaveLength(1);
    expect(items[0]!.payload).toEqual({
      localId: `call-list:${visitTask(1)}:2`,
      listId: CONFIRM,
      taskId: visitTask(1),
      patientMisId: 'P01',
      outcome: 'confirmed',
      attempts: 0,
      appointmentId: 'A01',
      at: new Date(clock.now()).toISOString(),
    });
    expect(items[0]!.idempotencyKey).toMatch(/^call-list:[0-9a-f]{24}:2$/);
    expect(desk.service.overview().lists[0]!.counters).toMatchObject({ done: 1, confirmed: 1 });
    expect(() => desk.service.complete(taskId(RECALL, 'R1'), 'confirmed')).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    expect(desk.service.complete(taskId(RECALL, 'R1'), 'booked')).toMatchObject({ state: 'done', outcome: 'booked' });
    expect(() => desk.service.complete('recall:2026-12-06/nope', 'booked')).toThrow(expect.objectContaining({ code: 'CALL_LIST_TASK_NOT_FOUND' }));
  });

  it('cancelled cancels the visit through booking inside the same transaction as the outcome and its outbox item', () => {
    const cancels: { input: unknown; inTransaction: boolean }[] = [];
    const ref: { desk: ReturnType<typeof openDesk> | null } = { desk: null };
    const booking: VisitCanceller = {
      cancelInTransaction(input) {
        const stores = ref.desk!.journal.require('test');
        cancels.push({ input, inTransaction: stores.db.inTransaction });
        stores.outbox.enqueue('booking.cancel', { visitId: (input as { visitId: string }).visitId });
      },
    };
    const { desk } = oneDesk({ booking });
    ref.desk = desk;
    desk.service.next(CONFIRM);
    expect(desk.service.complete(visitTask(1), 'cancelled')).toMatchObject({ state: 'done', outcome: 'cancelled' });
    expect(cancels).toEqual([{ input: { visitId: 'mis:A01', callId: null, patientMisId: 'P01', slotId: `slot-${TOMORROW}-01` }, inTransaction: true }]);
    expect(desk.outbox('booking.cancel')).toHaveLength(1);
    expect(desk.outbox()).toHaveLength(1);
    expect(desk.service.overview().lists[0]!.counters).toMatchObject({ done: 1, cancelled: 1 });
  });

  it('a failing cancel rolls everything back: no outcome, no outbox item, the task still claimed', () => {
    const ref: { desk: ReturnType<typeof openDesk> | null } = { desk: null };
    const booking: VisitCanceller = {
      cancelInTransaction(input) {
        ref.desk!.journal.require('test').outbox.enqueue('booking.cancel', input);
        throw new Error('the visit is already gone');
      },
    };
    const { desk } = oneDesk({ booking });
    ref.desk = desk;
    desk.service.next(CONFIRM);
    expect(() => desk.service.complete(visitTask(1), 'cancelled')).toThrow('the visit is already gone');
    expect(desk.task(CONFIRM, visitTask(1))).toMatchObject({ state: 'claimed', mine: true, outcome: null });
    expect(desk.journal.require('test').outbox.listUndelivered()).toEqual([]);
    expect(desk.wakes()).toBe(0);
  });

  it('cancelled without booking on this desk, or without the MIS naming the appointment, is refused', () => {
    const schedule = new FakeSchedule([slot(1, TOMORROW, 9 * 60), slot(2, TOMORROW, 10 * 60, { appointmentId: null })]);
    const { desk } = oneDesk({ schedule, booking: null });
    desk.service.next(CONFIRM);
    expect(() => desk.service.complete(visitTask(1), 'cancelled')).toThrow(expect.objectContaining({ code: 'NOT_AVAILABLE' }));
    expect(() => desk.service.complete(visitTask(2), 'cancelled')).toThrow(expect.objectContaining({ code: 'VISIT_NOT_FOUND' }));
    expect(desk.outbox()).toEqual([]);
  });
});

describe('CallListService: desks share the lists through the PBX', () => {
  function twoDesks(options: { shares?: boolean } = {}) {
    const clock = new ManualClock(T0);
    const board = new FakeBoard();
    const a = openDesk(board, clock, { extension: '101', name: 'Иванова', shares: options.shares });
    const b = openDesk(board, clock, { extension: '102', name: 'Петров', shares: options.shares });
    const settle = async () => {
      await flush();
      clock.advance(100);
      await flush();
    };
    return { clock, board, a, b, settle };
  }

  it('desks taking the next patient in turn never get the same one; a claim shows on the other desk and is CALL_LIST_TASK_TAKEN there', async () => {
    const { a, b, settle } = twoDesks();
    const taken: string[] = [];
    for (let round = 0; round < 6; round++) {
      for (const desk of [a, b]) {
        const { task } = desk.service.next(CONFIRM);
        taken.push(task!.id);
        await settle();
        desk.service.complete(task!.id, 'confirmed');
        await settle();
      }
    }
    expect(new Set(taken).size).toBe(12);
    const other = b.service.next(CONFIRM).task!;
    await settle();
    expect(a.task(CONFIRM, other.id)).toMatchObject({ state: 'claimed', mine: false, claimedBy: { extension: '102', name: 'Петров' } });
    expect(a.changes).toContain(CONFIRM);
    await expect(a.service.call(other.id)).rejects.toMatchObject({ code: 'CALL_LIST_TASK_TAKEN', message: expect.stringContaining('Петров') });
    expect(() => a.service.complete(other.id, 'confirmed')).toThrow(expect.objectContaining({ code: 'CALL_LIST_TASK_TAKEN' }));
    // A's next is another patient, never B's.
    expect(a.service.next(CONFIRM).task!.id).not.toBe(other.id);
    // Both desks count the same progress.
    await settle();
    expect(a.service.tasks(CONFIRM).counters).toEqual(b.service.tasks(CONFIRM).counters);
    expect(a.service.tasks(CONFIRM).counters).toMatchObject({ done: 12, confirmed: 12 });
    // A release frees it everywhere.
    b.service.release(other.id);
    await settle();
    expect(a.task(CONFIRM, other.id)).toMatchObject({ state: 'open', claimedBy: null });
  });

  it('two desks racing for the same patient: one claim stands on both, and the other desk cannot dial', async () => {
    const { a, b, settle } = twoDesks();
    const first = a.service.next(CONFIRM).task!;
    const second = b.service.next(CONFIRM).task!;
    expect(second.id).toBe(first.id);
    await settle();
    // Last writer wins by (version, writer): 102.
    for (const desk of [a, b]) expect(desk.task(CONFIRM, first.id)).toMatchObject({ state: 'claimed', claimedBy: { extension: '102' } });
    await expect(a.service.call(first.id)).rejects.toMatchObject({ code: 'CALL_LIST_TASK_TAKEN' });
    await expect(b.service.call(first.id)).resolves.toMatchObject({ via: 'softphone' });
    expect(a.service.next(CONFIRM).task!.id).not.toBe(first.id);
  });

  it('a no-answer retry reaches the other desk; an outcome goes to the MIS only from the desk that recorded it', async () => {
    const { clock, a, b, settle } = twoDesks();
    const task = a.service.next(CONFIRM).task!;
    a.service.complete(task.id, 'noAnswer');
    await settle();
    expect(b.task(CONFIRM, task.id)).toMatchObject({ state: 'waiting', attempts: 1, nextAttemptAt: T0 + 30 * MIN });
    b.changes.length = 0;
    clock.advance(30 * MIN);
    expect(b.changes).toContain(null);
    expect(b.task(CONFIRM, task.id)).toMatchObject({ state: 'open' });
    expect(b.outbox()).toEqual([]);
    expect(a.outbox()).toHaveLength(1);
  });

  it('a restarted desk recovers the claims made meanwhile, and publishes what it did while its PBX link was down', async () => {
    const { clock, board, a, b, settle } = twoDesks();
    a.service.tasks(CONFIRM);
    const dataDir = b.dataDir;
    b.stop();
    const claimed = a.service.next(CONFIRM).task!;
    await settle();
    const restarted = openDesk(board, clock, { extension: '102', name: 'Петров', dataDir, connect: false });
    // Before its link is up, it takes a patient (the next after A's, which it does not know of yet: the first).
    const own = restarted.service.next(CONFIRM).task!;
    expect(own.id).toBe(claimed.id);
    restarted.pbx.connect();
    await settle();
    await settle();
    // A's claim was older (version 1 by 101 vs. version 1 by 102): the higher writer stands on both desks.
    expect(restarted.task(CONFIRM, claimed.id)).toMatchObject({ claimedBy: { extension: '102' } });
    expect(a.task(CONFIRM, claimed.id)).toMatchObject({ claimedBy: { extension: '102' } });

    // A status for a task this desk has not built yet is applied when it builds it.
    const later = taskId(CONFIRM, `slot-${TOMORROW}-30`);
    board.inject(`cl/${later}`, encodeStatus(withStatus(freshStatus(later), '103', { state: 'claimed', claimedBy: { extension: '103', name: 'Сидорова' }, claimedAt: T0 })));
    await settle();
    a.schedule!.slots.push(slot(30, TOMORROW, 20 * 60));
    a.schedule!.asOf = T0 + 1;
    expect(a.task(CONFIRM, later)).toMatchObject({ state: 'claimed', claimedBy: { extension: '103', name: 'Сидорова' }, mine: false });
  });

  it("statuses of lists older than a few days are removed from the PBX at a reconnect", async () => {
    const { board, a, settle } = twoDesks();
    const old = 'recall:2026-12-01/R9';
    board.records.set(`cl/${old}`, encodeStatus(freshStatus(old)));
    a.pbx.disconnect();
    a.pbx.connect();
    await settle();
    expect(board.records.has(`cl/${old}`)).toBe(false);
  });

  it('ignores and logs a shared value that is not a status; nothing is corrupted', async () => {
    const { board, a, settle } = twoDesks();
    const before = a.service.tasks(CONFIRM);
    const id = visitTask(1);
    board.inject(`cl/${id}`, JSON.stringify({ id, state: 'done', admin: true }));
    board.inject(`cl/${id}`, 'x'.repeat(5_000));
    board.inject('cl/evil', JSON.stringify({ ...freshStatus('evil'), version: 9 }));
    await settle();
    expect(a.service.tasks(CONFIRM)).toEqual(before);
    expect(a.logs.filter((record) => record.event === 'callLists.shared-record-refused')).toHaveLength(3);
    expect(JSON.stringify(a.logs)).not.toContain('admin');
  });

  it('a closed journal never throws out of the PBX event listener', async () => {
    const { board, a, settle } = twoDesks();
    a.journal.stop();
    const id = visitTask(1);
    expect(() => board.inject(`cl/${id}`, encodeStatus(withStatus(freshStatus(id), '102', { state: 'claimed' })))).not.toThrow();
    await settle();
    expect(a.logs.some((record) => record.event === 'callLists.shared-not-applied')).toBe(true);
  });

  it('without a shared channel the overview says so, and claims stay on the desk', async () => {
    const { a, b, settle } = twoDesks({ shares: false });
    expect(a.service.overview().shared).toBe(false);
    const task = a.service.next(CONFIRM).task!;
    await settle();
    expect(b.task(CONFIRM, task.id)).toMatchObject({ state: 'open' });
  });
});
