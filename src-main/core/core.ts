import { AppInfoSchema, type AppInfo } from '../../src-shared/ipc/contract';
import type { Provisioning } from '../../src-shared/settings/settings-schema';
import { EventBus } from './events/event-bus';
import { createDispatcher, type Dispatcher, type HandlerTable } from './ipc/dispatcher';
import type { Logger } from './log/logger';
import type { SecretStore } from './secrets/secret-store';
import { ServiceRegistry } from './services/service-registry';
import { SettingsService } from './settings/settings-service';
import type { SettingsStorage } from './settings/settings-storage';
import { StatusService } from './status/status-service';

export interface CoreOptions {
  host: 'electron' | 'web';
  version: string;
  dataDir: string;
  settingsStorage: SettingsStorage;
  secrets: SecretStore;
  logger: Logger;
  provisioning?: Provisioning;
}

/** The workstation's core: everything both hosts share. It never imports electron. */
export interface Core {
  readonly dispatcher: Dispatcher;
  readonly events: EventBus;
  readonly settings: SettingsService;
  readonly status: StatusService;
  readonly services: ServiceRegistry;
  readonly logger: Logger;
  start(): Promise<void>;
  stop(): Promise<void>;
}

export function createCore(options: CoreOptions): Core {
  const { logger } = options;
  const events = new EventBus();
  const settings = new SettingsService(options.settingsStorage, options.secrets, logger, options.provisioning);
  const status = new StatusService();
  const services = new ServiceRegistry(logger);

  const info: AppInfo = AppInfoSchema.parse({
    name: 'Registratura',
    version: options.version,
    host: options.host,
    dataDir: options.dataDir,
  });

  const handlers: HandlerTable = {
    'app.info': () => info,
    'settings.get': () => settings.view(),
    'settings.update': (patch) => settings.update(patch),
    'settings.setSipPassword': ({ password }) => settings.setSipPassword(password),
    'status.snapshot': () => status.snapshot(),
  };
  const dispatcher = createDispatcher(handlers, logger);

  const unsubscribes = [
    settings.onChange((view) => events.emit('settings:changed', view)),
    status.onChange((snapshot) => events.emit('status:changed', snapshot)),
  ];

  let state: 'new' | 'started' | 'stopped' = 'new';
  return {
    dispatcher,
    events,
    settings,
    status,
    services,
    logger,
    async start() {
      if (state !== 'new') throw new Error(`core cannot start from state ${state}`);
      await services.startAll();
      state = 'started';
      logger.info('core.started', { host: options.host, version: options.version, services: services.names });
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      for (const unsubscribe of unsubscribes) unsubscribe();
      await services.stopAll();
      logger.info('core.stopped');
    },
  };
}
