import { events, type EventName, type EventPayload } from '../../../src-shared/ipc/contract';
import type { Logger } from '../log/logger';

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** What a window may receive of an event: the payload masked for the session, or null to send nothing. */
export type OutboundFilter = <E extends EventName>(name: E, payload: EventPayload<E>) => EventPayload<E> | null;

/**
 * Push events from the core to every connected renderer (Electron windows, WebSocket clients).
 * Checked like requests: a payload that breaks its contract schema is not sent anywhere (and is
 * logged with the event's name and the first issue, never the payload), so a window never has
 * to trust what main pushes; a listener that throws is logged and the others still get the event.
 *
 * Windows (`subscribe`, the hosts) get each payload through the outbound filter — the session's
 * masking, so a locked desk's windows receive no patient data; the core's own services
 * (`subscribeInternal`) get it whole.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();
  private readonly internal = new Set<EventListener>();
  private outbound: OutboundFilter = (_name, payload) => payload;

  constructor(private readonly logger?: Logger) {}

  /** A window's subscription (Electron IPC, the browser host's WebSocket): payloads pass the outbound filter. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A core service's subscription: payloads as emitted. */
  subscribeInternal(listener: EventListener): () => void {
    this.internal.add(listener);
    return () => this.internal.delete(listener);
  }

  /**
   * How many listen now: windows (`subscribe`) and core services (`subscribeInternal`). The
   * shift soak (`core/soak/`) checks that neither grows over a shift of calls.
   */
  listenerCounts(): { windows: number; internal: number } {
    return { windows: this.listeners.size, internal: this.internal.size };
  }

  /** Sets what windows receive of each event (the core sets the session's masking once). */
  setOutboundFilter(filter: OutboundFilter): void {
    this.outbound = filter;
  }

  /** @returns false when the payload broke the contract and nothing was sent. */
  emit<E extends EventName>(name: E, payload: EventPayload<E>): boolean {
    const checked = events[name].safeParse(payload);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      this.logger?.error('events.invalid-payload', { event: name, path: issue?.path.join('.') ?? '', issue: issue?.message ?? 'invalid' });
      return false;
    }
    const payloadIn = checked.data as EventPayload<E>;
    this.deliver(this.internal, name, payloadIn);
    if (this.listeners.size === 0) return true;
    let payloadOut: EventPayload<E> | null;
    try {
      payloadOut = this.outbound(name, payloadIn);
    } catch (error) {
      // A masking that fails sends nothing rather than the unmasked payload.
      this.logger?.error('events.outbound-filter-failed', { event: name, error });
      return true;
    }
    if (payloadOut !== null) this.deliver(this.listeners, name, payloadOut);
    return true;
  }

  private deliver<E extends EventName>(listeners: Set<EventListener>, name: E, payload: EventPayload<E>): void {
    for (const listener of [...listeners]) {
      try {
        listener(name, payload);
      } catch (error) {
        this.logger?.error('events.listener-failed', { event: name, error });
      }
    }
  }
}
