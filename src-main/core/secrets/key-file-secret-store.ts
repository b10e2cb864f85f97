import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../log/logger';
import { opensSecret, SecretsUnavailableError, type SecretName, type SecretStore } from './secret-store';

const KEY_FILE = 'secret.key';
const VAULT_FILE = 'secrets.json';

/**
 * Secrets sealed with AES-256-GCM under a random key kept in a 0600 file beside them.
 * Weaker than the OS keychain (anyone who can read the data folder has both), which is why
 * it is only the browser host's and the tests' mode and is logged as such once.
 */
export class KeyFileSecretStore implements SecretStore {
  readonly kind = 'key-file' as const;
  private readonly key: Buffer;
  private vault: Record<string, string>;

  constructor(
    private readonly dir: string,
    private readonly logger: Logger,
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.key = loadOrCreateKey(join(dir, KEY_FILE));
    this.vault = loadVault(join(dir, VAULT_FILE));
    logger.warn('secrets.weaker-mode', {
      detail: 'secrets are sealed with a key file on disk (browser host); use the desktop app for OS keychain storage',
    });
  }

  has(name: SecretName): boolean {
    return Object.hasOwn(this.vault, name);
  }

  get(name: SecretName): string | undefined {
    const sealed = this.vault[name];
    if (sealed === undefined) return undefined;
    const raw = Buffer.from(sealed, 'base64');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretsUnavailableError(
        `The stored secret "${name}" cannot be opened with ${KEY_FILE} (the key file was replaced or the vault is damaged). Enter it again in Settings.`,
      );
    }
  }

  set(name: SecretName, value: string): void {
    if (this.has(name) && !opensSecret(this, name)) keepUnreadableVault(join(this.dir, VAULT_FILE), this.logger);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    this.vault = { ...this.vault, [name]: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') };
    this.persist();
  }

  delete(name: SecretName): void {
    if (!this.has(name)) return;
    const { [name]: _removed, ...rest } = this.vault;
    this.vault = rest;
    this.persist();
  }


  private persist(): void {
    writeFileAtomic(join(this.dir, VAULT_FILE), JSON.stringify(this.vault, null, 2));
  }
}

function loadOrCreateKey(path: string): Buffer {
  if (existsSync(path)) {
    const key = readFileSync(path);
    if (key.length !== 32) {
      throw new SecretsUnavailableError(`${path} is not a 32-byte key (found ${key.length} bytes); restore it from backup or remove it to start over.`);
    }
    chmodSync(path, 0o600);
    return key;
  }
  const key = randomBytes(32);
  writeFileSync(path, key, { mode: 0o600, flag: 'wx' });
  return key;
}

function loadVault(path: string): Record<string, string> {
  if (!existsSync(path)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return Object.fromEntries(Object.entries(parsed).filter(([, v]) => typeof v === 'string')) as Record<string, string>;
    }
  } catch {
    // fall through: a damaged vault is kept aside, never deleted
  }
  const aside = `${path}.damaged-${Date.now()}`;
  renameSync(path, aside);
  return {};
}

/** Write to a temporary file and rename, so a crash never leaves half a file. */
export function writeFileAtomic(path: string, content: string): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, content, { mode: 0o600 });
  renameSync(temporary, path);
}

/**
 * Before a secret that can no longer be opened is overwritten (a new database key after the
 * key file or the OS keychain was replaced), the vault file is copied aside as it was: should
 * the old key file or keychain come back, IT can still open what the old secret protected.
 */
export function keepUnreadableVault(path: string, logger?: Logger): string | null {
  if (!existsSync(path)) return null;
  const aside = `${path}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
  copyFileSync(path, aside);
  chmodSync(aside, 0o600);
  logger?.warn('secrets.unreadable-kept', { keptAt: aside });
  return aside;
}
