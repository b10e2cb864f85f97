import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventName } from '../../../src-shared/ipc/contract';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { createCore, type Core } from '../core';
import { silentLogger } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { UnavailableSecretStore, type SecretStore } from '../secrets/secret-store';
import { MemorySettingsStorage } from '../settings/settings-storage';
import { openJournalDatabase } from '../journal/open-journal';
import { Outbox, type OutboxItem } from '../sync/outbox';
import { loadOrCreateDatabaseKey } from '../cache/database-key';

const context = { host: 'web' as const, client: 't' };
const cores: Core[] = [];
afterEach(async () => {
  for (const core of cores.splice(0)) await core.stop();
});

/**
 * A core whose MIS is not the demo clinic: journal.db opens but no sender runs, so the test
 * alone decides what happens to each outbox row.
 */
async function startCore(options: { misId?: string; secrets?: SecretStore } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-link-'));
  const secrets = options.secrets ?? new KeyFileSecretStore(join(dataDir, 'secrets'), silentLogger);
  const settings = { ...structuredClone(DEFAULT_SETTINGS), connectors: { ...DEFAULT_SETTINGS.connectors, mis: { id: options.misId ?? 'none', config: {} } } };
  const core = createCore({
    host: 'web',
    version: 't',
    dataDir,
    settingsStorage: new MemorySettingsStorage(settings),
    secrets,
    logger: silentLogger,
    cacheSizeMb: 8,
    demo: { patients: 50 },
  });
  cores.push(core);
  const events: { name: EventName; payload: unknown }[] = [];
  core.events.subscribe((name, payload) => events.push({ name, payload }));
  await core.start();
  /**
   * Enqueues a note carrying patient data and lets the MIS refuse it for good, through a second
   * connection to the desk's journal.db (as a feature writing its own local change would).
   */
  const failedNote = (reason: string): OutboxItem => {
    const db = openJournalDatabase({ path: join(dataDir, 'journal.db'), key: loadOrCreateDatabaseKey(secrets).key });
    try {
      const outbox = new Outbox(db);
      const item = db.transaction(() => outbox.enqueue('note', { surname: 'Ёлкина', text: 'аллергия на пенициллин' }))();
      expect(outbox.claimDue(10).map((claimed) => claimed.id)).toEqual([item.id]);
      outbox.markFailed(item.id, reason);
      return item;
    } finally {
      db.close();
    }
  };
  return { core, events, failedNote };
}

describe('outbox.undelivered / outbox.retry', () => {
  it('lists a failed write with its reason and attempts, and never its payload', async () => {
    const { core, failedNote } = await startCore();
    const item = failedNote('rejected: Пациент не найден в МИС');
    const result = await core.dispatcher.dispatch('outbox.undelivered', {}, context);
    expect(result).toEqual({
      ok: true,
      value: {
        items: [
          {
            id: item.id,
            kind: 'note',
            state: 'failed',
            attempts: 1,
            lastError: 'rejected: Пациент не найден в МИС',
            createdAt: new Date(item.createdAt).toISOString(),
            nextAttemptAt: null,
          },
        ],
      },
    });
    const wire = JSON.stringify(result);
    expect(wire).not.toContain('Ёлкина');
    expect(wire).not.toContain('payload');
    expect(wire).not.toContain(item.idempotencyKey);
  });

  it('retry moves a failed write back to pending, due now, and announces the new counts', async () => {
    const { core, events, failedNote } = await startCore();
    const item = failedNote('rejected: слот занят');
    expect(await core.dispatcher.dispatch('outbox.retry', { id: item.id }, context)).toEqual({ ok: true, value: { retried: true } });
    const after = await core.dispatcher.dispatch('outbox.undelivered', {}, context);
    expect(after).toMatchObject({ ok: true, value: { items: [{ id: item.id, state: 'pending', attempts: 1, nextAttemptAt: expect.any(String) }] } });
    expect(core.journal.stores!.outbox.get(item.id)?.idempotencyKey).toBe(item.idempotencyKey);
    expect(events.filter((e) => e.name === 'outbox:changed').map((e) => e.payload)).toEqual([{ pending: 1, failed: 0 }]);
    // A second press (or an item that is not failed) changes nothing.
    expect(await core.dispatcher.dispatch('outbox.retry', { id: item.id }, context)).toEqual({ ok: true, value: { retried: false } });
    expect(await core.dispatcher.dispatch('outbox.retry', { id: 999 }, context)).toEqual({ ok: true, value: { retried: false } });
  });

  it('with the demo clinic, a retried write is delivered by the sender and the badge is told it is gone', async () => {
    const { core, events, failedNote } = await startCore({ misId: 'demo' });
    const item = failedNote('rejected: временно');
    expect(await core.dispatcher.dispatch('outbox.retry', { id: item.id }, context)).toMatchObject({ ok: true, value: { retried: true } });
    await waitFor(() => core.journal.stores!.outbox.get(item.id)?.state === 'delivered');
    await waitFor(() => events.some((e) => e.name === 'outbox:changed' && JSON.stringify(e.payload) === '{"pending":0,"failed":0}'));
    expect(await core.dispatcher.dispatch('outbox.undelivered', {}, context)).toEqual({ ok: true, value: { items: [] } });
  });

  it('without a journal: an empty list, and retry says the outbox is not available', async () => {
    const { core } = await startCore({ secrets: new UnavailableSecretStore('no keychain') });
    expect(core.journal.stores).toBeNull();
    expect(await core.dispatcher.dispatch('outbox.undelivered', {}, context)).toEqual({ ok: true, value: { items: [] } });
    expect(await core.dispatcher.dispatch('outbox.retry', { id: 1 }, context)).toMatchObject({ ok: false, error: { code: 'JOURNAL_UNAVAILABLE' } });
  });
});

/** Polls a condition the sender will make true (it runs on real timers here); no fixed sleeps. */
async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
