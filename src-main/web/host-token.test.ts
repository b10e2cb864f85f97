import { describe, expect, it } from 'vitest';
import { silentLogger } from '../core/log/logger';
import type { SecretName } from '../core/secrets/secret-store';
import { hostToken, newToken } from './host-token';

function memorySecrets(initial: Partial<Record<SecretName, string>> = {}) {
  const values = new Map<SecretName, string>(Object.entries(initial) as [SecretName, string][]);
  return {
    values,
    get: (name: SecretName) => values.get(name),
    set: (name: SecretName, value: string) => void values.set(name, value),
  };
}

describe('hostToken', () => {
  it('makes 32-character url-safe tokens that differ every time', () => {
    const a = newToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(newToken()).not.toBe(a);
  });

  it('with --port 0, gives every start a new token and keeps none', () => {
    const secrets = memorySecrets();
    const first = hostToken({ fixedPort: false, renew: false, secrets, logger: silentLogger });
    const second = hostToken({ fixedPort: false, renew: false, secrets, logger: silentLogger });
    expect(first).not.toBe(second);
    expect(secrets.values.size).toBe(0);
  });

  it('with a fixed --port, keeps the token so the same address works after a restart', () => {
    const secrets = memorySecrets();
    const first = hostToken({ fixedPort: true, renew: false, secrets, logger: silentLogger });
    expect(secrets.values.get('web.token')).toBe(first);
    expect(hostToken({ fixedPort: true, renew: false, secrets, logger: silentLogger })).toBe(first);
  });

  it('--new-token replaces the kept token', () => {
    const kept = newToken();
    const secrets = memorySecrets({ 'web.token': kept });
    const renewed = hostToken({ fixedPort: true, renew: true, secrets, logger: silentLogger });
    expect(renewed).not.toBe(kept);
    expect(secrets.values.get('web.token')).toBe(renewed);
  });

  it('replaces a kept value that is not a token, and a store that cannot be read', () => {
    const secrets = memorySecrets({ 'web.token': 'short' });
    const token = hostToken({ fixedPort: true, renew: false, secrets, logger: silentLogger });
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    const broken = {
      get: () => {
        throw new Error('the key file was replaced');
      },
      set: () => {},
    };
    expect(hostToken({ fixedPort: true, renew: false, secrets: broken, logger: silentLogger })).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it('still starts with a fresh token when the store refuses to keep it', () => {
    const refusing = {
      get: () => undefined,
      set: () => {
        throw new Error('read-only');
      },
    };
    const token = hostToken({ fixedPort: true, renew: false, secrets: refusing, logger: silentLogger });
    expect(token).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
