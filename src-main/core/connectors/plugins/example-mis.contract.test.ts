import { join } from 'node:path';
import { silentLogger } from '../../log/logger';
import { systemClock } from '../../../../src-shared/time/clock';
import { describeMisConnectorContract } from '../mis/testing/mis-contract-suite';
import { loadMisPlugins } from './load-mis-plugins';
import type { PluginMisConnector } from './plugin-mis-connector';
import { pluginsHome } from './plugin-test-support';

// The example plugin (resources/plugins/example-mis) in a real worker thread, behind the RPC,
// passes the same contract as every built-in connector.
describeMisConnectorContract('example-mis plugin in a worker thread', async () => {
  const home = pluginsHome();
  home.installExample();
  const { registrations, problems } = loadMisPlugins(home.pluginsDir, { logger: silentLogger, clock: systemClock });
  if (problems.length > 0) throw new Error(`the example plugin did not load: ${JSON.stringify(problems)}`);
  const registration = registrations['example-mis']!;
  const make = (config: Record<string, unknown>) =>
    registration.create({ config, stateDir: join(home.dataDir, 'connectors', 'example-mis'), logger: silentLogger, clock: systemClock }) as PluginMisConnector;
  const connector = make({ password: 'example' });
  return {
    connector,
    known: { misId: 'EX-1001', phoneE164: '+79990001001', surnameQuery: 'Веснина' },
    merged: { from: 'EX-1007', into: 'EX-1002' },
    edit: async (misId, surname) => {
      await connector.control('controlEdit', [misId, surname]);
    },
    sampleWrite: (key) => ({
      idempotencyKey: key,
      kind: 'wrapup',
      payload: { localId: `wrapup-${key}`, callId: 'call-1', misId: 'EX-1001', category: 'appointment', outcome: 'booked', note: null, acwSec: 12, savedAt: '2026-02-02T09:30:00.000Z' },
    }),
    writesFor: async (key) => Number(await connector.control('controlWritesFor', [key])),
    loseNextAnswer: () => void connector.control('controlLoseNextAnswer'),
    withWrongPassword: () => make({ password: 'not-the-password' }),
    close: async () => {
      await connector.release();
      home.remove();
    },
  };
});
