import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Logger } from '../../log/logger';
import type { Service } from '../../services/service-registry';
import { DEMO_PHONE_INDEX_FILE, DemoMis, DemoMisConfigSchema, type DemoMisConfig } from './demo-mis';
import { DEMO_SCHEDULE_FILE } from './demo-schedule';

/** Runtime overrides from the browser host's command line (`--demo-patients`, `--mis-offline`). */
export interface DemoOverrides {
  patients?: number;
  offline?: boolean;
}

/** The demo clinic keeps living while the desk runs, so delta sync always has work. */
const DEMO_DESK_DEFAULTS: Partial<DemoMisConfig> = { evolveIntervalMs: 20_000 };

export interface DemoClinicOptions {
  dataDir: string;
  /** The MIS connector's settings (`connectors.mis.config`). */
  config: unknown;
  overrides?: DemoOverrides;
  logger: Logger;
}

/**
 * The embedded demo clinic as a service of the desk: made at start from the settings and the
 * command line, its ledger, change log, phone index and schedule kept in `<data dir>/demo-mis/`
 * (so a restarted desk meets the same clinic; `scheduleFile` puts the schedule elsewhere, to
 * share it between desks), closed at stop.
 */
export class DemoClinicService implements Service {
  readonly name = 'demo-clinic';
  private demo: DemoMis | null = null;

  constructor(private readonly options: DemoClinicOptions) {}

  /** The clinic while the desk runs, else null. */
  get mis(): DemoMis | null {
    return this.demo;
  }

  start(): void {
    const overrides = Object.fromEntries(Object.entries(this.options.overrides ?? {}).filter(([, value]) => value !== undefined));
    const config = DemoMisConfigSchema.parse({ ...DEMO_DESK_DEFAULTS, ...(this.options.config as object), ...overrides });
    const folder = join(this.options.dataDir, 'demo-mis');
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const scheduleFile = config.scheduleFile ?? join(folder, DEMO_SCHEDULE_FILE);
    mkdirSync(dirname(scheduleFile), { recursive: true, mode: 0o700 });
    const demo = new DemoMis({
      patients: config.patients,
      seed: config.seed,
      ledgerPath: join(folder, 'ledger.db'),
      phoneIndexPath: join(folder, DEMO_PHONE_INDEX_FILE),
      latencyMs: config.latencyMs,
      errorRate: config.errorRate,
      timeoutRate: config.timeoutRate,
      scheduleFile,
      timeZone: config.timeZone,
    });
    demo.setOffline(config.offline);
    if (config.evolveIntervalMs > 0) demo.startEvolving(config.evolveIntervalMs);
    if (config.otherChannelsIntervalMs > 0) demo.startOtherChannels(config.otherChannelsIntervalMs);
    // Index the clinic's phones now (loaded, or built in slices), so the first caller's refresh does not wait for it;
    // then its names, so the cashier's searches (answered by this MIS while a new desk's cache fills) read an index.
    void demo.preparePhoneIndex().then(() => demo.prepareNameIndex());
    this.options.logger.info('demo-mis.started', { patients: config.patients, offline: config.offline, sharedSchedule: config.scheduleFile !== undefined });
    this.demo = demo;
  }

  stop(): void {
    this.demo?.close();
    this.demo = null;
  }
}
