import { describe, expect, it } from 'vitest';
import type { DeskErrorPayload } from '../../src-shared/ipc/errors';
import { DeskError } from '../../src-shared/ipc/errors';
import type { BridgeState, DeskClient } from './desk-client-types';
import { followRequest } from './follow-request';

/** A bridge whose answers the test releases by hand, with its event and bridge-state listeners. */
function fakeDesk() {
  const answers: { resolve(value: unknown): void; reject(error: unknown): void }[] = [];
  const events = new Set<(payload: unknown) => void>();
  const states = new Set<(state: BridgeState) => void>();
  const desk = {
    request: () => new Promise((resolve, reject) => answers.push({ resolve, reject })),
    on: (_name: string, listener: (payload: unknown) => void) => {
      events.add(listener);
      return () => events.delete(listener);
    },
    onBridgeState: (listener: (state: BridgeState) => void) => {
      states.add(listener);
      return () => states.delete(listener);
    },
  } as unknown as DeskClient;
  return {
    desk,
    answers,
    push: (payload: unknown) => events.forEach((listener) => listener(payload)),
    bridge: (state: BridgeState) => states.forEach((listener) => listener(state)),
    listeners: () => events.size + states.size,
  };
}

const settle = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('followRequest', () => {
  it('shows the answer, then every pushed change; an answer an event overtook is dropped', async () => {
    const fake = fakeDesk();
    const seen: unknown[] = [];
    followRequest(fake.desk, { request: 'callbacks.list', event: 'callbacks:changed', onValue: (v) => seen.push(v), onError: () => undefined });
    fake.push('pushed');
    fake.answers[0]!.resolve('stale answer');
    await settle();
    expect(seen).toEqual(['pushed']);
  });

  it('asks again when the bridge is back after a drop (events were missed), not on a first open', async () => {
    const fake = fakeDesk();
    const seen: unknown[] = [];
    followRequest(fake.desk, { request: 'queue.view', event: 'queue:changed', onValue: (v) => seen.push(v), onError: () => undefined });
    fake.bridge('open');
    expect(fake.answers).toHaveLength(1);
    fake.bridge('reconnecting');
    fake.bridge('open');
    expect(fake.answers).toHaveLength(2);
    fake.answers[1]!.resolve('after the drop');
    await settle();
    expect(seen).toEqual(['after the drop']);
  });

  it('reports a refused load, and after stop() hears nothing and holds no listener', async () => {
    const fake = fakeDesk();
    const errors: DeskErrorPayload[] = [];
    const seen: unknown[] = [];
    const follow = followRequest(fake.desk, { request: 'queue.view', event: 'queue:changed', onValue: (v) => seen.push(v), onError: (e) => errors.push(e) });
    fake.answers[0]!.reject(new DeskError('PBX_UNAVAILABLE', 'no PBX'));
    await settle();
    expect(errors).toEqual([{ code: 'PBX_UNAVAILABLE', message: 'no PBX' }]);
    follow.reload();
    follow.stop();
    fake.answers[1]!.resolve('late');
    fake.push('late event');
    await settle();
    expect(seen).toEqual([]);
    expect(fake.listeners()).toBe(0);
  });
});
