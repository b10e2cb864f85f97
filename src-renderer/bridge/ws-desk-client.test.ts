import { describe, expect, it } from 'vitest';
import type { ClientFrame } from '../../src-shared/ipc/wire';
import { DeskError } from '../../src-shared/ipc/errors';
import { makeStatus, makeView } from '../test-support/fake-desk';
import { ManualClock } from '../../src-shared/time/manual-clock';
import { WsDeskClient, type SocketLike } from './ws-desk-client';

/** A WebSocket stand-in the test drives by hand. */
class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: ClientFrame[] = [];
  closed = false;
  onopen: ((event: unknown) => void) | null = null;
  onclose: ((event: unknown) => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: unknown) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }

  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data) as ClientFrame);
  }

  close(): void {
    this.closed = true;
  }

  // --- driven by the test ---
  open(): void {
    this.readyState = 1;
    this.onopen?.({});
  }

  drop(): void {
    this.readyState = 3;
    this.onerror?.({});
    this.onclose?.({ code: 1006 });
  }

  receive(frame: unknown): void {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }
}

function setup() {
  FakeSocket.instances = [];
  const warnings: string[] = [];
  const timers = new ManualClock();
  const client = new WsDeskClient('ws://127.0.0.1:4100/bridge?token=t', {
    Socket: FakeSocket,
    clock: timers,
    logger: { warn: (message) => warnings.push(message) },
  });
  const socket = () => {
    const last = FakeSocket.instances.at(-1);
    if (!last) throw new Error('no socket');
    return last;
  };
  return { client, socket, timers, warnings };
}

describe('WsDeskClient', () => {
  it('queues requests until the socket opens, then matches responses by id', async () => {
    const { client, socket } = setup();
    expect(socket().url).toBe('ws://127.0.0.1:4100/bridge?token=t');
    const settings = client.request('settings.get', {});
    const status = client.request('status.snapshot', {});
    expect(socket().sent).toHaveLength(0);

    socket().open();
    expect(client.bridgeState()).toBe('open');
    const [first, second] = socket().sent;
    expect(first).toMatchObject({ type: 'request', name: 'settings.get', input: {} });
    expect(second).toMatchObject({ type: 'request', name: 'status.snapshot' });

    // Answers arrive out of order.
    socket().receive({ type: 'response', id: second!.id, ok: true, value: makeStatus() });
    socket().receive({ type: 'response', id: first!.id, ok: true, value: makeView({ sipPasswordSet: true }) });
    await expect(status).resolves.toEqual(makeStatus());
    await expect(settings).resolves.toMatchObject({ sipPasswordSet: true });
  });

  it('rejects with a DeskError carrying the code and message of an error response', async () => {
    const { client, socket } = setup();
    socket().open();
    const pending = client.request('settings.update', { role: 'supervisor' });
    const id = socket().sent[0]!.id;
    socket().receive({ type: 'response', id, ok: false, error: { code: 'SETTINGS_MANAGED', message: 'role is managed' } });
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeskError);
    expect(error).toMatchObject({ code: 'SETTINGS_MANAGED', message: 'role is managed' });
  });

  it('rejects a response whose value breaks the contract with INVALID_OUTPUT', async () => {
    const { client, socket } = setup();
    socket().open();
    const pending = client.request('status.snapshot', {});
    socket().receive({ type: 'response', id: socket().sent[0]!.id, ok: true, value: { pbx: 'up' } });
    await expect(pending).rejects.toMatchObject({ code: 'INVALID_OUTPUT' });
  });

  it('delivers event frames to listeners until they unsubscribe', () => {
    const { client, socket } = setup();
    socket().open();
    const seen: unknown[] = [];
    const off = client.on('status:changed', (status) => seen.push(status.pbx.state));
    const online = makeStatus({ pbx: { state: 'online', since: '2025-03-14T10:00:00.000Z', detail: null } });
    socket().receive({ type: 'event', name: 'status:changed', payload: online });
    off();
    socket().receive({ type: 'event', name: 'status:changed', payload: online });
    expect(seen).toEqual(['online']);
  });

  it('ignores (and logs) frames that are not JSON, not in the wire schema, or carry an invalid payload', async () => {
    const { client, socket, warnings } = setup();
    socket().open();
    const seen: unknown[] = [];
    client.on('status:changed', (status) => seen.push(status));
    const pending = client.request('app.info', {});
    const id = socket().sent[0]!.id;

    socket().receive('not json {');
    socket().receive({ type: 'response', id, ok: 'yes' });
    socket().receive({ type: 'event', name: 'status:changed', payload: { pbx: 'nope' } });
    socket().receive({ type: 'event', name: 'no:such-event', payload: {} });
    socket().receive({ type: 'response', id: 9999, ok: true, value: null });
    expect(warnings).toHaveLength(5);
    expect(seen).toEqual([]);

    // The request is still waiting and still answerable.
    const info = { name: 'Registratura', version: '0.1.0', host: 'web', dataDir: '/d' };
    socket().receive({ type: 'response', id, ok: true, value: info });
    await expect(pending).resolves.toEqual(info);
  });

  it('fails in-flight requests with BRIDGE_DISCONNECTED when the socket drops, then reconnects with capped backoff', async () => {
    const { client, socket, timers } = setup();
    const states: string[] = [];
    client.onBridgeState((state) => states.push(state));
    socket().open();
    const inFlight = client.request('settings.get', {});
    socket().drop();
    await expect(inFlight).rejects.toMatchObject({ code: 'BRIDGE_DISCONNECTED' });
    expect(client.bridgeState()).toBe('reconnecting');

    // Every failed attempt waits longer, up to 3 s (loopback: a restarted host is found fast).
    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt += 1) {
      delays.push(timers.runNext());
      socket().drop();
    }
    expect(delays).toEqual([500, 1000, 2000, 3000, 3000, 3000, 3000]);
    expect(FakeSocket.instances).toHaveLength(8);

    // A request made while down waits for the next socket and is sent once it opens.
    timers.runNext();
    const queued = client.request('app.info', {});
    socket().open();
    expect(states.at(-1)).toBe('open');
    const frame = socket().sent[0]!;
    expect(frame.name).toBe('app.info');
    socket().receive({ type: 'response', id: frame.id, ok: true, value: { name: 'Registratura', version: '1', host: 'web', dataDir: '/d' } });
    await expect(queued).resolves.toMatchObject({ version: '1' });

    // Backoff starts over after a successful connection.
    socket().drop();
    expect(timers.pending()).toEqual([500]);
  });

  it('fails a request made while the desk service is known to be down at once, instead of leaving it waiting', async () => {
    const { client, socket, timers } = setup();
    socket().open();
    socket().drop();
    expect(client.bridgeState()).toBe('reconnecting');
    const error = await client.request('patients.search', { query: 'Иванов', limit: 50, offset: 0 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeskError);
    expect(error).toMatchObject({ code: 'BRIDGE_DISCONNECTED' });
    // Nothing was left queued for a later socket.
    timers.runNext();
    socket().open();
    expect(socket().sent).toEqual([]);
  });

  it('gives up a connection attempt that never opens (a frozen host) and fails what waited for it', async () => {
    const { client, socket, timers, warnings } = setup();
    const waiting = client.request('settings.get', {});
    const first = socket();
    expect(timers.pending()).toEqual([5000]);
    timers.runNext();
    await expect(waiting).rejects.toMatchObject({ code: 'BRIDGE_DISCONNECTED' });
    expect(first.closed).toBe(true);
    expect(warnings).toContain('bridge.connect-timeout');
    expect(client.bridgeState()).toBe('reconnecting');
    expect(timers.pending()).toEqual([500]);
    // A late close event from the abandoned socket changes nothing.
    first.drop();
    expect(timers.pending()).toEqual([500]);
  });

  it('stops reconnecting after close() and refuses new requests', async () => {
    const { client, socket, timers } = setup();
    socket().open();
    const pending = client.request('settings.get', {});
    client.close();
    await expect(pending).rejects.toMatchObject({ code: 'BRIDGE_DISCONNECTED' });
    await expect(client.request('settings.get', {})).rejects.toMatchObject({ code: 'BRIDGE_DISCONNECTED' });
    expect(socket().closed).toBe(true);
    expect(client.bridgeState()).toBe('closed');
    expect(timers.pending()).toEqual([]);
  });
});
