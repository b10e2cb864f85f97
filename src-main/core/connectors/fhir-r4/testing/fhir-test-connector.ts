import { silentLogger } from '../../../log/logger';
import { FhirR4ConfigSchema, type FhirR4Config } from '../fhir-config';
import { FhirR4Connector } from '../fhir-r4-connector';

/** The fixture's credentials in tests. */
export const FIXTURE_USER = 'registratura';
export const FIXTURE_PASSWORD = 'пароль-к-fhir';

/** A connector for `baseUrl` with the settings a test overrides (defaults: Basic with the fixture's user, 2 s timeout). */
export function fhirTestConnector(baseUrl: string, overrides: Partial<Record<keyof FhirR4Config, unknown>> = {}): FhirR4Connector {
  const config = FhirR4ConfigSchema.parse({ baseUrl, auth: { type: 'basic', user: FIXTURE_USER, password: FIXTURE_PASSWORD }, timeoutSec: 2, ...overrides });
  return new FhirR4Connector({ config, logger: silentLogger });
}
