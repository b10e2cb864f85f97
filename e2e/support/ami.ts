import { AmiSimulator, type RecordedAction } from '../ami-simulator/ami-simulator';
import { writeConfig } from './desk-host';

/** The captures' switchboard: queue `reception` with the two desks' agents 1001 and 1002. */
export const RECEPTION = [
  {
    name: 'reception',
    members: [
      { interface: 'PJSIP/1001', name: 'Иванова Анна' },
      { interface: 'PJSIP/1002', name: 'Петрова Ольга' },
    ],
  },
];

/** Starts the AMI simulator on 127.0.0.1 (ephemeral ports) with the captures' queue. */
export async function startAmi(): Promise<{ sim: AmiSimulator; amiPort: number }> {
  const sim = new AmiSimulator({ authFailDelayMs: 200 });
  const { amiPort } = await sim.start({ host: '127.0.0.1', amiPort: 0, controlPort: 0 });
  sim.defineQueues(RECEPTION);
  return { sim, amiPort };
}

/**
 * A desk on that PBX: a CTI desk (no softphone) whose agent is `extension`, on a small, still
 * demo clinic (2,000 cards, so its first sync is over in seconds). `pbxExtra` overrides fields of
 * the connector's config (`spy: null`: monitor by originating ChanSpy itself, as on MikoPBX and FreePBX).
 */
export function amiDeskConfig(amiPort: number, extension: string, name: string, extra: Record<string, unknown> = {}, pbxExtra: Record<string, unknown> = {}): string {
  return writeConfig({
    agent: { extension, name },
    connectors: {
      mis: { id: 'demo', config: { patients: 2_000, evolveIntervalMs: 0, latencyMs: 5 } },
      pbx: { id: 'asterisk-ami', config: { preset: 'asterisk', host: '127.0.0.1', port: amiPort, username: 'admin', secret: 'amipass', queueNames: { reception: 'Регистратура' }, ...pbxExtra } },
    },
    ...extra,
  });
}

/** The AMI actions of one name the simulator received since `since`. */
export function actionsNamed(sim: AmiSimulator, name: string, since = 0): RecordedAction[] {
  return sim.recordedActions(since).filter((action) => action.action.toLowerCase() === name.toLowerCase());
}

export function header(action: RecordedAction, key: string): string | undefined {
  return action.headers.find(([k]) => k.toLowerCase() === key.toLowerCase())?.[1];
}
