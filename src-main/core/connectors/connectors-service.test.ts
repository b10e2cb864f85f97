import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src-shared/time/clock';
import { silentLogger } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { SettingsService } from '../settings/settings-service';
import { MemorySettingsStorage } from '../settings/settings-storage';
import { FakeAmi } from './asterisk-ami/test-ami-server';
import { ConnectorsService } from './connectors-service';
import { DemoMis } from './demo/demo-mis';
import { misConnectorRegistry } from './mis/mis-connectors';
import { PBX_MANIFESTS } from './pbx/pbx-connectors';
import { closedPort } from '../testing/closed-port';

const opened: DemoMis[] = [];
afterEach(() => {
  for (const mis of opened.splice(0)) mis.close();
});

function setup() {
  const dataDir = mkdtempSync(join(tmpdir(), 'rg-connectors-'));
  const settings = new SettingsService(new MemorySettingsStorage(), new KeyFileSecretStore(join(dataDir, 'secrets'), silentLogger), silentLogger);
  const mis = new DemoMis({ patients: 20 });
  opened.push(mis);
  const service = new ConnectorsService({
    settings,
    misRegistry: () => misConnectorRegistry({ demoMis: () => mis }),
    pbxManifests: PBX_MANIFESTS,
    pluginProblems: () => [{ folder: 'broken-plugin', problem: 'plugin.json is not valid JSON' }],
    pluginIds: () => new Set(),
    dataDir,
    logger: silentLogger,
    clock: systemClock,
  });
  return { settings, service };
}


describe('ConnectorsService', () => {
  it('lists the connectors with forms made from their schemas, the current choice and the plugins that failed to load', () => {
    const { service } = setup();
    const view = service.list();
    expect(view.mis.map((d) => d.id)).toContain('demo');
    expect(view.pbx.map((d) => d.id)).toEqual(['demo', 'asterisk-ami']);
    const ami = view.pbx.find((d) => d.id === 'asterisk-ami')!;
    expect(ami.fields.find((f) => f.path === 'secret')?.type).toBe('secret');
    expect(ami.fields.find((f) => f.path === 'port')?.type).toBe('integer');
    expect(view.current.mis).toEqual({ id: 'demo', config: {}, secretsSet: [] });
    expect(view.pluginProblems).toEqual([{ folder: 'broken-plugin', problem: 'plugin.json is not valid JSON' }]);
  });

  it('test connection stops at a bad config and names the field', async () => {
    const { service } = setup();
    const result = await service.diagnose('mis', 'demo', { latencyMs: -5 });
    expect(result.ok).toBe(false);
    expect(result.steps).toEqual([expect.objectContaining({ n: 1, step: 'config', status: 'failed', hint: 'fixConfig', detail: expect.stringContaining('connectors.mis.config.latencyMs') })]);
  });

  it('test connection of a PBX on a port where nothing listens fails at "reach", numbered after the config', async () => {
    const { service } = setup();
    const port = await closedPort();
    const result = await service.diagnose('pbx', 'asterisk-ami', { host: '127.0.0.1', port, username: 'desk', secret: 'x' });
    expect(result.steps.map((s) => [s.n, s.step, s.status])).toEqual([
      [1, 'config', 'ok'],
      [2, 'reach', 'failed'],
      [3, 'auth', 'skipped'],
    ]);
    expect(result.steps[1]).toMatchObject({ hint: 'checkHostAndPort', detail: expect.stringContaining('ECONNREFUSED') });
  });

  it('test connection of a PBX logs in to AMI: a refused secret fails at "auth", a right one passes', async () => {
    const { service } = setup();
    const ami = await FakeAmi.start((action, conn) => {
      if ((action.get('Action') ?? '').toLowerCase() !== 'login') return;
      if (action.get('Secret') === 'amipass') conn.respond(action, 'Success', 'Authentication accepted');
      else conn.respond(action, 'Error', 'Authentication failed');
    });
    try {
      const wrong = await service.diagnose('pbx', 'asterisk-ami', { host: '127.0.0.1', port: ami.port, username: 'desk', secret: 'wrong' });
      expect(wrong.steps.map((s) => [s.step, s.status])).toEqual([
        ['config', 'ok'],
        ['reach', 'ok'],
        ['auth', 'failed'],
      ]);
      expect(wrong.steps[2]).toMatchObject({ hint: 'checkCredentials', detail: expect.stringContaining('manager.conf') });
      const right = await service.diagnose('pbx', 'asterisk-ami', { host: '127.0.0.1', port: ami.port, username: 'desk', secret: 'amipass' });
      expect(right.ok).toBe(true);
      expect(right.steps[2]!.detail).toBe('Asterisk Call Manager/11.0.0: logged in as desk.');
    } finally {
      await ami.close();
    }
  });

  it('has no preview for a source that reads no file', async () => {
    const { service } = setup();
    await expect(service.preview('mis', 'demo', {})).rejects.toMatchObject({ code: 'NOT_AVAILABLE' });
  });
});
