import { describe, expect, it } from 'vitest';
import { requestNames } from '../../../src-shared/ipc/contract';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { createLogger, type LogRecord } from '../log/logger';
import { createDispatcher, MissingHandlersError, type HandlerTable } from './dispatcher';

const context = { host: 'web' as const, client: 'test' };
const view = { settings: DEFAULT_SETTINGS, managed: [], sipPasswordSet: false, secretStorage: 'key-file' as const, recoveredFrom: null };
const status = {
  pbx: { state: 'disabled' as const, since: '2026-01-01T00:00:00.000Z', detail: null },
  mis: { state: 'disabled' as const, since: '2026-01-01T00:00:00.000Z', detail: null },
  sync: { state: 'disabled' as const, since: '2026-01-01T00:00:00.000Z', detail: null },
};

function handlers(overrides: Partial<HandlerTable> = {}): HandlerTable {
  return {
    'app.info': () => ({ name: 'Registratura', version: '1', host: 'web', dataDir: '/tmp/x' }),
    'settings.get': () => view,
    'settings.update': () => view,
    'settings.setSipPassword': () => view,
    'sip.credentials': () => ({ password: null }),
    'status.snapshot': () => status,
    'patients.search': () => ({ items: [], total: 0, complete: true, understoodAs: 'empty', problem: null }),
    'patients.get': () => ({ card: null }),
    'demo.simulate': () => ({ applied: true }),
    'cache.status': () => ({ available: true, cards: 0, dataAsOf: null, problem: null, movedAside: null }),
    'outbox.undelivered': () => ({ items: [] }),
    'outbox.retry': () => ({ retried: false }),
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

  it('returns the validated value on success', async () => {
    const result = await createDispatcher(handlers(), capture().logger).dispatch('app.info', {}, context);
    expect(result).toEqual({ ok: true, value: { name: 'Registratura', version: '1', host: 'web', dataDir: '/tmp/x' } });
  });
});
