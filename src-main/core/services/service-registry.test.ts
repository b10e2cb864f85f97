import { describe, expect, it } from 'vitest';
import { silentLogger } from '../log/logger';
import { ServiceRegistry } from './service-registry';

function service(name: string, log: string[], options: { failStart?: boolean; hangStop?: boolean } = {}) {
  return {
    name,
    start() {
      if (options.failStart) throw new Error('cannot bind');
      log.push(`start ${name}`);
    },
    stop() {
      log.push(`stop ${name}`);
      return options.hangStop ? new Promise<void>(() => undefined) : undefined;
    },
  };
}

describe('ServiceRegistry', () => {
  it('starts in order and stops in reverse', async () => {
    const log: string[] = [];
    const registry = new ServiceRegistry(silentLogger);
    registry.register(service('db', log));
    registry.register(service('sync', log));
    await registry.startAll();
    await registry.stopAll();
    expect(log).toEqual(['start db', 'start sync', 'stop sync', 'stop db']);
  });

  it('stops what it started when a later service fails to start', async () => {
    const log: string[] = [];
    const registry = new ServiceRegistry(silentLogger);
    registry.register(service('db', log));
    registry.register(service('pbx', log, { failStart: true }));
    await expect(registry.startAll()).rejects.toThrow(/"pbx" failed to start: cannot bind/);
    expect(log).toEqual(['start db', 'stop db']);
  });

  it('does not wait forever on a service that hangs while stopping', async () => {
    const log: string[] = [];
    const registry = new ServiceRegistry(silentLogger);
    registry.register(service('db', log));
    registry.register(service('stuck', log, { hangStop: true }));
    await registry.startAll();
    await registry.stopAll(50);
    expect(log).toEqual(['start db', 'start stuck', 'stop stuck', 'stop db']);
  });

  it('refuses the same name twice', () => {
    const registry = new ServiceRegistry(silentLogger);
    registry.register(service('db', []));
    expect(() => registry.register(service('db', []))).toThrow(/twice/);
  });
});
