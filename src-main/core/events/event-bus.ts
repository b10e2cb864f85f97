import { events, type EventName, type EventPayload } from '../../../src-shared/ipc/contract';
import type { Logger } from '../log/logger';

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/**
 * Push events from the core to every connected renderer (Electron windows, WebSocket clients).
 * Checked like requests: a payload that breaks its contract schema is not sent anywhere (and is
 * logged with the event's name and the first issue, never the payload), so a window never has
 * to trust what main pushes; a listener that throws is logged and the others still get the event.
 */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly logger?: Logger) {}

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** @returns false when the payload broke the contract and nothing was sent. */
  emit<E extends EventName>(name: E, payload: EventPayload<E>): boolean {
    const checked = events[name].safeParse(payload);
    if (!checked.success) {
      const issue = checked.error.issues[0];
      this.logger?.error('events.invalid-payload', { event: name, path: issue?.path.join('.') ?? '', issue: issue?.message ?? 'invalid' });
      return false;
    }
    for (const listener of [...this.listeners]) {
      try {
        listener(name, checked.data as EventPayload<E>);
      } catch (error) {
        this.logger?.error('events.listener-failed', { event: name, error });
      }
    }
    return true;
  }
}
