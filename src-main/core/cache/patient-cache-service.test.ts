import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { PatientCard } from '../../../src-shared/patients/patient-card';
import { createCore } from '../core';
import { testCard } from '../db/test-support';
import { silentLogger } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { UnavailableSecretStore } from '../secrets/secret-store';
import { MemorySettingsStorage } from '../settings/settings-storage';
import type { IntegrityCheck } from './integrity-check';
import { CHECK_QUIET_MS, PatientCacheService } from './patient-cache-service';

const card: PatientCard = testCard(1, {
  misId: 'P-1',
  surname: 'Ёлкина',
  givenName: 'Алёна',
  phones: [{ e164: '+79161234567', national10: '9161234567', kind: 'mobile' }],
});

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-cache-'));
  const secrets = new KeyFileSecretStore(join(dataDir, 'secrets'), silentLogger);
  return { dataDir, secrets, service: () => new PatientCacheService({ dataDir, secrets, logger: silentLogger, cacheSizeMb: 8, integrityCheck: null }) };
}

describe('PatientCacheService', () => {
  it('creates an encrypted cache with a key kept in the secret store and finds a card after a restart', () => {
    const { dataDir, secrets, service } = setup();
    const first = service();
    first.start();
    first.require().applyCards([card]);
    first.stop();
    expect(secrets.has('db.key')).toBe(true);
    expect(readFileSync(join(dataDir, 'cache.db')).includes(Buffer.from('Ёлкина'))).toBe(false);

    const second = service();
    second.start();
    expect(second.status().dataAsOf).toBeNull();
    second.require().setCursor('patients', 'c1');
    // "Data as of" comes from the file, so it survives a restart.
    second.stop();
    second.start();
    expect(Date.parse(second.status().dataAsOf ?? '')).toBeGreaterThan(Date.now() - 60_000);
    expect(second.search('елкина ал', 10, 0).items.map((c) => c.misId)).toEqual(['P-1']);
    expect(second.byPhone('8 (916) 123-45-67').map((c) => c.misId)).toEqual(['P-1']);
    expect(second.status()).toMatchObject({ available: true, cards: 1, problem: null });
    second.stop();
  });

  it('moves an unreadable cache.db aside (never deletes it) and starts an empty one to refill', async () => {
    const { dataDir, service } = setup();
    const cache = service();
    cache.start(); // makes the key (a cache.db found with no key at all would count as a lost key)
    await cache.stop();
    for (const suffix of ['-wal', '-shm']) rmSync(join(dataDir, 'cache.db' + suffix), { force: true });
    writeFileSync(join(dataDir, 'cache.db'), Buffer.alloc(8192, 0x5a));
    const restarted = service();
    restarted.start();
    expect(restarted.status()).toMatchObject({
      available: true,
      cards: 0,
      fill: { state: 'filling', reason: 'unreadable', setAside: expect.stringContaining('cache.db.unreadable-') },
    });
    expect(readdirSync(dataDir).some((f) => f.startsWith('cache.db.unreadable-'))).toBe(true);
    await restarted.stop();
  });

  it('sets aside the cards of another MIS when the desk is pointed at a new one, at start and while running', async () => {
    const { dataDir, secrets } = setup();
    const make = (misIdentity: string) => new PatientCacheService({ dataDir, secrets, logger: silentLogger, cacheSizeMb: 8, integrityCheck: null, misIdentity });
    const demo = make('demo');
    demo.start();
    demo.require().applyCards([card]);
    await demo.stop();

    const same = make('demo');
    same.start();
    expect(same.status()).toMatchObject({ cards: 1 });
    await same.stop();

    const fhir = make('fhir-r4 http://127.0.0.1:8080/fhir');
    fhir.start();
    expect(fhir.status()).toMatchObject({ cards: 0, fill: { state: 'filling', reason: 'mis-changed', setAside: expect.stringContaining('cache.db.mis-changed-') } });
    fhir.require().applyCards([{ ...card, misId: 'F-1' }]);
    const replaced = vi.fn();
    fhir.onReplaced(replaced);
    expect(await fhir.useMis('fhir-r4 http://127.0.0.1:8080/fhir')).toBe(false);
    expect(replaced).not.toHaveBeenCalled();
    expect(await fhir.useMis('onec-http http://1c.clinic/medicina')).toBe(true);
    expect(replaced).toHaveBeenCalledOnce();
    expect(fhir.status()).toMatchObject({ cards: 0, fill: { reason: 'mis-changed' } });
    expect(fhir.getCard('F-1')).toBeNull();
    await fhir.stop();
    expect(readdirSync(dataDir).filter((f) => /^cache\.db\.mis-changed-[^.]*$/.test(f))).toHaveLength(2);
  });

  it('refuses to cache without protected key storage and says why', () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'rg-cache-'));
    const cache = new PatientCacheService({ dataDir, secrets: new UnavailableSecretStore('no keychain'), logger: silentLogger, integrityCheck: null });
    cache.start();
    expect(cache.status()).toMatchObject({ available: false, problem: expect.stringContaining('cannot be cached') });
    expect(() => cache.search('Иванов', 10, 0)).toThrow(expect.objectContaining({ code: 'CACHE_UNAVAILABLE' }));
  });

  it('answers patients.search through the contract with how the query was understood', async () => {
    const { dataDir, secrets } = setup();
    const core = createCore({ host: 'web', version: 't', dataDir, settingsStorage: new MemorySettingsStorage(), secrets, logger: silentLogger, cacheSizeMb: 8, integrityCheck: null });
    await core.start();
    core.cache.require().applyCards([card]);
    const context = { host: 'web' as const, client: 't' };
    expect(await core.dispatcher.dispatch('patients.search', { query: '4567' }, context)).toMatchObject({
      ok: true,
      value: { understoodAs: 'identifier', total: 1, items: [{ misId: 'P-1' }] },
    });
    expect(await core.dispatcher.dispatch('patients.search', { query: '12' }, context)).toMatchObject({
      ok: true,
      value: { understoodAs: 'invalid', problem: expect.any(String), items: [] },
    });
    expect(await core.dispatcher.dispatch('patients.get', { misId: 'P-404' }, context)).toEqual({ ok: true, value: { card: null } });
    await core.stop();
  });
});

describe('the background check gives way to ringing calls', () => {
  it('a ring stops a running check; it runs again only after a quiet minute, and then every interval', async () => {
    vi.useFakeTimers();
    try {
      const { dataDir, secrets } = setup();
      const runs: { signal: AbortSignal | undefined; finish: () => void }[] = [];
      const check: IntegrityCheck = ({ signal }) =>
        new Promise((resolve) => {
          const run = { signal, finish: () => resolve({ verdict: 'ok', ms: 1 }) };
          runs.push(run);
          signal?.addEventListener('abort', () => resolve({ verdict: 'not-checked', ms: 1, reason: 'stopped' }));
        });
      const cache = new PatientCacheService({ dataDir, secrets, logger: silentLogger, cacheSizeMb: 8, integrityCheck: check, integrityCheckDelayMs: 1_000, integrityCheckIntervalMs: 3_600_000 });
      cache.start();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(runs).toHaveLength(1);

      cache.callRinging();
      expect(runs[0]!.signal?.aborted).toBe(true);
      await vi.advanceTimersByTimeAsync(CHECK_QUIET_MS - 1_000);
      // Another ring half-way through the quiet minute pushes the check out again.
      cache.callRinging();
      await vi.advanceTimersByTimeAsync(1_000);
      expect(runs).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(CHECK_QUIET_MS);
      expect(runs).toHaveLength(2);
      runs[1]!.finish();
      await vi.advanceTimersByTimeAsync(3_600_000);
      expect(runs).toHaveLength(3);
      await cache.stop();
      expect(runs[2]!.signal?.aborted).toBe(true);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('a damaged cache.db on a desk with a journal', () => {
  async function startCore(dataDir: string, secrets: KeyFileSecretStore) {
    const core = createCore({ host: 'web', version: 't', dataDir, settingsStorage: new MemorySettingsStorage(), secrets, logger: silentLogger, cacheSizeMb: 8, demo: { patients: 300 }, integrityCheck: null });
    await core.start();
    return core;
  }

  it.each([
    ['bit-flipped', (raw: Buffer) => {
      const copy = Buffer.from(raw);
      for (let offset = 4096; offset < copy.length; offset += 4096) copy.writeUInt8((copy.readUInt8(offset + 100) ^ 0xff) & 0xff, offset + 100);
      return copy;
    }],
    ['truncated', (raw: Buffer) => raw.subarray(0, Math.floor(raw.length / 3))],
  ])('is moved aside and refilled from the MIS when %s; the journal loses nothing', async (_name, damage) => {
    const { dataDir, secrets } = setup();
    const first = await startCore(dataDir, secrets);
    await waitFor(() => first.cache.status().cards === 300);
    first.journal.audit({ actor: 'role:cashier', action: 'card.open', misId: '1000007', reason: 'search' });
    first.journal.audit({ actor: 'role:cashier', action: 'card.open', misId: '1000008', reason: 'search' });
    await first.stop();

    const cachePath = join(dataDir, 'cache.db');
    writeFileSync(cachePath, damage(readFileSync(cachePath)));
    for (const suffix of ['-wal', '-shm']) rmSync(cachePath + suffix, { force: true });

    const second = await startCore(dataDir, secrets);
    expect(second.cache.status().fill).toMatchObject({ state: 'filling', reason: expect.stringMatching(/^(damaged|unreadable)$/), setAside: expect.stringMatching(/cache\.db\.(damaged|unreadable)-/) });
    await waitFor(() => second.cache.status().cards === 300 && second.cache.fill?.state === 'complete');
    expect(second.journal.stores?.audit.verify()).toEqual({ ok: true, checked: 2, firstBrokenSeq: null });
    expect(readdirSync(dataDir).filter((f) => /^cache\.db\.(damaged|unreadable)-/.test(f)).length).toBeGreaterThan(0);
    await second.stop();
  });
});

/** Polls a condition the sync engine will make true (it runs on real timers here). */
async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}
