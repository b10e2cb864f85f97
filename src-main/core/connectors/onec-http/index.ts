import { systemClock } from '../../../../src-shared/time/clock';
import { MIS_CONNECTOR_API_VERSION, type MisConnector, type MisConnectorContext, type MisConnectorRegistration } from '../mis/mis-connector';
import { OnecHttpConfigSchema, type OnecHttpConfig } from './onec-config';
import { onecHttpServiceManifest } from './onec-common';
import { OnecHttpServiceConnector } from './onec-http-service';
import { OnecODataConnector } from './onec-odata';

export { OnecHttpConfigSchema, type OnecHttpConfig } from './onec-config';
export { OnecHttpServiceConnector } from './onec-http-service';
export { OnecODataConnector } from './onec-odata';

/**
 * Makes the `onec-http` connector in the configured mode: the HTTP service (read and write) or
 * OData (read only). The config is parsed again here so defaults apply to a config written by
 * hand; a bad one throws naming the field.
 */
export function createOnecHttpConnector(context: MisConnectorContext<unknown>, fetchImpl?: typeof fetch): MisConnector {
  const config: OnecHttpConfig = OnecHttpConfigSchema.parse(context.config);
  return config.mode.type === 'odata'
    ? new OnecODataConnector(config, context.stateDir, context.logger, context.clock ?? systemClock, fetchImpl)
    : new OnecHttpServiceConnector(config, context.logger, fetchImpl);
}

/** The `onec-http` MIS connector (1C:Medicina: HTTP service, or read-only OData), for the built-in list. */
export const onecHttpRegistration: MisConnectorRegistration = {
  manifest: onecHttpServiceManifest(MIS_CONNECTOR_API_VERSION),
  create: (context) => createOnecHttpConnector(context),
};
