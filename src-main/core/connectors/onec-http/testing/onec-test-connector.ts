import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../../../src-shared/time/clock';
import { systemClock } from '../../../../../src-shared/time/clock';
import { silentLogger } from '../../../log/logger';
import type { MisConnector } from '../../mis/mis-connector';
import { createOnecHttpConnector } from '../index';

/** The fixture's login: a Cyrillic user name, as clinics name their 1C users. */
export const FIXTURE_USER = 'Регистратура';
export const FIXTURE_PASSWORD = 'пароль-1С';

/** A connector for tests against the fixture at `url`, with a state folder of its own removed by `dispose`. */
export function onecTestConnector(
  url: string,
  mode: 'http-service' | 'odata',
  overrides: { password?: string; timeoutSec?: number; clock?: Clock; stateDir?: string; mode?: Record<string, unknown> } = {},
): { connector: MisConnector; stateDir: string; dispose(): void } {
  const stateDir = overrides.stateDir ?? mkdtempSync(join(tmpdir(), 'onec-http-'));
  const connector = createOnecHttpConnector({
    config: {
      baseUrl: url,
      user: FIXTURE_USER,
      password: overrides.password ?? FIXTURE_PASSWORD,
      mode: { type: mode, ...overrides.mode },
      timeoutSec: overrides.timeoutSec ?? 5,
    },
    stateDir,
    logger: silentLogger,
    clock: overrides.clock ?? systemClock,
  });
  return { connector, stateDir, dispose: () => rmSync(stateDir, { recursive: true, force: true }) };
}
