import { ExtensionSchema, PBX_NAME_MAX, type PbxSnapshot } from '../../../../src-shared/pbx/pbx-model';
import { seededRandom, type Random } from '../../../../src-shared/random/seeded-random';
import { MonitorModeSchema } from '../../../../src-shared/supervisor/supervisor-model';
import type { Clock } from '../../../../src-shared/time/clock';
import {
  PBX_CONNECTOR_API_VERSION,
  PbxError,
  SHARED_VALUE_MAX,
  type MonitorMode,
  type PbxConnector,
  type PbxConnectorContext,
  type PbxConnectorManifest,
  type PbxEvent,
  type PbxHealth,
  type PbxSharedChannel,
} from '../pbx/pbx-connector';
import {
  DESK_DEFAULT_EXTENSION,
  DESK_DEFAULT_NAME,
  DemoSwitchboard,
  DemoSwitchboardConfigSchema,
  demoClinicCallerPicker,
  type DemoSwitchboardConfig,
  type DemoSwitchboardControls,
} from './demo-switchboard';

/**
 * The embedded default PBX: the living demo switchboard ({@link DemoSwitchboard}) behind the
 * PBX connector contract. `connect()` opens a fresh day (callers waiting, calls under way, two
 * callers hanging up within 2 s) and runs it on the injected clock; `close()` stops every timer.
 * The shared record is an in-memory map of this one desk.
 */

export const DemoPbxConfigSchema = DemoSwitchboardConfigSchema;
export type DemoPbxConfig = DemoSwitchboardConfig;

export const demoPbxManifest: PbxConnectorManifest<DemoPbxConfig> = {
  id: 'demo',
  kind: 'pbx',
  version: '0.1.0',
  apiVersion: PBX_CONNECTOR_API_VERSION,
  capabilities: ['queues', 'agentStatus', 'originate', 'transfer', 'hangup', 'monitor', 'shared'],
  configSchema: DemoPbxConfigSchema,
};

export interface DemoPbxDeps {
  clock: Clock;
  /** Default: `seededRandom(config.seed)`. */
  random?: Random;
  /** A caller's number (default: the demo clinic of 20,000 patients, seed 1: {@link demoClinicCallerPicker}). */
  pickCallerNumber?: (random: Random) => string;
  /** A listener threw; the switchboard goes on (default: ignored). */
  onListenerError?: (error: unknown) => void;
}

/** The demo connector, with the switchboard's controls for tests and the demo's own buttons. */
export interface DemoPbxConnector extends PbxConnector {
  readonly controls: DemoSwitchboardControls;
}

const SHARED_KEY = /^[\x21-\x7E]{1,200}$/;

function supervisorOf(extension: string): string {
  if (!ExtensionSchema.safeParse(extension).success) throw new PbxError('refused', 'Interface not found');
  return extension;
}

function modeOf(mode: MonitorMode): MonitorMode {
  if (!MonitorModeSchema.safeParse(mode).success) throw new PbxError('refused', 'A monitor mode is listen, whisper or barge');
  return mode;
}

export function createDemoPbxConnector(ctx: PbxConnectorContext<DemoPbxConfig>, deps: DemoPbxDeps): DemoPbxConnector {
  const config = DemoPbxConfigSchema.parse(ctx.config ?? {});
  const { clock } = deps;
  const random = deps.random ?? seededRandom(config.seed);
  const pickCallerNumber = deps.pickCallerNumber ?? demoClinicCallerPicker();
  const extension = ctx.agent.extension.trim();
  const name = ctx.agent.name.trim().slice(0, PBX_NAME_MAX);
  const desk = {
    extension: ExtensionSchema.safeParse(extension).success ? extension : DESK_DEFAULT_EXTENSION,
    name: name || DESK_DEFAULT_NAME,
  };
  const eventListeners = new Set<(event: PbxEvent) => void>();
  const disconnectListeners = new Set<(error: PbxError) => void>();
  const records = new Map<string, string>();
  let board: DemoSwitchboard | null = null;

  const emit = (event: PbxEvent): void => {
    for (const listener of [...eventListeners]) {
      try {
        listener(event);
      } catch (error) {
        deps.onListenerError?.(error);
      }
    }
  };

  const live = (): DemoSwitchboard => {
    if (!board) throw new PbxError('unreachable', 'The demo switchboard is not connected');
    return board;
  };

  /** Tells every listener (this desk is the only one) after the call returns, as a PBX event would. */
  const announce = (key: string, value: string | null): void => {
    const from = board;
    queueMicrotask(() => {
      if (board === from && board) emit({ type: 'shared.changed', at: Math.round(clock.now()), key, value });
    });
  };

  const checkKey = (key: string): void => {
    if (!SHARED_KEY.test(key)) throw new PbxError('refused', 'A shared key is 1–200 printable characters without spaces');
  };

  const shared: PbxSharedChannel = {
    async publish(key, value) {
      live();
      checkKey(key);
      if (value.length > SHARED_VALUE_MAX || /[\r\n]/.test(value)) throw new PbxError('refused', `A shared value is one line of at most ${SHARED_VALUE_MAX} characters`);
      records.set(key, value);
      announce(key, value);
    },
    async remove(key) {
      live();
      checkKey(key);
      records.delete(key);
      announce(key, null);
    },
    async removeTree(folder) {
      live();
      checkKey(folder);
      for (const key of [...records.keys()]) if (key.startsWith(`${folder}/`)) records.delete(key);
    },
    async list(prefix) {
      live();
      return [...records].filter(([key]) => key.startsWith(prefix)).map(([key, value]) => ({ key, value }));
    },
  };

  return {
    manifest: demoPbxManifest as PbxConnectorManifest,
    shared,

    async connect() {
      if (board) return;
      board = new DemoSwitchboard({ config, clock, random, slaSeconds: ctx.slaSeconds, desk, pickCallerNumber, emit });
      board.start();
    },

    async snapshot(): Promise<PbxSnapshot> {
      return live().snapshot();
    },

    async health(): Promise<PbxHealth> {
      live();
      return { state: 'online', latencyMs: 0 };
    },

    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },

    onDisconnect(listener) {
      disconnectListeners.add(listener);
      return () => disconnectListeners.delete(listener);
    },

    async close() {
      board?.stop();
      board = null;
    },

    async originate({ extension, number }) {
      live().originate(extension, number);
    },
    async transfer({ extension, target }) {
      // Attended is carried out as blind: the demo has no consultation leg.
      live().transfer(extension, target);
    },
    async hangup({ extension }) {
      live().hangup(extension);
    },
    async pause({ extension, reason }) {
      const trimmed = reason.trim().slice(0, PBX_NAME_MAX);
      if (!trimmed) throw new PbxError('refused', 'A pause needs a reason');
      live().pause(extension, trimmed);
    },
    async unpause({ extension }) {
      live().unpause(extension);
    },
    async monitor({ supervisorExtension, extension, mode }) {
      live().monitor(supervisorOf(supervisorExtension), extension, modeOf(mode));
    },
    async monitorMode({ supervisorExtension, mode }) {
      live().monitorMode(supervisorOf(supervisorExtension), modeOf(mode));
    },
    async stopMonitor({ supervisorExtension }) {
      live().stopMonitor(supervisorOf(supervisorExtension));
    },

    controls: {
      addCaller: (number, queue) => live().addCaller(number, queue),
      abandon: (callId) => live().abandon(callId),
      setArrivalsPerHour: (rate) => live().setArrivalsPerHour(rate),
    },
  };
}
