import { expect, it, vi } from 'vitest';

const exposed = vi.hoisted(() => [] as Array<[string, unknown]>);

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, value: unknown) => exposed.push([key, value]) },
  ipcRenderer: { invoke: vi.fn(), on: vi.fn(), removeListener: vi.fn(), send: vi.fn(), sendSync: vi.fn() },
}));

it('exposes one global, window.desk, holding only request and on', async () => {
  await import('./index');
  expect(exposed.map(([key]) => key)).toEqual(['desk']);
  const api = exposed[0]?.[1] as Record<string, unknown>;
  expect(Object.keys(api).sort()).toEqual(['on', 'request']);
  expect(Object.values(api).every((value) => typeof value === 'function')).toBe(true);
});
