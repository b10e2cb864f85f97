import { join } from 'node:path';
import { AppInfoSchema, type AppInfo } from '../../src-shared/app/app-contract';
import { createAccessHandlers } from './access/access-handlers';
import { maskEvent, maskRequestOutput, type MaskingView } from './access/output-masking';
import { guardHandlers, withSessionRole } from './access/request-guard';
import { SessionService } from './access/session-service';
import { createAppHandlers } from './app/app-handlers';
import type { DialRequestMailbox } from './app/dial-requests';
import { SCREEN_POP_WARM_UP_CALL_ID } from '../../src-shared/screen-pop/screen-pop-contract';
import type { Provisioning, SettingsView } from '../../src-shared/settings/settings-schema';
import type { ProductionRequestName, RequestOutput } from '../../src-shared/ipc/contract';
import { createCacheHandlers } from './cache/cache-handlers';
import { DatabaseKeySource } from './cache/database-key';
import type { IntegrityCheck } from './cache/integrity-check';
import { PatientCacheService } from './cache/patient-cache-service';
import { createCallHandlers } from './calls/call-handlers';
import { DemoClinicService, type DemoOverrides } from './connectors/demo/demo-clinic';
import { createDemoHandlers } from './connectors/demo/demo-handlers';
import { createConnectorsHandlers } from './connectors/connectors-handlers';
import { ConnectorsService } from './connectors/connectors-service';
import type { MisConnectorRegistration } from './connectors/mis/mis-connector';
import { createMisConnector, misConnectorRegistry, misIdentity, type MisCreation } from './connectors/mis/mis-connectors';
import { BUILT_IN_MIS_CONNECTORS } from './connectors/mis/built-in-mis-connectors';
import { loadMisPlugins, PluginMisConnector, type PluginTransportFactory } from './connectors/plugins';
import { PBX_MANIFESTS, pbxConnectorRegistry } from './connectors/pbx/pbx-connectors';
import { createPbxHandlers } from './connectors/pbx/pbx-handlers';
import { PbxHostService } from './connectors/pbx/pbx-host-service';
import { createBookingHandlers } from './booking/booking-handlers';
import { BookingService } from './booking/booking-service';
import { createCallbacksHandlers } from './callbacks/callbacks-handlers';
import { CallbackService } from './callbacks/callback-service';
import { createCallListsHandlers } from './call-lists/call-lists-handlers';
import { CallListService } from './call-lists/call-list-service';
import { EventBus } from './events/event-bus';
import { createDispatcher, type Dispatcher, type HandlerTable } from './ipc/dispatcher';
import { createJournalHandlers } from './journal/journal-handlers';
import { JournalService } from './journal/journal-service';
import type { Logger } from './log/logger';
import { createRendererDiagnostics } from './log/renderer-diagnostics';
import { createDiagnosticsBundleHandlers } from './diagnostics-bundle/diagnostics-bundle-handlers';
import { createPatientsHandlers } from './patients/patients-handlers';
import { CallNumbers } from './screen-pop/call-numbers';
import { createScreenPopHandlers } from './screen-pop/screen-pop-handlers';
import type { SecretStore } from './secrets/secret-store';
import { ServiceRegistry } from './services/service-registry';
import { createSettingsHandlers } from './settings/settings-handlers';
import { SettingsService } from './settings/settings-service';
import type { SettingsStorage } from './settings/settings-storage';
import { createStatusHandlers } from './status/status-handlers';
import { StatusService } from './status/status-service';
import { createSupervisorHandlers } from './supervisor/supervisor-handlers';
import { SupervisorService } from './supervisor/supervisor-service';
import type { BulkLoadWorkerFactory } from './sync/first-sync/bulk-load-worker-entry';
import { MisLinkService } from './sync/mis-link-service';
import type { SenderClock } from './sync/outbox';
import { systemClock, type Clock } from '../../src-shared/time/clock';
import { OffsetClock } from '../../src-shared/time/offset-clock';
import { createOutboxHandlers } from './sync/outbox-handlers';

/** How often the audit log's retention runs (besides at start). */
const AUDIT_PURGE_EVERY_MS = 24 * 60 * 60_000;

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
  outboxClock?: SenderClock;
  /** The PBX link's clock (tests drive reconnects and pushes), also the callbacks' and the supervisor's: their times are the PBX events'. */
  pbxClock?: Clock;
  /** cache.db's background integrity check (default: `quick_check` on a worker thread; `null`: none). */
  integrityCheck?: IntegrityCheck | null;
  /** Opens (or brings forward) the supervisor's window: Electron's. Without it `app.openSupervisor` answers `route`. */
  openSupervisorWindow?: () => void;
  /** Brings the operator's window forward for a ring, or flashes it where the OS refuses focus (Electron). Without it `app.attention` answers `shown: false`. */
  requestAttention?: () => void;
  /** Numbers from `tel:` / `sip:` links waiting for the page (Electron). Without it `app.takeDialRequest` answers null. */
  dialRequests?: DialRequestMailbox;
  /** Shows a saved diagnostics bundle in the OS's file manager (Electron: `shell.showItemInFolder`). */
  revealDiagnostics?: (path: string) => void;
  /** How MIS plugins from `<dataDir>/plugins/` run: worker threads (default, the browser host) or Electron's utility processes. */
  pluginTransport?: PluginTransportFactory;
  /** A first sync through the MIS's full export below this many cards pages instead (default 50,000; tests lower it). */
  bulkFirstSyncMinCards?: number;
  /** Starts the first sync's bulk-load worker (default: a worker thread). */
  bulkLoadWorker?: BulkLoadWorkerFactory;
}

/** The workstation's core: everything both hosts share. It never imports electron. */
export interface Core {
  readonly dispatcher: Dispatcher;
  readonly events: EventBus;
  readonly settings: SettingsService;
  /** Who is signed in, in which role, locked or not; every request is allowed or refused by it. */
  readonly session: SessionService;
  readonly status: StatusService;
  readonly services: ServiceRegistry;
  readonly cache: PatientCacheService;
  readonly journal: JournalService;
  readonly link: MisLinkService;
  readonly pbx: PbxHostService;
  readonly callbacks: CallbackService;
  /** Book / move / cancel through the outbox; a patient's visits. */
  readonly booking: BookingService;
  readonly callLists: CallListService;
  /** The supervisor's board and actions; on every desk, the wrap-ups it publishes and the transfer contexts it receives. */
  readonly supervisor: SupervisorService;
  /** The embedded demo clinic's service (null: the MIS is another connector). */
  readonly demoClinic: DemoClinicService | null;
  readonly logger: Logger;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Composes the core: the services in their start order (cache, journal, the demo clinic when it
 * is the MIS, the MIS link, the PBX) and the handler table from each domain's module. Nothing
 * here handles a request itself.
 */
export function createCore(options: CoreOptions): Core {
  const { logger } = options;
  const events = new EventBus(logger);
  const settings = new SettingsService(options.settingsStorage, options.secrets, logger, options.provisioning);
  const status = new StatusService();
  const services = new ServiceRegistry(logger);
  // One key for both files, loaded once, so journal.db also learns when cache.db's start had to make a new one.
  const keys = new DatabaseKeySource(options.secrets);
  const cache = new PatientCacheService({
    misIdentity: misIdentity(settings.settings.connectors.mis),
    dataDir: options.dataDir,
    secrets: options.secrets,
    keys,
    logger,
    cacheSizeMb: options.cacheSizeMb,
    retentionDays: () => settings.settings.privacy.cacheRetentionDays,
    ...(options.integrityCheck !== undefined && { integrityCheck: options.integrityCheck }),
  });
  services.register(cache);
  // Removed cards (MIS deletions, merges, retention) are no longer a number's remembered choice.
  cache.onCardsRemoved((ids) => journal.stores?.popChoices.forget(ids));
  const journal = new JournalService({
    dataDir: options.dataDir,
    keys,
    logger,
    status,
    events,
    auditRetentionYears: () => settings.settings.privacy.auditRetentionYears,
  });
  services.register(journal);
  const { mis: misSettings } = settings.settings.connectors;
  const demoClinic = misSettings.id === 'demo' ? new DemoClinicService({ dataDir: options.dataDir, config: misSettings.config, overrides: options.demo, logger }) : null;
  if (demoClinic) services.register(demoClinic);
  // Third-party MIS connectors, each isolated in a worker (or utility process) of its own. Only
  // the running connector's plugin speaks on the status bar; a settings trial's does not.
  let runningPlugin: number | null = null;
  const plugins = loadMisPlugins(join(options.dataDir, 'plugins'), {
    logger,
    clock: systemClock,
    ...(options.pluginTransport && { transport: options.pluginTransport }),
    onState: (event) => {
      if (event.instance !== runningPlugin) return;
      logger.warn('mis.plugin-state', { id: event.id, state: event.state, reason: event.reason, detail: event.detail, retryInMs: event.retryInMs, faults: event.faults });
      if (event.state === 'restarting') status.report('mis', 'reconnecting', 'pluginRestarting');
      else if (event.state === 'failed') status.report('mis', 'failed', 'pluginFailed');
      else if (event.state === 'running' && event.faults > 0) status.report('mis', 'online', null);
    },
  });
  for (const problem of plugins.problems) logger.warn('mis.plugin-not-loaded', { folder: problem.folder, problem: problem.problem });
  const pluginMis: Record<string, MisConnectorRegistration> = plugins.registrations;
  const misRegistry = misConnectorRegistry({ demoMis: () => demoClinic?.mis ?? null, builtIns: BUILT_IN_MIS_CONNECTORS, plugins: pluginMis });
  // The MIS connector is made when the link starts, from the settings as they are then.
  let misCreation: MisCreation | null = null;
  const makeMis = (): MisCreation => {
    const choice = settings.settings.connectors.mis;
    try {
      misCreation = createMisConnector({
        registry: misRegistry,
        id: choice.id,
        config: choice.config,
        secrets: (id, paths) => settings.misSecrets(id, paths),
        dataDir: options.dataDir,
        logger,
        clock: systemClock,
      });
    } catch (error) {
      misCreation = { connector: null, reason: 'connectorNotAvailable', problem: error instanceof Error ? error.message : String(error) };
    }
    if (misCreation.connector === null) logger.warn('mis.connector-unavailable', { id: choice.id, problem: misCreation.problem });
    runningPlugin = misCreation.connector instanceof PluginMisConnector ? misCreation.connector.instance : null;
    return misCreation;
  };
  const link = new MisLinkService({
    connector: () => makeMis().connector,
    unavailableReason: () => (misCreation && misCreation.connector === null ? misCreation.reason : 'connectorNotAvailable'),
    ownsConnector: () => misCreation?.connector != null && misCreation.owned,
    cache,
    journal,
    logger,
    status,
    events,
    settings: () => settings.settings,
    ...(options.outboxClock && { outboxClock: options.outboxClock }),
    ...(options.bulkFirstSyncMinCards !== undefined && { bulkFirstSyncMinCards: options.bulkFirstSyncMinCards }),
    ...(options.bulkLoadWorker && { bulkLoadWorker: options.bulkLoadWorker }),
  });
  services.register(link);
  const patientNameByNumber = (number: string): string | null => {
    const card = cache.byPhone(number)[0];
    return card ? [card.surname, card.givenName, card.patronymic].filter(Boolean).join(' ') : null;
  };
  // The effective settings, kept current by `settings.onChange` below: the PBX host reads them per
  // event, and `settings.settings` validates the whole object on every read. `liveSettings.role`
  // is the role in force — the signed-in person's — so every role rule follows the person.
  let storedSettings = settings.settings;
  const session = new SessionService({ settings: () => storedSettings, secrets: options.secrets, logger, provisionedPins: settings.provisionedPins });
  let liveSettings = { ...storedSettings, role: session.role() };
  const pbxRegistry = pbxConnectorRegistry({ logger, demoMis: () => demoClinic?.mis ?? null });
  const pbx = new PbxHostService({
    settings: () => liveSettings,
    secret: settings.pbxSecret(),
    registry: pbxRegistry,
    status,
    events,
    logger,
    patientNameByNumber,
    ...(options.pbxClock && { clock: options.pbxClock }),
  });
  services.register(pbx);
  const callbacks = new CallbackService({
    journal,
    pbx,
    events,
    logger,
    settings: () => settings.settings,
    wakeOutbox: () => link.wakeOutbox(),
    // Its times are the PBX events' (a task's first call, its due time): the PBX's clock.
    ...(options.pbxClock && { clock: options.pbxClock }),
  });
  services.register(callbacks);
  const supervisor = new SupervisorService({
    pbx,
    callbacks,
    journal,
    events,
    logger,
    settings: () => liveSettings,
    auditActor: () => session.auditActor(),
    updateSettings: (patch) => void settings.update(patch),
    capabilities: pbxRegistry[liveSettings.connectors.pbx.id]?.manifest.capabilities ?? [],
    ...(options.pbxClock && { clock: options.pbxClock }),
  });
  services.register(supervisor);
  // Subscribes to the outbox's `booking.*` results at once (before the link's first drain settles anything).
  const booking = new BookingService({
    journal,
    cache,
    link,
    events,
    settings: () => liveSettings,
    logger,
    // A refused booking puts the patient on the callback worklist (their own mobile first), to be offered another time.
    onRejected: ({ patientMisId, localId, at }) => {
      const card = cache.isOpen ? cache.getCard(patientMisId) : null;
      const phone = card?.phones.find((p) => p.kind === 'mobile') ?? card?.phones[0];
      if (phone) callbacks.onBookingRejected({ number: phone.e164, bookingId: localId, at });
    },
  });
  // The outbound lists run on a clock of their own: the demo's `advance-clock` moves only it.
  const callListClock = new OffsetClock(systemClock);
  const callLists = new CallListService({
    journal,
    pbx,
    schedule: () => cache.schedule,
    card: (misId) => cache.getCard(misId),
    booking: () => booking,
    events,
    logger,
    settings: () => liveSettings,
    wakeOutbox: () => link.wakeOutbox(),
    clock: callListClock,
  });
  services.register(callLists);

  const connectors = new ConnectorsService({
    settings,
    misRegistry: () => misRegistry,
    pbxManifests: PBX_MANIFESTS,
    pluginProblems: () => plugins.problems,
    pluginIds: () => new Set(Object.keys(pluginMis)),
    dataDir: options.dataDir,
    logger,
    clock: systemClock,
  });

  const info: AppInfo = AppInfoSchema.parse({ name: 'Registratura', version: options.version, host: options.host, dataDir: options.dataDir });
  const callNumbers = new CallNumbers(journal);
  const currentSettings = () => liveSettings;
  const auditActor = () => session.auditActor();
  const patientName = (misId: string): string | null => {
    try {
      const card = cache.getCard(misId);
      return card ? [card.surname, card.givenName, card.patronymic].filter(Boolean).join(' ') : null;
    } catch {
      // no cache open: the journal still lists the call, without a name
      return null;
    }
  };

  const handlers: HandlerTable = {
    ...createAccessHandlers(session),
    ...createAppHandlers({
      info,
      role: () => liveSettings.role,
      openSupervisorWindow: options.openSupervisorWindow,
      requestAttention: options.requestAttention,
      dialRequests: options.dialRequests,
    }),
    'diagnostics.report': createRendererDiagnostics(logger),
    ...createDiagnosticsBundleHandlers({
      dataDir: options.dataDir,
      settings,
      status,
      cache,
      journal,
      logger,
      version: { app: options.version, host: options.host },
      ...(options.revealDiagnostics && { reveal: options.revealDiagnostics }),
    }),
    ...createSettingsHandlers(settings),
    ...createStatusHandlers(status),
    ...createCacheHandlers(cache, () => link.cancelFirstSync()),
    ...createJournalHandlers(journal),
    ...createOutboxHandlers({ journal, link, logger }),
    ...createPatientsHandlers({ cache, journal, link, auditActor, logger }),
    ...createCallHandlers({
      journal,
      callNumbers,
      settings: currentSettings,
      wakeOutbox: () => link.wakeOutbox(),
      patientName,
      onCallJournalled: (call) => callbacks.onCallJournalled(call),
      onCallbackRequested: () => callbacks.onCallbackRequested(),
      onWrapUpSaved: (wrapUp) => supervisor.onWrapUpSaved(wrapUp),
      events,
      logger,
    }),
    ...createScreenPopHandlers({ cache, journal, link, callNumbers, auditActor, events, logger, transferFor: (number) => supervisor.transferFor(number) }),
    ...createPbxHandlers(pbx),
    ...createCallbacksHandlers(callbacks),
    ...createBookingHandlers(booking),
    ...createCallListsHandlers(callLists),
    ...createSupervisorHandlers(supervisor, () => liveSettings),
    ...createConnectorsHandlers(connectors),
  };
  // The demo controls exist only while a demo connector runs; otherwise every demo.* is DEMO_ONLY.
  const demoHandlers = demoClinic || pbx.demo ? createDemoHandlers({ mis: () => demoClinic?.mis ?? null, pbx: pbx.demo, advanceClock: (ms) => callListClock.advance(ms) }) : {};
  /** What the session lets leave the core: the role's fields, the locked pop, the board's phones; settings carry the role in force. */
  const maskingView = (): MaskingView => ({ role: session.role(), state: session.view().state, privacy: liveSettings.privacy });
  function maskForSession<N extends ProductionRequestName>(name: N, output: RequestOutput<N>): RequestOutput<N> {
    const masked = maskRequestOutput(name, output, maskingView());
    if (name === 'settings.get' || name === 'settings.update' || name === 'settings.setSipPassword') {
      return withSessionRole(masked as SettingsView, session.view()) as RequestOutput<N>;
    }
    return masked;
  }
  events.setOutboundFilter((name, payload) => maskEvent(name, payload, maskingView()));
  // Every production request passes the session's rules, and its answer the role's masking.
  const guarded = guardHandlers(handlers, {
    session: () => session.view(),
    maskOutput: (name, output) => maskForSession(name, output),
  });
  const dispatcher = createDispatcher({ ...guarded, ...demoHandlers }, logger);

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
    settings.onChange((view) => events.emit('settings:changed', withSessionRole(view, session.view()))),
    // A sign-in, sign-out, switch or lock: the role in force may have changed, and every window hears of it.
    session.onChange((view) => {
      const roleChanged = liveSettings.role !== view.role;
      liveSettings = { ...storedSettings, role: view.role };
      events.emit('session:changed', view);
      if (roleChanged) {
        events.emit('settings:changed', withSessionRole(settings.view(), view));
        pbx.settingsChanged();
        callbacks.settingsChanged();
        callLists.settingsChanged();
        supervisor.settingsChanged();
      }
    }),
    () => session.dispose(),
    // Settings apply without a restart: the PBX host takes up a new agent identity (reconnecting
    // with it) and SLA; the worklist is pushed again (its due times and "mine" may have changed).
    settings.onChange((view) => {
      const misChanged = JSON.stringify(view.settings.connectors.mis) !== JSON.stringify(liveSettings.connectors.mis);
      storedSettings = view.settings;
      session.settingsChanged();
      liveSettings = { ...storedSettings, role: session.role() };
      if (misChanged && state === 'started') void restartMisLink();
      pbx.settingsChanged();
      callbacks.settingsChanged();
      callLists.settingsChanged();
      supervisor.settingsChanged();
    }),
    cache.onChange(() => {
      events.emit('cache:changed', cache.status());
      pbx.forgetNames();
      callLists.sourcesChanged();
    }),
    status.onChange((snapshot) => events.emit('status:changed', snapshot)),
    () => booking.dispose(),
  ];

  /**
   * Another MIS connector or config saved in Settings: the link stops, the cache sets aside the
   * previous MIS's cards when it is another MIS, and the link starts with the new connector.
   * Restarts run one after another, so two quick saves end on the last one.
   */
  let misRestart: Promise<void> = Promise.resolve();
  const restartMisLink = (): Promise<void> =>
    (misRestart = misRestart.then(async () => {
      try {
        await link.stop();
        await cache.useMis(misIdentity(settings.settings.connectors.mis));
        if (state === 'started') link.start();
        logger.info('mis.link-restarted', { id: settings.settings.connectors.mis.id });
      } catch (error) {
        logger.error('mis.link-restart-failed', { error });
      }
    }));

  let state: 'new' | 'started' | 'stopped' = 'new';
  let auditPurgeTimer: ReturnType<typeof setInterval> | null = null;
  return {
    dispatcher,
    events,
    settings,
    session,
    status,
    services,
    cache,
    journal,
    link,
    pbx,
    callbacks,
    booking,
    callLists,
    supervisor,
    demoClinic,
    logger,
    async start() {
      if (state !== 'new') throw new Error(`core cannot start from state ${state}`);
      await session.storeProvisionedPins();
      await services.startAll();
      state = 'started';
      // What start-up found (a kept journal, a cache set aside) reaches windows already open.
      events.emit('journal:changed', journal.status());
      await warmScreenPop();
      // The audit log's own retention: at start, then once a day (never throws; logs a count).
      journal.purgeAuditLog();
      auditPurgeTimer = setInterval(() => journal.purgeAuditLog(), AUDIT_PURGE_EVERY_MS);
      auditPurgeTimer.unref?.();
      logger.info('core.started', { host: options.host, version: options.version, services: services.names });
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      if (auditPurgeTimer) clearInterval(auditPurgeTimer);
      for (const unsubscribe of unsubscribes) unsubscribe();
      await services.stopAll();
      logger.info('core.stopped');
    },
  };
}
