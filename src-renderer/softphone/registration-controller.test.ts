import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src-shared/time/manual-clock';
import { RegistrationController, type RegistrationEffects } from './registration-controller';
import type { RegistrationSnapshot } from './registration-machine';

function setup() {
  const clock = new ManualClock();
  const log: string[] = [];
  const effects: RegistrationEffects = {
    connectTransport: () => log.push('connect'),
    disconnectTransport: () => log.push('disconnect'),
    sendRegister: () => log.push('REGISTER'),
    disposeRegistererAndCreateNew: () => log.push('newRegisterer'),
    unregister: () => log.push('unREGISTER'),
  };
  const controller = new RegistrationController(effects, clock);
  const states: RegistrationSnapshot['state'][] = [];
  controller.subscribe((s) => {
    if (states.at(-1) !== s.state) states.push(s.state);
  });
  return { clock, log, controller, states };
}

describe('RegistrationController with a fake clock', () => {
  it('stuck REGISTER: after 10 s without an answer it disposes the Registerer and retries after 1 s', () => {
    const { clock, log, controller } = setup();
    controller.dispatch({ type: 'start' });
    controller.dispatch({ type: 'transportConnected' });
    expect(log).toEqual(['newRegisterer', 'connect', 'REGISTER']);
    clock.advance(9_999);
    expect(controller.snapshot.state).toBe('registering');
    clock.advance(1);
    expect(controller.snapshot).toMatchObject({ state: 'reconnecting', reason: 'unreachable', since: clock.now() });
    expect(log.slice(3)).toEqual(['newRegisterer', 'disconnect']);
    clock.advance(1_000);
    expect(log.at(-1)).toBe('connect');
    controller.dispatch({ type: 'transportConnected' });
    expect(log.at(-1)).toBe('REGISTER');
    controller.dispatch({ type: 'registered' });
    expect(controller.snapshot.state).toBe('registered');
    // The register timer is gone once answered: nothing fires later.
    expect(clock.pending()).toEqual([]);
  });

  it('an answered REGISTER cancels its timeout', () => {
    const { clock, controller } = setup();
    controller.dispatch({ type: 'start' });
    controller.dispatch({ type: 'transportConnected' });
    controller.dispatch({ type: 'registered' });
    clock.advance(60_000);
    expect(controller.snapshot.state).toBe('registered');
  });

  it('server down for good: retries at 1, 2, 4, 8, 16, 30, 30 s and stays reconnecting/unreachable', () => {
    const { clock, log, controller, states } = setup();
    controller.dispatch({ type: 'start' });
    controller.dispatch({ type: 'transportConnected' });
    controller.dispatch({ type: 'registered' });
    controller.dispatch({ type: 'transportLost' });
    const attemptsAt: number[] = [];
    const t0 = clock.now();
    for (let i = 0; i < 7; i++) {
      const before = log.length;
      const [delay] = clock.pending();
      clock.advance(delay!);
      expect(log.slice(before)).toEqual(['connect']);
      attemptsAt.push((clock.now() - t0) / 1000);
      controller.dispatch({ type: 'transportLost' }); // connect attempt failed
      expect(controller.snapshot).toMatchObject({ state: 'reconnecting', reason: 'unreachable' });
    }
    expect(attemptsAt).toEqual([1, 3, 7, 15, 31, 61, 91]);
    expect(states).toEqual(['connecting', 'registering', 'registered', 'reconnecting']);
  });

  it('server restarts: reconnecting → registered, no ghost timers left', () => {
    const { clock, controller } = setup();
    controller.dispatch({ type: 'start' });
    controller.dispatch({ type: 'transportConnected' });
    controller.dispatch({ type: 'registered' });
    controller.dispatch({ type: 'transportLost' });
    clock.advance(1_000);
    controller.dispatch({ type: 'transportConnected' });
    controller.dispatch({ type: 'registered' });
    expect(controller.snapshot.state).toBe('registered');
    expect(clock.pending()).toEqual([]);
  });

  it('stop while waiting cancels the reconnect timer', () => {
    const { clock, log, controller } = setup();
    controller.dispatch({ type: 'start' });
    controller.dispatch({ type: 'transportLost' });
    controller.dispatch({ type: 'stop' });
    const before = log.length;
    clock.advance(120_000);
    expect(log.length).toBe(before);
    expect(controller.snapshot.state).toBe('offline');
  });

  it('effects that report synchronously are processed in order', () => {
    const clock = new ManualClock();
    const log: string[] = [];
    // eslint-disable-next-line prefer-const
    let controller: RegistrationController;
    const effects: RegistrationEffects = {
      connectTransport: () => controller.dispatch({ type: 'transportConnected' }),
      disconnectTransport: () => log.push('disconnect'),
      sendRegister: () => controller.dispatch({ type: 'registered' }),
      disposeRegistererAndCreateNew: () => log.push('newRegisterer'),
      unregister: () => log.push('unREGISTER'),
    };
    controller = new RegistrationController(effects, clock);
    controller.dispatch({ type: 'start' });
    expect(controller.snapshot.state).toBe('registered');
    expect(clock.pending()).toEqual([]);
  });

  it('a registrar down for 10 s is back within about a second of its restart, not at the next 8 s backoff step', () => {
    const clock = new ManualClock();
    const log: string[] = [];
    let serverUp = true;
    const probes: number[] = [];
    const controller: RegistrationController = new RegistrationController(
      {
        connectTransport: () => {
          log.push('connect');
          controller.dispatch({ type: serverUp ? 'transportConnected' : 'transportLost' });
        },
        disconnectTransport: () => log.push('disconnect'),
        sendRegister: () => log.push('REGISTER'),
        disposeRegistererAndCreateNew: () => log.push('newRegisterer'),
        unregister: () => log.push('unREGISTER'),
        probeServer: () => {
          probes.push(clock.now());
          controller.dispatch({ type: serverUp ? 'serverReachable' : 'probeFailed' });
        },
      },
      clock,
    );
    controller.dispatch({ type: 'start' });
    controller.dispatch({ type: 'registered' });
    expect(controller.snapshot.state).toBe('registered');
    const lostAt = clock.now();
    serverUp = false;
    controller.dispatch({ type: 'transportLost' });
    // Attempts at +1 s, +3 s, +7 s fail (backoff 1, 2, 4 s); then it would wait 8 s, until +15 s.
    clock.advance(10_000);
    expect(controller.snapshot).toMatchObject({ state: 'reconnecting', reason: 'unreachable' });
    serverUp = true;
    const restartedAt = clock.now();
    for (let i = 0; i < 20 && controller.snapshot.phase !== 'registering'; i++) clock.advance(100);
    expect(log.at(-1)).toBe('REGISTER');
    expect(clock.now() - restartedAt).toBeLessThanOrEqual(1_000);
    controller.dispatch({ type: 'registered' });
    expect(controller.snapshot.state).toBe('registered');
    // Probes ran only while waiting, about one a second, and stop once registered.
    expect(probes.length).toBeGreaterThan(3);
    expect(probes.every((at) => at > lostAt)).toBe(true);
    expect(clock.pending()).toEqual([]);
  });
});
