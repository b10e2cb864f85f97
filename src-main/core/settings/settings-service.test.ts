import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { createLogger, silentLogger, type LogRecord } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { UnavailableSecretStore } from '../secrets/secret-store';
import { SettingsService } from './settings-service';
import { JsonFileSettingsStorage } from './settings-storage';

function setup(provisioning = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rg-settings-'));
  const storage = new JsonFileSettingsStorage(join(dir, 'settings.json'));
  const secrets = new KeyFileSecretStore(join(dir, 'secrets'), silentLogger);
  return { dir, storage, secrets, service: new SettingsService(storage, secrets, silentLogger, provisioning) };
}

describe('SettingsService', () => {
  it('starts in Russian as an operator with no SIP account', () => {
    const { service } = setup();
    expect(service.settings).toMatchObject({ role: 'operator', language: 'ru', sip: { server: '', iceServers: [], iceGatheringTimeoutMs: 500 } });
    expect(service.view().sipPasswordSet).toBe(false);
  });

  it('persists changes so a restarted desk has them', () => {
    const { storage, secrets, service } = setup();
    service.update({ role: 'supervisor', language: 'en', sip: { server: 'wss://pbx.clinic.test:8089/ws', uri: 'sip:1001@pbx.clinic.test' } });
    const restarted = new SettingsService(storage, secrets, silentLogger);
    expect(restarted.settings).toMatchObject({ role: 'supervisor', language: 'en', sip: { server: 'wss://pbx.clinic.test:8089/ws', uri: 'sip:1001@pbx.clinic.test' } });
  });

  it('keeps the SIP password out of the settings file and out of the log', () => {
    const records: LogRecord[] = [];
    const { storage, secrets } = setup();
    const service = new SettingsService(storage, secrets, createLogger([(r) => records.push(r)]));
    service.update({ language: 'en' });
    service.setSipPassword('Tr0ub4dor&3');
    expect(readFileSync(storage.location, 'utf8')).not.toContain('Tr0ub4dor');
    expect(JSON.stringify(records)).not.toContain('Tr0ub4dor');
    expect(service.view().sipPasswordSet).toBe(true);
    expect(JSON.stringify(service.view())).not.toContain('Tr0ub4dor');
  });

  it('moves an unreadable settings file aside and starts from defaults, saying where it went', () => {
    const { dir, storage, secrets } = setup();
    writeFileSync(storage.location, '{"role": "operator", trailing garbage');
    const service = new SettingsService(storage, secrets, silentLogger);
    expect(service.settings.role).toBe('operator');
    expect(service.view().recoveredFrom).toMatch(/settings\.json\.unreadable-/);
    expect(readdirSync(dir).some((f) => f.startsWith('settings.json.unreadable-'))).toBe(true);
  });

  it('treats a schema-invalid file the same way (never half-applies it)', () => {
    const { storage, secrets } = setup();
    writeFileSync(storage.location, JSON.stringify({ schemaVersion: 1, role: 'admin' }));
    expect(new SettingsService(storage, secrets, silentLogger).view().recoveredFrom).not.toBeNull();
  });

  it('lets provisioning win over stored values and refuses UI edits to managed paths', () => {
    const { service } = setup({ role: 'cashier', sip: { server: 'wss://pbx.test/ws', password: 'prov-pw' } });
    expect(service.settings.role).toBe('cashier');
    expect(service.view().managed).toEqual(['role', 'sip.server']);
    expect(service.view().sipPasswordSet).toBe(true);
    expect(() => service.update({ role: 'supervisor' })).toThrow(DeskError);
    expect(() => service.update({ sip: { server: 'ws://other/ws' } })).toThrow(/managed.*sip\.server/);
    expect(service.update({ language: 'en' }).settings.language).toBe('en');
  });

  it('stores a provisioned password in the secret store, never in settings', () => {
    const { storage, secrets, service } = setup({ sip: { password: 'from-it' } });
    service.update({ language: 'en' });
    expect(secrets.get('sip.password')).toBe('from-it');
    expect(readFileSync(storage.location, 'utf8')).not.toContain('from-it');
  });

  it('refuses to store a password when no protected storage exists, with a specific error', () => {
    const { storage } = setup();
    const service = new SettingsService(storage, new UnavailableSecretStore('no keychain'), silentLogger);
    expect(() => service.setSipPassword('x')).toThrow(expect.objectContaining({ code: 'SECRETS_UNAVAILABLE' }));
  });

  it('hands the stored SIP password to the softphone request only, and null when none is stored', () => {
    const { service } = setup();
    expect(service.sipPassword()).toBeNull();
    service.setSipPassword('desk-secret');
    expect(service.sipPassword()).toBe('desk-secret');
    service.setSipPassword(null);
    expect(service.sipPassword()).toBeNull();
  });

  it('notifies listeners on change', () => {
    const { service } = setup();
    const seen: string[] = [];
    service.onChange((view) => seen.push(view.settings.language));
    service.update({ language: 'en' });
    expect(seen).toEqual(['en']);
  });
});

describe('SettingsService: MIS connector secrets', () => {
  it('moves a MIS connector password into the secret store: never in the settings file, the view or the log, and given back to the connector', () => {
    const records: LogRecord[] = [];
    const { storage, secrets } = setup();
    const service = new SettingsService(storage, secrets, createLogger([(r) => records.push(r)]));
    service.update({ connectors: { mis: { id: 'fhir-r4', config: { baseUrl: 'http://127.0.0.1:9/fhir', auth: { type: 'basic', user: 'desk', password: 'Kor0va-s3cret' } } } } });
    expect(readFileSync(storage.location, 'utf8')).not.toContain('Kor0va');
    expect(JSON.stringify(service.view())).not.toContain('Kor0va');
    expect(JSON.stringify(records)).not.toContain('Kor0va');
    expect(service.settings.connectors.mis.config).toEqual({ baseUrl: 'http://127.0.0.1:9/fhir', auth: { type: 'basic', user: 'desk' } });
    expect(service.misSecrets('fhir-r4', ['auth.password', 'auth.token'])).toEqual({ 'auth.password': 'Kor0va-s3cret' });
    expect(service.misSecretsSet('fhir-r4', ['auth.password', 'auth.token'])).toEqual(['auth.password']);
  });

  it('keeps the stored password when the form sends an empty one', () => {
    const { service } = setup();
    service.update({ connectors: { mis: { id: 'onec-http', config: { baseUrl: 'http://1c/clinic', user: 'Регистратура', password: 'first' } } } });
    service.update({ connectors: { mis: { id: 'onec-http', config: { baseUrl: 'http://1c/clinic', user: 'Регистратура', password: '' } } } });
    expect(service.misSecrets('onec-http', ['password'])).toEqual({ password: 'first' });
    expect(service.settings.connectors.mis.config).toEqual({ baseUrl: 'http://1c/clinic', user: 'Регистратура' });
  });

  it('takes a provisioned MIS secret into the store at start', () => {
    const { dir, secrets } = setup();
    const storage = new JsonFileSettingsStorage(join(dir, 'settings.json'));
    const service = new SettingsService(storage, secrets, silentLogger, { connectors: { mis: { id: 'fhir-r4', config: { baseUrl: 'https://fhir.clinic.test/r4', auth: { type: 'bearer', token: 'eyJ-provisioned' } } } } });
    expect(JSON.stringify(service.view())).not.toContain('eyJ-provisioned');
    expect(service.misSecrets('fhir-r4', ['auth.token'])).toEqual({ 'auth.token': 'eyJ-provisioned' });
  });
});
