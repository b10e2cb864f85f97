import { AppInfoSchema, SCREEN_POP_WARM_UP_CALL_ID, type AppInfo } from '../../src-shared/ipc/contract';
import type { PatientCard } from '../../src-shared/patients/patient-card';
import type { Provisioning } from '../../src-shared/settings/settings-schema';
import { ClinicLinkService, type DemoOverrides } from './cache/clinic-link-service';
import { DatabaseKeySource } from './cache/database-key';
import type { IntegrityCheck } from './cache/integrity-check';
import { createPatientSearch } from './cache/patient-search';
import { createCallHandlers } from './calls/call-handlers';
import { DemoPbx } from './connectors/demo/demo-pbx';
import { createScreenPopHandlers } from './screen-pop/screen-pop-handlers';
import type { SenderClock } from './sync/outbox';
import { PatientCacheService } from './cache/patient-cache-service';
import { DeskError } from '../../src-shared/ipc/errors';
import { EventBus } from './events/event-bus';
import { createDispatcher, type Dispatcher, type HandlerTable } from './ipc/dispatcher';
import type { Logger } from './log/logger';
import { createRendererDiagnostics } from './log/renderer-diagnostics';
import type { SecretStore } from './secrets/secret-store';
import { ServiceRegistry } from './services/service-registry';
import { SettingsService } from './settings/settings-service';
import type { SettingsStorage } from './settings/settings-storage';
import { StatusService } from './status/status-service';

/** Warm-up runs of the screen pop's lookup at start (see `warmScreenPop`). */
const SCREEN_POP_WARM_UPS = 3;

export interface CoreOptions {
  host: 'electron' | 'web';
  version: string;
  dataDir: string;
  settingsStorage: SettingsStorage;
  secrets: SecretStore;
  logger: Logger;
  provisioning?: Provisioning;
  /** Page cache of cache.db in MB (tests use a small one). */
  cacheSizeMb?: number;
  /** Command-line overrides of the demo clinic (`--demo-patients`, `--mis-offline`). */
  demo?: DemoOverrides;
  /** The outbox sender's clock (tests drive the sender). */
  outboxClock?: Partial<SenderClock>;
  /** cache.db's background integrity check (default: `quick_check` on a worker thread; `null`: none). */
  integrityCheck?: IntegrityCheck | null;
}

/** The workstation's core: everything both hosts share. It never imports electron. */
export interface Core {
  readonly dispatcher: Dispatcher;
  readonly events: EventBus;
  readonly settings: SettingsService;
  readonly status: StatusService;
  readonly services: ServiceRegistry;
  readonly cache: PatientCacheService;
  readonly link: ClinicLinkService;
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
  // One key for both files, loaded once, so journal.db also learns when cache.db's start had to make a new one.
  const keys = new DatabaseKeySource(options.secrets);
  const cache = new PatientCacheService({
    dataDir: options.dataDir,
    secrets: options.secrets,
    keys,
    logger,
    cacheSizeMb: options.cacheSizeMb,
    ...(options.integrityCheck !== undefined && { integrityCheck: options.integrityCheck }),
  });
  services.register(cache);
  const link = new ClinicLinkService({
    dataDir: options.dataDir,
    secrets: options.secrets,
    keys,
    logger,
    status,
    events,
    cache,
    mis: settings.settings.connectors.mis,
    demo: options.demo,
    ...(options.outboxClock && { outboxClock: options.outboxClock }),
  });
  services.register(link);
  // CTI mode: the demo PBX's desk-phone calls (driven by demo.simulate) reach the renderer as pbx:call.
  const pbx = settings.settings.connectors.pbx.id === 'demo' ? new DemoPbx((event) => events.emit('pbx:call', event)) : null;
  // The status bar's PBX says what delivers the calls: the embedded demo PBX is up whenever the
  // core is; any other PBX connector is not in this build yet.
  services.register({
    name: 'pbx',
    start: () => (pbx ? status.report('pbx', 'online') : status.report('pbx', 'disabled', 'connectorNotAvailable')),
    stop: () => undefined,
  });
  const patientName = (misId: string): string | null => {
    let card: PatientCard | null = null;
    try {
      card = cache.getCard(misId);
    } catch {
      // no cache open: the journal still lists the call, without a name
    }
    return card ? [card.surname, card.givenName, card.patronymic].filter(Boolean).join(' ') : null;
  };

  const info: AppInfo = AppInfoSchema.parse({
    name: 'Registratura',
    version: options.version,
    host: options.host,
    dataDir: options.dataDir,
  });

  const handlers: HandlerTable = {
    'app.info': () => info,
    'diagnostics.report': createRendererDiagnostics(logger),
    'settings.get': () => settings.view(),
    'settings.update': (patch) => settings.update(patch),
    'settings.setSipPassword': ({ password }) => settings.setSipPassword(password),
    // The one secret the renderer gets (see the contract); never logged.
    'sip.credentials': () => ({ password: settings.sipPassword() }),
    'status.snapshot': () => status.snapshot(),
    'patients.search': createPatientSearch({ cache, mis: () => link.mis, logger }),
    'patients.get': ({ misId, reason, callId }) => {
      const card = cache.getCard(misId);
      // Operators do not sign in yet: the actor is the desk's role until they do.
      if (card) link.audit({ actor: `role:${settings.settings.role}`, action: 'card.open', misId, callId, reason });
      return { card };
    },
    'demo.simulate': (input) => {
      if (input.action === 'pbx-ringing' || input.action === 'pbx-answered' || input.action === 'pbx-ended') {
        if (!pbx) throw new DeskError('DEMO_ONLY', 'The PBX of this desk is not the demo PBX.');
        if (input.action === 'pbx-ringing') return { applied: true, callId: pbx.ring(input.number, input.extension) };
        return { applied: input.action === 'pbx-answered' ? pbx.answer(input.callId) : pbx.end(input.callId) };
      }
      const demo = link.demoMis;
      if (!demo) throw new DeskError('DEMO_ONLY', 'The MIS of this desk is not the demo clinic.');
      if (input.action === 'set-offline') demo.setOffline(input.offline);
      else {
        const patch = { ...(input.surname && { surname: input.surname }), ...(input.givenName && { givenName: input.givenName }) };
        demo.editPatient(input.misId, patch);
      }
      return { applied: true };
    },
    'cache.status': () => cache.status(),
    'journal.status': () => link.journalStatus(),
    'journal.acknowledgeKept': ({ id }) => link.acknowledgeKeptJournal(id),
    'outbox.undelivered': () => ({ items: link.undelivered() }),
    'outbox.retry': ({ id }) => ({ retried: link.retryOutbox(id) }),
    'demo.ledger': ({ kind }) => {
      const demo = link.demoMis;
      if (!demo) throw new DeskError('DEMO_ONLY', 'The MIS of this desk is not the demo clinic.');
      return {
        entries: demo.ledgerEntries(kind).map((entry) => ({
          kind: entry.kind,
          key: entry.idempotencyKey,
          ref: `demo-${entry.idempotencyKey}`,
          localId: entry.localId,
          receipts: entry.receipts,
        })),
      };
    },
    ...createCallHandlers({ journal: () => link.calls, events, logger, patientName }),
    ...createScreenPopHandlers({ cache, link, settings: () => settings.settings, events, logger }),
  };
  const dispatcher = createDispatcher(handlers, logger);

  /**
   * The screen pop's whole path in main — dispatch, input check, cache lookup, a card through
   * the contract's output check — run a few times with a number the cache holds, so the day's
   * first caller does not pay for cold code (its lookup took 5× a later one). Nothing is shown,
   * audited, or logged with the number; a failure only means no warm-up.
   */
  async function warmScreenPop(): Promise<void> {
    const number = cache.samplePhone();
    if (number === null) return;
    for (let i = 0; i < SCREEN_POP_WARM_UPS; i++) {
      await dispatcher.dispatch('screenPop.lookup', { callId: `${SCREEN_POP_WARM_UP_CALL_ID}-core-${i}`, number, source: 'sip' }, { host: options.host, client: 'core' });
    }
  }

  const unsubscribes = [
    settings.onChange((view) => events.emit('settings:changed', view)),
    cache.onChange(() => events.emit('cache:changed', cache.status())),
    status.onChange((snapshot) => events.emit('status:changed', snapshot)),
  ];

  let state: 'new' | 'started' | 'stopped' = 'new';
  return {
    dispatcher,
    events,
    settings,
    status,
    services,
    cache,
    link,
    logger,
    async start() {
      if (state !== 'new') throw new Error(`core cannot start from state ${state}`);
      await services.startAll();
      state = 'started';
      // What start-up found (a kept journal, a cache set aside) reaches windows already open.
      events.emit('journal:changed', link.journalStatus());
      await warmScreenPop();
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
