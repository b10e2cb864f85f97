import { describe, expect, it } from 'vitest';
import { createLogger, type LogRecord } from '../log/logger';
import { EventBus } from './event-bus';

function bus() {
  const records: LogRecord[] = [];
  return { bus: new EventBus(createLogger([(record) => records.push(record)])), records };
}

describe('EventBus', () => {
  it('checks every payload against the contract: one that breaks it reaches no window, and the log names the event, not the payload', () => {
    const { bus: events, records } = bus();
    const seen: unknown[] = [];
    events.subscribe((name, payload) => seen.push({ name, payload }));
    expect(events.emit('outbox:changed', { pending: 1, failed: 0 })).toBe(true);
    // A bug in main: a negative count and a patient's name smuggled into an extra field.
    expect(events.emit('outbox:changed', { pending: -1, failed: 0 })).toBe(false);
    expect(events.emit('patient:updated', { misId: 'P-1', surname: 'Ёлкина' } as never)).toBe(false);
    expect(seen).toEqual([{ name: 'outbox:changed', payload: { pending: 1, failed: 0 } }]);
    expect(records.map((record) => [record.event, record.context?.event])).toEqual([
      ['events.invalid-payload', 'outbox:changed'],
      ['events.invalid-payload', 'patient:updated'],
    ]);
    expect(JSON.stringify(records)).not.toContain('Ёлкина');
  });

  it('a listener that throws is logged and the others still get the event', () => {
    const { bus: events, records } = bus();
    const seen: string[] = [];
    events.subscribe(() => {
      throw new Error('a broken window');
    });
    events.subscribe((name) => seen.push(name));
    expect(events.emit('patient:updated', { misId: 'P-1' })).toBe(true);
    expect(seen).toEqual(['patient:updated']);
    expect(records.map((record) => record.event)).toEqual(['events.listener-failed']);
  });

  it('counts its listeners, and an unsubscribe takes one away (what the shift soak watches)', () => {
    const { bus: events } = bus();
    const offWindow = events.subscribe(() => undefined);
    const offService = events.subscribeInternal(() => undefined);
    events.subscribeInternal(() => undefined);
    expect(events.listenerCounts()).toEqual({ windows: 1, internal: 2 });
    offWindow();
    offService();
    expect(events.listenerCounts()).toEqual({ windows: 0, internal: 1 });
  });
});
