import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import ElectronStore from 'electron-store';
import { writeFileAtomic } from '../core/secrets/key-file-secret-store';
import type { SettingsStorage } from '../core/settings/settings-storage';

/** electron-store's file name (without .json) inside the data folder. */
export const SETTINGS_STORE_NAME = 'settings';

type Store = ElectronStore<Record<string, unknown>>;

/**
 * Settings persisted by electron-store (atomic writes, 0600). electron-store itself gets no
 * schema: the core validates and recovers, so validation lives in one place for both hosts.
 *
 * electron-store throws on an unparsable file when it is constructed (clearInvalidConfig would
 * silently wipe it instead). So the store is opened lazily: a damaged file makes `read()` throw,
 * the core calls `quarantine()`, and the damaged bytes are copied aside before the file is reset.
 */
export class ElectronStoreSettingsStorage implements SettingsStorage {
  readonly location: string;
  private store: Store | null = null;

  constructor(private readonly dataDir: string) {
    this.location = join(dataDir, `${SETTINGS_STORE_NAME}.json`);
  }

  read(): unknown {
    if (!existsSync(this.location)) return undefined;
    const value = this.open().store;
    return Object.keys(value).length === 0 ? undefined : value;
  }

  write(value: unknown): void {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new TypeError('settings must be a plain object');
    }
    this.open().store = value as Record<string, unknown>;
  }

  quarantine(): string {
    const aside = `${this.location}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    if (existsSync(this.location)) copyFileSync(this.location, aside);
    // Reset the file directly: a damaged file cannot be cleared through electron-store, which
    // would have to parse it first.
    writeFileAtomic(this.location, '{}\n');
    this.store = null;
    return aside;
  }

  private open(): Store {
    if (this.store) return this.store;
    mkdirSync(this.dataDir, { recursive: true, mode: 0o700 });
    this.store = new ElectronStore<Record<string, unknown>>({
      name: SETTINGS_STORE_NAME,
      cwd: this.dataDir,
      clearInvalidConfig: false,
      configFileMode: 0o600,
    });
    return this.store;
  }
}
