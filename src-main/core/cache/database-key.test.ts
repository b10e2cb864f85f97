import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { UnavailableSecretStore } from '../secrets/secret-store';
import { DatabaseKeySource, loadOrCreateDatabaseKey } from './database-key';

const secretsDir = () => join(mkdtempSync(join(tmpdir(), 'rg-key-')), 'secrets');

describe('the database key', () => {
  it('is made once and read back on the next start', () => {
    const dir = secretsDir();
    const first = loadOrCreateDatabaseKey(new KeyFileSecretStore(dir, silentLogger));
    expect(first).toMatchObject({ createdNow: true, previousUnreadable: false });
    expect(first.key).toHaveLength(32);
    const again = loadOrCreateDatabaseKey(new KeyFileSecretStore(dir, silentLogger));
    expect(again).toMatchObject({ createdNow: false, previousUnreadable: false });
    expect(again.key.equals(first.key)).toBe(true);
  });

  it('replaced key file: a new key is made, and the vault that held the old one is kept for IT', () => {
    const dir = secretsDir();
    const old = loadOrCreateDatabaseKey(new KeyFileSecretStore(dir, silentLogger)).key;
    const vaultBefore = readFileSync(join(dir, 'secrets.json'), 'utf8');
    writeFileSync(join(dir, 'secret.key'), randomBytes(32));

    const next = loadOrCreateDatabaseKey(new KeyFileSecretStore(dir, silentLogger));
    expect(next).toMatchObject({ createdNow: true, previousUnreadable: true });
    expect(next.key.equals(old)).toBe(false);
    const kept = readdirSync(dir).filter((name) => name.startsWith('secrets.json.unreadable-'));
    expect(kept).toHaveLength(1);
    expect(readFileSync(join(dir, kept[0]!), 'utf8')).toBe(vaultBefore);
  });

  it('no protected storage: refuses with a reason instead of caching unencrypted', () => {
    expect(() => loadOrCreateDatabaseKey(new UnavailableSecretStore('no keychain'))).toThrow(/cannot be cached/);
  });

  it('DatabaseKeySource loads once per run, so the second file learns the key was made anew', () => {
    const source = new DatabaseKeySource(new KeyFileSecretStore(secretsDir(), silentLogger));
    expect(source.load().createdNow).toBe(true);
    expect(source.load().createdNow).toBe(true);
    expect(source.load().key.equals(source.load().key)).toBe(true);
  });
});
