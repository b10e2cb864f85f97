import type { EventName, EventPayload } from '../../../src-shared/ipc/contract';

export type EventListener = <E extends EventName>(name: E, payload: EventPayload<E>) => void;

/** Push events from the core to every connected renderer (Electron windows, WebSocket clients). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(name: E, payload: EventPayload<E>): void {
    for (const listener of [...this.listeners]) listener(name, payload);
  }
}
