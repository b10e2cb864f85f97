import { describe, expect, it } from 'vitest';
import {
  backoffDelayMs,
  initialRegistration,
  REGISTER_TIMEOUT_MS,
  transition,
  type RegistrationInput,
  type RegistrationSnapshot,
} from './registration-machine';

const T0 = 1000;

/** Runs inputs from `offline`, returning the final step. */
function run(inputs: RegistrationInput[], start: RegistrationSnapshot = initialRegistration(T0)) {
  let snapshot = start;
  let commands: unknown[] = [];
  let t = T0;
  for (const input of inputs) {
    t += 10;
    ({ snapshot, commands: commands } = transition(snapshot, input, t) as { snapshot: RegistrationSnapshot; commands: unknown[] });
  }
  return { snapshot, commands };
}

const START: RegistrationInput = { type: 'start' };
const UP: RegistrationInput = { type: 'transportConnected' };
const LOST: RegistrationInput = { type: 'transportLost' };
const OK: RegistrationInput = { type: 'registered' };
const DUE: RegistrationInput = { type: 'reconnectDue' };
const reject = (status: number): RegistrationInput => ({ type: 'registrationRejected', status });

describe('registration machine (RFC 3261 §10)', () => {
  it('starts offline with no reason', () => {
    expect(initialRegistration(5)).toEqual({ state: 'offline', since: 5, reason: null, phase: null, attempt: 0, transportUp: false });
  });

  it('start → connecting → registering → registered', () => {
    let s = initialRegistration(T0);
    let step = transition(s, START, 1);
    expect(step.snapshot.state).toBe('connecting');
    expect(step.commands).toEqual([{ type: 'disposeRegistererAndCreateNew' }, { type: 'connectTransport' }]);
    s = step.snapshot;
    step = transition(s, UP, 2);
    expect(step.snapshot).toMatchObject({ state: 'registering', since: 2, transportUp: true });
    expect(step.commands).toEqual([{ type: 'sendRegister', timeoutMs: REGISTER_TIMEOUT_MS }]);
    step = transition(step.snapshot, OK, 3);
    expect(step.snapshot).toMatchObject({ state: 'registered', since: 3, reason: null, attempt: 0 });
    expect(step.commands).toEqual([]);
  });

  it('a refresh 2xx while registered keeps `since`', () => {
    const { snapshot } = run([START, UP, OK]);
    const step = transition(snapshot, OK, 99_999);
    expect(step.snapshot.since).toBe(snapshot.since);
  });

  it.each([401, 403, 407])('%i after auth → failed/wrong-password, no retry', (status) => {
    const { snapshot, commands } = run([START, UP, reject(status)]);
    expect(snapshot).toMatchObject({ state: 'failed', reason: 'wrong-password' });
    expect(commands).toEqual([{ type: 'disposeRegistererAndCreateNew' }, { type: 'disconnectTransport' }]);
    // Nothing scheduled, and timers or transport events do not revive it.
    expect(run([DUE, LOST, { type: 'keepAliveFailed' }, { type: 'registrationTimedOut' }], snapshot).snapshot).toMatchObject({ state: 'failed', reason: 'wrong-password' });
  });

  it('404 → failed/unknown-user', () => {
    expect(run([START, UP, reject(404)]).snapshot).toMatchObject({ state: 'failed', reason: 'unknown-user' });
  });

  it('a refresh REGISTER refused with 403 while registered → failed', () => {
    expect(run([START, UP, OK, reject(403)]).snapshot).toMatchObject({ state: 'failed', reason: 'wrong-password' });
  });

  it('503 → reconnecting/rejected with backoff, keeping the transport', () => {
    const { snapshot, commands } = run([START, UP, reject(503)]);
    expect(snapshot).toMatchObject({ state: 'reconnecting', reason: 'rejected', phase: 'waiting', transportUp: true });
    expect(commands).toEqual([{ type: 'disposeRegistererAndCreateNew' }, { type: 'scheduleReconnect', delayMs: 1000 }]);
    const next = transition(snapshot, DUE, 5000);
    expect(next.snapshot).toMatchObject({ state: 'reconnecting', phase: 'registering' });
    expect(next.commands).toEqual([{ type: 'sendRegister', timeoutMs: REGISTER_TIMEOUT_MS }]);
  });

  it('failed → start again (operator fixed the password)', () => {
    const { snapshot } = run([START, UP, reject(403), START]);
    expect(snapshot).toMatchObject({ state: 'connecting', reason: null });
  });

  it('transport loss while registered → reconnecting, new Registerer, 1 s backoff', () => {
    const { snapshot, commands } = run([START, UP, OK, LOST]);
    expect(snapshot).toMatchObject({ state: 'reconnecting', reason: 'unreachable', phase: 'waiting', attempt: 0, transportUp: false });
    expect(commands).toEqual([{ type: 'disposeRegistererAndCreateNew' }, { type: 'scheduleReconnect', delayMs: 1000 }]);
  });

  it('keep-alive failure closes the half-open socket too', () => {
    const { snapshot, commands } = run([START, UP, OK, { type: 'keepAliveFailed' }]);
    expect(snapshot).toMatchObject({ state: 'reconnecting', reason: 'unreachable', transportUp: false });
    expect(commands).toEqual([
      { type: 'disposeRegistererAndCreateNew' },
      { type: 'disconnectTransport' },
      { type: 'scheduleReconnect', delayMs: 1000 },
    ]);
  });

  it('stuck REGISTER (no answer) → dispose Registerer, drop transport, retry', () => {
    const { snapshot, commands } = run([START, UP, { type: 'registrationTimedOut' }]);
    expect(snapshot).toMatchObject({ state: 'reconnecting', reason: 'unreachable', phase: 'waiting' });
    expect(commands).toEqual([
      { type: 'disposeRegistererAndCreateNew' },
      { type: 'disconnectTransport' },
      { type: 'scheduleReconnect', delayMs: 1000 },
    ]);
  });

  it('initial connect failure → reconnecting/unreachable', () => {
    expect(run([START, LOST]).snapshot).toMatchObject({ state: 'reconnecting', reason: 'unreachable' });
  });

  it('a server that never comes back: stays reconnecting with backoff 1,2,4,8,16,30,30,30 s and the same `since`', () => {
    let { snapshot } = run([START, UP, OK]);
    let step = transition(snapshot, LOST, 2000);
    snapshot = step.snapshot;
    const since = snapshot.since;
    const delays: number[] = [];
    const first = step.commands.find((c) => c.type === 'scheduleReconnect');
    if (first?.type === 'scheduleReconnect') delays.push(first.delayMs);
    for (let i = 0; i < 7; i++) {
      step = transition(snapshot, DUE, 3000 + i);
      expect(step.snapshot).toMatchObject({ state: 'reconnecting', phase: 'connecting' });
      expect(step.commands).toEqual([{ type: 'connectTransport' }]);
      step = transition(step.snapshot, LOST, 3000 + i);
      snapshot = step.snapshot;
      expect(snapshot).toMatchObject({ state: 'reconnecting', reason: 'unreachable', phase: 'waiting', since });
      const c = step.commands.find((x) => x.type === 'scheduleReconnect');
      if (c?.type === 'scheduleReconnect') delays.push(c.delayMs);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('reconnect succeeds: connecting → registering inside reconnecting, then registered with the backoff reset', () => {
    const { snapshot } = run([START, UP, OK, LOST, DUE, LOST, DUE]);
    expect(snapshot).toMatchObject({ state: 'reconnecting', phase: 'connecting', attempt: 1 });
    const up = transition(snapshot, UP, 50_000);
    expect(up.snapshot).toMatchObject({ state: 'reconnecting', phase: 'registering', reason: 'unreachable' });
    expect(up.commands).toEqual([{ type: 'sendRegister', timeoutMs: REGISTER_TIMEOUT_MS }]);
    const ok = transition(up.snapshot, OK, 50_100);
    expect(ok.snapshot).toMatchObject({ state: 'registered', since: 50_100, reason: null, attempt: 0, phase: null });
    // The next loss starts the backoff from 1 s again.
    expect(transition(ok.snapshot, LOST, 60_000).commands).toContainEqual({ type: 'scheduleReconnect', delayMs: 1000 });
  });

  it('a stuck REGISTER during reconnect keeps backing off', () => {
    const { snapshot, commands } = run([START, UP, OK, LOST, DUE, UP, { type: 'registrationTimedOut' }]);
    expect(snapshot).toMatchObject({ state: 'reconnecting', phase: 'waiting', attempt: 1 });
    expect(commands).toContainEqual({ type: 'scheduleReconnect', delayMs: 2000 });
    expect(commands).toContainEqual({ type: 'disposeRegistererAndCreateNew' });
  });

  it('stop while registered un-REGISTERs, then drops the transport', () => {
    const { snapshot, commands } = run([START, UP, OK, { type: 'stop' }]);
    expect(snapshot).toMatchObject({ state: 'offline', reason: null, transportUp: false });
    expect(commands).toEqual([{ type: 'unregister' }, { type: 'disposeRegistererAndCreateNew' }, { type: 'disconnectTransport' }]);
  });

  it('stop while reconnecting cancels everything; late events are ignored', () => {
    const { snapshot, commands } = run([START, UP, OK, LOST, { type: 'stop' }]);
    expect(snapshot.state).toBe('offline');
    expect(commands).not.toContainEqual({ type: 'unregister' });
    for (const late of [DUE, UP, OK, LOST, reject(403), { type: 'registrationTimedOut' } as const, { type: 'keepAliveFailed' } as const]) {
      const step = transition(snapshot, late, 99);
      expect(step.snapshot.state).toBe('offline');
      expect(step.commands).toEqual([]);
    }
  });

  it('ignores a late REGISTER response when not registering', () => {
    const { snapshot } = run([START]);
    expect(transition(snapshot, OK, 5).snapshot.state).toBe('connecting');
    expect(transition(snapshot, reject(403), 5).snapshot.state).toBe('connecting');
  });

  it('ignores a duplicate start', () => {
    const { snapshot } = run([START, UP]);
    expect(transition(snapshot, START, 5)).toEqual({ snapshot, commands: [] });
  });

  it('a second loss while already waiting does not double-schedule', () => {
    const { snapshot } = run([START, UP, OK, LOST]);
    expect(transition(snapshot, LOST, 5).commands).toEqual([]);
    expect(transition(snapshot, { type: 'keepAliveFailed' }, 5).commands).toEqual([]);
  });

  it('backoff caps at 30 s', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 50, 1e9].map(backoffDelayMs)).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000, 30000]);
  });

  it('while waiting out a backoff after an unreachable server, probes it every second; a reachable probe reconnects at once', () => {
    const lost = run([START, UP, OK, LOST, DUE, LOST, DUE, LOST]);
    expect(lost.snapshot).toMatchObject({ state: 'reconnecting', phase: 'waiting', reason: 'unreachable', attempt: 2 });
    expect(lost.commands).toContainEqual({ type: 'scheduleReconnect', delayMs: 4000 });
    expect(lost.commands).toContainEqual({ type: 'probeServer', delayMs: 1000 });
    // Still down: probe again in a second, nothing else.
    expect(transition(lost.snapshot, { type: 'probeFailed' }, 5000).commands).toEqual([{ type: 'probeServer', delayMs: 1000 }]);
    // Back: connect now instead of waiting for the 4 s step.
    const back = transition(lost.snapshot, { type: 'serverReachable' }, 5000);
    expect(back.snapshot).toMatchObject({ state: 'reconnecting', phase: 'connecting' });
    expect(back.commands).toEqual([{ type: 'connectTransport' }]);
  });

  it('never probes a registrar that answered 503, nor after the first 1 s step, nor once reconnecting has moved on', () => {
    const rejected = run([START, UP, reject(503)]);
    expect(rejected.commands.some((c) => (c as { type: string }).type === 'probeServer')).toBe(false);
    expect(transition(rejected.snapshot, { type: 'serverReachable' }, 5000).snapshot).toBe(rejected.snapshot);
    const firstStep = run([START, UP, OK, LOST]);
    expect(firstStep.commands.some((c) => (c as { type: string }).type === 'probeServer')).toBe(false);
    const connecting = run([START, UP, OK, LOST, DUE]);
    expect(transition(connecting.snapshot, { type: 'probeFailed' }, 5000).commands).toEqual([]);
    expect(transition(connecting.snapshot, { type: 'serverReachable' }, 5000).commands).toEqual([]);
  });
});
