import type { Clock } from '../../../../src-shared/time/clock';
import { checkReach } from '../http/http-client';
import { DiagnosticFailure, type DiagnosticCheck } from '../mis/mis-connector';
import { PbxError } from '../pbx/pbx-connector';
import { AmiClient } from './ami-client';
import type { AmiConfig } from './asterisk-ami-config';

/**
 * "Test connection" of the AMI connector: the manager port reached over TCP, then a real
 * session — the banner read and `Login` with the user and secret (manager.conf) — logged off at
 * once. A refused login fails `auth` with what to check; a silent port fails `reach`.
 */
export function amiDiagnostics(config: AmiConfig, secret: string, clock: Clock): DiagnosticCheck[] {
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  return [
    { step: 'reach', run: () => checkReach(`tcp://${host}:${config.port}`) },
    {
      step: 'auth',
      run: async () => {
        const client = new AmiClient({ host: config.host, port: config.port, username: config.username, secret, clock, connectTimeoutMs: Math.min(config.connectTimeoutMs, 10_000), eventWhitelist: [] });
        try {
          const { banner } = await client.connect();
          return `${banner.trim() || 'AMI'}: logged in as ${config.username}.`;
        } catch (error) {
          if (error instanceof PbxError && error.kind === 'auth') throw new DiagnosticFailure('checkCredentials', `The PBX refused the AMI user ${config.username} (${error.message}). Check the user and secret in manager.conf and the permit/deny lines for this computer.`);
          if (error instanceof PbxError && error.kind === 'timeout') throw new DiagnosticFailure('checkHostAndPort', `${error.message}: is this the AMI port (manager.conf, 5038 by default)?`);
          throw new DiagnosticFailure('checkServerLog', error instanceof Error ? error.message : String(error));
        } finally {
          await client.close().catch(() => undefined);
        }
      },
    },
  ];
}
