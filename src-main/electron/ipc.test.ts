import { describe, expect, it, vi } from 'vitest';
import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../src-shared/ipc/contract';
import { EventBus } from '../core/events/event-bus';
import type { Core } from '../core/core';
import { silentLogger } from '../core/log/logger';
import { registerIpc, senderRefusal, type IpcInvokeEvent, type IpcWebContents, type SenderPolicy } from './ipc';

function contents(id: number): IpcWebContents & { send: ReturnType<typeof vi.fn>; destroyed: boolean } {
  const fake = {
    id,
    destroyed: false,
    send: vi.fn(),
    isDestroyed: () => fake.destroyed,
  };
  return fake;
}

function setup(targets: IpcWebContents[]) {
  const handlers = new Map<string, (event: IpcInvokeEvent, ...args: unknown[]) => unknown>();
  const ipcMain = {
    handle: vi.fn((channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => unknown) => void handlers.set(channel, listener)),
    removeHandler: vi.fn((channel: string) => void handlers.delete(channel)),
  };
  const events = new EventBus();
  const dispatch = vi.fn(async (name: unknown) => ({ ok: true as const, value: name }));
  const core = { dispatcher: { dispatch }, events } as unknown as Pick<Core, 'dispatcher' | 'events'>;
  const policy: SenderPolicy = {
    isOwnOrigin: (url) => url.startsWith('app://desk/'),
    isTrustedSender: (sender) => targets.includes(sender),
    eventTargets: () => targets,
  };
  const dispose = registerIpc(ipcMain, core, policy, silentLogger);
  return { handlers, ipcMain, events, dispatch, dispose, policy };
}

const top = { url: 'app://desk/index.html', parent: null };

describe('registerIpc', () => {
  it('registers exactly one handler, on the contract request channel', () => {
    const { ipcMain } = setup([]);
    expect(ipcMain.handle).toHaveBeenCalledTimes(1);
    expect(ipcMain.handle).toHaveBeenCalledWith(IPC_REQUEST_CHANNEL, expect.any(Function));
  });

  it('passes name and input to the dispatcher untouched (it validates them)', async () => {
    const window = contents(7);
    const { handlers, dispatch } = setup([window]);
    await handlers.get(IPC_REQUEST_CHANNEL)?.({ sender: window, senderFrame: top }, 'no.such.request', { x: 1 });
    expect(dispatch).toHaveBeenCalledWith('no.such.request', { x: 1 }, { host: 'electron', client: '7' });
  });

  it('pushes core events to every open desk window, skipping destroyed ones', () => {
    const a = contents(1);
    const b = contents(2);
    const gone = contents(3);
    gone.destroyed = true;
    const { events } = setup([a, b, gone]);
    // A payload the contract accepts: the bus refuses anything else before any window sees it.
    const payload = { pending: 1, failed: 0 };
    events.emit('outbox:changed', payload);
    expect(a.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, 'outbox:changed', payload);
    expect(b.send).toHaveBeenCalledWith(IPC_EVENT_CHANNEL, 'outbox:changed', payload);
    expect(gone.send).not.toHaveBeenCalled();
  });

  it('keeps sending to the others when one window throws', () => {
    const a = contents(1);
    const b = contents(2);
    a.send.mockImplementation(() => {
      throw new Error('Object has been destroyed');
    });
    const { events } = setup([a, b]);
    events.emit('outbox:changed', { pending: 0, failed: 0 });
    expect(b.send).toHaveBeenCalledTimes(1);
  });

  it('disposes the handler and the event subscription', () => {
    const a = contents(1);
    const { dispose, handlers, events } = setup([a]);
    dispose();
    expect(handlers.has(IPC_REQUEST_CHANNEL)).toBe(false);
    events.emit('outbox:changed', { pending: 0, failed: 0 });
    expect(a.send).not.toHaveBeenCalled();
  });
});

describe('senderRefusal', () => {
  const window = contents(1);
  const policy: SenderPolicy = {
    isOwnOrigin: (url) => url.startsWith('app://desk/'),
    isTrustedSender: (sender) => sender === window,
    eventTargets: () => [window],
  };

  it('accepts the top frame of our window on our origin', () => {
    expect(senderRefusal({ sender: window, senderFrame: top }, policy)).toBeNull();
  });

  it('names the reason for each refusal', () => {
    expect(senderRefusal({ sender: window, senderFrame: null }, policy)).toMatch(/gone/);
    expect(senderRefusal({ sender: window, senderFrame: undefined }, policy)).toMatch(/gone/);
    expect(senderRefusal({ sender: window, senderFrame: { url: 'app://desk/x', parent: top } }, policy)).toMatch(/top frame/);
    expect(senderRefusal({ sender: window, senderFrame: { url: 'https://evil.example/', parent: null } }, policy)).toMatch(/not the desk/);
    expect(senderRefusal({ sender: contents(2), senderFrame: top }, policy)).toMatch(/not a desk window/);
  });
});
