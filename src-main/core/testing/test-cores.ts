import { join } from 'node:path';
import { createCore, type Core, type CoreOptions } from '../core';
import { createLogger, type LogRecord } from '../log/logger';
import { KeyFileSecretStore } from '../secrets/key-file-secret-store';
import { MemorySettingsStorage } from '../settings/settings-storage';

/**
 * Real cores on a small demo clinic for the core's tests (not shipped behaviour): each logs
 * into `logs`, and `stopAll()` (in `afterEach`) stops whatever a test left running.
 */
export function testCores() {
  const running: Core[] = [];
  return {
    async start(dataDir: string, options: Partial<CoreOptions> = {}): Promise<{ core: Core; logs: LogRecord[] }> {
      const logs: LogRecord[] = [];
      const core = createCore({
        host: 'web',
        version: 't',
        dataDir,
        settingsStorage: new MemorySettingsStorage(),
        secrets: new KeyFileSecretStore(join(dataDir, 'secrets'), createLogger([])),
        logger: createLogger([(record) => logs.push(record)], 'debug'),
        cacheSizeMb: 8,
        integrityCheck: null,
        ...options,
      });
      running.push(core);
      await core.start();
      return { core, logs };
    },
    async stop(core: Core): Promise<void> {
      await core.stop();
      running.splice(running.indexOf(core), 1);
    },
    async stopAll(): Promise<void> {
      for (const core of running.splice(0)) await core.stop();
    },
  };
}
