import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_CALLBACK_SLA_MINUTES,
  DEFAULT_PAUSE_AFTER_RING_NO_ANSWER,
  DEFAULT_PAUSE_REASONS,
  DEFAULT_QUEUE_SLA_SECONDS,
  ProvisioningSchema,
  SettingsPatchSchema,
  SettingsSchema,
  patchedPaths,
  type Provisioning,
} from '../../../src-shared/settings/settings-schema';
import { createLogger, silentLogger, type LogRecord } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { SettingsService } from './settings-service';
import { JsonFileSettingsStorage } from './settings-storage';

const AMI = { id: 'asterisk-ami', config: { host: 'pbx.clinic.test', username: 'desk', secret: 'AmiS3cret!' } };

function setup(provisioning: Provisioning = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'rg-settings-pbx-'));
  const storage = new JsonFileSettingsStorage(join(dir, 'settings.json'));
  const secrets = new KeyFileSecretStore(join(dir, 'secrets'), silentLogger);
  const logs: LogRecord[] = [];
  const service = new SettingsService(storage, secrets, createLogger([(r) => logs.push(r)], 'debug'), ProvisioningSchema.parse(provisioning));
  return { dir, storage, secrets, logs, service };
}

describe('SettingsService: the PBX secret', () => {
  it('moves a provisioned connectors.pbx.config.secret into the secret store; settings, view, file and log never hold it', () => {
    const { storage, secrets, logs, service } = setup({ connectors: { pbx: AMI } });
    expect(secrets.get('pbx.secret')).toBe('AmiS3cret!');
    expect(service.pbxSecret()).toBe('AmiS3cret!');
    expect(service.settings.connectors.pbx).toEqual({ id: 'asterisk-ami', config: { host: 'pbx.clinic.test', username: 'desk' } });
    expect(JSON.stringify(service.view())).not.toContain('AmiS3cret');
    service.update({ language: 'en' });
    expect(readFileSync(storage.location, 'utf8')).not.toContain('AmiS3cret');
    expect(JSON.stringify(logs)).not.toContain('AmiS3cret');
    expect(service.view().managed).toEqual(['connectors.pbx']);
  });

  it('a restarted desk keeps the secret (and a changed provisioned secret replaces it)', () => {
    const { storage, secrets } = setup({ connectors: { pbx: AMI } });
    const again = new SettingsService(storage, secrets, silentLogger, ProvisioningSchema.parse({ connectors: { pbx: AMI } }));
    expect(again.pbxSecret()).toBe('AmiS3cret!');
    const rotated = new SettingsService(storage, secrets, silentLogger, ProvisioningSchema.parse({ connectors: { pbx: { ...AMI, config: { ...AMI.config, secret: 'N3w' } } } }));
    expect(rotated.pbxSecret()).toBe('N3w');
  });

  it('settings.update with a secret stores it in the secret store, never in the settings', () => {
    const { storage, service } = setup();
    expect(service.pbxSecret()).toBeNull();
    const view = service.update({ connectors: { pbx: AMI } });
    expect(service.pbxSecret()).toBe('AmiS3cret!');
    expect(view.settings.connectors.pbx.config).toEqual({ host: 'pbx.clinic.test', username: 'desk' });
    expect(readFileSync(storage.location, 'utf8')).not.toContain('AmiS3cret');
    expect(JSON.stringify(view)).not.toContain('AmiS3cret');
  });

  it('a refused update (managed connector) changes nothing, not even the secret', () => {
    const { service } = setup({ connectors: { pbx: AMI } });
    expect(() => service.update({ connectors: { pbx: { ...AMI, config: { ...AMI.config, secret: 'sneaky' } } } })).toThrow(expect.objectContaining({ code: 'SETTINGS_MANAGED' }));
    expect(service.pbxSecret()).toBe('AmiS3cret!');
  });

  it('an update that is invalid elsewhere stores nothing, not even the secret', () => {
    const { service } = setup();
    expect(() => service.update({ connectors: { pbx: AMI }, queue: { slaSeconds: 0 } })).toThrow();
    expect(service.pbxSecret()).toBeNull();
  });
});

describe('Settings: agent, queue, callbacks and pause reasons', () => {
  it('have defaults', () => {
    const { service } = setup();
    expect(service.settings).toMatchObject({
      agent: { extension: '', name: '' },
      queue: { slaSeconds: DEFAULT_QUEUE_SLA_SECONDS },
      callbacks: { slaMinutes: DEFAULT_CALLBACK_SLA_MINUTES, pauseAfterRingNoAnswer: DEFAULT_PAUSE_AFTER_RING_NO_ANSWER },
      agentStatus: { pauseReasons: [...DEFAULT_PAUSE_REASONS] },
    });
    expect([DEFAULT_QUEUE_SLA_SECONDS, DEFAULT_CALLBACK_SLA_MINUTES, DEFAULT_PAUSE_AFTER_RING_NO_ANSWER]).toEqual([20, 15, 3]);
  });

  it('an older settings file without them still loads, keeping what it had', () => {
    const { storage, secrets } = setup();
    const old = {
      schemaVersion: 1,
      role: 'supervisor',
      language: 'en',
      sip: { server: 'wss://pbx.clinic.test:8089/ws', uri: 'sip:1001@pbx.clinic.test', authUser: '', displayName: 'Иванова', iceServers: [], iceGatheringTimeoutMs: 500 },
      connectors: { mis: { id: 'demo', config: {} }, pbx: { id: 'demo', config: {} } },
    };
    writeFileSync(storage.location, JSON.stringify(old));
    const service = new SettingsService(storage, secrets, silentLogger);
    expect(service.view().recoveredFrom).toBeNull();
    expect(service.settings).toMatchObject({ role: 'supervisor', language: 'en', queue: { slaSeconds: 20 }, callbacks: { slaMinutes: 15 }, agent: { extension: '' } });
  });

  it('saves changes to them, and a restarted desk has them', () => {
    const { storage, secrets, service } = setup();
    service.update({ agent: { extension: '1001', name: 'Иванова' }, queue: { slaSeconds: 30 }, callbacks: { slaMinutes: 60, pauseAfterRingNoAnswer: 0 }, agentStatus: { pauseReasons: ['Обед', 'Перерыв'] } });
    expect(new SettingsService(storage, secrets, silentLogger).settings).toMatchObject({
      agent: { extension: '1001', name: 'Иванова' },
      queue: { slaSeconds: 30 },
      callbacks: { slaMinutes: 60, pauseAfterRingNoAnswer: 0 },
      agentStatus: { pauseReasons: ['Обед', 'Перерыв'] },
    });
  });

  it('refuses a pause reason with ":" or a line break, duplicate reasons, and out-of-range numbers', () => {
    const bad = [
      { agentStatus: { pauseReasons: ['Обед: долгий'] } },
      { agentStatus: { pauseReasons: ['Обед\nQueuePause'] } },
      { agentStatus: { pauseReasons: ['Обед\rQueuePause'] } },
      { agentStatus: { pauseReasons: ['Обед', 'Обед'] } },
      { agentStatus: { pauseReasons: [] } },
      { agentStatus: { pauseReasons: ['x'.repeat(41)] } },
      { queue: { slaSeconds: 0 } },
      { callbacks: { slaMinutes: 0 } },
      { callbacks: { pauseAfterRingNoAnswer: 21 } },
      { agent: { extension: '10 01' } },
      { agent: { name: 'x'.repeat(81) } },
    ];
    for (const patch of bad) expect(SettingsPatchSchema.safeParse(patch).success, JSON.stringify(patch)).toBe(false);
    const { service } = setup();
    expect(() => service.update({ agentStatus: { pauseReasons: ['Обед', 'Обед'] } })).toThrow();
    expect(() => service.update({ agentStatus: { pauseReasons: ['a:b'] } })).toThrow();
    expect(service.settings.agentStatus.pauseReasons).toEqual([...DEFAULT_PAUSE_REASONS]);
    const stored = SettingsSchema.safeParse({ ...service.settings, agentStatus: { pauseReasons: ['Обед\nx'] } });
    expect(stored.success).toBe(false);
  });

  it('patchedPaths names them, so provisioning manages them and the UI cannot change them', () => {
    const provisioning: Provisioning = { agent: { extension: '1001' }, queue: { slaSeconds: 25 }, callbacks: { pauseAfterRingNoAnswer: 2 }, agentStatus: { pauseReasons: ['Обед'] } };
    expect(patchedPaths(provisioning)).toEqual(['agent.extension', 'queue.slaSeconds', 'callbacks.pauseAfterRingNoAnswer', 'agentStatus.pauseReasons']);
    const { service } = setup(provisioning);
    expect(service.view().managed).toEqual(['agent.extension', 'queue.slaSeconds', 'callbacks.pauseAfterRingNoAnswer', 'agentStatus.pauseReasons']);
    expect(service.settings).toMatchObject({ agent: { extension: '1001' }, queue: { slaSeconds: 25 }, callbacks: { pauseAfterRingNoAnswer: 2 } });
    expect(() => service.update({ queue: { slaSeconds: 40 } })).toThrow(expect.objectContaining({ code: 'SETTINGS_MANAGED', message: expect.stringContaining('queue.slaSeconds') }));
    expect(() => service.update({ agentStatus: { pauseReasons: ['Перерыв'] } })).toThrow(expect.objectContaining({ code: 'SETTINGS_MANAGED' }));
    expect(service.update({ agent: { name: 'Иванова' }, callbacks: { slaMinutes: 30 } }).settings).toMatchObject({ agent: { extension: '1001', name: 'Иванова' }, callbacks: { slaMinutes: 30, pauseAfterRingNoAnswer: 2 } });
  });
});
