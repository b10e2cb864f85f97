import type { MisConnectorManifest, MisConnectorRegistration } from '../mis/mis-connector';
import { FhirR4ConfigSchema, type FhirR4Config } from './fhir-config';
import { FHIR_R4_MANIFEST, FhirR4Connector } from './fhir-r4-connector';

/**
 * The `fhir-r4` MIS connector (README.md here): a FHIR R4 server as the desk's MIS. The core
 * validates the config with the manifest's schema before `create`; it is parsed again here so
 * the defaults are filled in for a caller that did not.
 */
export const fhirR4Registration: MisConnectorRegistration = {
  manifest: FHIR_R4_MANIFEST as MisConnectorManifest,
  create: (context) => new FhirR4Connector({ config: FhirR4ConfigSchema.parse(context.config) as FhirR4Config, logger: context.logger, clock: context.clock }),
};

export { FhirR4ConfigSchema, type FhirR4Config } from './fhir-config';
export { FHIR_R4_MANIFEST, FhirR4Connector } from './fhir-r4-connector';
