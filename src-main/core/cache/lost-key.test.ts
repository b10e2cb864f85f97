import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JournalStatus } from '../../../src-shared/journal/journal-contract';
import type { Core } from '../core';
import { testCores } from '../testing/test-cores';

const context = { host: 'web' as const, client: 't' };
const cores = testCores();
afterEach(() => cores.stopAll());

const startCore = (dataDir: string, options: { offline?: boolean } = {}) => cores.start(dataDir, { demo: { patients: 200, offline: options.offline ?? false } });
const stop = (core: Core) => cores.stop(core);

async function request<T>(core: Core, name: string, input: unknown): Promise<T> {
  const result = await core.dispatcher.dispatch(name as never, input as never, context);
  if (!result.ok) throw new Error(`${name}: ${result.error.code} ${result.error.message}`);
  return result.value as T;
}

describe('the database key is lost (secrets/ deleted)', () => {
  it('keeps journal.db under a dated name with what it held, starts a new journal and cache, and syncs again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-lost-key-'));
    // A day's work with the MIS down: a new-patient draft waits in the outbox, two cards were opened.
    const first = await startCore(dataDir, { offline: true });
    await request(first.core, 'patients.createDraft', { callId: 'c-1', phone: '+79990000001', surname: 'Новикова', givenName: 'Вера' });
    first.core.journal.audit({ actor: 'role:operator', action: 'card.open', misId: '1000001', reason: 'search' });
    first.core.journal.audit({ actor: 'role:operator', action: 'card.open', misId: '1000002', reason: 'search' });
    expect(first.core.journal.stores!.outbox.listUndelivered()).toHaveLength(1);
    await stop(first.core);

    rmSync(join(dataDir, 'secrets'), { recursive: true });
    const { core, logs } = await startCore(dataDir);

    const status = await request<JournalStatus>(core, 'journal.status', {});
    expect(status.state).toBe('open');
    expect(status.kept).toEqual([
      expect.objectContaining({ reason: 'key-lost', undelivered: 1, auditEntries: 2, acknowledged: false, path: expect.stringMatching(/journal\.db\.key-lost-/) }),
    ]);
    const kept = status.kept[0]!;
    expect(existsSync(kept.path)).toBe(true);
    expect(Date.parse(kept.countedAt!)).toBeLessThanOrEqual(Date.parse(kept.keptAt));
    expect(readdirSync(dataDir)).toContain('journal.db');

    // The new journal works: calls are journalled, nothing is claimed to be undelivered from the old one.
    const endedAt = new Date().toISOString();
    expect(await request(core, 'calls.record', { id: 'c-after', direction: 'incoming', number: '79161234567', displayName: '', startedAt: endedAt, answeredAt: null, endedAt, outcome: 'missed' })).toEqual({ recorded: true });
    expect(core.journal.stores!.outbox.listUndelivered()).toEqual([]);

    // The cache could not be read with the new key either: set aside with the same reason, and refilled.
    expect(core.cache.fill).toMatchObject({ reason: 'key-lost', setAside: expect.stringMatching(/cache\.db\.key-lost-/) });
    await waitFor(() => core.cache.fill?.state === 'complete' && core.cache.status().cards === 200);
    // Nothing claims the MIS is "not configured".
    expect(core.status.snapshot().mis).toMatchObject({ state: 'online' });

    expect(logs.find((record) => record.event === 'journal.kept-aside')?.context).toMatchObject({ reason: 'key-lost', undeliveredInKept: 1, auditEntriesInKept: 2 });
  });

  it('the notice is acknowledged once and stays acknowledged after a restart; the kept file stays', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-lost-key-'));
    await stop((await startCore(dataDir)).core);
    rmSync(join(dataDir, 'secrets'), { recursive: true });
    const second = await startCore(dataDir);
    const [kept] = (await request<JournalStatus>(second.core, 'journal.status', {})).kept;
    const announced: unknown[] = [];
    second.core.events.subscribe((name, payload) => {
      if (name === 'journal:changed') announced.push(payload);
    });
    expect(await request<JournalStatus>(second.core, 'journal.acknowledgeKept', { id: kept!.id })).toMatchObject({ kept: [{ id: kept!.id, acknowledged: true }] });
    expect(announced).toHaveLength(1);
    await stop(second.core);

    const third = await startCore(dataDir);
    expect((await request<JournalStatus>(third.core, 'journal.status', {})).kept).toEqual([expect.objectContaining({ id: kept!.id, acknowledged: true })]);
    expect(existsSync(kept!.path)).toBe(true);
  });

  it('a kept journal without a summary says its counts are unknown instead of guessing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-lost-key-'));
    await stop((await startCore(dataDir)).core);
    rmSync(join(dataDir, 'secrets'), { recursive: true });
    rmSync(join(dataDir, 'journal.db.summary.json'));
    const { core } = await startCore(dataDir);
    expect((await request<JournalStatus>(core, 'journal.status', {})).kept).toEqual([
      expect.objectContaining({ reason: 'key-lost', undelivered: null, auditEntries: null, countedAt: null }),
    ]);
  });
});

async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
