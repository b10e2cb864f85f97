import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src-shared/time/manual-clock';
import { silentLogger } from '../../log/logger';
import { isMisError } from '../mis/mis-connector';
import { PluginRemoteError } from './plugin-rpc';
import { FAULT_WINDOW_MS, PluginSupervisor, type PluginLimits } from './plugin-supervisor';
import type { PluginTransport } from './plugin-transport';
import { StateLog } from './plugin-test-support';

/** A scripted plugin side: the test posts its messages and ends it. */
class FakeTransport implements PluginTransport {
  readonly posted: unknown[] = [];
  terminated = false;
  private message: (message: unknown) => void = () => undefined;
  private exit: (detail: string) => void = () => undefined;
  constructor(private readonly onStart: (fake: FakeTransport) => void) {}
  post(text: string): void {
    const message = JSON.parse(text) as { type: string };
    this.posted.push(message);
    if (message.type === 'start') this.onStart(this);
  }
  onMessage(listener: (message: unknown) => void): void {
    this.message = listener;
  }
  onOutput(): void {}
  onExit(listener: (detail: string) => void): void {
    this.exit = listener;
  }
  async terminate(): Promise<void> {
    this.terminated = true;
  }
  say(message: unknown): void {
    this.message(typeof message === 'string' ? message : JSON.stringify(message));
  }
  raw(message: unknown): void {
    this.message(message);
  }
  die(detail = 'exited with code 1'): void {
    this.exit(detail);
  }
  calls(): { id: number; method: string }[] {
    return this.posted.filter((m): m is { type: 'call'; id: number; method: string } => (m as { type: string }).type === 'call');
  }
}

function supervise(onStart: (fake: FakeTransport) => void = (fake) => fake.say({ type: 'ready', methods: [] }), limits: Partial<PluginLimits> = {}) {
  const clock = new ManualClock();
  const states = new StateLog();
  const transports: FakeTransport[] = [];
  const supervisor = new PluginSupervisor({
    id: 'acme',
    instance: 1,
    start: { type: 'start', main: 'file:///plugins/acme/index.js', config: {}, pluginDir: '/plugins/acme', stateDir: '/state' },
    transport: () => {
      const fake = new FakeTransport(onStart);
      transports.push(fake);
      return fake;
    },
    clock,
    logger: silentLogger,
    onState: states.listener,
    limits,
  });
  supervisor.start();
  return { clock, states, supervisor, transports, last: () => transports[transports.length - 1]! };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => null,
    (error: unknown) => error,
  );
}

describe('PluginSupervisor', () => {
  it('restarts after 1 s, 2 s, 4 s, 8 s; the fifth fault in five minutes makes it "failed", retried every 60 s', () => {
    const { clock, states, transports } = supervise((fake) => fake.die());
    for (const wait of [1_000, 2_000, 4_000, 8_000]) clock.advance(wait);
    expect(states.states()).toEqual(['restarting:start-failed', 'restarting:start-failed', 'restarting:start-failed', 'restarting:start-failed', 'failed:start-failed']);
    expect(states.events.map((e) => e.retryInMs)).toEqual([1_000, 2_000, 4_000, 8_000, 60_000]);
    expect(transports).toHaveLength(5);
    clock.advance(59_999);
    expect(transports).toHaveLength(5);
    clock.advance(1);
    expect(transports).toHaveLength(6);
  });

  it('forgets faults older than five minutes: a plugin that crashes once a day restarts after 1 s each time', () => {
    const { clock, states, last } = supervise();
    last().die();
    clock.advance(1_000);
    clock.advance(FAULT_WINDOW_MS);
    last().die();
    expect(states.events.filter((e) => e.state === 'restarting').map((e) => [e.retryInMs, e.faults])).toEqual([
      [1_000, 1],
      [1_000, 1],
    ]);
  });

  it('a call made while starting is sent once the plugin is ready; its answer resolves it', async () => {
    let fakeRef: FakeTransport | null = null;
    const { supervisor } = supervise((fake) => (fakeRef = fake));
    const answer = supervisor.call('search', ['Веснина'], 10_000);
    const fake = fakeRef!;
    expect(fake.calls()).toEqual([]);
    fake.say({ type: 'ready', methods: ['search'] });
    const [call] = fake.calls();
    fake.say({ type: 'result', id: call!.id, ok: true, value: [] });
    await expect(answer).resolves.toEqual([]);
  });

  it('an error the plugin threw comes back as data, without restarting it', async () => {
    const { supervisor, last, states } = supervise();
    const answer = rejection(supervisor.call('getCard', ['X-1'], 10_000));
    last().say({ type: 'result', id: last().calls()[0]!.id, ok: false, error: { kind: 'rejected', message: 'no such card', permanent: true } });
    const error = await answer;
    expect(error).toBeInstanceOf(PluginRemoteError);
    expect((error as PluginRemoteError).remote).toEqual({ kind: 'rejected', message: 'no such card', permanent: true });
    expect(states.states()).toEqual(['running']);
  });

  it.each([
    ['a message that is not text', { type: 'ready', methods: [] }, 'it posted a message that is not the SDK’s JSON text'],
    ['text that is not JSON', '{"type": "log", ', 'it posted a message that is not JSON'],
    ['a message of no known type', { type: 'hello' }, /^it posted a malformed message/],
    ['an answer to a call never made', { type: 'result', id: 77, ok: true, value: 1 }, 'it answered call 77, which was never made or already ended'],
    ['a log line with a hostile event name', { type: 'log', level: 'info', event: 'x\nFAKE LOG LINE' }, /^it posted a malformed message \(event:/],
  ])('%s stops the plugin as misbehaving and fails the calls in flight', async (_, message, detail) => {
    const { supervisor, last, states } = supervise();
    const pending = rejection(supervisor.call('health', [], 10_000));
    if (typeof message === 'string') last().raw(message);
    else if (_ === 'a message that is not text') last().raw(message);
    else last().say(message);
    expect(last().terminated).toBe(true);
    expect(states.events[1]).toMatchObject({ state: 'restarting', reason: 'flooded' });
    if (typeof detail === 'string') expect(states.events[1]!.detail).toBe(detail);
    else expect(states.events[1]!.detail).toMatch(detail);
    const error = await pending;
    expect(isMisError(error) && error.kind === 'unreachable').toBe(true);
  });

  it('more than 1000 messages in a second is a flood; the same spread over two seconds is not', () => {
    const log = { type: 'log', level: 'debug', event: 'tick' };
    const calm = supervise(undefined, { maxLogsPerSecond: 5_000 });
    for (let i = 0; i < 900; i++) calm.last().say(log);
    calm.clock.advance(1_000);
    for (let i = 0; i < 900; i++) calm.last().say(log);
    expect(calm.states.states()).toEqual(['running']);
    const flood = supervise(undefined, { maxLogsPerSecond: 5_000 });
    for (let i = 0; i < 1_001; i++) flood.last().say(log);
    expect(flood.states.states()).toEqual(['running', 'restarting:flooded']);
    expect(flood.states.events[1]!.detail).toBe('it posted more than 1000 messages a second');
  });

  it('more than 100 log lines in a second is a flood', () => {
    const { last, states } = supervise();
    for (let i = 0; i < 101; i++) last().say({ type: 'log', level: 'info', event: 'tick' });
    expect(states.events[1]).toMatchObject({ state: 'restarting', reason: 'flooded', detail: 'it logged more than 100 lines a second' });
  });

  it('a call past its timeout fails as timeout and the plugin is terminated as hung', async () => {
    const { clock, supervisor, last, states } = supervise();
    const first = last();
    const hung = rejection(supervisor.call('changesSince', [null, 100], 30_000));
    clock.advance(30_000);
    const error = await hung;
    expect(isMisError(error) && error.kind === 'timeout').toBe(true);
    expect(first.terminated).toBe(true);
    expect(states.events[1]).toMatchObject({ state: 'restarting', reason: 'hung', detail: 'changesSince took longer than 30 s' });
  });

  it('never queues more than 64 calls: the 65th fails at once', async () => {
    const { supervisor } = supervise();
    for (let i = 0; i < 64; i++) void supervisor.call('health', [], 10_000).catch(() => undefined);
    const error = await rejection(supervisor.call('health', [], 10_000));
    expect(isMisError(error) && error.kind === 'unreachable' && /64 calls waiting/.test(error.message)).toBe(true);
    await supervisor.release();
  });
});
