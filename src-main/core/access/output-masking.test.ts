import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MASKABLE_FIELDS, PATIENT_ROLES, type FieldVisibility, type MaskableField, type PatientRole, type Role, type SessionState } from '../../../src-shared/access/access-model';
import type { CallListTask } from '../../../src-shared/call-lists/call-lists-contract';
import { eventNames, events, requests, type EventName, type EventPayload, type ProductionRequestName, type RequestOutput } from '../../../src-shared/ipc/contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import { fullCard } from '../../../src-shared/access/testing/full-card';
import type { QueueView } from '../../../src-shared/pbx/pbx-contract';
import { DEFAULT_SETTINGS, DEFAULT_SUPERVISOR_SETTINGS, PrivacySettingsSchema, type PrivacySettings } from '../../../src-shared/settings/settings-schema';
import type { QueueKpi, SupervisorBoard } from '../../../src-shared/supervisor/supervisor-model';
import { MASKED_REQUESTS, maskEvent, maskRequestOutput, PATIENT_DATA_REQUESTS, type MaskingView } from './output-masking';
import { REQUEST_POLICY } from './request-policy';

// ---------------------------------------------------------------------------------------------
// Synthetic data: a distinct, recognisable value in every field, so the JSON can be searched.

const CALLER = '+79161234567';
const T = '2025-03-14T09:05:00.000Z';
const NOTE_TEXT = 'Синтетическая заметка: перезвонить после обеда';
const TRANSFER_NOTE = 'Вопрос по оплате счёта';


function task(): CallListTask {
  return {
    id: 'confirm-tomorrow:2025-03-17:SYN-0001',
    listId: 'confirm-tomorrow:2025-03-17',
    patientMisId: 'SYN-0001',
    patientName: 'Тестова Варвара Игоревна',
    number: CALLER,
    reason: 'Эндокринолог: приём',
    visit: { slotId: 'SLOT-1', appointmentId: 'APP-SYN-1', startsAt: '2025-03-18T09:30:00+03:00', doctor: 'Докторова Д. Д.', room: '12' },
    state: 'claimed',
    blockedBy: null,
    attempts: 0,
    nextAttemptAt: null,
    claimedBy: { extension: '1001', name: 'Оператор О.' },
    mine: true,
    outcome: null,
    closedAt: null,
  };
}

/** Every patient-bearing answer the matrix applies to, as its handler gives it (full cards). */
function handlerOutputs(): { [N in ProductionRequestName]?: RequestOutput<N> } {
  const counters = { total: 1, done: 0, open: 0, waiting: 0, blocked: 0, confirmed: 0, cancelled: 0, noAnswer: 0 };
  return {
    'patients.search': { items: [fullCard()], total: 1, complete: true, moreThanTotal: false, understoodAs: 'criteria', problem: null, source: 'cache' },
    'patients.get': { card: fullCard() },
    'patients.history': {
      items: [
        { at: T, kind: 'note', callId: 'call-1', text: NOTE_TEXT },
        { at: T, kind: 'call', callId: 'call-1', direction: 'incoming', outcome: 'answered', category: 'Запись', wrapUpOutcome: 'booked' },
      ],
    },
    'screenPop.lookup': {
      numberKey: CALLER,
      matches: [fullCard()],
      chosenMisId: 'SYN-0001',
      dataAsOf: T,
      lookupMs: 0.4,
      transfer: { number: CALLER, misId: 'SYN-0001', note: TRANSFER_NOTE, from: { extension: '2001', name: 'Супервизор С.' }, to: '1001', at: 1 },
    },
    'screenPop.refresh': { status: 'updated', at: T, matches: [fullCard()] },
    'booking.visits': {
      visits: [
        {
          id: 'mis:APP-SYN-1',
          startsAt: '2025-03-18T09:30:00+03:00',
          doctor: 'Докторова Д. Д.',
          specialty: 'Эндокринолог',
          service: 'Приём',
          branch: 'Центр',
          room: '12',
          state: 'confirmed',
          awaitingMis: false,
          rejection: null,
          rejectionMessage: null,
          slotId: 'SLOT-1',
          changeable: true,
        },
      ],
    },
    'callLists.tasks': { tasks: [task()], counters },
    'callLists.next': { task: task(), why: null },
    'callLists.release': task(),
    'callLists.complete': task(),
  };
}

/**
 * What betrays each maskable field in the JSON: its key names and its values. The caller's own
 * number is not among them — it is the call's (the call bar shows it), not a card field.
 */
const EVIDENCE: Readonly<Record<MaskableField, readonly string[]>> = {
  phones: ['"phones"', '"e164"', '4957654321'],
  email: ['"email"', 'varvara.synthetic@example.test'],
  address: ['"address"', 'Вымышленная'],
  omsPolicy: ['"omsPolicy"', '7700998877665544'],
  dms: ['"dms"', 'ДМС-SYN-42', 'СК Синтетика'],
  snils: ['"snils"', '11223344595'],
  allergies: ['"allergies"', 'латекс-синтетический'],
  contactPreferences: ['"vip"', '"preferredChannel"', '"consentSms"', '"consentCalls"'],
  lastVisit: ['"lastVisit"', '2024-11-02'],
  appointments: ['"appointments"', 'Эндокринолог', 'Докторова', 'APP-SYN-1'],
  notes: [NOTE_TEXT, '"kind":"note"'],
};
/** Always there for a patient role: without them nobody can tell two patients apart. */
const ALWAYS = ['Тестова', 'Варвара', 'Игоревна', '1984-05-17', '"sex"', 'SYN-0001', TRANSFER_NOTE];

function privacy(hiddenFields?: FieldVisibility, boardPhones: 'masked' | 'full' = 'masked'): PrivacySettings {
  return PrivacySettingsSchema.parse({ ...(hiddenFields && { hiddenFields }), boardPhones });
}

const view = (role: Role, state: SessionState = 'signed-in', settings: PrivacySettings = privacy()): MaskingView => ({ role, state, privacy: settings });

/** Each answer masked, then checked against the contract's output schema as the dispatcher will; the JSON the renderer receives. */
function maskedJson(masking: MaskingView): string {
  const parts: string[] = [];
  for (const [name, output] of Object.entries(handlerOutputs()) as [ProductionRequestName, RequestOutput<ProductionRequestName>][]) {
    const masked = maskRequestOutput(name, output, masking);
    const parsed = (requests[name].output as z.ZodType).parse(masked);
    parts.push(JSON.stringify(parsed));
  }
  return parts.join('\n');
}

function expectMatrixApplied(json: string, hidden: readonly MaskableField[], label: string): void {
  for (const field of MASKABLE_FIELDS) {
    for (const needle of EVIDENCE[field]) {
      if (hidden.includes(field)) expect(json, `${label}: hidden ${field} leaks ${needle}`).not.toContain(needle);
      else expect(json, `${label}: visible ${field} lost ${needle}`).toContain(needle);
    }
  }
  for (const needle of ALWAYS) expect(json, `${label}: ${needle}`).toContain(needle);
}

// ---------------------------------------------------------------------------------------------

describe('masking at the contract boundary, every patient role', () => {
  const DEFAULT = privacy().hiddenFields;
  // A clinic's own matrix, as the settings file would carry it.
  const CUSTOM: FieldVisibility = {
    operator: ['snils', 'email'],
    supervisor: ['phones', 'notes', 'address'],
    cashier: ['omsPolicy', 'dms', 'contactPreferences', 'appointments', 'allergies'],
  };
  const EVERYTHING: FieldVisibility = { operator: [...MASKABLE_FIELDS], supervisor: [], cashier: [...MASKABLE_FIELDS] };

  for (const [matrixName, matrix] of [
    ['default', DEFAULT],
    ['custom', CUSTOM],
    ['everything hidden', EVERYTHING],
  ] as const) {
    for (const role of PATIENT_ROLES) {
      it(`${role}, ${matrixName} matrix: hidden fields absent from the JSON (names and values), visible ones present`, () => {
        const json = maskedJson(view(role, 'signed-in', privacy(matrix)));
        expectMatrixApplied(json, matrix[role], `${role}/${matrixName}`);
      });
    }
  }

  it('the default matrix: the cashier loses allergies, notes, visits and the last visit; operator and supervisor see all', () => {
    expect(DEFAULT).toEqual({ operator: [], supervisor: [], cashier: ['allergies', 'notes', 'appointments', 'lastVisit'] });
    const cashier = maskedJson(view('cashier'));
    expect(cashier).not.toContain('латекс-синтетический');
    expect(cashier).not.toContain(NOTE_TEXT);
    expect(cashier).toContain('"notesHidden":true');
    expect(cashier).toContain('"visits":[]');
    expect(cashier).toContain('7700998877665544');
    for (const role of ['operator', 'supervisor'] as const) expect(maskedJson(view(role))).not.toContain('notesHidden');
  });

  it('an open desk (no staff list) masks by its role as a signed-in one does', () => {
    expectMatrixApplied(maskedJson(view('cashier', 'open')), DEFAULT.cashier, 'cashier/open');
  });

  it('never changes what the handler gave it (the cache’s own objects)', () => {
    const outputs = handlerOutputs();
    const before = structuredClone(outputs);
    for (const [name, output] of Object.entries(outputs) as [ProductionRequestName, RequestOutput<ProductionRequestName>][]) {
      maskRequestOutput(name, output, view('cashier', 'signed-in', privacy(EVERYTHING)));
      if (name === 'screenPop.lookup') maskRequestOutput(name, output, view('operator', 'locked'));
    }
    expect(outputs).toEqual(before);
  });

  it('passes an answer without patient data through untouched, whatever the session', () => {
    const status = { available: true, cards: 3, dataAsOf: T, problem: null, fill: null, replacing: false };
    for (const state of ['signed-in', 'locked', 'signed-out'] as const) {
      expect(maskRequestOutput('cache.status', status, view('cashier', state))).toBe(status);
    }
  });
});

describe('locked and signed out: the screen pop says only "known patient"', () => {
  for (const state of ['locked', 'signed-out'] as const) {
    for (const role of PATIENT_ROLES) {
      it(`${role}, ${state}: no card, no choice, no transfer; how many match`, () => {
        const lookup = handlerOutputs()['screenPop.lookup']!;
        const masked = requests['screenPop.lookup'].output.parse(maskRequestOutput('screenPop.lookup', lookup, view(role, state)));
        expect(masked).toEqual({ ...lookup, matches: [], chosenMisId: null, transfer: null, withheld: 1 });
        const json = JSON.stringify(masked);
        for (const needle of ['Тестова', 'Варвара', 'SYN-0001', '1984-05-17', TRANSFER_NOTE, ...Object.values(EVIDENCE).flat()]) expect(json, needle).not.toContain(needle);
      });
    }
  }

  it('an unknown caller while locked: withheld 0 (no new-patient form until unlocked)', () => {
    const lookup = { ...handlerOutputs()['screenPop.lookup']!, matches: [], chosenMisId: null, transfer: null };
    expect(maskRequestOutput('screenPop.lookup', lookup, view('operator', 'locked')).withheld).toBe(0);
  });

  it('signed in again: the lookup carries the cards and no `withheld`', () => {
    const masked = maskRequestOutput('screenPop.lookup', handlerOutputs()['screenPop.lookup']!, view('operator'));
    expect(masked.matches).toHaveLength(1);
    expect('withheld' in masked).toBe(false);
  });

  it('admin: the lookup is withheld too, whatever the state', () => {
    expect(maskRequestOutput('screenPop.lookup', handlerOutputs()['screenPop.lookup']!, view('admin', 'signed-in')).matches).toEqual([]);
  });

  it('refuses every other patient-bearing answer (the second lock behind the request guard)', () => {
    const cases = [
      ['locked', 'operator', 'LOCKED'],
      ['signed-out', 'cashier', 'SIGNED_OUT'],
      ['signed-in', 'admin', 'FORBIDDEN'],
    ] as const;
    for (const [state, role, code] of cases) {
      for (const [name, output] of Object.entries(handlerOutputs()) as [ProductionRequestName, RequestOutput<ProductionRequestName>][]) {
        if (name === 'screenPop.lookup') continue;
        let error: unknown = null;
        try {
          maskRequestOutput(name, output, view(role, state));
        } catch (caught) {
          error = caught;
        }
        expect(error, `${name} ${state}`).toBeInstanceOf(DeskError);
        expect((error as DeskError).code, `${name} ${state}`).toBe(code);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------

function kpi(queue: string | null): QueueKpi {
  return {
    queue,
    name: queue ?? '',
    waitingNow: 1,
    longestWaitNowSec: 10,
    longestWaitingSince: 1,
    agentsLoggedIn: 1,
    agentsAvailable: 0,
    offered: 3,
    answered: 2,
    abandoned: 1,
    answeredWithinSla: 2,
    slaPercent: 66.7,
    avgWaitSec: 5,
    avgTalkSec: 60,
    longestWaitTodaySec: 30,
  };
}

function board(): SupervisorBoard {
  return {
    live: true,
    connector: 'demo',
    at: 1_000,
    day: '2025-03-14',
    slaSeconds: 20,
    supervisorExtension: '2001',
    agents: [
      {
        extension: '1001',
        name: 'Оператор О.',
        state: 'talking',
        since: 1,
        pauseReason: null,
        level: 'ok',
        queues: ['reception'],
        call: { callId: 'call-1', number: CALLER, patientName: 'Тестова В. И.', queue: 'reception', since: 1 },
        handledToday: 4,
        avgHandleSec: 90,
        overdueCallbacks: 0,
        monitoredBy: { extension: '2001', mode: 'listen' },
      },
      { extension: '1002', name: 'Оператор П.', state: 'ready', since: 1, pauseReason: null, level: 'ok', queues: ['reception'], call: null, handledToday: 0, avgHandleSec: null, overdueCallbacks: 0, monitoredBy: null },
    ],
    queues: [kpi('reception')],
    total: kpi(null),
    hourly: Array.from({ length: 24 }, (_, hour) => ({ hour, answered: 0, abandoned: 0 })),
    waiting: [],
    categories: [],
    callbacks: { slaMinutes: 15, tasksToday: 0, closedWithinSla: 0, closed: 0, open: 0, overdue: 0, percentWithinSla: null },
    thresholds: { ...DEFAULT_SUPERVISOR_SETTINGS },
    alerts: [],
    monitor: { state: 'active', mode: 'listen', supervisorExtension: '2001', agent: { extension: '1001', name: 'Оператор О.' }, callId: 'call-1', number: CALLER, since: 1 },
    can: { monitor: true, transfer: true, pause: true },
  };
}

describe("the supervisor's board: phone numbers masked", () => {
  it('masked by default, on the answer and on the pushed event: +7 916 ***-**-67; names as supervisor.patientNames made them', () => {
    expect(DEFAULT_SETTINGS.privacy.boardPhones).toBe('masked');
    const masking = view('supervisor', 'signed-in', privacy());
    const answered = requests['supervisor.board'].output.parse(maskRequestOutput('supervisor.board', board(), masking));
    const pushed = events['supervisor:changed'].parse(maskEvent('supervisor:changed', board(), masking));
    for (const masked of [answered, pushed]) {
      expect(masked.agents[0]!.call).toMatchObject({ number: '+7 916 ***-**-67', patientName: 'Тестова В. И.' });
      expect(masked.monitor!.number).toBe('+7 916 ***-**-67');
      expect(JSON.stringify(masked)).not.toContain('9161234567');
      expect({ ...masked, agents: [], monitor: null }).toEqual({ ...board(), agents: [], monitor: null });
    }
  });

  it("'full' shows the whole number", () => {
    const masking = view('supervisor', 'signed-in', privacy(undefined, 'full'));
    expect(maskRequestOutput('supervisor.board', board(), masking)).toEqual(board());
    expect(maskEvent('supervisor:changed', board(), masking)).toEqual(board());
  });

  it('locked: the board still comes (the monitor session lives on the call bar) without any caller’s name or number', () => {
    for (const boardPhones of ['masked', 'full'] as const) {
      const pushed = events['supervisor:changed'].parse(maskEvent('supervisor:changed', board(), view('supervisor', 'locked', privacy(undefined, boardPhones))));
      expect(pushed.agents[0]!.call).toMatchObject({ callId: 'call-1', number: '', patientName: null });
      expect(pushed.monitor).toMatchObject({ state: 'active', mode: 'listen', number: '' });
      const json = JSON.stringify(pushed);
      expect(json).not.toContain('Тестова');
      expect(json).not.toContain('67"');
    }
  });
});

describe('pushed events', () => {
  function queueView(): QueueView {
    return {
      connector: 'demo',
      live: true,
      board: { at: 1, queues: [{ id: 'reception', name: 'Регистратура' }], callers: [{ callId: 'q-1', number: CALLER, queue: 'reception', position: 1, joinedAt: 1 }], agents: [], counters: [] },
      patientNames: { [CALLER]: 'Тестова Варвара Игоревна' },
      agentExtension: '1001',
      slaSeconds: 20,
    };
  }
  const callbackList = (): EventPayload<'callbacks:changed'> => ({
    tasks: [
      {
        id: CALLER,
        number: CALLER,
        patientName: 'Тестова Варвара Игоревна',
        state: 'open',
        count: 1,
        reasons: ['missed'],
        lastReason: 'missed',
        queue: null,
        firstAt: 1,
        lastAt: 1,
        dueAt: 2,
        attempts: 0,
        claimedBy: null,
        claimedAt: null,
        mine: false,
        outcome: null,
        closedBy: null,
        closedByAgent: null,
        closedAt: null,
      },
    ],
    slaMinutes: 15,
    shared: false,
  });
  const samples: { [E in EventName]?: () => EventPayload<E> } = {
    'queue:changed': queueView,
    'callbacks:changed': callbackList,
    'patient:updated': () => ({ misId: 'SYN-0001' }),
    'booking:changed': () => ({ patientMisId: 'SYN-0001' }),
    'call:lost': () => ({ callId: 'call-1', number: CALLER, endedAt: T }),
    'pbx:call': () => ({ event: 'ringing', callId: 'call-2', number: CALLER, extension: '1001' }),
    'callLists:changed': () => ({ listId: null }),
    'schedule:changed': () => ({ dataAsOf: null }),
    'outbox:changed': () => ({ pending: 1, failed: 0 }),
  };
  const patientOnly: readonly EventName[] = ['queue:changed', 'callbacks:changed', 'patient:updated', 'booking:changed', 'call:lost'];

  it('signed in: sent as they are (names and callers’ numbers are every patient role’s)', () => {
    for (const role of PATIENT_ROLES) {
      for (const [name, sample] of Object.entries(samples) as [EventName, () => EventPayload<EventName>][]) {
        expect(maskEvent(name, sample(), view(role, 'signed-in', privacy({ operator: [...MASKABLE_FIELDS], supervisor: [...MASKABLE_FIELDS], cashier: [...MASKABLE_FIELDS] }))), name).toEqual(sample());
      }
    }
  });

  it('locked or signed out: patient data is not pushed; the phone’s own events still are', () => {
    for (const state of ['locked', 'signed-out'] as const) {
      for (const [name, sample] of Object.entries(samples) as [EventName, () => EventPayload<EventName>][]) {
        const masked = maskEvent(name, sample(), view('operator' satisfies PatientRole, state));
        if (patientOnly.includes(name)) expect(masked, `${name} ${state}`).toBeNull();
        else expect(masked, `${name} ${state}`).toEqual(sample());
      }
    }
  });

  it('has a decision for every event of the contract (the table is total: a payload without patient data goes as it is)', () => {
    const withBoard = { ...samples, 'supervisor:changed': board };
    for (const name of eventNames) {
      const sample = (withBoard[name]?.() ?? {}) as never;
      expect(() => maskEvent(name, sample, view('operator', 'locked')), name).not.toThrow();
      if (!(name in withBoard)) expect(maskEvent(name, sample, view('operator', 'locked')), name).toBe(sample);
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** Property names that carry a card, a patient's name or notes, a phone or a visit wherever they appear. */
const PATIENT_KEYS = new Set(['surname', 'patientName', 'phones', 'e164', 'number', 'note', 'text', 'allergies', 'visit', 'visits']);

/** Whether a JSON schema (of an output) has a property that carries patient data. */
function carriesPatientData(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(carriesPatientData);
  if (node === null || typeof node !== 'object') return false;
  const record = node as Record<string, unknown>;
  const properties = record.properties;
  if (properties && typeof properties === 'object') {
    for (const [key, schema] of Object.entries(properties as Record<string, unknown>)) {
      if (PATIENT_KEYS.has(key)) return true;
      // The queue view's number → name map (the supervisor setting of that name is a word).
      if (key === 'patientNames' && (schema as { type?: unknown }).type === 'object') return true;
    }
  }
  return Object.values(record).some(carriesPatientData);
}

describe('every patient-bearing answer of the contract has a masker', () => {
  it('walks the output schemas: a card, a name, a phone, a visit or a note without an entry fails here', () => {
    const missing: string[] = [];
    const bearing: string[] = [];
    for (const name of Object.keys(requests) as ProductionRequestName[]) {
      const schema = z.toJSONSchema(requests[name].output as z.ZodType, { unrepresentable: 'any', io: 'output' });
      if (!carriesPatientData(schema)) continue;
      bearing.push(name);
      if (!MASKED_REQUESTS.includes(name)) missing.push(name);
    }
    expect(missing, 'patient-bearing requests without an entry in REQUEST_MASKERS').toEqual([]);
    // The walk itself finds what it must (a walk that finds nothing would pass vacuously).
    expect(bearing).toEqual(expect.arrayContaining(['patients.search', 'patients.get', 'patients.history', 'screenPop.lookup', 'screenPop.refresh', 'booking.visits', 'supervisor.board', 'queue.view', 'calls.recent']));
  });

  it('agrees with the request guard: what is masked as patient data is a `patient` request; the lookup is the `pop` one', () => {
    // Else the guard would let a request through in a locked state that this module then refuses.
    expect(PATIENT_DATA_REQUESTS.filter((name) => REQUEST_POLICY[name] !== 'patient')).toEqual([]);
    expect(REQUEST_POLICY['screenPop.lookup']).toBe('pop');
  });
});

describe('connectors.preview for an admin', () => {
  it('shows each cell only by its shape, so the mapping can be checked without reading a patient', async () => {
    const { maskRequestOutput: mask, shapeOfCell } = await import('./output-masking');
    expect(shapeOfCell('+7 (916) 123-45-67')).toBe('+9 (999) 999-99-99');
    expect(shapeOfCell('Семёнова Алёна')).toBe('Яяяяяяяя Яяяяя');
    expect(shapeOfCell('Smith 12.03.1985')).toBe('Xxxxx 99.99.9999');
    const preview = { file: 'p.csv', encoding: 'utf-8', delimiter: ';', columns: ['Фамилия', 'Телефон'], rows: [['Семёнова', '+79161234567']], totalRows: 1, mapping: { surname: 'Фамилия' } };
    const admin = mask('connectors.preview', preview, { role: 'admin', state: 'signed-in', privacy: PrivacySettingsSchema.parse({}) });
    expect(JSON.stringify(admin)).not.toContain('Семёнова');
    expect(JSON.stringify(admin)).not.toContain('9161234567');
    expect(admin.columns).toEqual(['Фамилия', 'Телефон']);
    const operator = mask('connectors.preview', preview, { role: 'operator', state: 'open', privacy: PrivacySettingsSchema.parse({}) });
    expect(operator.rows).toEqual([['Семёнова', '+79161234567']]);
  });
});
