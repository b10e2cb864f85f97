import type { SessionView } from '../../../src-shared/access/access-model';
import { describe, expect, it } from 'vitest';
import { requestNames } from '../../../src-shared/ipc/contract';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { DeskError } from '../../../src-shared/ipc/errors';
import { createLogger, type LogRecord } from '../log/logger';
import { createDispatcher, MissingHandlersError, type DemoHandlerTable, type HandlerTable } from './dispatcher';

const context = { host: 'web' as const, client: 'test' };
const view = { settings: DEFAULT_SETTINGS, managed: [], sipPasswordSet: false, secretStorage: 'key-file' as const, recoveredFrom: null };
const status = {
  pbx: { state: 'disabled' as const, since: '2026-01-01T00:00:00.000Z', detail: null },
  mis: { state: 'disabled' as const, since: '2026-01-01T00:00:00.000Z', detail: null },
  sync: { state: 'disabled' as const, since: '2026-01-01T00:00:00.000Z', detail: null },
};

const session: SessionView = { state: 'open', role: 'operator', person: null, idleLockMinutes: 5, retryAfter: null };

const notSupervisor = (): never => {
  throw new DeskError('FORBIDDEN', 'not a supervisor desk');
};

function handlers(overrides: Partial<HandlerTable & DemoHandlerTable> = {}): HandlerTable & DemoHandlerTable {
  return {
    'app.info': () => ({ name: 'Registratura', version: '1', host: 'web', dataDir: '/tmp/x' }),
    'app.openSupervisor': () => ({ opened: 'route' }),
    'app.attention': () => ({ shown: false }),
    'app.takeDialRequest': () => ({ request: null }),
    'session.get': () => session,
    'session.people': () => ({ people: [] }),
    'session.signIn': () => session,
    'session.signOut': () => session,
    'session.lock': () => session,
    'session.unlock': () => session,
    'session.activity': () => ({ ok: true }),
    'session.changePin': () => session,
    'session.resetPin': () => ({ reset: true }),
    'diagnostics.saveBundle': () => ({ path: '/tmp/x/diagnostics/registratura-diagnostics-20260101T000000Z.zip', bytes: 22, files: ['manifest.json'] }),
    'diagnostics.sipRegistration': () => ({ recorded: true }),
    'settings.get': () => view,
    'settings.update': () => view,
    'settings.setSipPassword': () => view,
    'sip.credentials': () => ({ password: null }),
    'status.snapshot': () => status,
    'patients.search': () => ({ items: [], total: 0, complete: true, moreThanTotal: false, understoodAs: 'empty', problem: null, source: 'cache' }),
    'patients.get': () => ({ card: null }),
    'demo.simulate': () => ({ applied: true }),
    'cache.status': () => ({ available: true, cards: 0, dataAsOf: null, problem: null, fill: null, replacing: false }),
    'cache.quarantine': () => ({ total: 0, items: [] }),
    'cache.cancelFirstSync': () => ({ cancelled: false }),
    'journal.status': () => ({ state: 'open', problem: null, kept: [] }),
    'diagnostics.report': () => ({ logged: true }),
    'journal.acknowledgeKept': () => ({ state: 'open', problem: null, kept: [] }),
    'outbox.undelivered': () => ({ items: [] }),
    'outbox.retry': () => ({ retried: false }),
    'calls.record': () => ({ recorded: true }),
    'calls.recent': () => ({ items: [] }),
    'calls.wrapUp': () => ({ saved: true, outboxId: 1 }),
    'screenPop.lookup': () => ({ numberKey: null, matches: [], chosenMisId: null, dataAsOf: null, lookupMs: 0, transfer: null }),
    'screenPop.show': () => ({ recorded: true }),
    'screenPop.refresh': () => ({ status: 'unreachable', at: '2026-01-01T00:00:00.000Z', matches: [] }),
    'patients.createDraft': () => ({ draftId: 'd1' }),
    'patients.history': () => ({ items: [] }),
    'demo.ledger': () => ({ entries: [] }),
    'queue.view': () => ({ connector: 'demo', live: false, board: { at: 0, queues: [], callers: [], agents: [], counters: [] }, patientNames: {}, agentExtension: null, slaSeconds: 20 }),
    'agent.setStatus': () => ({ ok: true }),
    'callbacks.list': () => ({ tasks: [], slaMinutes: 15, shared: false }),
    'callbacks.claim': () => {
      throw new Error('no task');
    },
    'callbacks.release': () => {
      throw new Error('no task');
    },
    'callbacks.callBack': () => ({ via: 'softphone', number: '79161234567' }),
    'callbacks.complete': () => {
      throw new Error('no task');
    },
    'schedule.catalog': () => ({ branches: [], doctors: [], services: [], specialties: [], dataAsOf: null, horizonDays: 14, timeZone: 'Europe/Moscow' }),
    'schedule.freeSlots': () => ({ slots: [], truncated: false, dataAsOf: null }),
    'booking.create': () => {
      throw new DeskError('SLOT_TAKEN', 'taken');
    },
    'booking.move': () => {
      throw new DeskError('SLOT_TAKEN', 'taken');
    },
    'booking.cancel': () => {
      throw new DeskError('VISIT_NOT_FOUND', 'gone');
    },
    'booking.visits': () => ({ visits: [] }),
    'booking.alternatives': () => ({ sameDoctor: [], sameSpecialty: [] }),
    'booking.forCall': () => ({ prefill: null }),
    'callLists.overview': () => ({ lists: [], window: { open: true, from: '09:00', to: '21:00', timeZone: 'Europe/Moscow' }, shared: false }),
    'callLists.tasks': () => ({ tasks: [], counters: { total: 0, done: 0, open: 0, waiting: 0, blocked: 0, confirmed: 0, cancelled: 0, noAnswer: 0 } }),
    'callLists.next': () => ({ task: null, why: 'empty' }),
    'callLists.release': () => {
      throw new Error('no task');
    },
    'callLists.call': () => ({ via: 'softphone', number: '79161234567' }),
    'callLists.complete': () => {
      throw new Error('no task');
    },
    'supervisor.board': notSupervisor,
    'supervisor.monitor': notSupervisor,
    'supervisor.stopMonitor': notSupervisor,
    'supervisor.transfer': notSupervisor,
    'supervisor.setAgentStatus': notSupervisor,
    'supervisor.reassignCallback': notSupervisor,
    'supervisor.setThresholds': notSupervisor,
    'connectors.list': () => ({ mis: [], pbx: [], current: { mis: { id: 'demo', config: {}, secretsSet: [] }, pbx: { id: 'demo', config: {}, secretsSet: [] } }, pluginProblems: [] }),
    'connectors.diagnose': () => ({ ok: true, steps: [] }),
    'connectors.preview': () => ({ file: null, encoding: null, delimiter: null, columns: [], rows: [], totalRows: 0, mapping: {} }),
    ...overrides,
  };
}

function capture() {
  const records: LogRecord[] = [];
  return { records, logger: createLogger([(r) => records.push(r)], 'debug') };
}

describe('createDispatcher', () => {
  it('refuses to start when a contract request has no handler, naming it', () => {
    const { 'status.snapshot': _missing, ...partial } = handlers();
    expect(() => createDispatcher(partial, capture().logger)).toThrow(MissingHandlersError);
    expect(() => createDispatcher(partial, capture().logger)).toThrow(/status\.snapshot/);
  });

  it('refuses a handler for a request the contract does not declare', () => {
    const extra = { ...handlers(), 'patients.drop': () => null };
    expect(() => createDispatcher(extra, capture().logger)).toThrow(/not in the contract: patients\.drop/);
  });

  it('accepts a table that covers the contract exactly', () => {
    expect(Object.keys(handlers()).sort()).toEqual([...requestNames].sort());
    expect(() => createDispatcher(handlers(), capture().logger)).not.toThrow();
  });

  it('without the demo controls, every demo.* request is refused with DEMO_ONLY and no handler runs; half of them is refused at start', async () => {
    const { 'demo.simulate': _simulate, 'demo.ledger': _ledger, ...production } = handlers();
    const dispatcher = createDispatcher(production, capture().logger);
    for (const [name, input] of [['demo.ledger', {}], ['demo.simulate', { action: 'set-offline', offline: true }]] as const) {
      expect(await dispatcher.dispatch(name, input, context)).toMatchObject({ ok: false, error: { code: 'DEMO_ONLY' } });
    }
    expect(() => createDispatcher({ ...production, 'demo.ledger': () => ({ entries: [] }) }, capture().logger)).toThrow(/demo\.simulate/);
  });

  it('answers an unknown request with UNKNOWN_REQUEST', async () => {
    const result = await createDispatcher(handlers(), capture().logger).dispatch('fs.readFile', {}, context);
    expect(result).toEqual({ ok: false, error: { code: 'UNKNOWN_REQUEST', message: expect.stringContaining('fs.readFile') } });
  });

  it('does not treat inherited object keys as requests', async () => {
    const result = await createDispatcher(handlers(), capture().logger).dispatch('constructor', {}, context);
    expect(result.ok).toBe(false);
  });

  it('validates input before the handler runs and says where it is wrong', async () => {
    let called = false;
    const dispatcher = createDispatcher(handlers({ 'settings.update': () => ((called = true), view) }), capture().logger);
    const result = await dispatcher.dispatch('settings.update', { role: 'root' }, context);
    expect(called).toBe(false);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('role') } });
  });

  it('refuses unknown fields (strict schemas)', async () => {
    const result = await createDispatcher(handlers(), capture().logger).dispatch('settings.update', { isAdmin: true }, context);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  it('turns a crashing handler into INTERNAL with a reference and no stack trace', async () => {
    const { logger, records } = capture();
    const dispatcher = createDispatcher(
      handlers({
        'status.snapshot': () => {
          throw new Error('boom at /secret/path.ts:12');
        },
      }),
      logger,
    );
    const result = await dispatcher.dispatch('status.snapshot', {}, context);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('INTERNAL');
    expect(result.error.message).not.toMatch(/boom|secret|\.ts:|at /);
    expect(records.some((r) => r.event === 'ipc.handler-failed')).toBe(true);
  });

  it('refuses an output that breaks the contract', async () => {
    const dispatcher = createDispatcher(handlers({ 'status.snapshot': () => ({ pbx: 'up' }) as never }), capture().logger);
    const result = await dispatcher.dispatch('status.snapshot', {}, context);
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_OUTPUT' } });
  });

  it('hands the SIP password to the renderer for sip.credentials and logs nothing of it', async () => {
    const { logger, records } = capture();
    const dispatcher = createDispatcher(handlers({ 'sip.credentials': () => ({ password: 'desk-1001-pw' }) }), logger);
    const result = await dispatcher.dispatch('sip.credentials', {}, context);
    expect(result).toEqual({ ok: true, value: { password: 'desk-1001-pw' } });
    expect(JSON.stringify(records)).not.toContain('desk-1001-pw');
    expect(await dispatcher.dispatch('sip.credentials', { user: '1001' }, context)).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
  });

  describe('calls.record', () => {
    const call = {
      id: 'a84b4c76e66710@pbx.clinic.local1928301774',
      direction: 'incoming',
      number: '+79001234567',
      displayName: 'Иванова',
      startedAt: '2026-11-30T09:00:00.000Z',
      answeredAt: null,
      endedAt: '2026-11-30T09:00:20.000Z',
      outcome: 'missed',
    };
    const refused = async (input: unknown) => {
      let called = false;
      const { logger, records } = capture();
      const dispatcher = createDispatcher(handlers({ 'calls.record': () => ((called = true), { recorded: true }) }), logger);
      const result = await dispatcher.dispatch('calls.record', input, context);
      expect(called).toBe(false);
      return { result, records };
    };

    it('accepts a well-formed record, and a display name of 80 characters outside the BMP (160 UTF-16 units)', async () => {
      const dispatcher = createDispatcher(handlers(), capture().logger);
      expect(await dispatcher.dispatch('calls.record', call, context)).toEqual({ ok: true, value: { recorded: true } });
      expect(await dispatcher.dispatch('calls.record', { ...call, displayName: '😀'.repeat(80) }, context)).toEqual({ ok: true, value: { recorded: true } });
      expect((await refused({ ...call, displayName: '😀'.repeat(81) })).result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
      expect((await refused({ ...call, displayName: 'я'.repeat(81) })).result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    });

    it('refuses an outcome the journal does not know, listing the ones it does', async () => {
      const { result } = await refused({ ...call, outcome: 'dropped' });
      expect(result).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringMatching(/^Invalid input for calls\.record at outcome: .*"answered"\|"missed"\|"rejected"\|"failed"\|"lost"/) } });
    });

    it('refuses a 10 KB display name without echoing it back or logging it', async () => {
      const name = 'Ж'.repeat(10 * 1024);
      const { result, records } = await refused({ ...call, displayName: name });
      expect(result).toEqual({ ok: false, error: { code: 'INVALID_INPUT', message: 'Invalid input for calls.record at displayName: A display name is at most 80 characters.' } });
      expect(JSON.stringify(records)).not.toContain('ЖЖЖ');
    });

    it('refuses an answer time that contradicts the outcome, a call id with a space, and unknown fields', async () => {
      expect((await refused({ ...call, answeredAt: '2026-11-30T09:00:05.000Z' })).result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('at answeredAt') } });
      expect((await refused({ ...call, id: 'a b' })).result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', message: expect.stringContaining('at id') } });
      expect((await refused({ ...call, durationSec: 20 })).result).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT' } });
    });
  });

  it('returns the validated value on success', async () => {
    const result = await createDispatcher(handlers(), capture().logger).dispatch('app.info', {}, context);
    expect(result).toEqual({ ok: true, value: { name: 'Registratura', version: '1', host: 'web', dataDir: '/tmp/x' } });
  });
});
