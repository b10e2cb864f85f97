import type { EventName, EventPayload, RequestInput, RequestName, RequestOutput } from '../../src-shared/ipc/contract';
import type { AppInfo } from '../../src-shared/app/app-contract';
import type { CacheStatusView } from '../../src-shared/cache/cache-contract';
import type { CallJournalItem } from '../../src-shared/calls/calls-contract';
import type { CallbackList, CallbackTask } from '../../src-shared/callbacks/callbacks-contract';
import type { QueueView } from '../../src-shared/pbx/pbx-contract';
import type { QueueAgent, QueueCaller } from '../../src-shared/pbx/pbx-model';
import type { JournalStatus } from '../../src-shared/journal/journal-contract';
import type { OutboxItemView } from '../../src-shared/outbox/outbox-contract';
import { DeskError } from '../../src-shared/ipc/errors';
import type { PatientCard } from '../../src-shared/patients/patient-card';
import {
  applySettingsPatch,
  DEFAULT_SETTINGS,
  patchedPaths,
  type Settings,
  type SettingsView,
} from '../../src-shared/settings/settings-schema';
import type { CoreStatus } from '../../src-shared/status/system-status';
import type { BridgeState, DeskClient } from '../bridge/desk-client-types';

export const T0 = '2025-03-14T09:05:00.000Z';

export function makeView(overrides: Partial<Omit<SettingsView, 'settings'>> & { settings?: Partial<Settings> } = {}): SettingsView {
  const { settings, ...rest } = overrides;
  return {
    settings: { ...structuredClone(DEFAULT_SETTINGS), ...settings },
    managed: [],
    sipPasswordSet: false,
    secretStorage: 'os-keychain',
    recoveredFrom: null,
    ...rest,
  };
}

export function makeStatus(overrides: Partial<CoreStatus> = {}): CoreStatus {
  return {
    pbx: { state: 'disabled', since: T0, detail: 'notConfigured' },
    mis: { state: 'disabled', since: T0, detail: 'notConfigured' },
    sync: { state: 'disabled', since: T0, detail: 'notConfigured' },
    ...overrides,
  };
}

export function makeCacheStatus(overrides: Partial<CacheStatusView> = {}): CacheStatusView {
  return {
    available: true,
    cards: 0,
    dataAsOf: null,
    problem: null,
    fill: { state: 'complete', reason: 'new', startedAt: T0, completedAt: T0, setAside: null },
    replacing: false,
    ...overrides,
  };
}

/** A complete, valid card; tests override what they look at. */
export function makePatient(overrides: Partial<PatientCard> = {}): PatientCard {
  return {
    misId: 'P-100200',
    version: 3,
    surname: 'Римская-Корсакова',
    givenName: 'Алёна',
    patronymic: 'Петровна',
    birthDate: '1985-03-12',
    sex: 'female',
    phones: [
      { e164: '+79161234567', national10: '9161234567', kind: 'mobile' },
      { e164: '+74951112233', national10: '4951112233', kind: 'home' },
    ],
    email: 'alena@example.ru',
    address: 'г. Москва, ул. Ленина, д. 1, кв. 5',
    omsPolicy: '7700123456789012',
    dms: { insurer: 'СК «Пример»', policy: 'ДМС-001' },
    snils: '11223344595',
    flags: { allergies: 'пенициллин', vip: true, preferredChannel: 'sms', consentSms: true, consentCalls: false },
    lastVisit: '2025-02-01',
    appointments: [
      { id: 'A2', startsAt: '2025-03-20T11:00:00+03:00', doctor: 'Сидорова А. В.', specialty: 'Кардиолог', service: 'ЭКГ', branch: 'Север', status: 'cancelled' },
      { id: 'A1', startsAt: '2025-03-18T09:30:00+03:00', doctor: 'Петров П. П.', specialty: 'Терапевт', service: 'Приём', branch: 'Центр', status: 'booked' },
    ],
    ...overrides,
  };
}

/** An outbox row as `outbox.undelivered` lists it; a failed note by default. */
export function makeOutboxItem(overrides: Partial<OutboxItemView> = {}): OutboxItemView {
  return { id: 1, kind: 'note', state: 'failed', attempts: 3, lastError: 'rejected: Пациент не найден в МИС', createdAt: T0, nextAttemptAt: null, ...overrides };
}

/** A queue view: live, no one waiting, no agents, this desk's agent 1001 (tests fill the board). */
export function makeQueueView(overrides: Partial<Omit<QueueView, 'board'>> & { board?: Partial<QueueView['board']> } = {}): QueueView {
  const { board, ...rest } = overrides;
  return {
    connector: 'demo',
    live: true,
    board: { at: Date.parse(T0), queues: [{ id: 'reception', name: 'Регистратура' }], callers: [], agents: [], counters: [], ...board },
    patientNames: {},
    agentExtension: '1001',
    slaSeconds: 20,
    ...rest,
  };
}

/** An agent on the board: ready, in `reception`, since T0. */
export function makeAgent(overrides: Partial<QueueAgent> = {}): QueueAgent {
  return { extension: '1001', name: 'Иванова Ольга', state: 'ready', since: Date.parse(T0), pauseReason: null, queues: ['reception'], call: null, ...overrides };
}

/** A caller waiting in `reception`, first in line, since T0. */
export function makeCaller(overrides: Partial<QueueCaller> = {}): QueueCaller {
  return { callId: 'q-1', number: '+79161234567', queue: 'reception', position: 1, joinedAt: Date.parse(T0), ...overrides };
}

/** An open callback task for +7 916 123-45-67, one missed call at T0, due 15 min later. */
export function makeCallbackTask(overrides: Partial<CallbackTask> = {}): CallbackTask {
  const firstAt = overrides.firstAt ?? Date.parse(T0);
  return {
    id: '+79161234567',
    number: '+79161234567',
    patientName: null,
    state: 'open',
    count: 1,
    reasons: ['missed'],
    lastReason: 'missed',
    queue: null,
    firstAt,
    lastAt: firstAt,
    dueAt: firstAt + 15 * 60_000,
    attempts: 0,
    claimedBy: null,
    claimedAt: null,
    mine: false,
    outcome: null,
    closedBy: null,
    closedByAgent: null,
    closedAt: null,
    ...overrides,
  };
}

/** This desk's agent as the default callback handlers claim with. */
export const DESK_AGENT = { extension: '1001', name: 'Иванова Ольга' } as const;

export const APP_INFO: AppInfo = { name: 'Registratura', version: '0.1.0', host: 'web', dataDir: '/tmp/desk' };

type Handler<N extends RequestName> = (input: RequestInput<N>) => RequestOutput<N> | Promise<RequestOutput<N>>;

export interface FakeDesk extends DeskClient {
  calls: { name: RequestName; input: unknown }[];
  callsTo(name: RequestName): unknown[];
  view: SettingsView;
  status: CoreStatus;
  cache: CacheStatusView;
  /** What the default `journal.status` answers; `journal.acknowledgeKept` marks an entry read. */
  journalStatus: JournalStatus;
  /** Cards the default `patients.search` / `patients.get` answer from. */
  patients: PatientCard[];
  /** What the default `outbox.undelivered` lists; the default `outbox.retry` makes a failed one pending. */
  outbox: OutboxItemView[];
  /** The call journal the default `calls.record` keeps (first record per id stands, like main). */
  journal: RequestInput<'calls.record'>[];
  /** Wrap-ups the default `calls.wrapUp` saved (one per call, like main). */
  wrapUps: RequestInput<'calls.wrapUp'>[];
  /** New-patient drafts the default `patients.createDraft` stored. */
  drafts: RequestInput<'patients.createDraft'>[];
  /** The chooser's remembered choice per number key (`screenPop.show` with `chosen`). */
  choices: Map<string, string>;
  /** What the default `screenPop.refresh` answers: the MIS reachable (`updated`) or not. */
  misReachable: boolean;
  /** What the default `queue.view` answers (not live, nobody on the board, by default). */
  queue: QueueView;
  /**
   * The callback worklist the default `callbacks.*` handlers keep, like main: claim / release /
   * complete change it and emit `callbacks:changed`; `callBack` claims an open task and answers
   * `via: 'softphone'`.
   */
  callbacks: CallbackList;
  handle<N extends RequestName>(name: N, handler: Handler<N>): void;
  fail(name: RequestName, error: DeskError): void;
  emit<E extends EventName>(name: E, payload: EventPayload<E>): void;
  setBridge(state: BridgeState): void;
}

/**
 * An in-memory DeskApi for component tests: behaves like main for the requests the shell
 * makes (settings patches are applied with the shared function, managed paths refused).
 */
export function createFakeDesk(
  init: {
    view?: SettingsView;
    status?: CoreStatus;
    bridge?: BridgeState;
    cache?: CacheStatusView;
    journalStatus?: JournalStatus;
    patients?: PatientCard[];
    outbox?: OutboxItemView[];
    sipPassword?: string | null;
    queue?: QueueView;
    callbacks?: CallbackList;
  } = {},
): FakeDesk {
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const bridgeListeners = new Set<(state: BridgeState) => void>();
  const handlers = new Map<RequestName, (input: unknown) => unknown>();
  let bridge: BridgeState = init.bridge ?? 'open';
  let sipPassword: string | null = init.sipPassword ?? null;

  const desk: FakeDesk = {
    kind: 'websocket',
    calls: [],
    view: init.view ?? makeView(),
    status: init.status ?? makeStatus(),
    cache: init.cache ?? makeCacheStatus({ cards: init.patients?.length ?? 0 }),
    journalStatus: init.journalStatus ?? { state: 'open', problem: null, kept: [] },
    patients: init.patients ?? [],
    outbox: init.outbox ?? [],
    journal: [],
    wrapUps: [],
    drafts: [],
    choices: new Map(),
    misReachable: true,
    queue: init.queue ?? makeQueueView({ live: false }),
    callbacks: init.callbacks ?? { tasks: [], slaMinutes: 15, shared: true },
    callsTo: (name) => desk.calls.filter((call) => call.name === name).map((call) => call.input),
    handle(name, handler) {
      handlers.set(name, handler as (input: unknown) => unknown);
    },
    fail(name, error) {
      handlers.set(name, () => {
        throw error;
      });
    },
    async request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestOutput<N>> {
      desk.calls.push({ name, input: structuredClone(input) });
      const custom = handlers.get(name);
      if (custom) return (await custom(input)) as RequestOutput<N>;
      return defaultHandler(name, input) as RequestOutput<N>;
    },
    on(name, listener) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      const wrapped = listener as (payload: unknown) => void;
      set.add(wrapped);
      return () => set.delete(wrapped);
    },
    emit(name, payload) {
      for (const listener of listeners.get(name) ?? []) listener(payload);
    },
    bridgeState: () => bridge,
    onBridgeState(listener) {
      bridgeListeners.add(listener);
      return () => bridgeListeners.delete(listener);
    },
    setBridge(state) {
      bridge = state;
      for (const listener of bridgeListeners) listener(state);
    },
    close() {},
  };

  function defaultHandler(name: RequestName, input: unknown): unknown {
    switch (name) {
      case 'app.info':
        return APP_INFO;
      case 'settings.get':
        return structuredClone(desk.view);
      // An open desk (no staff list) in the settings' role, as before people signed in.
      case 'session.get':
        return { state: 'open', role: desk.view.settings.role, person: null, idleLockMinutes: desk.view.settings.access.idleLockMinutes, retryAfter: null };
      case 'session.activity':
        return { ok: true };
      case 'status.snapshot':
        return structuredClone(desk.status);
      case 'settings.update': {
        const patch = input as RequestInput<'settings.update'>;
        if (patchedPaths(patch).some((path) => desk.view.managed.includes(path))) {
          throw new DeskError('SETTINGS_MANAGED', 'managed');
        }
        desk.view = { ...desk.view, settings: applySettingsPatch(desk.view.settings, patch) };
        return structuredClone(desk.view);
      }
      case 'diagnostics.report':
        return { logged: true };
      case 'connectors.list':
        return {
          mis: [],
          pbx: [],
          current: { mis: { ...desk.view.settings.connectors.mis, secretsSet: [] }, pbx: { ...desk.view.settings.connectors.pbx, secretsSet: [] } },
          pluginProblems: [],
        };
      case 'journal.status':
        return structuredClone(desk.journalStatus);
      case 'journal.acknowledgeKept': {
        const { id } = input as RequestInput<'journal.acknowledgeKept'>;
        desk.journalStatus = { ...desk.journalStatus, kept: desk.journalStatus.kept.map((entry) => (entry.id === id ? { ...entry, acknowledged: true } : entry)) };
        return structuredClone(desk.journalStatus);
      }
      case 'cache.status':
        return structuredClone(desk.cache);
      case 'cache.quarantine':
        return { total: 0, items: [] };
      case 'cache.cancelFirstSync':
        return { cancelled: true };
      case 'patients.get': {
        const { misId } = input as RequestInput<'patients.get'>;
        const card = desk.patients.find((patient) => patient.misId === misId);
        return { card: card ? structuredClone(card) : null };
      }
      case 'patients.search': {
        // A crude stand-in for the real search: digits match phone endings, words match
        // the start of the surname (case-insensitive).
        const { query, limit = 50, offset = 0 } = input as RequestInput<'patients.search'>;
        const text = query.trim().toLowerCase();
        if (text === '') return { items: [], total: 0, complete: true, moreThanTotal: false, understoodAs: 'empty', problem: null, source: 'cache' };
        const digits = /^[\d\s()+-]+$/.test(text) ? text.replace(/\D/g, '') : null;
        const hits = desk.patients.filter((patient) =>
          digits !== null
            ? patient.phones.some((phone) => phone.e164.endsWith(digits))
            : patient.surname.toLowerCase().startsWith(text.split(/\s+/)[0] ?? ''),
        );
        return {
          items: structuredClone(hits.slice(offset, offset + limit)),
          total: hits.length,
          complete: true,
          moreThanTotal: false,
          understoodAs: digits !== null ? 'identifier' : 'criteria',
          problem: null,
          source: 'cache',
        };
      }
      case 'sip.credentials':
        return { password: sipPassword };
      case 'outbox.undelivered':
        return { items: structuredClone(desk.outbox) };
      case 'outbox.retry': {
        const { id } = input as RequestInput<'outbox.retry'>;
        const item = desk.outbox.find((candidate) => candidate.id === id && candidate.state === 'failed');
        if (!item) return { retried: false };
        desk.outbox = desk.outbox.map((candidate) => (candidate === item ? { ...item, state: 'pending', nextAttemptAt: T0 } : candidate));
        return { retried: true };
      }
      case 'calls.record': {
        const record = input as RequestInput<'calls.record'>;
        if (desk.journal.some((entry) => entry.id === record.id)) return { recorded: false };
        desk.journal.push(structuredClone(record));
        return { recorded: true };
      }
      case 'calls.recent': {
        const { filter = 'all', misId } = input as RequestInput<'calls.recent'>;
        const items = structuredClone(desk.journal)
          .reverse()
          .map((record) => journalItemOf(record))
          .filter((item) => (filter === 'missed' ? item.outcome === 'missed' : filter === 'mine' ? item.outcome === 'answered' : true))
          .filter((item) => misId === undefined || item.misId === misId);
        return { items };
      }
      case 'calls.wrapUp': {
        const wrapUp = input as RequestInput<'calls.wrapUp'>;
        if (desk.wrapUps.some((entry) => entry.callId === wrapUp.callId)) return { saved: false, outboxId: null };
        if (!desk.view.settings.wrapUp.categories.includes(wrapUp.category)) throw new DeskError('INVALID_INPUT', 'unknown category');
        desk.wrapUps.push(structuredClone(wrapUp));
        return { saved: true, outboxId: desk.wrapUps.length };
      }
      case 'screenPop.lookup': {
        const { number } = input as RequestInput<'screenPop.lookup'>;
        const numberKey = numberKeyOf(number);
        const matches = numberKey ? desk.patients.filter((patient) => patient.phones.some((phone) => phone.e164 === numberKey)) : [];
        const remembered = numberKey ? (desk.choices.get(numberKey) ?? null) : null;
        const chosenMisId = matches.some((card) => card.misId === remembered) ? remembered : null;
        const ordered = [...matches.filter((card) => card.misId === chosenMisId), ...matches.filter((card) => card.misId !== chosenMisId)];
        return { numberKey, matches: structuredClone(ordered), chosenMisId, dataAsOf: desk.cache.dataAsOf, lookupMs: 1, transfer: null };
      }
      case 'screenPop.show': {
        const { misId, chosen, numberKey } = input as RequestInput<'screenPop.show'>;
        if (chosen && numberKey) desk.choices.set(numberKey, misId);
        return { recorded: true };
      }
      case 'screenPop.refresh': {
        const { numberKey } = input as RequestInput<'screenPop.refresh'>;
        const matches = desk.patients.filter((patient) => patient.phones.some((phone) => phone.e164 === numberKey));
        return { status: desk.misReachable ? 'updated' : 'unreachable', at: T1, matches: structuredClone(matches) };
      }
      case 'patients.createDraft': {
        desk.drafts.push(structuredClone(input as RequestInput<'patients.createDraft'>));
        return { draftId: `D-${desk.drafts.length}` };
      }
      case 'patients.history': {
        // Like main: the patient's wrap-ups as notes (saved at T1, after every call) and their
        // journalled calls as data, newest first.
        const { misId } = input as RequestInput<'patients.history'>;
        const mine = desk.wrapUps.filter((wrapUp) => wrapUp.misId === misId).reverse();
        const notes = mine.filter((wrapUp) => wrapUp.note !== '').map((wrapUp) => ({ at: T1, kind: 'note' as const, text: wrapUp.note, callId: wrapUp.callId }));
        const calls = mine.flatMap((wrapUp) => {
          const record = desk.journal.find((entry) => entry.id === wrapUp.callId);
          if (!record) return [];
          const { direction, outcome, startedAt: at } = record;
          return [{ at, kind: 'call' as const, callId: record.id, direction, outcome, category: wrapUp.category, wrapUpOutcome: wrapUp.outcome }];
        });
        return { items: [...notes, ...calls] };
      }
      case 'queue.view':
        return structuredClone(desk.queue);
      case 'agent.setStatus':
        return { ok: true };
      case 'callbacks.list':
        return structuredClone(desk.callbacks);
      case 'callbacks.claim': {
        const task = callbackTask((input as RequestInput<'callbacks.claim'>).id);
        if (task.state === 'claimed' && !task.mine) throw new DeskError('CALLBACK_TAKEN', 'taken');
        return changeCallback(task.id, { state: 'claimed', claimedBy: { ...DESK_AGENT }, claimedAt: Date.now(), mine: true });
      }
      case 'callbacks.release': {
        const task = callbackTask((input as RequestInput<'callbacks.release'>).id);
        return changeCallback(task.id, { state: 'open', claimedBy: null, claimedAt: null, mine: false });
      }
      case 'callbacks.callBack': {
        const task = callbackTask((input as RequestInput<'callbacks.callBack'>).id);
        if (task.state === 'claimed' && !task.mine) throw new DeskError('CALLBACK_TAKEN', 'taken');
        if (task.state === 'open') changeCallback(task.id, { state: 'claimed', claimedBy: { ...DESK_AGENT }, claimedAt: Date.now(), mine: true });
        return { via: 'softphone', number: task.number };
      }
      case 'callbacks.complete': {
        const { id, outcome } = input as RequestInput<'callbacks.complete'>;
        const task = callbackTask(id);
        if (outcome === 'noAnswer') return changeCallback(task.id, { state: 'open', claimedBy: null, claimedAt: null, mine: false, attempts: task.attempts + 1 });
        return changeCallback(task.id, {
          state: 'done',
          outcome,
          closedBy: outcome === 'reached' ? 'operatorReached' : 'operatorClosed',
          closedByAgent: { ...DESK_AGENT },
          closedAt: Date.now(),
        });
      }
      case 'settings.setSipPassword': {
        const { password } = input as RequestInput<'settings.setSipPassword'>;
        sipPassword = password;
        desk.view = { ...desk.view, sipPasswordSet: password !== null };
        return structuredClone(desk.view);
      }
    }
  }

  function callbackTask(id: string): CallbackTask {
    const task = desk.callbacks.tasks.find((candidate) => candidate.id === id);
    if (!task) throw new DeskError('CALLBACK_NOT_FOUND', 'no such task');
    return task;
  }

  /** Changes one task, tells every listener (`callbacks:changed`, like main) and answers the task. */
  function changeCallback(id: string, patch: Partial<CallbackTask>): CallbackTask {
    desk.callbacks = { ...desk.callbacks, tasks: desk.callbacks.tasks.map((task) => (task.id === id ? { ...task, ...patch } : task)) };
    desk.emit('callbacks:changed', structuredClone(desk.callbacks));
    return structuredClone(callbackTask(id));
  }

  /** A journal record as `calls.recent` lists it, with what the wrap-up added. */
  function journalItemOf(record: RequestInput<'calls.record'>): CallJournalItem {
    const wrapUp = desk.wrapUps.find((entry) => entry.callId === record.id);
    const patient = wrapUp?.misId ? desk.patients.find((card) => card.misId === wrapUp.misId) : undefined;
    return {
      id: record.id,
      direction: record.direction,
      number: record.number,
      displayName: record.displayName,
      startedAt: record.startedAt,
      answeredAt: record.answeredAt,
      endedAt: record.endedAt,
      outcome: record.outcome,
      misId: wrapUp?.misId ?? null,
      patientName: patient ? [patient.surname, patient.givenName, patient.patronymic].filter(Boolean).join(' ') : null,
      queue: null,
      category: wrapUp?.category ?? null,
      wrapUpOutcome: wrapUp?.outcome ?? null,
      durationSec: record.answeredAt ? Math.max(0, Math.round((Date.parse(record.endedAt) - Date.parse(record.answeredAt)) / 1000)) : null,
    };
  }

  return desk;
}

/** Refresh time the default `screenPop.refresh` reports. */
export const T1 = '2025-03-14T09:47:00.000Z';

/** A crude stand-in for the core's normalisation: Russian numbers to E.164, else null. */
export function numberKeyOf(number: string): string | null {
  const digits = number.replace(/\D/g, '');
  if (digits.length === 11 && (digits.startsWith('7') || digits.startsWith('8'))) return `+7${digits.slice(1)}`;
  if (digits.length === 10) return `+7${digits}`;
  return null;
}
