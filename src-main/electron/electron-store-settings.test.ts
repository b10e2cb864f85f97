import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createCore } from '../core/core';
import { silentLogger } from '../core/log/logger';
import { UnavailableSecretStore } from '../core/secrets/secret-store';
import { DEFAULT_SETTINGS } from '../../src-shared/settings/settings-schema';
import { createFakeElectron } from './testing/fake-electron';

// electron-store imports electron at its first line; vitest.config inlines it so this mock applies.
vi.mock('electron', () => createFakeElectron());

const { ElectronStoreSettingsStorage } = await import('./electron-store-settings');

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'desk-settings-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const asides = () => readdirSync(dir).filter((name) => name.startsWith('settings.json.unreadable-'));

describe('ElectronStoreSettingsStorage', () => {
  it('reads undefined before anything is stored, and creates no file by reading', () => {
    const storage = new ElectronStoreSettingsStorage(dir);
    expect(storage.location).toBe(join(dir, 'settings.json'));
    expect(storage.read()).toBeUndefined();
    expect(existsSync(storage.location)).toBe(false);
  });

  it('round-trips a settings object through electron-store, across instances', () => {
    const storage = new ElectronStoreSettingsStorage(dir);
    const settings = { ...structuredClone(DEFAULT_SETTINGS), role: 'supervisor' };
    storage.write(settings);
    expect(storage.read()).toEqual(settings);
    expect(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8'))).toEqual(settings);
    expect(new ElectronStoreSettingsStorage(dir).read()).toEqual(settings);
    expect(statSync(join(dir, 'settings.json')).mode & 0o077).toBe(0);
  });

  it('refuses to store something that is not an object', () => {
    const storage = new ElectronStoreSettingsStorage(dir);
    expect(() => storage.write([1, 2])).toThrow(TypeError);
    expect(() => storage.write('x')).toThrow(TypeError);
  });

  it('throws on a corrupt file instead of clearing it, and quarantine moves the bytes aside', () => {
    writeFileSync(join(dir, 'settings.json'), '{"role": "operator", oops');
    const storage = new ElectronStoreSettingsStorage(dir);
    expect(() => storage.read()).toThrow();
    // Nothing was lost by the failed read.
    expect(readFileSync(join(dir, 'settings.json'), 'utf8')).toBe('{"role": "operator", oops');

    const aside = storage.quarantine();
    expect(aside.startsWith(join(dir, 'settings.json.unreadable-'))).toBe(true);
    expect(readFileSync(aside, 'utf8')).toBe('{"role": "operator", oops');
    expect(storage.read()).toBeUndefined();
    storage.write({ role: 'cashier' });
    expect(storage.read()).toEqual({ role: 'cashier' });
    expect(asides()).toHaveLength(1);
  });

  it('quarantine of a readable store keeps a copy too', () => {
    const storage = new ElectronStoreSettingsStorage(dir);
    storage.write({ role: 'operator', schemaVersion: 99 });
    const aside = storage.quarantine();
    expect(JSON.parse(readFileSync(aside, 'utf8'))).toEqual({ role: 'operator', schemaVersion: 99 });
    expect(storage.read()).toBeUndefined();
  });

  it('lets the core recover from a corrupt file: defaults in force, the file moved aside, never deleted', async () => {
    writeFileSync(join(dir, 'settings.json'), '\u0000\u0001 not json');
    const core = createCore({
      host: 'electron',
      version: '0.0.0-test',
      dataDir: dir,
      settingsStorage: new ElectronStoreSettingsStorage(dir),
      secrets: new UnavailableSecretStore('test'),
      logger: silentLogger,
    });
    const view = core.settings.view();
    expect(view.settings).toEqual(DEFAULT_SETTINGS);
    expect(view.recoveredFrom).not.toBeNull();
    expect(readFileSync(view.recoveredFrom ?? '', 'utf8')).toBe('\u0000\u0001 not json');
    core.settings.update({ role: 'supervisor' });
    expect(new ElectronStoreSettingsStorage(dir).read()).toMatchObject({ role: 'supervisor' });
    await core.stop();
  });
});
