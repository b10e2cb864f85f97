import { systemClock, type Clock } from '../../src-shared/time/clock';
import {
  initialRegistration,
  isRegistering,
  transition,
  type RegistrationInput,
  type RegistrationSnapshot,
} from './registration-machine';

/**
 * The SIP side effects of registration. The adapter reports results back by calling
 * {@link RegistrationController.dispatch}; none of these may throw synchronously into the machine.
 */
export interface RegistrationEffects {
  /** Open the WebSocket (RFC 7118); report `transportConnected` or `transportLost`. */
  connectTransport(): void;
  disconnectTransport(): void;
  /** Send REGISTER (RFC 3261 §10.2); report `registered` or `registrationRejected`. */
  sendRegister(): void;
  disposeRegistererAndCreateNew(): void;
  /** REGISTER with `Expires: 0` (RFC 3261 §10.2.2), best effort. */
  unregister(): void;
  /**
   * Open a WebSocket to the server and close it at once (no SIP); report `serverReachable` or
   * `probeFailed`. Optional: without it the desk simply waits out each backoff step.
   */
  probeServer?(): void;
}

/**
 * Runs the pure registration machine: applies its commands through {@link RegistrationEffects},
 * owns the two timers (reconnect backoff, stuck-REGISTER timeout) and tells listeners about
 * every snapshot change.
 */
export class RegistrationController {
  private current: RegistrationSnapshot;
  private reconnectTimer: unknown = null;
  private registerTimer: unknown = null;
  private probeTimer: unknown = null;
  private readonly listeners = new Set<(s: RegistrationSnapshot) => void>();
  private dispatching = false;
  private readonly queue: RegistrationInput[] = [];

  constructor(
    private readonly effects: RegistrationEffects,
    private readonly clock: Clock = systemClock,
  ) {
    this.current = initialRegistration(clock.now());
  }

  get snapshot(): RegistrationSnapshot {
    return this.current;
  }

  subscribe(listener: (s: RegistrationSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Feed an input. Re-entrant calls (an effect that reports synchronously) are queued so each
   * transition completes, commands included, before the next one starts.
   */
  dispatch(input: RegistrationInput): void {
    this.queue.push(input);
    if (this.dispatching) return;
    this.dispatching = true;
    try {
      for (let next = this.queue.shift(); next; next = this.queue.shift()) this.step(next);
    } finally {
      this.dispatching = false;
    }
  }

  private step(input: RegistrationInput): void {
    const prev = this.current;
    const { snapshot, commands } = transition(prev, input, this.clock.now());
    this.current = snapshot;
    // A REGISTER timer belongs to the REGISTER in flight; leaving that phase (or re-sending) ends it.
    if (!isRegistering(snapshot) || commands.some((c) => c.type === 'sendRegister')) this.clearRegisterTimer();
    if (snapshot.state !== 'reconnecting' || snapshot.phase !== 'waiting') {
      this.clearReconnectTimer();
      this.clearProbeTimer();
    }
    for (const command of commands) {
      switch (command.type) {
        case 'connectTransport':
          this.effects.connectTransport();
          break;
        case 'disconnectTransport':
          this.effects.disconnectTransport();
          break;
        case 'disposeRegistererAndCreateNew':
          this.effects.disposeRegistererAndCreateNew();
          break;
        case 'unregister':
          this.effects.unregister();
          break;
        case 'sendRegister':
          this.registerTimer = this.clock.setTimeout(() => {
            this.registerTimer = null;
            this.dispatch({ type: 'registrationTimedOut' });
          }, command.timeoutMs);
          this.effects.sendRegister();
          break;
        case 'scheduleReconnect':
          this.clearReconnectTimer();
          this.reconnectTimer = this.clock.setTimeout(() => {
            this.reconnectTimer = null;
            this.dispatch({ type: 'reconnectDue' });
          }, command.delayMs);
          break;
        case 'probeServer': {
          this.clearProbeTimer();
          const probe = this.effects.probeServer?.bind(this.effects);
          if (!probe) break;
          this.probeTimer = this.clock.setTimeout(() => {
            this.probeTimer = null;
            probe();
          }, command.delayMs);
          break;
        }
      }
    }
    if (snapshot !== prev) for (const listener of this.listeners) listener(snapshot);
  }

  private clearRegisterTimer(): void {
    if (this.registerTimer !== null) this.clock.clearTimeout(this.registerTimer);
    this.registerTimer = null;
  }

  private clearProbeTimer(): void {
    if (this.probeTimer !== null) this.clock.clearTimeout(this.probeTimer);
    this.probeTimer = null;
  }

  private clearReconnectTimer(): void {
    if (this.reconnectTimer !== null) this.clock.clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }
}
