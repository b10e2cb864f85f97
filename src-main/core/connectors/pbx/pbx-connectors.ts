import type { Clock } from '../../../../src-shared/time/clock';
import type { Logger } from '../../log/logger';
import type { AmiConfig } from '../asterisk-ami/asterisk-ami-config';
import { createAsteriskAmiConnector, asteriskAmiManifest } from '../asterisk-ami/asterisk-ami-connector';
import type { DemoMis } from '../demo/demo-mis';
import { createDemoPbxConnector, demoPbxManifest, type DemoPbxConfig } from '../demo/demo-pbx-connector';
import { demoClinicCallerPicker } from '../demo/demo-switchboard';
import type { PbxConnectorManifest, PbxConnectorContext } from './pbx-connector';
import type { PbxConnectorRegistration } from './pbx-host-service';

/** The manifests of the PBX connectors this build has (for checks before anything starts). */
export const PBX_MANIFESTS: Readonly<Record<string, PbxConnectorManifest>> = {
  demo: demoPbxManifest as PbxConnectorManifest,
  'asterisk-ami': asteriskAmiManifest as PbxConnectorManifest,
};

/**
 * The PBX connectors this build has, by id: the living demo switchboard (the default, whose
 * callers are mostly the demo clinic's patients) and `asterisk-ami` (Asterisk, MikoPBX, FreePBX).
 */
export function pbxConnectorRegistry(options: { logger: Logger; demoMis: () => DemoMis | null }): Record<string, PbxConnectorRegistration> {
  return {
    demo: {
      manifest: PBX_MANIFESTS.demo!,
      create: (context: PbxConnectorContext<unknown>, clock: Clock) => {
        const population = options.demoMis()?.population;
        return createDemoPbxConnector(context as PbxConnectorContext<DemoPbxConfig>, {
          clock,
          pickCallerNumber: demoClinicCallerPicker(population ?? {}),
          onListenerError: (error) => options.logger.error('pbx.demo-listener-failed', { error: error instanceof Error ? error.name : 'unknown' }),
        });
      },
    },
    'asterisk-ami': {
      manifest: PBX_MANIFESTS['asterisk-ami']!,
      create: (context: PbxConnectorContext<unknown>, clock: Clock) => createAsteriskAmiConnector(context as PbxConnectorContext<AmiConfig>, { clock, logger: options.logger }),
    },
  };
}
