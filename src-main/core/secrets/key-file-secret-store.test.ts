import { mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger';
import { KeyFileSecretStore } from './key-file-secret-store';

const fresh = () => mkdtempSync(join(tmpdir(), 'rg-secrets-'));

describe('KeyFileSecretStore', () => {
  it('round-trips a secret across restarts without writing it in clear text', () => {
    const dir = fresh();
    new KeyFileSecretStore(dir, silentLogger).set('sip.password', 'Пароль-123!');
    const reopened = new KeyFileSecretStore(dir, silentLogger);
    expect(reopened.get('sip.password')).toBe('Пароль-123!');
    for (const file of readdirSync(dir)) {
      const raw = readFileSync(join(dir, file));
      expect(raw.includes(Buffer.from('Пароль-123!'))).toBe(false);
    }
  });

  it('keeps its key file readable by the owner only', () => {
    const dir = fresh();
    new KeyFileSecretStore(dir, silentLogger);
    expect(statSync(join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('says which secret cannot be opened when the key file was replaced', () => {
    const dir = fresh();
    new KeyFileSecretStore(dir, silentLogger).set('sip.password', 'pw');
    writeFileSync(join(dir, 'secret.key'), Buffer.alloc(32, 7));
    expect(() => new KeyFileSecretStore(dir, silentLogger).get('sip.password')).toThrow(/sip\.password.*cannot be opened/);
  });

  it('refuses a key file of the wrong size instead of overwriting it', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'secret.key'), 'short');
    expect(() => new KeyFileSecretStore(dir, silentLogger)).toThrow(/not a 32-byte key/);
    expect(readFileSync(join(dir, 'secret.key'), 'utf8')).toBe('short');
  });

  it('moves a damaged vault aside instead of deleting it', () => {
    const dir = fresh();
    writeFileSync(join(dir, 'secrets.json'), '{not json');
    const store = new KeyFileSecretStore(dir, silentLogger);
    expect(store.has('sip.password')).toBe(false);
    expect(readdirSync(dir).some((f) => f.startsWith('secrets.json.damaged-'))).toBe(true);
  });

  it('deletes a secret', () => {
    const store = new KeyFileSecretStore(fresh(), silentLogger);
    store.set('sip.password', 'x');
    store.delete('sip.password');
    expect(store.has('sip.password')).toBe(false);
    expect(store.get('sip.password')).toBeUndefined();
  });
});
