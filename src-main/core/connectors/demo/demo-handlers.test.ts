import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../../src-shared/settings/settings-schema';
import { MemorySettingsStorage } from '../../settings/settings-storage';
import { testCores } from '../../testing/test-cores';

const cores = testCores();
afterEach(() => cores.stopAll());
const context = { host: 'web' as const, client: 't' };

function storage(misId: string, pbxId: string) {
  return new MemorySettingsStorage({ ...structuredClone(DEFAULT_SETTINGS), connectors: { mis: { id: misId, config: {} }, pbx: { id: pbxId, config: {} } } });
}

describe('demo.* (the demo clinic controls)', () => {
  it('with neither the demo MIS nor the demo PBX, no demo.* request is callable: each is refused with DEMO_ONLY', async () => {
    const { core } = await cores.start(mkdtempSync(join(tmpdir(), 'rg-demo-')), { settingsStorage: storage('none', 'none') });
    expect(core.demoClinic).toBeNull();
    for (const [name, input] of [
      ['demo.ledger', {}],
      ['demo.simulate', { action: 'set-offline', offline: true }],
      ['demo.simulate', { action: 'pbx-ringing', number: '+79161234567', extension: '101' }],
    ] as const) {
      expect(await core.dispatcher.dispatch(name, input, context), name).toMatchObject({ ok: false, error: { code: 'DEMO_ONLY' } });
    }
  });

  it('with the demo MIS the controls work, and the PBX actions say the PBX is not the demo one', async () => {
    const { core } = await cores.start(mkdtempSync(join(tmpdir(), 'rg-demo-')), { settingsStorage: storage('demo', 'none'), demo: { patients: 20 } });
    expect(await core.dispatcher.dispatch('demo.ledger', {}, context)).toEqual({ ok: true, value: { entries: [] } });
    expect(await core.dispatcher.dispatch('demo.simulate', { action: 'set-offline', offline: true }, context)).toEqual({ ok: true, value: { applied: true } });
    expect(core.demoClinic?.mis?.isOffline).toBe(true);
    expect(await core.dispatcher.dispatch('demo.simulate', { action: 'pbx-ringing', number: '+79161234567', extension: '101' }, context)).toMatchObject({ ok: false, error: { code: 'DEMO_ONLY', message: expect.stringContaining('PBX') } });
  });
});
