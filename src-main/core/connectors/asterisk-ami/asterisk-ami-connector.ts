import { CallNumberSchema } from '../../../../src-shared/calls/calls-contract';
import { ExtensionSchema, type PbxSnapshot } from '../../../../src-shared/pbx/pbx-model';
import { MonitorModeSchema } from '../../../../src-shared/supervisor/supervisor-model';
import { every, systemClock, type Clock } from '../../../../src-shared/time/clock';
import type { Logger } from '../../log/logger';
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
  type TransferMode,
} from '../pbx/pbx-connector';
import { AmiClient, type AmiSocketFactory } from './ami-client';
import { ExtensionResolver, compilePattern } from './ami-interfaces';
import { AMI_EVENT_WHITELIST, AmiSwitchboard, SHARED_KEY_MAX, SHARED_USER_EVENT, findCalls, findSpy, type ChannelCall, type SpyChannel } from './ami-mapper';
import type { AmiMessage } from './ami-parser';
import { cleanText } from './ami-sanitize';
import { AmiConfigSchema, phonePattern, type AmiConfig } from './asterisk-ami-config';

/**
 * The Asterisk PBX connector over AMI (MikoPBX, FreePBX, Issabel and plain Asterisk): one
 * session per desk, events filtered on the PBX, the switchboard modelled by {@link AmiSwitchboard},
 * commands as AMI actions, the shared record in AstDB family `registratura` plus a `UserEvent`.
 * It never reconnects by itself: the host does, after `onDisconnect`.
 */

export const ASTERISK_AMI_CONNECTOR_VERSION = '1.0.0';
/** AstDB family of the desks' shared record. */
export const SHARED_FAMILY = 'registratura';

export const asteriskAmiManifest: PbxConnectorManifest<AmiConfig> = {
  id: 'asterisk-ami',
  kind: 'pbx',
  version: ASTERISK_AMI_CONNECTOR_VERSION,
  apiVersion: PBX_CONNECTOR_API_VERSION,
  capabilities: ['queues', 'agentStatus', 'originate', 'transfer', 'hangup', 'monitor', 'shared'],
  configSchema: AmiConfigSchema,
};

export interface AsteriskAmiDeps {
  socketFactory?: AmiSocketFactory;
  clock?: Clock;
  logger?: Pick<Logger, 'info' | 'warn'>;
  /** Per-action timeout (ms); default 8 s. */
  actionTimeoutMs?: number;
  actionIdPrefix?: string;
}

/** Ping slower than this: `degraded`. */
const SLOW_PING_MS = 1_500;
/**
 * ChanSpy options per mode (apps/app_chanspy.c): q no beep, w whisper, B barge, d DTMF 4 / 5 / 6
 * switch a running spy to listen / whisper / barge (`change_spy_mode`), E end with the agent's call
 * (`OPTION_EXITONHANGUP`; without it ChanSpy waits and listens to the agent's next call by itself).
 */
const SPY_OPTIONS: Record<MonitorMode, string> = { listen: 'qdE', whisper: 'qwdE', barge: 'qBdE' };
const SPY_DIGITS: Record<MonitorMode, string> = { listen: '4', whisper: '5', barge: '6' };
const DIALLABLE = /^[0-9A-Za-z*#+]{1,40}$/;

const silentLogger: Pick<Logger, 'info' | 'warn'> = {
  info: () => {},
  warn: (event, context) => console.warn(event, context ?? ''),
};

export function createAsteriskAmiConnector(ctx: PbxConnectorContext<AmiConfig>, deps: AsteriskAmiDeps = {}): PbxConnector {
  return new AsteriskAmiConnector(ctx, deps);
}

/** For the host's registry: `{ manifest, create(context, clock) }`. */
export const asteriskAmiRegistration = {
  manifest: asteriskAmiManifest as PbxConnectorManifest,
  create: (context: PbxConnectorContext<unknown>, clock: Clock): PbxConnector => createAsteriskAmiConnector(context as PbxConnectorContext<AmiConfig>, { clock }),
};

function checkExtension(extension: string, what = 'extension'): string {
  if (typeof extension !== 'string' || !ExtensionSchema.safeParse(extension).success) throw new PbxError('refused', `"${cleanText(String(extension), 40)}" is not a valid ${what}`);
  return extension;
}

function checkMode(mode: MonitorMode): MonitorMode {
  if (!MonitorModeSchema.safeParse(mode).success) throw new PbxError('refused', `"${cleanText(String(mode), 40)}" is not a monitor mode (listen, whisper or barge)`);
  return mode;
}

class AsteriskAmiConnector implements PbxConnector {
  readonly manifest = asteriskAmiManifest as PbxConnectorManifest;
  readonly shared: PbxSharedChannel;
  private readonly config: AmiConfig;
  private readonly clock: Clock;
  private readonly logger: Pick<Logger, 'info' | 'warn'>;
  private readonly board: AmiSwitchboard;
  private readonly phones: ExtensionResolver;
  private client: AmiClient | null = null;
  private stopTick: (() => void) | null = null;
  private closed = false;
  private readonly eventListeners = new Set<(event: PbxEvent) => void>();
  private readonly disconnectListeners = new Set<(error: PbxError) => void>();

  constructor(
    private readonly ctx: PbxConnectorContext<AmiConfig>,
    private readonly deps: AsteriskAmiDeps,
  ) {
    this.config = ctx.config;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger ?? silentLogger;
    const patterns = [this.config.memberInterface, this.config.stateInterface, this.config.deviceInterface, phonePattern(this.config)].filter((p): p is string => !!p);
    this.board = new AmiSwitchboard({
      queues: this.config.queues,
      queueNames: this.config.queueNames,
      interfacePatterns: patterns,
      extraExtensions: ctx.agent.extension ? [ctx.agent.extension] : [],
      slaSeconds: ctx.slaSeconds,
    });
    this.phones = new ExtensionResolver([phonePattern(this.config), this.config.deviceInterface, this.config.memberInterface]);
    this.shared = {
      publish: (key, value) => this.publish(key, value),
      remove: (key) => this.remove(key),
      removeTree: (folder) => this.removeTree(folder),
      list: (prefix) => this.list(prefix),
    };
  }

  async connect(): Promise<void> {
    if (this.closed) throw new PbxError('protocol', 'connector closed');
    const secret = this.ctx.secret ?? this.config.secret ?? null;
    if (!secret) throw new PbxError('auth', 'no AMI secret is stored for this PBX: enter the AMI password in the settings');
    this.dropClient();
    const client = new AmiClient({
      host: this.config.host,
      port: this.config.port,
      username: this.config.username,
      secret,
      clock: this.clock,
      logger: this.logger,
      connectTimeoutMs: this.config.connectTimeoutMs,
      actionTimeoutMs: this.deps.actionTimeoutMs ?? 8_000,
      eventWhitelist: AMI_EVENT_WHITELIST,
      ...(this.deps.socketFactory ? { socketFactory: this.deps.socketFactory } : {}),
      ...(this.deps.actionIdPrefix ? { actionIdPrefix: this.deps.actionIdPrefix } : {}),
    });
    this.client = client;
    client.onEvent((message) => this.onAmiEvent(client, message));
    client.onClose((error) => {
      if (this.client !== client) return;
      this.stopTicking();
      if (this.closed) return;
      this.logger.warn('pbx.ami.disconnected', { reason: error.message });
      for (const listener of [...this.disconnectListeners]) listener(error);
    });
    await client.connect();
    this.stopTicking();
    this.stopTick = every(this.clock, 1_000, () => this.emit(this.board.tick(this.clock.now())));
  }

  async snapshot(): Promise<PbxSnapshot> {
    const client = this.requireClient();
    const optional = (name: string) =>
      client.action(name).then(
        (result) => result.events,
        (error: unknown) => {
          if (error instanceof PbxError && error.kind === 'refused') {
            this.logger.warn('pbx.ami.listRefused', { action: name, reason: error.message });
            return undefined;
          }
          throw error;
        },
      );
    const [status, summary, channels] = await Promise.all([client.action('QueueStatus').then((r) => r.events), optional('QueueSummary'), optional('CoreShowChannels')]);
    this.board.rebuild({ queueStatus: status, ...(summary ? { queueSummary: summary } : {}), ...(channels ? { channels } : {}) }, this.clock.now());
    return this.board.snapshot(this.clock.now());
  }

  async health(): Promise<PbxHealth> {
    const latencyMs = await this.requireClient().ping();
    return { state: latencyMs > SLOW_PING_MS ? 'degraded' : 'online', latencyMs };
  }

  onEvent(listener: (event: PbxEvent) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onDisconnect(listener: (error: PbxError) => void): () => void {
    this.disconnectListeners.add(listener);
    return () => this.disconnectListeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopTicking();
    const client = this.client;
    this.client = null;
    await client?.close();
  }

  // ---- commands -----------------------------------------------------------------------------

  async pause(request: { extension: string; reason: string }): Promise<void> {
    const extension = checkExtension(request.extension);
    // No `Queue`: the member is paused in all its queues (transcript 04).
    await this.command('QueuePause', { Interface: this.memberInterface(extension), Paused: 'true', Reason: cleanText(request.reason) }, `pause ${extension}`);
  }

  async unpause(request: { extension: string }): Promise<void> {
    const extension = checkExtension(request.extension);
    await this.command('QueuePause', { Interface: this.memberInterface(extension), Paused: 'false' }, `unpause ${extension}`);
  }

  async originate(request: { extension: string; number: string; callerName?: string }): Promise<void> {
    const extension = checkExtension(request.extension);
    const number = request.number.trim();
    if (!number || !CallNumberSchema.safeParse(number).success || !DIALLABLE.test(number)) throw new PbxError('refused', 'the number to call is not a diallable number');
    const name = cleanText(request.callerName ?? '', 40).replace(/["<>]/g, '');
    await this.command(
      'Originate',
      {
        Channel: this.device(extension),
        Context: this.config.context,
        Exten: number,
        Priority: '1',
        CallerID: name ? `"${name}" <${number}>` : `<${number}>`,
        Timeout: '30000',
        Async: 'true',
      },
      `ring ${extension} for the callback`,
    );
  }

  async transfer(request: { extension: string; target: string; mode: TransferMode }): Promise<void> {
    const extension = checkExtension(request.extension);
    const target = request.target.trim();
    if (!DIALLABLE.test(target)) throw new PbxError('refused', 'the transfer target is not a diallable number');
    const call = await this.callOn(extension);
    if (request.mode === 'blind') {
      if (!call.peer) throw new PbxError('refused', `the call on ${extension} has no other party to transfer`);
      await this.command('Redirect', { Channel: call.peer, Context: this.config.context, Exten: target, Priority: '1' }, `transfer the call on ${extension}`);
    } else {
      await this.command('Atxfer', { Channel: call.channel, Context: this.config.context, Exten: target }, `transfer the call on ${extension}`);
    }
  }

  async hangup(request: { extension: string }): Promise<void> {
    const extension = checkExtension(request.extension);
    const call = await this.callOn(extension);
    await this.command('Hangup', { Channel: call.channel }, `hang up the call on ${extension}`);
  }

  async monitor(request: { supervisorExtension: string; extension: string; mode: MonitorMode }): Promise<void> {
    const supervisor = checkExtension(request.supervisorExtension, 'supervisor extension');
    const extension = checkExtension(request.extension);
    const mode = checkMode(request.mode);
    if (supervisor === extension) throw new PbxError('refused', `${supervisor} cannot monitor its own call`);
    await this.callOn(extension);
    const spy = this.config.spy;
    const common = { Channel: this.device(supervisor), CallerID: `"Monitor ${extension}" <${supervisor}>`, Timeout: '30000', Async: 'true' };
    if (spy) {
      const exten = compilePattern(spy[mode]).format(extension);
      await this.command('Originate', { ...common, Context: spy.context, Exten: exten, Priority: '1' }, `connect ${supervisor} to ${extension}`);
    } else {
      // `PJSIP/1002-`: the trailing dash keeps ChanSpy's prefix match off PJSIP/10020.
      const target = `${compilePattern(phonePattern(this.config)).format(extension)}-`;
      await this.command('Originate', { ...common, Application: 'ChanSpy', Data: `${target},${SPY_OPTIONS[mode]}` }, `connect ${supervisor} to ${extension}`);
    }
  }

  /**
   * A spy started with `d` switches by a DTMF digit it receives (`PlayDTMF … Receive: yes` on the
   * spying channel). One the PBX started without `d` (a feature code: the captures' `*222` is
   * `ChanSpy(PJSIP/XXXX-,q)`) cannot switch: refused, so the desk stops and starts it instead
   * (a digit would be accepted and do nothing).
   */
  async monitorMode(request: { supervisorExtension: string; mode: MonitorMode }): Promise<void> {
    const supervisor = checkExtension(request.supervisorExtension, 'supervisor extension');
    const mode = checkMode(request.mode);
    const spy = await this.spyOf(supervisor);
    if (!spy.options.includes('d')) {
      throw new PbxError('refused', `${supervisor}'s ChanSpy runs without the d option (the PBX's spy code), so its mode cannot be switched: stop it and start it again in the new mode`);
    }
    await this.command('PlayDTMF', { Channel: spy.channel, Digit: SPY_DIGITS[mode], Receive: 'yes' }, `switch ${supervisor} to ${mode}`);
  }

  async stopMonitor(request: { supervisorExtension: string }): Promise<void> {
    const supervisor = checkExtension(request.supervisorExtension, 'supervisor extension');
    const spy = await this.spyOf(supervisor);
    await this.command('Hangup', { Channel: spy.hangup }, `stop ${supervisor}'s monitoring`);
  }

  // ---- shared record ------------------------------------------------------------------------

  private async publish(key: string, value: string): Promise<void> {
    checkSharedKey(key);
    if (value.length > SHARED_VALUE_MAX || /[\p{Cc}]/u.test(value)) throw new PbxError('refused', `a shared value is one line of at most ${SHARED_VALUE_MAX} characters`);
    await this.command('DBPut', { Family: SHARED_FAMILY, Key: key, Val: value }, 'store the shared record');
    await this.command('UserEvent', [['UserEvent', SHARED_USER_EVENT], ['Key', key], ['Val', value]], 'announce the shared record');
  }

  private async remove(key: string): Promise<void> {
    checkSharedKey(key);
    try {
      await this.requireClient().action('DBDel', { Family: SHARED_FAMILY, Key: key });
    } catch (error) {
      // "Database entry could not be deleted": it was not there (transcript 04) — removed all the same.
      if (!(error instanceof PbxError && error.kind === 'refused')) throw error;
    }
    await this.command('UserEvent', [['UserEvent', SHARED_USER_EVENT], ['Key', key], ['Val', ''], ['Removed', 'yes']], 'announce the removal');
  }

  private async removeTree(folder: string): Promise<void> {
    checkSharedKey(folder);
    if (folder.endsWith('/')) throw new PbxError('refused', 'a shared folder is a key path without a trailing "/"');
    try {
      // AstDB deletes the keys under `folder/` (main/db.c `ast_db_deltree`); the family's others stay.
      await this.requireClient().action('DBDelTree', { Family: SHARED_FAMILY, Key: folder });
    } catch (error) {
      // "Database entry not found": nothing under it (transcript 04) — removed all the same.
      if (!(error instanceof PbxError && error.kind === 'refused' && /not found/i.test(error.message))) throw error;
    }
  }

  private async list(prefix: string): Promise<{ key: string; value: string }[]> {
    if (prefix !== '' && (prefix.length > SHARED_KEY_MAX || !/^[\x21-\x7E]+$/.test(prefix))) throw new PbxError('refused', 'a shared key prefix is printable ASCII without spaces');
    // AstDB trees match whole path components (main/db.c: `key || '/' LIKE ? || '/' || '%'`):
    // ask for the prefix's folder, then keep the keys that start with the prefix.
    const folder = prefix.includes('/') ? prefix.slice(0, prefix.lastIndexOf('/')) : '';
    let events: AmiMessage[];
    try {
      events = (await this.requireClient().action('DBGetTree', folder ? { Family: SHARED_FAMILY, Key: folder } : { Family: SHARED_FAMILY })).events;
    } catch (error) {
      if (error instanceof PbxError && error.kind === 'refused' && /not found/i.test(error.message)) return [];
      throw error;
    }
    const root = `/${SHARED_FAMILY}/`;
    const out: { key: string; value: string }[] = [];
    for (const item of events) {
      const full = item.get('Key') ?? '';
      if (!full.startsWith(root)) continue;
      const key = full.slice(root.length);
      if (key.startsWith(prefix)) out.push({ key, value: item.get('Val') ?? '' });
    }
    return out;
  }

  // ---- plumbing -----------------------------------------------------------------------------

  private onAmiEvent(client: AmiClient, message: AmiMessage): void {
    if (this.client !== client || this.closed) return;
    if ((message.event ?? '').toLowerCase() === 'originateresponse') {
      const response = (message.get('Response') ?? '').toLowerCase();
      if (response === 'failure') this.logger.warn('pbx.ami.originateFailed', { reason: message.get('Reason') ?? '' });
      return;
    }
    this.emit(this.board.handle(message, this.clock.now()));
  }

  private emit(events: PbxEvent[]): void {
    if (this.closed) return;
    for (const event of events) for (const listener of [...this.eventListeners]) listener(event);
  }

  private async command(name: string, headers: Parameters<AmiClient['action']>[1], what: string): Promise<void> {
    try {
      await this.requireClient().action(name, headers);
    } catch (error) {
      if (error instanceof PbxError && error.kind === 'refused') throw new PbxError('refused', `the PBX refused to ${what}: ${error.message}`, { cause: error });
      throw error;
    }
  }

  /** The call `extension` is on now, from a fresh `CoreShowChannels`. */
  private async callOn(extension: string): Promise<ChannelCall> {
    const channels = (await this.requireClient().action('CoreShowChannels')).events;
    const call = findCalls(channels, this.phones).get(extension);
    if (!call) throw new PbxError('refused', `${extension} has no call`);
    return call;
  }

  /** The ChanSpy `supervisor` runs now, from a fresh `CoreShowChannels`. */
  private async spyOf(supervisor: string): Promise<SpyChannel> {
    const channels = (await this.requireClient().action('CoreShowChannels')).events;
    const spy = findSpy(channels, supervisor, this.phones);
    if (!spy) throw new PbxError('refused', `${supervisor} is not monitoring any call`);
    return spy;
  }

  private memberInterface(extension: string): string {
    return compilePattern(this.config.memberInterface).format(extension);
  }

  private device(extension: string): string {
    return compilePattern(this.config.deviceInterface).format(extension);
  }

  private requireClient(): AmiClient {
    if (!this.client || this.closed) throw new PbxError('unreachable', 'not connected to the PBX');
    return this.client;
  }

  private stopTicking(): void {
    this.stopTick?.();
    this.stopTick = null;
  }

  private dropClient(): void {
    const old = this.client;
    this.client = null;
    if (old) void old.close();
  }
}

function checkSharedKey(key: string): void {
  if (key.length === 0 || key.length > SHARED_KEY_MAX || !/^[\x21-\x7E]+$/.test(key)) throw new PbxError('refused', 'a shared key is 1–200 printable ASCII characters without spaces');
}
