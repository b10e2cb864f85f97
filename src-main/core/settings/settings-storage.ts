import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { writeFileAtomic } from '../secrets/key-file-secret-store';

/**
 * Where settings are persisted. The browser host uses a JSON file; Electron uses
 * electron-store behind this same interface (src-main/electron).
 */
export interface SettingsStorage {
  /** The raw stored value, or undefined when nothing has been stored yet. Throws when unreadable. */
  read(): unknown;
  write(value: unknown): void;
  /** Moves an unreadable store aside (never deletes it); returns where it went. */
  quarantine(): string;
  readonly location: string;
}

export class JsonFileSettingsStorage implements SettingsStorage {
  constructor(readonly location: string) {}

  read(): unknown {
    if (!existsSync(this.location)) return undefined;
    return JSON.parse(readFileSync(this.location, 'utf8'));
  }

  write(value: unknown): void {
    mkdirSync(dirname(this.location), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.location, `${JSON.stringify(value, null, 2)}\n`);
  }

  quarantine(): string {
    const aside = `${this.location}.unreadable-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    renameSync(this.location, aside);
    return aside;
  }
}

/** For tests and for a desk that must not persist anything. */
export class MemorySettingsStorage implements SettingsStorage {
  readonly location = 'memory';
  constructor(private value: unknown = undefined) {}
  read(): unknown {
    return this.value === undefined ? undefined : structuredClone(this.value);
  }
  write(value: unknown): void {
    this.value = structuredClone(value);
  }
  quarantine(): string {
    this.value = undefined;
    return 'memory';
  }
}
