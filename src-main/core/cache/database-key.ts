import { randomBytes } from 'node:crypto';
import { SecretsUnavailableError, type SecretStore } from '../secrets/secret-store';

/** The database key of this run, and whether this run had to make it. */
export interface DatabaseKeyState {
  key: Buffer;
  /**
   * A new key was made in this run: none was stored (first start, or the secret store was
   * lost), or the stored one could not be read (the OS keychain was reset, the key file was
   * replaced). Files encrypted before cannot be read with it.
   */
  createdNow: boolean;
  /** The stored key existed but could not be read (as opposed to: nothing was stored). */
  previousUnreadable: boolean;
}

/**
 * The 32-byte key both local databases are encrypted with (docs/architecture.md, "Data"). Generated once, at
 * random, and kept only in the secret store (Electron: the OS keychain). Where no protected
 * storage exists the desk refuses to cache patient data rather than write it unencrypted.
 *
 * A stored key that cannot be read any more is replaced by a new one: the files it opened are
 * then set aside (never deleted) by their owners, which say so — the desk keeps working instead
 * of stopping for good. The secret stores keep a copy of the unreadable entry for IT.
 *
 * @throws SecretsUnavailableError when there is nowhere safe to keep the key.
 */
export function loadOrCreateDatabaseKey(secrets: SecretStore): DatabaseKeyState {
  if (secrets.kind === 'unavailable') {
    throw new SecretsUnavailableError('No protected storage for the database key: patient cards cannot be cached on this desk.');
  }
  let previousUnreadable = false;
  try {
    const stored = secrets.get('db.key');
    if (stored !== undefined) {
      const key = Buffer.from(stored, 'hex');
      if (key.length === 32) return { key, createdNow: false, previousUnreadable: false };
      previousUnreadable = true;
    }
  } catch (error) {
    if (!(error instanceof SecretsUnavailableError)) throw error;
    previousUnreadable = true;
  }
  const key = randomBytes(32);
  secrets.set('db.key', key.toString('hex'));
  return { key, createdNow: true, previousUnreadable };
}

/**
 * Loads the key once per run and shares it (and what happened to it) between cache.db and
 * journal.db, so both learn that it was made anew even though only the first one asked.
 */
export class DatabaseKeySource {
  private state: DatabaseKeyState | null = null;

  constructor(private readonly secrets: SecretStore) {}

  /** @throws SecretsUnavailableError (see {@link loadOrCreateDatabaseKey}). */
  load(): DatabaseKeyState {
    this.state ??= loadOrCreateDatabaseKey(this.secrets);
    return this.state;
  }
}
