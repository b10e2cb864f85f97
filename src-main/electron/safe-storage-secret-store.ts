import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../core/log/logger';
import { keepUnreadableVault, writeFileAtomic } from '../core/secrets/key-file-secret-store';
import { opensSecret, SecretsUnavailableError, UnavailableSecretStore, type SecretName, type SecretStore } from '../core/secrets/secret-store';

/** The file in the data folder that holds the sealed secrets (never plaintext). */
export const SEALED_SECRETS_FILE = 'secrets.sealed.json';

/** Electron's safeStorage, reduced to what the desk uses. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  /** Linux only: which backend Chromium picked. */
  getSelectedStorageBackend?(): string;
}

export const NO_KEYCHAIN_REASON =
  'No OS keychain is available (Linux "basic_text" means no encryption); passwords cannot be stored on this desk. Install/unlock gnome-keyring or KWallet.';

/**
 * Secrets sealed by the OS keychain through Electron's safeStorage (DPAPI, Keychain, libsecret
 * or KWallet). The file holds only base64 ciphertext; the key never leaves the keychain, so a
 * copied data folder is useless on another account or machine.
 */
export class SafeStorageSecretStore implements SecretStore {
  readonly kind = 'os-keychain' as const;
  private vault: Record<string, string>;

  constructor(
    private readonly safeStorage: SafeStorageLike,
    private readonly path: string,
    private readonly logger?: Logger,
  ) {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    this.vault = this.load();
  }

  has(name: SecretName): boolean {
    return Object.hasOwn(this.vault, name);
  }

  get(name: SecretName): string | undefined {
    const sealed = this.vault[name];
    if (sealed === undefined) return undefined;
    try {
      return this.safeStorage.decryptString(Buffer.from(sealed, 'base64'));
    } catch {
      throw new SecretsUnavailableError(
        `The stored secret "${name}" cannot be opened by this user's OS keychain (the keychain was reset or locked, or the data folder came from another user or machine). Unlock the keychain, or enter it again in Settings.`,
      );
    }
  }

  set(name: SecretName, value: string): void {
    if (this.has(name) && !opensSecret(this, name)) keepUnreadableVault(this.path, this.logger);
    let sealed: Buffer;
    try {
      sealed = this.safeStorage.encryptString(value);
    } catch (error) {
      throw new SecretsUnavailableError(`The OS keychain refused to encrypt "${name}": ${(error as Error).message}. Unlock the keychain and try again.`);
    }
    this.vault = { ...this.vault, [name]: sealed.toString('base64') };
    this.persist();
  }

  delete(name: SecretName): void {
    if (!this.has(name)) return;
    const { [name]: _removed, ...rest } = this.vault;
    this.vault = rest;
    this.persist();
  }


  private persist(): void {
    writeFileAtomic(this.path, `${JSON.stringify(this.vault, null, 2)}\n`);
  }

  private load(): Record<string, string> {
    if (!existsSync(this.path)) return {};
    try {
      const parsed: unknown = JSON.parse(readFileSync(this.path, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return Object.fromEntries(Object.entries(parsed).filter(([, value]) => typeof value === 'string')) as Record<string, string>;
      }
    } catch {
      // fall through: a damaged vault is kept aside, never deleted
    }
    const aside = `${this.path}.damaged-${Date.now()}`;
    renameSync(this.path, aside);
    this.logger?.warn('secrets.vault-damaged', { movedTo: aside });
    return {};
  }
}

export interface ElectronSecretStoreOptions {
  safeStorage: SafeStorageLike;
  dataDir: string;
  logger: Logger;
  platform?: NodeJS.Platform;
}

/**
 * The Electron host's secret store. On Linux without a keyring Chromium falls back to
 * "basic_text" — a hard-coded key, i.e. no protection — which the desk refuses: it reports the
 * store as unavailable rather than pretending passwords are protected. Call after app ready
 * (the backend is chosen then).
 */
export function createElectronSecretStore(options: ElectronSecretStoreOptions): SecretStore {
  const { safeStorage, logger } = options;
  const platform = options.platform ?? process.platform;
  const available = safeStorage.isEncryptionAvailable();
  const backend = platform === 'linux' ? safeStorage.getSelectedStorageBackend?.() : undefined;
  if (!available || backend === 'basic_text') {
    logger.warn('secrets.unavailable', { available, backend: backend ?? 'n/a', detail: NO_KEYCHAIN_REASON });
    return new UnavailableSecretStore(NO_KEYCHAIN_REASON);
  }
  logger.info('secrets.os-keychain', { backend: backend ?? platform });
  return new SafeStorageSecretStore(safeStorage, join(options.dataDir, SEALED_SECRETS_FILE), logger);
}
