import { createHash } from 'node:crypto';
import { outcomeFits } from '../../../src-shared/call-lists/call-list-outcomes';
import type {
  CallListCounters,
  CallListKind,
  CallListOutcome,
  CallListOverview,
  CallListTask,
  CallListTaskState,
} from '../../../src-shared/call-lists/call-lists-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { addDays, clinicDate, clinicInstant, hhmmToMinutes, withinWindow } from '../../../src-shared/schedule/clinic-time';
import type { Settings } from '../../../src-shared/settings/settings-schema';
import { systemClock, type Clock } from '../../../src-shared/time/clock';
import { agentRef } from '../callbacks/callback-record';
import { CallListOutcomePayloadSchema, MIS_WRITE_KINDS } from '../connectors/mis/mis-writes';
import type { PbxEvent, PbxSharedChannel } from '../connectors/pbx/pbx-connector';
import type { Db } from '../db/open-database';
import type { EventBus } from '../events/event-bus';
import type { JournalService } from '../journal/journal-service';
import type { Logger } from '../log/logger';
import type { ScheduleReader } from '../schedule/schedule-reader';
import type { Service } from '../services/service-registry';
import {
  decodeStatus,
  encodeStatus,
  freshStatus,
  listIdOfTask,
  mergeStatus,
  parseListId,
  sameStatus,
  sourceKeyOf,
  taskIdOf,
  withStatus,
  type CallListDetails,
  type CallListStatus,
  type StoredCallListTask,
} from './call-list-record';
import { CallListStore } from './call-list-store';

/** Shared keys: `cl/<task id>`. */
const KEY_PREFIX = 'cl/';
const PUSH_INTERVAL_MS = 100;
/** The cache changing (a sync page after another) reaches the panes at most this often. */
const SOURCES_PUSH_INTERVAL_MS = 2_000;
/** Shared statuses of lists older than this many days are removed from the PBX at a reconnect. */
const SHARED_KEPT_DAYS = 3;
const PHONE_ORDER = ['mobile', 'home', 'work', 'relative'] as const;

/** What the lists need of the PBX link (`PbxHostService`). */
export interface CallListPbx {
  readonly shared: PbxSharedChannel | null;
  readonly agent: { extension: string; name: string } | null;
  /** A CTI desk with a PBX that can originate: a call goes through the PBX. */
  readonly callsBackViaPbx: boolean;
  originate(number: string): Promise<void>;
  onEvent(listener: (event: PbxEvent) => void): () => void;
  onConnected(listener: () => void): () => void;
}

/** What an outcome `cancelled` needs of booking: the visit cancelled inside the caller's journal transaction. */
export interface VisitCanceller {
  /** Queues `booking.cancel` (and marks the visit) in the transaction already open on journal.db; throws to roll it back. */
  cancelInTransaction(input: { visitId: string; callId: string | null; patientMisId?: string; slotId?: string }): unknown;
}

export interface CallListServiceOptions {
  journal: JournalService;
  pbx: CallListPbx;
  /** The cached schedule (null, or a throw, while cache.db is not open). */
  schedule: () => ScheduleReader | null;
  /** A cached card by MIS id (null: not cached). */
  card: (misId: string) => PatientCard | null;
  /** Booking's cancel (null: booking is not available on this desk). */
  booking: () => VisitCanceller | null;
  events: EventBus;
  logger: Logger;
  settings: () => Settings;
  /** A local change was queued: the outbox sender drains it now. */
  wakeOutbox: () => void;
  /** The lists' clock (the core's runs ahead on the demo's `advance-clock`). */
  clock?: Clock;
}

/** A task as the list derives it: the shared status, the card's consent and the time. */
export function effectiveState(task: StoredCallListTask, now: number): CallListTaskState {
  const { status, details } = task;
  if (status.state === 'done') return 'done';
  if (status.state === 'claimed') return 'claimed';
  if (details.blockedBy !== null) return 'blocked';
  if (status.state === 'waiting' && (status.nextAttemptAt ?? 0) > now) return 'waiting';
  return 'open';
}

/** A list's progress: total = done + open (claimed included) + waiting + blocked. */
export function countersOf(tasks: readonly StoredCallListTask[], now: number): CallListCounters {
  const counters: CallListCounters = { total: tasks.length, done: 0, open: 0, waiting: 0, blocked: 0, confirmed: 0, cancelled: 0, noAnswer: 0 };
  for (const task of tasks) {
    const state = effectiveState(task, now);
    if (state === 'claimed') counters.open += 1;
    else counters[state] += 1;
    if (state === 'done' && task.status.outcome === 'confirmed') counters.confirmed += 1;
    if (state === 'done' && task.status.outcome === 'cancelled') counters.cancelled += 1;
    // Not reached so far: waiting for the retry, or given up after the last attempt.
    if (task.status.outcome === 'noAnswer') counters.noAnswer += 1;
  }
  return counters;
}

interface Source {
  sourceId: string;
  patientMisId: string;
  reason: string;
  visit: CallListDetails['visit'];
  position: number;
}

/**
 * The outbound call lists (docs/architecture.md, "PBX, queue and callbacks"; contract
 * `call-lists-contract.ts`): «confirm-tomorrow:<day>» built on this desk from the cached
 * schedule (tomorrow's booked slots naming a patient, on the clinic's clock), «recall:<today>»
 * and «results:<today>» from the MIS's call tasks. Every desk builds the same tasks under the
 * same ids, so building again changes nothing; the status of each task (claim, attempts, retry
 * time, outcome) travels between desks through the PBX's shared channel like the callback
 * worklist's. Outcomes go to the MIS through the outbox in the transaction that records them.
 */
export class CallListService implements Service {
  readonly name = 'callLists';
  private readonly clock: Clock;
  private readonly stores = new WeakMap<Db, CallListStore>();
  /** The latest status heard from the other desks per task (applied when this desk builds the task). */
  private readonly lastRemote = new Map<string, CallListStatus>();
  private unsubscribes: (() => void)[] = [];
  private started = false;
  private builtFor: string | null = null;
  private sourcesVersion = 0;
  private pushTimer: unknown = null;
  private pushLists = new Set<string | null>();
  private sourcesTimer: unknown = null;
  private wakeTimer: unknown = null;
  private wakeAt: number | null = null;
  private settingsBasis: string;

  constructor(private readonly options: CallListServiceOptions) {
    this.clock = options.clock ?? systemClock;
    this.settingsBasis = this.basis();
  }

  start(): void {
    const { pbx } = this.options;
    this.started = true;
    this.unsubscribes = [
      pbx.onEvent((event) => this.onPbxEvent(event)),
      pbx.onConnected(() => void this.recover()),
      // The cached schedule synced a page (or a booking took or freed a slot): built again on the next read.
      this.options.events.subscribeInternal((name) => {
        if (name === 'schedule:changed') this.sourcesChanged();
      }),
    ];
    this.arm();
  }

  stop(): void {
    this.started = false;
    for (const off of this.unsubscribes) off();
    this.unsubscribes = [];
    for (const timer of [this.pushTimer, this.sourcesTimer, this.wakeTimer]) if (timer !== null) this.clock.clearTimeout(timer);
    this.pushTimer = this.sourcesTimer = this.wakeTimer = null;
    this.wakeAt = null;
    this.pushLists.clear();
  }

  /** The cached cards or schedule changed: the lists are built again on the next read, and the panes told (coalesced). */
  sourcesChanged(): void {
    this.sourcesVersion += 1;
    if (!this.started || this.sourcesTimer !== null) return;
    this.sourcesTimer = this.clock.setTimeout(() => {
      this.sourcesTimer = null;
      this.schedulePush(null);
    }, SOURCES_PUSH_INTERVAL_MS);
  }

  /** The settings changed: a new window, retry delay, time zone or agent reaches the panes at once. */
  settingsChanged(): void {
    const basis = this.basis();
    if (basis === this.settingsBasis) return;
    this.settingsBasis = basis;
    this.builtFor = null;
    if (!this.started) return;
    this.rearm();
    this.schedulePush(null);
  }

  private basis(): string {
    const settings = this.options.settings();
    return JSON.stringify([settings.callLists, settings.schedule.timeZone, this.options.pbx.agent?.extension ?? null]);
  }

  overview(): CallListOverview {
    const now = this.clock.now();
    this.ensureBuilt(now);
    const store = this.store('the call lists cannot be listed');
    const { today, tomorrow, timeZone } = this.days(now);
    const ids: [CallListKind, string][] = [
      ['confirm-tomorrow', tomorrow],
      ['recall', today],
      ['results', today],
    ];
    const settings = this.options.settings().callLists;
    return {
      lists: ids.map(([kind, day]) => ({ id: `${kind}:${day}`, kind, day, counters: countersOf(store.list(`${kind}:${day}`), now) })),
      window: { open: this.windowOpen(now), from: settings.windowFrom, to: settings.windowTo, timeZone },
      shared: this.options.pbx.shared !== null,
    };
  }

  /** One list: this desk's claim first, then open ones in order, others' claims, waiting, blocked, done. */
  tasks(listId: string): { tasks: CallListTask[]; counters: CallListCounters } {
    const now = this.clock.now();
    this.ensureBuilt(now);
    const stored = this.store('the call list cannot be listed').list(listId);
    const me = this.options.pbx.agent?.extension ?? null;
    const group = (task: StoredCallListTask): number => {
      const state = effectiveState(task, now);
      if (state === 'claimed') return task.status.claimedBy?.extension === me ? 0 : 2;
      return { open: 1, waiting: 3, blocked: 4, done: 5 }[state];
    };
    const ordered = stored
      .map((task, index) => ({ task, index, group: group(task) }))
      .sort((a, b) => a.group - b.group || (a.group === 3 ? (a.task.status.nextAttemptAt ?? 0) - (b.task.status.nextAttemptAt ?? 0) : 0) || a.index - b.index);
    return { tasks: ordered.slice(0, 5_000).map(({ task }) => this.view(task, now)), counters: countersOf(stored, now) };
  }

  /**
   * Claims the next task this desk may call now (open, or waiting and due; consent given; inside
   * the calling window); a claim this desk already holds on the list comes back first. Another
   * desk's claim is never taken.
   */
  next(listId: string): { task: CallListTask | null; why: 'empty' | 'outsideWindow' | 'allClaimed' | 'allWaiting' | null } {
    const now = this.clock.now();
    this.ensureBuilt(now);
    const me = this.me();
    if (!this.windowOpen(now)) return { task: null, why: 'outsideWindow' };
    const tasks = this.store('the next patient cannot be taken').list(listId);
    const held = tasks.find((task) => task.status.state === 'claimed' && task.status.claimedBy?.extension === me.extension);
    if (held) return { task: this.view(held, now), why: null };
    const candidate = tasks.find((task) => effectiveState(task, now) === 'open');
    if (!candidate) {
      const states = tasks.map((task) => effectiveState(task, now));
      return { task: null, why: states.includes('waiting') ? 'allWaiting' : states.includes('claimed') ? 'allClaimed' : 'empty' };
    }
    const claimed = this.change(candidate, withStatus(candidate.status, me.extension, { state: 'claimed', claimedBy: me, claimedAt: now }), 'claimed');
    return { task: this.view(claimed, now), why: null };
  }

  /** Gives this desk's claim back to the list (open; a retry not yet due stays waiting). */
  release(id: string): CallListTask {
    const now = this.clock.now();
    const me = this.me();
    const task = this.require(id);
    if (task.status.state !== 'claimed' || task.status.claimedBy?.extension !== me.extension) return this.view(task, now);
    const back = task.status.nextAttemptAt !== null && task.status.nextAttemptAt > now ? 'waiting' : 'open';
    return this.view(this.change(task, withStatus(task.status, me.extension, { state: back, claimedBy: null, claimedAt: null }), 'released'), now);
  }

  /** Claims the task when it is not this desk's yet, then dials: through the PBX (CTI), else the renderer dials on the softphone. */
  async call(id: string): Promise<{ via: 'pbx' | 'softphone'; number: string }> {
    const now = this.clock.now();
    const me = this.me();
    const task = this.require(id);
    if (!this.windowOpen(now)) {
      const { windowFrom, windowTo } = this.options.settings().callLists;
      throw new DeskError('OUTSIDE_CALLING_WINDOW', `Patients are called between ${windowFrom} and ${windowTo} on the clinic's clock; it is outside that now.`);
    }
    if (task.status.state === 'done') throw new DeskError('CALL_LIST_TASK_NOT_FOUND', 'This patient has already been called (the task is done).');
    this.refuseOthersClaim(task, me.extension);
    if (task.details.blockedBy === 'noConsent') throw new DeskError('NO_CALL_CONSENT', 'The patient has not consented to calls: this task must not be dialled.');
    const number = task.details.number;
    if (number === null) throw new DeskError('NOT_AVAILABLE', 'The patient card has no phone number to call.');
    if (task.status.state !== 'claimed') this.change(task, withStatus(task.status, me.extension, { state: 'claimed', claimedBy: me, claimedAt: now }), 'claimed');
    if (this.options.pbx.callsBackViaPbx) {
      await this.options.pbx.originate(number);
      this.options.logger.info('callLists.call', { via: 'pbx' });
      return { via: 'pbx', number };
    }
    this.options.logger.info('callLists.call', { via: 'softphone' });
    return { via: 'softphone', number };
  }

  /**
   * Records an outcome. `noAnswer`: one attempt more, waiting `retryMinutes`, done (outcome
   * noAnswer) once `maxAttempts` went unanswered; every other outcome closes the task;
   * `cancelled` also cancels the visit through booking. The status, the outbox item
   * `call-list.outcome` and the cancellation commit in one transaction.
   */
  complete(id: string, outcome: CallListOutcome): CallListTask {
    const now = this.clock.now();
    const me = this.me();
    const task = this.require(id);
    if (task.status.state === 'done') return this.view(task, now);
    this.refuseOthersClaim(task, me.extension);
    const { kind } = task.details;
    if (!outcomeFits(kind, outcome)) throw new DeskError('INVALID_INPUT', `The outcome ${outcome} does not fit a ${kind} list.`);
    let cancel: (() => void) | null = null;
    if (outcome === 'cancelled') {
      const { visit } = task.details;
      const appointmentId = visit?.appointmentId ?? null;
      if (visit === null || appointmentId === null) throw new DeskError('VISIT_NOT_FOUND', 'The MIS did not name this appointment: cancel it from the patient card.');
      const booking = this.options.booking();
      if (!booking) throw new DeskError('NOT_AVAILABLE', 'Booking is not available on this desk: the visit cannot be cancelled from the list.');
      const hint = { patientMisId: task.details.patientMisId, slotId: visit.slotId };
      cancel = () => void booking.cancelInTransaction({ visitId: `mis:${appointmentId}`, callId: null, ...hint });
    }
    const { retryMinutes, maxAttempts } = this.options.settings().callLists;
    let status: CallListStatus;
    if (outcome === 'noAnswer') {
      const attempts = task.status.attempts + 1;
      status =
        attempts >= maxAttempts
          ? withStatus(task.status, me.extension, { state: 'done', attempts, outcome, claimedBy: null, claimedAt: null, nextAttemptAt: null, closedAt: now })
          : withStatus(task.status, me.extension, { state: 'waiting', attempts, outcome, claimedBy: null, claimedAt: null, nextAttemptAt: now + retryMinutes * 60_000 });
    } else {
      status = withStatus(task.status, me.extension, { state: 'done', outcome, claimedBy: null, claimedAt: null, nextAttemptAt: null, closedAt: now });
    }
    const localId = `call-list:${id}:${status.version}`;
    const saved = this.change(task, status, 'outcome', (stores) => {
      cancel?.();
      const payload = CallListOutcomePayloadSchema.parse({
        localId,
        listId: task.details.listId,
        taskId: id,
        patientMisId: task.details.patientMisId,
        outcome,
        attempts: status.attempts,
        appointmentId: task.details.visit?.appointmentId ?? null,
        at: new Date(now).toISOString(),
      });
      stores.outbox.enqueue(MIS_WRITE_KINDS.callListOutcome, payload, { idempotencyKey: `call-list:${shortHash(id)}:${status.version}` });
    });
    this.options.wakeOutbox();
    return this.view(saved, now);
  }

  // ── building the lists ────────────────────────────────────────────────────────────────────

  /** Builds the current lists again when the day, the schedule's data, the cards or the settings moved since the last build. */
  private ensureBuilt(now: number): void {
    const { today, timeZone } = this.days(now);
    let reader: ScheduleReader | null;
    let dataAsOf: number | null;
    try {
      reader = this.options.schedule();
      dataAsOf = reader?.dataAsOf() ?? null;
    } catch {
      // cache.db is not readable: the lists show what this desk already built
      return;
    }
    const key = JSON.stringify([today, timeZone, reader !== null, dataAsOf, this.sourcesVersion]);
    if (key === this.builtFor || reader === null) return;
    try {
      this.build(reader, now);
      this.builtFor = key;
    } catch (error) {
      if (error instanceof DeskError && error.code === 'JOURNAL_UNAVAILABLE') throw error;
      this.options.logger.warn('callLists.build-failed', { error: error instanceof DeskError ? error.code : error instanceof Error ? error.name : 'unknown' });
    }
  }

  private build(reader: ScheduleReader, now: number): void {
    const { today, tomorrow, timeZone } = this.days(now);
    const store = this.store('the call lists were not built');
    const doctors = new Map<string, ReturnType<ScheduleReader['doctor']>>();
    const doctorOf = (id: string) => {
      if (!doctors.has(id)) doctors.set(id, reader.doctor(id));
      return doctors.get(id) ?? null;
    };
    const slots = reader.bookedSlots(clinicInstant(tomorrow, 0, timeZone), clinicInstant(addDays(tomorrow, 1), 0, timeZone));
    const visits: Source[] = [];
    for (const slot of slots) {
      if (slot.state !== 'booked' || slot.patientMisId === null) continue;
      const doctor = doctorOf(slot.doctorId);
      const service = slot.serviceId ? reader.service(slot.serviceId) : null;
      visits.push({
        sourceId: slot.id,
        patientMisId: slot.patientMisId,
        reason: clip(service?.name ?? doctor?.specialty ?? '', 200),
        visit: { slotId: slot.id, appointmentId: slot.appointmentId, startsAt: slot.startsAt, doctor: clip(doctor?.name ?? '', 200), room: doctor?.room ?? null },
        position: Date.parse(slot.startsAt),
      });
    }
    this.buildList(store, `confirm-tomorrow:${tomorrow}`, 'confirm-tomorrow', visits, now);
    for (const kind of ['recall', 'results'] as const) {
      const listId = `${kind}:${today}`;
      const sources = reader
        .callTasks(kind, today)
        // A MIS task an earlier day's list already settled (the MIS has not taken the outcome in yet) is not called again.
        .filter((task) => !store.bySource(sourceKeyOf(kind, task.id)).some((old) => old.details.listId !== listId && old.status.state === 'done' && old.status.outcome !== 'noAnswer'))
        .map((task, index): Source => ({ sourceId: task.id, patientMisId: task.patientMisId, reason: clip(task.reason, 200), visit: null, position: index }));
      this.buildList(store, listId, kind, sources, now);
    }
    this.forgetOldRemotes(today);
  }

  private buildList(store: CallListStore, listId: string, kind: CallListKind, sources: readonly Source[], now: number): void {
    const existing = new Map(store.list(listId).map((task) => [task.status.id, task]));
    const seen = new Set<string>();
    let added = 0;
    let updated = 0;
    let removed = 0;
    store.transaction(() => {
      for (const source of sources) {
        const id = taskIdOf(listId, source.sourceId);
        if (seen.has(id)) continue;
        seen.add(id);
        const details = this.detailsOf(listId, kind, source);
        const current = existing.get(id);
        if (current) {
          if (JSON.stringify(current.details) === JSON.stringify(details)) continue;
          store.put({ details, status: current.status }, now);
          updated += 1;
        } else {
          const remote = this.lastRemote.get(id);
          store.put({ details, status: remote ?? freshStatus(id) }, now);
          added += 1;
        }
      }
      // A visit cancelled elsewhere, a MIS task withdrawn: gone from the list unless someone already worked on it.
      for (const [id, task] of existing) {
        if (seen.has(id) || task.status.version > 0) continue;
        store.remove(id);
        removed += 1;
      }
    });
    if (added + updated + removed === 0) return;
    this.options.logger.info('callLists.built', { list: kind, tasks: seen.size, added, updated, removed });
    this.schedulePush(listId);
    this.rearm();
  }

  private cardOf(misId: string): PatientCard | null {
    try {
      return this.options.card(misId);
    } catch {
      // the cache is not open: no name, no number
      return null;
    }
  }

  private detailsOf(listId: string, kind: CallListKind, source: Source): CallListDetails {
    const card = this.cardOf(source.patientMisId);
    const number = card ? (PHONE_ORDER.map((kindOf) => card.phones.find((phone) => phone.kind === kindOf)).find((phone) => phone !== undefined)?.e164 ?? null) : null;
    const name = card ? clip([card.surname, card.givenName, card.patronymic].filter(Boolean).join(' '), 200) : null;
    return {
      listId,
      kind,
      sourceId: source.sourceId,
      patientMisId: source.patientMisId,
      patientName: name,
      number,
      reason: source.reason,
      visit: source.visit,
      blockedBy: card && !card.flags.consentCalls ? 'noConsent' : number === null ? 'noPhone' : null,
      position: source.position,
    };
  }

  private forgetOldRemotes(today: string): void {
    const oldest = addDays(today, -SHARED_KEPT_DAYS);
    for (const id of this.lastRemote.keys()) {
      const day = parseListId(listIdOfTask(id) ?? '')?.day;
      if (day === undefined || day < oldest) this.lastRemote.delete(id);
    }
  }

  // ── sharing between desks ─────────────────────────────────────────────────────────────────

  private onPbxEvent(event: PbxEvent): void {
    if (event.type !== 'shared.changed' || !event.key.startsWith(KEY_PREFIX) || event.value === null) return;
    try {
      this.applyRemote(event.value);
    } catch (error) {
      // The journal may be closed (a damaged journal.db): the phone and the queue carry on.
      this.options.logger.warn('callLists.shared-not-applied', { error: error instanceof DeskError ? error.code : error instanceof Error ? error.name : 'unknown' });
    }
  }

  private applyRemote(value: string): void {
    const remote = decodeStatus(value);
    if (remote === null) {
      this.options.logger.warn('callLists.shared-record-refused', { length: value.length });
      return;
    }
    const known = this.lastRemote.get(remote.id);
    this.lastRemote.set(remote.id, known ? mergeStatus(known, remote) : remote);
    const store = this.store('the shared call-list status was not applied');
    const current = store.get(remote.id);
    // Not on this desk's lists (yet): taken in when this desk builds the task.
    if (current === null) return;
    const merged = mergeStatus(current.status, remote);
    if (sameStatus(merged, current.status)) return;
    store.put({ details: current.details, status: merged }, this.clock.now());
    this.schedulePush(current.details.listId);
    this.rearm();
  }

  /** After every (re)connect: take in what the other desks did meanwhile, then publish what this desk did; old lists' keys are removed. */
  private async recover(): Promise<void> {
    const shared = this.options.pbx.shared;
    if (!shared) return;
    try {
      const records = await shared.list(KEY_PREFIX);
      const { today, tomorrow } = this.days(this.clock.now());
      const oldest = addDays(today, -SHARED_KEPT_DAYS);
      let removed = 0;
      for (const { key, value } of records) {
        const day = parseListId(listIdOfTask(key.slice(KEY_PREFIX.length)) ?? '')?.day;
        if (day !== undefined && day < oldest) {
          removed += 1;
          shared.remove(key).catch(() => undefined);
          continue;
        }
        this.applyRemote(value);
      }
      const store = this.store('the call lists were not recovered');
      for (const listId of [`confirm-tomorrow:${tomorrow}`, `recall:${today}`, `results:${today}`]) {
        for (const task of store.list(listId)) {
          if (task.status.version === 0) continue;
          const remote = this.lastRemote.get(task.status.id);
          if (!remote || !sameStatus(mergeStatus(remote, task.status), remote)) await shared.publish(`${KEY_PREFIX}${task.status.id}`, encodeStatus(task.status));
        }
      }
      this.options.logger.info('callLists.recovered', { records: records.length, removed });
    } catch (error) {
      this.options.logger.warn('callLists.recover-failed', { error: error instanceof DeskError ? error.code : error instanceof Error ? error.name : 'unknown' });
    }
  }

  /** Saves a status (with `alsoInTransaction`), pushes the list, and publishes it to the other desks. */
  private change(
    task: StoredCallListTask,
    status: CallListStatus,
    what: string,
    alsoInTransaction?: (stores: ReturnType<JournalService['require']>) => void,
  ): StoredCallListTask {
    const stores = this.options.journal.require('the call-list task was not saved');
    const store = this.storeOf(stores.db);
    const next: StoredCallListTask = { details: task.details, status };
    store.transaction(() => {
      store.put(next, this.clock.now());
      alsoInTransaction?.(stores);
    });
    this.options.logger.info('callLists.changed', { change: what, state: status.state, attempts: status.attempts });
    this.schedulePush(task.details.listId);
    this.publish(status);
    this.rearm();
    return next;
  }

  private publish(status: CallListStatus): void {
    const shared = this.options.pbx.shared;
    if (!shared) return;
    shared.publish(`${KEY_PREFIX}${status.id}`, encodeStatus(status)).catch((error: unknown) => {
      this.options.logger.warn('callLists.publish-failed', { error: error instanceof Error ? error.name : 'unknown' });
    });
  }

  // ── time: retries coming due, the window opening and closing, a new day ─────────────────

  private rearm(): void {
    this.wakeAt = null;
    if (this.wakeTimer !== null) this.clock.clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
    this.arm();
  }

  /** One timer for the next moment a list changes by itself: a retry due, the window opening or closing, midnight. */
  private arm(): void {
    if (!this.started) return;
    const now = this.clock.now();
    const { today, timeZone } = this.days(now);
    const settings = this.options.settings().callLists;
    const moments = [
      clinicInstant(today, hhmmToMinutes(settings.windowFrom), timeZone),
      clinicInstant(today, hhmmToMinutes(settings.windowTo), timeZone),
      clinicInstant(addDays(today, 1), 0, timeZone),
    ];
    try {
      const retry = this.options.journal.stores ? this.storeOf(this.options.journal.stores.db).nextRetryAfter(now) : null;
      if (retry !== null) moments.push(retry);
    } catch {
      // the journal closed under us: the next change arms again
    }
    const at = Math.min(...moments.filter((moment) => moment > now));
    if (!Number.isFinite(at) || at === this.wakeAt) return;
    if (this.wakeTimer !== null) this.clock.clearTimeout(this.wakeTimer);
    this.wakeAt = at;
    this.wakeTimer = this.clock.setTimeout(() => {
      this.wakeTimer = null;
      this.wakeAt = null;
      this.schedulePush(null);
      this.arm();
    }, at - now);
  }

  private schedulePush(listId: string | null): void {
    if (!this.started) return;
    this.pushLists.add(listId);
    if (this.pushTimer !== null) return;
    this.pushTimer = this.clock.setTimeout(() => {
      this.pushTimer = null;
      const lists = [...this.pushLists];
      this.pushLists.clear();
      this.options.events.emit('callLists:changed', { listId: lists.length === 1 ? (lists[0] ?? null) : null });
    }, PUSH_INTERVAL_MS);
  }

  // ── helpers ───────────────────────────────────────────────────────────────────────────────

  private days(now: number): { today: string; tomorrow: string; timeZone: string } {
    const timeZone = this.options.settings().schedule.timeZone;
    const today = clinicDate(now, timeZone);
    return { today, tomorrow: addDays(today, 1), timeZone };
  }

  private windowOpen(now: number): boolean {
    const settings = this.options.settings();
    return withinWindow(now, { from: settings.callLists.windowFrom, to: settings.callLists.windowTo }, settings.schedule.timeZone);
  }

  private store(what: string): CallListStore {
    return this.storeOf(this.options.journal.require(what).db);
  }

  /** One store per journal.db connection (a reopened journal gets its own). */
  private storeOf(db: Db): CallListStore {
    let store = this.stores.get(db);
    if (!store) this.stores.set(db, (store = new CallListStore(db)));
    return store;
  }

  private require(id: string): StoredCallListTask {
    this.ensureBuilt(this.clock.now());
    const task = this.store('the call list is not available').get(id);
    if (!task) throw new DeskError('CALL_LIST_TASK_NOT_FOUND', 'This call-list task does not exist (any more).');
    return task;
  }

  private refuseOthersClaim(task: StoredCallListTask, extension: string): void {
    if (task.status.state !== 'claimed' || task.status.claimedBy?.extension === extension) return;
    throw new DeskError('CALL_LIST_TASK_TAKEN', `${task.status.claimedBy?.name || task.status.claimedBy?.extension || 'Another operator'} is already calling this patient.`);
  }

  private me(): { extension: string; name: string } {
    const agent = this.options.pbx.agent;
    if (!agent) throw new DeskError('PBX_UNAVAILABLE', 'This desk has no agent extension: set agent.extension (or the SIP URI) in the settings to work the call lists.');
    return agentRef(agent);
  }

  private view(task: StoredCallListTask, now: number): CallListTask {
    const { details, status } = task;
    const state = effectiveState(task, now);
    const claimedBy = status.state === 'claimed' ? status.claimedBy : null;
    return {
      id: status.id,
      listId: details.listId,
      patientMisId: details.patientMisId,
      patientName: details.patientName,
      number: details.number,
      reason: details.reason,
      visit: details.visit,
      state,
      blockedBy: state === 'done' ? null : details.blockedBy,
      attempts: status.attempts,
      nextAttemptAt: status.state === 'waiting' ? status.nextAttemptAt : null,
      claimedBy,
      mine: claimedBy !== null && claimedBy.extension === this.options.pbx.agent?.extension,
      outcome: status.outcome,
      closedAt: status.state === 'done' ? status.closedAt : null,
    };
  }
}

function clip(text: string, max: number): string {
  return Array.from(text).length <= max ? text : Array.from(text).slice(0, max).join('');
}

/** 24 hex digits of SHA-256: a task id inside the outbox's 128-character idempotency key. */
function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 24);
}
