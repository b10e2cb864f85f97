import { randomBytes } from 'node:crypto';
import { SecretsUnavailableError, type SecretStore } from '../secrets/secret-store';

/**
 * The 32-byte key both local databases are encrypted with (DESIGN §4). Generated once, at
 * random, and kept only in the secret store (Electron: the OS keychain). Where no protected
 * storage exists the desk refuses to cache patient data rather than write it unencrypted.
 *
 * @throws SecretsUnavailableError when there is nowhere safe to keep the key.
 */
export function loadOrCreateDatabaseKey(secrets: SecretStore): Buffer {
  if (secrets.kind === 'unavailable') {
    throw new SecretsUnavailableError('No protected storage for the database key: patient cards cannot be cached on this desk.');
  }
  const stored = secrets.get('db.key');
  if (stored !== undefined) {
    const key = Buffer.from(stored, 'hex');
    if (key.length !== 32) throw new SecretsUnavailableError('The stored database key is damaged (not 32 bytes).');
    return key;
  }
  const key = randomBytes(32);
  secrets.set('db.key', key.toString('hex'));
  return key;
}
