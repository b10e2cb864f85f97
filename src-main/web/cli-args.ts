import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface WebHostArgs {
  /** 0 picks a free port. */
  port: number;
  dataDir: string;
  configPath: string | null;
  /** Demo clinic size (`--demo-patients N`); null keeps the configured one. */
  demoPatients: number | null;
  /** `--mis-offline`: the demo MIS is unreachable (a cashier's worst day, on purpose). */
  misOffline: boolean;
  /** `--new-token`: with a fixed `--port`, replace the kept token (the old link stops working). */
  newToken: boolean;
}

export const MAX_DEMO_PATIENTS = 1_000_000;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const USAGE = 'usage: npm run start:web -- [--port N] [--data-dir DIR] [--config FILE] [--demo-patients N] [--mis-offline] [--new-token]';

/** Where the browser host keeps its data when `--data-dir` is not given. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME !== '' ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'registratura');
}

export function parseWebHostArgs(argv: string[], env: NodeJS.ProcessEnv = process.env): WebHostArgs {
  let values: { port?: string; 'data-dir'?: string; config?: string; 'demo-patients'?: string; 'mis-offline'?: boolean; 'new-token'?: boolean; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        config: { type: 'string' },
        'demo-patients': { type: 'string' },
        'mis-offline': { type: 'boolean' },
        'new-token': { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  if (values.help) throw new UsageError(USAGE);
  const port = values.port === undefined ? 0 : Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535 || values.port?.trim() === '') {
    throw new UsageError(`--port must be a whole number from 0 to 65535, got "${values.port}"\n${USAGE}`);
  }
  const rawPatients = values['demo-patients'];
  const demoPatients = rawPatients === undefined ? null : Number(rawPatients);
  if (demoPatients !== null && (!Number.isInteger(demoPatients) || demoPatients < 1 || demoPatients > MAX_DEMO_PATIENTS || rawPatients?.trim() === '')) {
    throw new UsageError(`--demo-patients must be a whole number from 1 to ${MAX_DEMO_PATIENTS}, got "${rawPatients}"\n${USAGE}`);
  }
  return {
    port,
    demoPatients,
    misOffline: values['mis-offline'] ?? false,
    newToken: values['new-token'] ?? false,
    dataDir: resolve(values['data-dir'] ?? defaultDataDir(env)),
    configPath: values.config === undefined ? null : resolve(values.config),
  };
}
