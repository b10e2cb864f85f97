import { describe, expect, it, vi } from 'vitest';
import { decodeBridgedError } from '../src-shared/ipc/bridged-error';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL, eventNames, requestNames, type DeskApi } from '../src-shared/ipc/contract';
import { createDeskApi, DESK_API_KEYS, PreloadDeskError, type PreloadIpc } from './expose';

type IpcListener = (event: unknown, ...args: unknown[]) => void;

function fakeIpc(answer: (name: unknown, input: unknown) => unknown = () => ({ ok: true, value: 'v' })) {
  const listeners = new Map<string, Set<IpcListener>>();
  const ipc = {
    invoke: vi.fn(async (_channel: string, name: unknown, input: unknown) => answer(name, input)),
    on: vi.fn((channel: string, listener: IpcListener) => {
      const set = listeners.get(channel) ?? new Set();
      set.add(listener);
      listeners.set(channel, set);
    }),
    removeListener: vi.fn((channel: string, listener: IpcListener) => {
      listeners.get(channel)?.delete(listener);
    }),
  } satisfies PreloadIpc;
  const sender = { isIpcRenderer: true };
  const emit = (name: string, payload: unknown) => {
    for (const listener of [...(listeners.get(IPC_EVENT_CHANNEL) ?? [])]) listener({ sender }, name, payload);
  };
  const count = () => listeners.get(IPC_EVENT_CHANNEL)?.size ?? 0;
  return { ipc, emit, count, sender };
}

// Loosely typed views of the api, to call it the way a hostile page could.
type LooseApi = { request(name: unknown, input?: unknown): Promise<unknown>; on(name: unknown, listener: unknown): () => void };
const loose = (api: DeskApi) => api as unknown as LooseApi;

describe('createDeskApi', () => {
  it('exposes exactly request and on', () => {
    const api = createDeskApi(fakeIpc().ipc);
    expect(Object.keys(api).sort()).toEqual([...DESK_API_KEYS].sort());
    expect(Object.keys(api).sort()).toEqual(['on', 'request']);
    expect(typeof api.request).toBe('function');
    expect(typeof api.on).toBe('function');
  });

  it('forwards every contract request to the one request channel, and nothing else', async () => {
    const { ipc } = fakeIpc((name) => ({ ok: true, value: { echoed: name } }));
    const api = loose(createDeskApi(ipc));
    for (const name of requestNames) {
      await expect(api.request(name, {})).resolves.toEqual({ echoed: name });
    }
    expect(ipc.invoke).toHaveBeenCalledTimes(requestNames.length);
    for (const call of ipc.invoke.mock.calls) expect(call[0]).toBe(IPC_REQUEST_CHANNEL);
    expect(ipc.invoke).toHaveBeenCalledWith(IPC_REQUEST_CHANNEL, 'app.info', {});
  });

  it.each(['nope', 'constructor', '__proto__', 'toString', 'app.info ', '', 42, null, undefined, { name: 'app.info' }])(
    'rejects %j with UNKNOWN_REQUEST without touching IPC',
    async (name) => {
      const { ipc } = fakeIpc();
      const api = loose(createDeskApi(ipc));
      const error = await api.request(name, {}).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(Error);
      expect((error as PreloadDeskError).code).toBe('UNKNOWN_REQUEST');
      expect(ipc.invoke).not.toHaveBeenCalled();
    },
  );

  it('returns a rejected promise (not a synchronous throw) for unknown requests', () => {
    const api = loose(createDeskApi(fakeIpc().ipc));
    const result = api.request('nope', {});
    expect(result).toBeInstanceOf(Promise);
    return expect(result).rejects.toThrow(/UNKNOWN_REQUEST/);
  });

  it('unwraps ok results to their value', async () => {
    const { ipc } = fakeIpc(() => ({ ok: true, value: { version: '1.2.3' } }));
    await expect(createDeskApi(ipc).request('app.info', {})).resolves.toEqual({ version: '1.2.3' });
  });

  it('turns error results into an Error with the code, the message and no stack from main', async () => {
    const { ipc } = fakeIpc(() => ({
      ok: false,
      error: { code: 'SECRETS_UNAVAILABLE', message: 'No OS keychain.', stack: 'Error: at main.js:1' },
    }));
    const error = (await createDeskApi(ipc)
      .request('settings.setSipPassword', { password: 'x' })
      .catch((caught: unknown) => caught)) as PreloadDeskError;
    expect(error).toBeInstanceOf(Error);
    expect(error.code).toBe('SECRETS_UNAVAILABLE');
    expect(error.message).toBe('[SECRETS_UNAVAILABLE] No OS keychain.');
    expect(error.stack).not.toContain('main.js');
    expect(error.stack).not.toContain('expose');
    // What the page sees after contextBridge drops `.code`: the message alone still decodes.
    const bridged = decodeBridgedError({ message: error.message });
    expect(bridged?.code).toBe('SECRETS_UNAVAILABLE');
    expect(bridged?.message).toBe('No OS keychain.');
  });

  it.each([undefined, null, 'ok', { ok: false }, { ok: false, error: 'x' }, { value: 1 }])(
    'treats a malformed answer %j as INTERNAL',
    async (answer) => {
      const { ipc } = fakeIpc(() => answer);
      const error = (await createDeskApi(ipc)
        .request('app.info', {})
        .catch((caught: unknown) => caught)) as PreloadDeskError;
      expect(error.code).toBe('INTERNAL');
    },
  );

  it('delivers only the named event, with the payload alone (never the IpcRendererEvent)', () => {
    const { ipc, emit, sender } = fakeIpc();
    const api = createDeskApi(ipc);
    const status = vi.fn();
    const settings = vi.fn();
    api.on('status:changed', status);
    api.on('settings:changed', settings);
    emit('status:changed', { a: 1 });
    emit('unknown:event', { b: 2 });
    expect(status).toHaveBeenCalledTimes(1);
    expect(status.mock.calls[0]).toEqual([{ a: 1 }]);
    expect(JSON.stringify(status.mock.calls)).not.toContain('isIpcRenderer');
    expect(status.mock.calls[0]).not.toContain(sender);
    expect(settings).not.toHaveBeenCalled();
  });

  it('throws for event names not in the contract and never subscribes to IPC for them', () => {
    const { ipc } = fakeIpc();
    const api = loose(createDeskApi(ipc));
    for (const name of ['desk:request', 'nope', '__proto__', 7]) {
      expect(() => api.on(name, () => {})).toThrow();
    }
    expect(() => api.on(eventNames[0], 'not a function')).toThrow(TypeError);
    expect(ipc.on).not.toHaveBeenCalled();
  });

  it('unsubscribes, and detaches from IPC once nobody listens', () => {
    const { ipc, emit, count } = fakeIpc();
    const api = createDeskApi(ipc);
    const first = vi.fn();
    const second = vi.fn();
    const offFirst = api.on('status:changed', first);
    const offSecond = api.on('status:changed', second);
    expect(count()).toBe(1);
    offFirst();
    offFirst();
    emit('status:changed', 1);
    expect(first).not.toHaveBeenCalled();
    expect(second).toHaveBeenCalledTimes(1);
    offSecond();
    expect(count()).toBe(0);
    emit('status:changed', 2);
    expect(second).toHaveBeenCalledTimes(1);
    api.on('settings:changed', first);
    expect(count()).toBe(1);
  });

  it('keeps delivering to other listeners when one throws', () => {
    const { ipc, emit } = fakeIpc();
    const api = createDeskApi(ipc);
    const errorLog = vi.spyOn(console, 'error').mockImplementation(() => {});
    const after = vi.fn();
    api.on('status:changed', () => {
      throw new Error('boom');
    });
    api.on('status:changed', after);
    emit('status:changed', 1);
    expect(after).toHaveBeenCalledWith(1);
    expect(errorLog).toHaveBeenCalled();
    errorLog.mockRestore();
  });
});

describe('decodeBridgedError', () => {
  it('reads the code from the property or the message, and ignores other errors', () => {
    expect(decodeBridgedError(new PreloadDeskError('FORBIDDEN_SENDER', 'no'))?.code).toBe('FORBIDDEN_SENDER');
    expect(decodeBridgedError(new Error('[INVALID_INPUT] bad'))?.message).toBe('bad');
    expect(decodeBridgedError(new Error('[NOT_A_CODE] bad'))).toBeNull();
    expect(decodeBridgedError(new Error('plain'))).toBeNull();
    expect(decodeBridgedError('[INTERNAL] x')).toBeNull();
  });
});
