// The AMI simulator against the real Asterisk 22.10.1 captures in src-main/core/connectors/asterisk-ami/fixtures:
// same messages, same header names in the same order (byte for byte where nothing varies).
import net from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { AmiSwitchboard } from '../../src-main/core/connectors/asterisk-ami/ami-mapper';
import { AmiParser } from '../../src-main/core/connectors/asterisk-ami/ami-parser';
import type { PbxEvent } from '../../src-main/core/connectors/pbx/pbx-connector';
import { AmiSimulator } from './ami-simulator';
import type { AmiSimulatorOptions, RecordedAction } from './ami-simulator';
import { clientSection, parseAmiMessage, readTranscript, replyTo, serverStream, splitServerStream } from './transcript';
import type { AmiMessage, TranscriptConnection } from './transcript';

const FIXTURES = process.env.AMI_FIXTURES ?? fileURLToPath(new URL('../../src-main/core/connectors/asterisk-ami/fixtures', import.meta.url));
const transcript = (name: string): TranscriptConnection[] => readTranscript(join(FIXTURES, name));
const T01 = transcript('01-login-queuestatus-idle.txt');
const T02 = transcript('02-queue-call-abandoned.txt');
const T03 = transcript('03-queue-call-answered-chanspy.txt');
const T04 = transcript('04-login-failure-pause-reasons-astdb.txt');
const T04B = transcript('04b-userevent-second-session.txt');
const T05 = transcript('05-ring-no-answer-originate-chanspy-redirect.txt');
const first = (t: TranscriptConnection[]): TranscriptConnection => t[0]!;

const WAIT_MS = 5000;

// ------------------------------------------------------------------------------------ helpers

/** A bare AMI client over a real socket: collects messages, lets a test wait for one. */
class AmiClient {
  readonly socket: net.Socket;
  banner = '';
  private buffer = '';
  readonly messages: AmiMessage[] = [];
  private read = 0;
  private wake: (() => void) | null = null;
  closed = false;
  readonly closedPromise: Promise<void>;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      this.buffer += d;
      if (!this.banner) {
        const end = this.buffer.indexOf('\r\n');
        if (end < 0) return;
        this.banner = this.buffer.slice(0, end + 2);
        this.buffer = this.buffer.slice(end + 2);
      }
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) break;
        this.messages.push(parseAmiMessage(this.buffer.slice(0, end + 4)));
        this.buffer = this.buffer.slice(end + 4);
      }
      this.wake?.();
    });
    this.closedPromise = new Promise((resolve) =>
      socket.on('close', () => {
        this.closed = true;
        this.wake?.();
        resolve();
      }),
    );
    socket.on('error', () => {});
  }

  static connect(port: number): Promise<AmiClient> {
    return new Promise((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1');
      const c = new AmiClient(socket);
      clients.push(c);
      socket.once('error', reject);
      c.until(() => c.banner !== '').then(() => resolve(c), reject);
    });
  }

  send(text: string): void {
    this.socket.write(text);
  }

  action(headers: Record<string, string>): void {
    this.send(`${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  }

  async login(extra: Record<string, string> = {}): Promise<void> {
    this.action({ Action: 'Login', Username: 'admin', Secret: 'amipass', ActionID: 'login', ...extra });
    await this.next((m) => get(m, 'ActionID') === 'login');
    if (extra.Events === undefined || extra.Events === 'on') await this.next((m) => get(m, 'Event') === 'SuccessfulAuth');
  }

  /** Resolves once `cond` holds (checked on every arrival), bounded by WAIT_MS. */
  until(cond: () => boolean, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.wake = null;
        reject(new Error(`timed out waiting for ${what}; got:\n${this.messages.slice(this.read).map((m) => m.raw).join('')}`));
      }, WAIT_MS);
      const check = (): void => {
        if (cond()) {
          clearTimeout(timer);
          this.wake = null;
          resolve();
        } else if (this.closed) {
          clearTimeout(timer);
          this.wake = null;
          reject(new Error(`socket closed while waiting for ${what}`));
        }
      };
      this.wake = check;
      check();
    });
  }

  /** The messages from the read position up to and including the first that matches; moves the read position past it. */
  async collect(match: (m: AmiMessage) => boolean, what = 'message'): Promise<AmiMessage[]> {
    let found = -1;
    await this.until(() => {
      found = this.messages.findIndex((m, i) => i >= this.read && match(m));
      return found >= 0;
    }, what);
    const out = this.messages.slice(this.read, found + 1);
    this.read = found + 1;
    return out;
  }

  async next(match: (m: AmiMessage) => boolean, what = 'message'): Promise<AmiMessage> {
    const all = await this.collect(match, what);
    return all[all.length - 1]!;
  }

  /** The next n messages. */
  async take(n: number): Promise<AmiMessage[]> {
    await this.until(() => this.messages.length - this.read >= n, `${n} messages`);
    const out = this.messages.slice(this.read, this.read + n);
    this.read += n;
    return out;
  }

  /** Events seen since the read position (without moving it). */
  pending(): AmiMessage[] {
    return this.messages.slice(this.read);
  }
}

const get = (m: AmiMessage, key: string): string | undefined => m.headers.find(([k]) => k === key)?.[1];
const keys = (m: AmiMessage, drop: string[] = []): string[] => m.headers.map(([k]) => k).filter((k) => !drop.includes(k));
const shape = (ms: AmiMessage[], drop: string[] = []): string[][] => ms.map((m) => keys(m, drop));
const named = (name: string) => (m: AmiMessage): boolean => get(m, 'Event') === name;
/** The first event of that name in a transcript connection's server stream. */
function capturedEvent(conn: TranscriptConnection, name: string, where: (m: AmiMessage) => boolean = () => true): AmiMessage {
  const m = splitServerStream(serverStream(conn)).messages.map(parseAmiMessage).find((x) => named(name)(x) && where(x));
  if (!m) throw new Error(`no ${name} in the capture`);
  return m;
}

let sims: AmiSimulator[] = [];
let clients: AmiClient[] = [];

async function startSim(options: AmiSimulatorOptions = {}): Promise<{ sim: AmiSimulator; ami: number; control: string }> {
  const sim = new AmiSimulator({ preset: 'demo', authFailDelayMs: 30, answerDelayMs: 20, ...options });
  sims.push(sim);
  const ports = await sim.start({ amiPort: 0, controlPort: 0, host: '127.0.0.1' });
  return { sim, ami: ports.amiPort, control: `http://127.0.0.1:${ports.controlPort}` };
}

async function post<T = Record<string, unknown>>(base: string, path: string, body: unknown = {}): Promise<T> {
  const res = await fetch(`${base}${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  const json = (await res.json()) as T;
  if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

afterEach(async () => {
  for (const c of clients) c.socket.destroy();
  clients = [];
  await Promise.all(sims.map((s) => s.stop()));
  sims = [];
});

// ------------------------------------------------------------------------------------ tests

describe('transcript parser', () => {
  it('splits client and server sections and connections', () => {
    expect(T04).toHaveLength(2);
    expect(T04[0]!.closed).toBe(true);
    const { banner, messages } = splitServerStream(serverStream(T04[0]!));
    expect(banner).toBe('Asterisk Call Manager/11.0.0\r\n');
    expect(messages).toEqual(['Response: Error\r\nActionID: login-bad\r\nMessage: Authentication failed\r\n\r\n']);
    expect(clientSection(T04[1]!, 'ping-1')).toBe('Action: Ping\r\nActionID: ping-1\r\n\r\n');
    expect(replyTo(first(T01), 'qs-1').map((m) => get(m, 'Event') ?? get(m, 'Response'))).toEqual([
      'Success', 'QueueParams', 'QueueMember', 'QueueMember', 'QueueStatusComplete',
    ]);
  });
});

describe('AMI simulator', () => {
  it('sends the banner on connect', async () => {
    const { ami } = await startSim();
    const c = await AmiClient.connect(ami);
    expect(c.banner).toBe('Asterisk Call Manager/11.0.0\r\n');
  });

  it('logs in like transcript 4 (Response, FullyBooted, SuccessfulAuth; no SystemName)', async () => {
    const { ami } = await startSim();
    const c = await AmiClient.connect(ami);
    c.send(clientSection(T04[1]!, 'login-1'));
    const got = await c.collect(named('SuccessfulAuth'));
    const want = replyTo(T04[1]!, 'login-1');
    expect(shape(got)).toEqual(shape(want));
    expect(got[0]!.raw).toBe(want[0]!.raw);
    expect(get(got[2]!, 'SystemName')).toBeUndefined();
  });

  it('refuses a wrong secret after the delay, closes, and tells other sessions (InvalidPassword)', async () => {
    const { ami } = await startSim({ authFailDelayMs: 40 });
    const b = await AmiClient.connect(ami);
    await b.login({ Events: 'on' });
    const a = await AmiClient.connect(ami);
    const sentAt = Date.now();
    a.send(clientSection(T04[0]!, 'login-bad'));
    const reply = await a.next(() => true);
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(35);
    expect(reply.raw).toBe(splitServerStream(serverStream(T04[0]!)).messages[0]);
    await a.closedPromise;
    const inval = await b.next(named('InvalidPassword'));
    expect(keys(inval)).toEqual(keys(capturedEvent(first(T04B), 'InvalidPassword')));
    expect(get(inval, 'AccountID')).toBe('admin');
  });

  it('answers Permission denied before login, Goodbye on Logoff', async () => {
    const { ami } = await startSim();
    const c = await AmiClient.connect(ami);
    c.action({ Action: 'QueueStatus', ActionID: 'x1' });
    expect((await c.next(() => true)).raw).toBe('Response: Error\r\nActionID: x1\r\nMessage: Permission denied\r\n\r\n');
    await c.login();
    c.send(clientSection(first(T01), 'logoff-1'));
    expect((await c.next(() => true)).raw).toBe(replyTo(first(T01), 'logoff-1')[0]!.raw);
    await c.closedPromise;
  });

  it('QueueStatus / QueueSummary have the structure of transcript 1', async () => {
    const { ami, control } = await startSim();
    await post(control, '/queues', { queues: [{ name: 'reception', members: [{ interface: 'PJSIP/1001', name: 'Agent 1001', status: 5 }, { interface: 'PJSIP/1002', name: 'Agent 1002', status: 5 }] }] });
    const c = await AmiClient.connect(ami);
    await c.login();
    for (const [id, last] of [['qs-1', 'QueueStatusComplete'], ['qsum-1', 'QueueSummaryComplete'], ['qs-2', 'QueueStatusComplete']] as const) {
      c.send(clientSection(first(T01), id));
      const got = await c.collect(named(last), last);
      const want = replyTo(first(T01), id);
      expect(shape(got)).toEqual(shape(want));
      // Every value but the login time is the same as on the real PBX.
      const strip = (ms: AmiMessage[]): string[] => ms.map((m) => m.raw.replace(/LoginTime: \d+/, 'LoginTime: X'));
      expect(strip(got)).toEqual(strip(want));
    }
  });

  it('a caller joins, waits and abandons with the headers of transcript 2', async () => {
    const { ami, control } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    const caller = await post<{ linkedid: string; uniqueid: string; channel: string }>(control, '/callers', { number: '2001', queue: 'reception', name: 'CLI 2001' });
    expect(caller.channel).toMatch(/^PJSIP\/2001-[0-9a-f]{8}$/);
    expect(caller.uniqueid).toMatch(/^\d+\.\d+$/);
    const join = await c.next(named('QueueCallerJoin'));
    const t2 = first(T02);
    const noSys = ['SystemName'];
    expect(keys(join)).toEqual(keys(capturedEvent(t2, 'QueueCallerJoin'), noSys));
    expect([get(join, 'Queue'), get(join, 'Position'), get(join, 'Count'), get(join, 'CallerIDNum'), get(join, 'Linkedid')]).toEqual(['reception', '1', '1', '2001', caller.linkedid]);

    c.send(clientSection(t2, 'qs-mid'));
    const qs = await c.collect(named('QueueStatusComplete'));
    expect(shape(qs.filter((m) => get(m, 'Event') !== 'MusicOnHoldStart'))).toEqual(shape(replyTo(t2, 'qs-mid')));
    c.send(clientSection(t2, 'qsum-mid'));
    const sum = await c.collect(named('QueueSummaryComplete'));
    expect(get(sum[1]!, 'Callers')).toBe('1');

    await post(control, `/callers/${caller.linkedid}/abandon`);
    const flow = await c.collect(named('Hangup'));
    const abandon = flow.find(named('QueueCallerAbandon'))!;
    const leave = flow.find(named('QueueCallerLeave'))!;
    expect(keys(abandon)).toEqual(keys(capturedEvent(t2, 'QueueCallerAbandon'), noSys));
    expect(keys(leave)).toEqual(keys(capturedEvent(t2, 'QueueCallerLeave'), noSys));
    expect(keys(flow[flow.length - 1]!)).toEqual(keys(capturedEvent(t2, 'Hangup'), noSys));
    expect([get(abandon, 'Position'), get(abandon, 'OriginalPosition')]).toEqual(['1', '1']);
    expect(get(leave, 'Count')).toBe('0');
    const order = flow.map((m) => get(m, 'Event')).filter((e) => ['QueueCallerAbandon', 'QueueCallerLeave', 'Hangup'].includes(e ?? ''));
    expect(order).toEqual(['QueueCallerAbandon', 'QueueCallerLeave', 'Hangup']);
    expect(flow.some(named('VarSet'))).toBe(true);
  });

  it('an answered call has the AgentCalled/AgentConnect/AgentComplete headers of transcript 3', async () => {
    const { ami, control } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    c.send(clientSection(first(T03), 'qadd-1'));
    const added = await c.collect(named('QueueMemberAdded'));
    const addWant = replyTo(first(T03), 'qadd-1').slice(0, 2); // the rest of that section is the SIP call starting
    expect(shape(added)).toEqual(shape(addWant));
    expect(added[1]!.raw.replace(/LoginTime: \d+/, '')).toBe(addWant[1]!.raw.replace(/LoginTime: \d+/, ''));

    const caller = await post<{ linkedid: string }>(control, '/callers', { number: '2001', queue: 'reception', name: 'CLI 2001' });
    await post(control, `/callers/${caller.linkedid}/answer`, { interface: 'PJSIP/2002' });
    const connect = await c.collect(named('BridgeEnter'));
    const t3 = first(T03);
    for (const name of ['AgentCalled', 'DialBegin', 'AgentConnect', 'QueueCallerLeave']) {
      expect(keys(connect.find(named(name))!), name).toEqual(keys(capturedEvent(t3, name)));
    }
    const statuses = connect.filter(named('QueueMemberStatus')).map((m) => get(m, 'Status'));
    expect(statuses).toEqual(['6', '2']);
    expect(keys(connect.find(named('QueueMemberStatus'))!)).toEqual(keys(capturedEvent(t3, 'QueueMemberStatus')));
    const ac = connect.find(named('AgentConnect'))!;
    expect([get(ac, 'Interface'), get(ac, 'MemberName'), get(ac, 'Linkedid')]).toEqual(['PJSIP/2002', 'Agent 2002 (sipp)', caller.linkedid]);

    c.send(clientSection(t3, 'qs-call'));
    const qs = await c.collect(named('QueueStatusComplete'));
    const member = qs.find((m) => get(m, 'Location') === 'PJSIP/2002')!;
    expect([get(member, 'InCall'), get(member, 'Status')]).toEqual(['1', '2']);

    await post(control, `/calls/${caller.linkedid}/hangup`, { by: 'caller' });
    const end = await c.collect((m) => named('QueueMemberStatus')(m) && get(m, 'Status') === '1');
    const complete = end.find(named('AgentComplete'))!;
    expect(keys(complete)).toEqual(keys(capturedEvent(t3, 'AgentComplete')));
    expect(get(complete, 'Reason')).toBe('caller');
    expect(end.filter(named('Hangup')).map((m) => get(m, 'Cause'))).toEqual(['16', '16']);
    expect(get(end[end.length - 1]!, 'CallsTaken')).toBe('1');
    c.send(clientSection(t3, 'qrm-1'));
    const removed = [await c.next((m) => get(m, 'ActionID') === 'qrm-1'), ...(await c.collect(named('QueueMemberRemoved')))];
    expect(shape(removed)).toEqual(shape(replyTo(t3, 'qrm-1')));
    expect(get(removed[1]!, 'CallsTaken')).toBe('1');
  });

  it('ring-no-answer reports RingTime in ms like transcript 5', async () => {
    const { ami, control } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    const caller = await post<{ linkedid: string }>(control, '/callers', { number: '2001', queue: 'reception' });
    await post(control, '/members/ring-no-answer', { interface: 'PJSIP/1001', linkedid: caller.linkedid, ringMs: 15000 });
    const flow = await c.collect((m) => named('QueueMemberStatus')(m) && get(m, 'Status') === '1');
    const rna = flow.find(named('AgentRingNoAnswer'))!;
    expect(keys(rna)).toEqual(keys(capturedEvent(first(T05), 'AgentRingNoAnswer')));
    expect(get(rna, 'RingTime')).toBe('15000');
    expect(flow.find((m) => named('DialEnd')(m))).toBeDefined();
    const state = (await (await fetch(`${control}/state`)).json()) as { callers: Array<{ linkedid: string }> };
    expect(state.callers.map((x) => x.linkedid)).toEqual([caller.linkedid]);
  });

  it('QueuePause with a UTF-8 reason: the exact events of transcript 4, empty reason on unpause, Interface not found', async () => {
    const { ami } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login({ Events: 'on' });
    const t4 = T04[1]!;
    const lastPauseFree = (ms: AmiMessage[]): string[] => ms.map((m) => m.raw.replace(/(LastPause|LoginTime): \d+/g, '$1: X'));
    c.send(clientSection(t4, 'pause-1'));
    const paused = await c.collect(named('QueueMemberPause'));
    expect(lastPauseFree(paused)).toEqual(lastPauseFree(replyTo(t4, 'pause-1')));
    const qmp = paused[paused.length - 1]!;
    expect(get(qmp, 'PausedReason')).toBe('Обед');
    expect(Buffer.from(qmp.raw, 'utf8').includes(Buffer.from([0xd0, 0x9e, 0xd0, 0xb1, 0xd0, 0xb5, 0xd0, 0xb4]))).toBe(true);

    c.send(clientSection(t4, 'qs-paused'));
    const qs = await c.collect(named('QueueStatusComplete'));
    expect(lastPauseFree(qs)).toEqual(lastPauseFree(replyTo(t4, 'qs-paused')));

    c.send(clientSection(t4, 'unpause-1'));
    const unpaused = await c.collect(named('QueueMemberPause'));
    expect(lastPauseFree(unpaused)).toEqual(lastPauseFree(replyTo(t4, 'unpause-1')));
    for (const id of ['pause-all-1', 'unpause-all-1']) {
      c.send(clientSection(t4, id));
      expect(lastPauseFree(await c.collect(named('QueueMemberPause')))).toEqual(lastPauseFree(replyTo(t4, id)));
    }
    for (const id of ['pause-nonmember', 'pause-nonmember-allq', 'pause-noqueue']) {
      c.send(clientSection(t4, id));
      expect((await c.next(() => true)).raw).toBe(replyTo(t4, id)[0]!.raw);
    }
  });

  it('UserEvent reaches every session, the sender after its Response, headers verbatim (transcripts 4/4b)', async () => {
    const { ami } = await startSim();
    const a = await AmiClient.connect(ami);
    await a.login({ Events: 'on' });
    const b = await AmiClient.connect(ami);
    await b.login({ Events: 'on' });
    await a.next(named('SuccessfulAuth')); // B's login, seen by A
    a.send(clientSection(T04[1]!, 'ue-1'));
    const want = replyTo(T04[1]!, 'ue-1');
    const gotA = await a.take(2);
    expect(gotA.map((m) => m.raw)).toEqual([want[0]!.raw, want[1]!.raw]);
    expect((await b.next(named('UserEvent'))).raw).toBe(want[1]!.raw);

    // B's own UserEvent, without ActionID, UTF-8 comment.
    const bSection = first(T04B).sections.find((s) => s.kind === 'client' && s.text.includes('UserEvent: RegistraturaCallback'))!;
    b.send(bSection.text);
    const bWant = splitServerStream(first(T04B).sections[first(T04B).sections.indexOf(bSection) + 1]!.text).messages;
    const gotB = await b.take(2);
    expect(gotB.map((m) => m.raw)).toEqual([bWant[0], bWant[1]]);
    expect((await a.next(named('UserEvent'))).raw).toBe(bWant[1]);
  });

  it('AstDB put/get/tree/del behave byte for byte like transcript 4', async () => {
    const { ami } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    const t4 = T04[1]!;
    const ids = ['dbput-1', 'dbput-2', 'dbput-3', 'dbget-1', 'dbget-utf8', 'dbtree-1', 'dbtree-cb', 'dbget-missing', 'dbtree-empty', 'dbdel-1', 'dbdel-again', 'dbdeltree-cb', 'dbtree-2', 'dbdeltree-all', 'dbdeltree-again'];
    for (const id of ids) {
      c.send(clientSection(t4, id));
      const want = replyTo(t4, id);
      const got = await c.take(want.length);
      expect(got.map((m) => m.raw), id).toEqual(want.map((m) => m.raw));
    }
  });

  it('unknown action and Ping answer like transcript 4', async () => {
    const { ami } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    const t4 = T04[1]!;
    c.send(clientSection(t4, 'unknown-1'));
    const got = await c.take(2);
    const want = replyTo(t4, 'unknown-1');
    expect(got[0]!.raw).toBe(want[0]!.raw);
    expect(shape([got[1]!])).toEqual(shape([want[1]!]));
    c.send(clientSection(t4, 'ping-1'));
    const pong = await c.next(() => true);
    expect(keys(pong)).toEqual(keys(replyTo(t4, 'ping-1')[0]!));
    expect(get(pong, 'Timestamp')).toMatch(/^\d+\.\d{6}$/);
  });

  it('Originate to an unregistered endpoint fails like transcript 5 (sync and async)', async () => {
    const { ami } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    const t5 = first(T05);
    c.send(clientSection(t5, 'orig-unreg-sync'));
    expect((await c.next(() => true)).raw).toBe(replyTo(t5, 'orig-unreg-sync')[0]!.raw);
    c.send(clientSection(t5, 'orig-unreg-async'));
    const want = replyTo(t5, 'orig-unreg-async').slice(0, 2);
    expect((await c.take(2)).map((m) => m.raw)).toEqual(want.map((m) => m.raw));
  });

  it('Originate to a registered phone rings it, answers, and OriginateResponse has the captured headers', async () => {
    const { ami, control } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    c.action({ Action: 'Originate', Channel: 'PJSIP/1001', Exten: '79161234567', Context: 'internal', Priority: '1', CallerID: 'Desk <1001>', Async: 'true', ActionID: 'o1' });
    const resp = await c.next((m) => get(m, 'ActionID') === 'o1' && get(m, 'Response') !== undefined && get(m, 'Event') === undefined);
    expect(get(resp, 'Message')).toBe('Originate successfully queued');
    const or = await c.next(named('OriginateResponse'));
    expect(keys(or)).toEqual(keys(capturedEvent(first(T05), 'OriginateResponse')));
    expect([get(or, 'Response'), get(or, 'Reason'), get(or, 'Channel')?.startsWith('PJSIP/1001-')]).toEqual(['Success', '4', true]);
    await c.next(named('BridgeEnter'));
    await c.next(named('BridgeEnter'));
    c.action({ Action: 'CoreShowChannels', ActionID: 'csc' });
    const list = await c.collect(named('CoreShowChannelsComplete'));
    const items = list.filter(named('CoreShowChannel'));
    expect(items).toHaveLength(2);
    expect(keys(items[0]!)).toEqual(keys(capturedEvent(first(T05), 'CoreShowChannel')));
    expect(get(list[list.length - 1]!, 'ListItems')).toBe('2');
    c.action({ Action: 'Hangup', Channel: get(or, 'Channel')!, ActionID: 'h1' });
    expect(get(await c.next((m) => get(m, 'ActionID') === 'h1'), 'Message')).toBe('Channel Hungup');
    await c.collect(named('Hangup'));
    await c.collect(named('Hangup'));
    const state = (await (await fetch(`${control}/state`)).json()) as { channels: unknown[]; devices: Record<string, number> };
    expect(state.channels).toEqual([]);
    expect(state.devices['PJSIP/1001']).toBe(1);
  });

  it('a sync Originate blocks until the phone answers', async () => {
    const { ami } = await startSim({ answerDelayMs: 30 });
    const c = await AmiClient.connect(ami);
    await c.login({ Events: 'off' });
    c.action({ Action: 'Originate', Channel: 'PJSIP/9000', Application: 'Wait', Data: '5', ActionID: 'sync' });
    c.action({ Action: 'Ping', ActionID: 'after' });
    const [r1, r2] = await c.take(2);
    expect([get(r1!, 'ActionID'), get(r1!, 'Response'), get(r2!, 'ActionID')]).toEqual(['sync', 'Success', 'after']);
  });

  it('Redirect moves the caller; AgentComplete (no Dest*) only at the final hangup, with the first agent', async () => {
    const { ami, control } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    const caller = await post<{ linkedid: string; channel: string }>(control, '/callers', { number: '2001', queue: 'reception' });
    await post(control, `/callers/${caller.linkedid}/answer`, { interface: 'PJSIP/1002' });
    await c.collect(named('BridgeEnter'));
    c.action({ Action: 'Redirect', Channel: caller.channel, Exten: '1001', Context: 'internal', Priority: '1', ActionID: 'x1' });
    expect(get(await c.next((m) => get(m, 'ActionID') === 'x1'), 'Message')).toBe('Redirect successful');
    const moved = await c.collect((m) => named('BridgeEnter')(m) && get(m, 'Channel') === caller.channel);
    expect(moved.some(named('AgentComplete'))).toBe(false);
    expect(moved.find((m) => named('QueueMemberStatus')(m) && get(m, 'Interface') === 'PJSIP/1002' && get(m, 'Status') === '1')).toBeDefined();
    await post(control, `/calls/${caller.linkedid}/hangup`, { by: 'caller' });
    const complete = await c.next(named('AgentComplete'));
    expect(keys(complete)).toEqual(keys(capturedEvent(first(T05), 'AgentComplete')));
    expect([get(complete, 'Interface'), get(complete, 'Reason')]).toEqual(['PJSIP/1002', 'caller']);
    c.action({ Action: 'Redirect', Channel: 'PJSIP/nope-00000000', Exten: '1', Context: 'internal', Priority: '1', ActionID: 'x2' });
    expect(get(await c.next((m) => get(m, 'ActionID') === 'x2'), 'Message')).toBe('Channel does not exist: PJSIP/nope-00000000');
  });

  it('Events off, event masks and Filter are honoured per session', async () => {
    const { ami, control } = await startSim();
    const off = await AmiClient.connect(ami);
    await off.login({ Events: 'off' });
    const agentOnly = await AmiClient.connect(ami);
    await agentOnly.login({ Events: 'agent' });
    const filtered = await AmiClient.connect(ami);
    await filtered.login();
    filtered.action({ Action: 'Filter', Operation: 'Add', Filter: 'Event: QueueCallerJoin', ActionID: 'f1' });
    expect((await filtered.next((m) => get(m, 'ActionID') === 'f1')).raw).toBe('Response: Success\r\nActionID: f1\r\nMessage: Success\r\n\r\n');
    const black = await AmiClient.connect(ami);
    await black.login();
    black.action({ Action: 'Filter', Operation: 'Add', Filter: '!Event: (VarSet|Newexten)', ActionID: 'f2' });
    await black.next((m) => get(m, 'ActionID') === 'f2');

    await post(control, '/callers', { number: '2001', queue: 'reception' });
    off.action({ Action: 'Ping', ActionID: 'p' });
    await off.next((m) => get(m, 'ActionID') === 'p');
    const seen = await filtered.collect(named('QueueCallerJoin'));
    expect(seen.map((m) => get(m, 'Event'))).toEqual(['QueueCallerJoin']);
    const agentSeen = await agentOnly.collect(named('QueueCallerJoin'));
    expect(agentSeen.every((m) => m.raw.includes('Privilege: agent,all'))).toBe(true);
    const blackSeen = await black.collect(named('MusicOnHoldStart'));
    expect(blackSeen.some((m) => ['VarSet', 'Newexten'].includes(get(m, 'Event') ?? ''))).toBe(false);
    expect(blackSeen.some(named('Newchannel'))).toBe(true);
    expect(off.messages.some((m) => get(m, 'Event') !== undefined)).toBe(false);

    agentOnly.action({ Action: 'Events', EventMask: 'off', ActionID: 'e1' });
    expect((await agentOnly.next((m) => get(m, 'ActionID') === 'e1')).raw).toBe('Response: Success\r\nActionID: e1\r\nEvents: Off\r\n\r\n');
  });

  it('survives partial lines, LF-only endings, garbage and over-long lines', async () => {
    const { ami } = await startSim();
    const c = await AmiClient.connect(ami);
    const bytes = Buffer.from('Action: Login\nUsername: admin\nSecret: amipass\nActionID: lf\n\n', 'utf8');
    for (let i = 0; i < bytes.length; i++) c.socket.write(bytes.subarray(i, i + 1));
    expect(get(await c.next((m) => get(m, 'ActionID') === 'lf'), 'Message')).toBe('Authentication accepted');
    c.send('\x00\x01garbage without colon\r\n:::\r\n\r\n');
    expect(get(await c.next((m) => get(m, 'Response') === 'Error'), 'Message')).toBe('Missing action in request');
    c.send(`Action: Ping\r\nActionID: long\r\nX-Long: ${'x'.repeat(5000)}\r\n\r\n`);
    const err = await c.next((m) => get(m, 'Response') === 'Error');
    expect(get(err, 'Message')).toBe('Failed to parse message: line too long');
    const utf8 = Buffer.from('Action: UserEvent\r\nUserEvent: T\r\nNote: Обед\r\nActionID: u8\r\n\r\n', 'utf8');
    const cut = utf8.indexOf(0xd0) + 1; // split inside a multi-byte character
    c.socket.write(utf8.subarray(0, cut));
    c.socket.write(utf8.subarray(cut));
    const ue = await c.next(named('UserEvent'));
    expect(get(ue, 'Note')).toBe('Обед');
    c.action({ Action: 'Ping', ActionID: 'alive' });
    expect(get(await c.next((m) => get(m, 'ActionID') === 'alive'), 'Ping')).toBe('Pong');
  });

  it('records every action with its session and headers (GET /actions)', async () => {
    const { ami, control, sim } = await startSim();
    const a = await AmiClient.connect(ami);
    await a.login();
    a.action({ Action: 'QueuePause', Interface: 'PJSIP/1001', Paused: 'true', Reason: 'Обед', ActionID: 'p1' });
    await a.next((m) => get(m, 'ActionID') === 'p1');
    const res = (await (await fetch(`${control}/actions?since=1`)).json()) as { actions: RecordedAction[]; next: number };
    expect(res.next).toBe(2);
    expect(res.actions).toHaveLength(1);
    expect(res.actions[0]).toMatchObject({ seq: 2, action: 'QueuePause', headers: [['Action', 'QueuePause'], ['Interface', 'PJSIP/1001'], ['Paused', 'true'], ['Reason', 'Обед'], ['ActionID', 'p1']] });
    expect(sim.recordedActions().map((x) => [x.session, x.action])).toEqual([[1, 'Login'], [1, 'QueuePause']]);
  });

  it('POST /kill-sessions drops every AMI socket; clients can reconnect', async () => {
    const { ami, control } = await startSim();
    const a = await AmiClient.connect(ami);
    await a.login();
    const b = await AmiClient.connect(ami);
    expect(await post(control, '/kill-sessions')).toEqual({ killed: 2 });
    await Promise.all([a.closedPromise, b.closedPromise]);
    const c = await AmiClient.connect(ami);
    await c.login();
  });

  it('POST /reset clears calls, counters and AstDB; bad requests get 4xx JSON', async () => {
    const { ami, control } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    c.action({ Action: 'DBPut', Family: 'f', Key: 'k', Val: 'v', ActionID: 'd' });
    await c.next((m) => get(m, 'ActionID') === 'd');
    const caller = await post<{ linkedid: string }>(control, '/callers', { number: '2001', queue: 'reception' });
    await post(control, `/callers/${caller.linkedid}/abandon`);
    await post(control, '/reset');
    const state = (await (await fetch(`${control}/state`)).json()) as { astdb: object; queues: Array<{ counters: { abandoned: number } }> };
    expect(state.astdb).toEqual({});
    expect(state.queues[0]!.counters.abandoned).toBe(0);
    expect((await fetch(`${control}/callers`, { method: 'POST', body: '{bad' })).status).toBe(400);
    expect((await fetch(`${control}/callers/nope/answer`, { method: 'POST', body: '{}' })).status).toBe(404);
    expect((await fetch(`${control}/nothing`)).status).toBe(404);
  });
});

// ------------------------------------------------------------------------------------ supervisor

interface SimState {
  calls: Array<{ kind: string; linkedid: string; channels?: string[]; spyer?: string | null; spyee?: string | null; spyFlags?: string | null; transferredTo?: string | null }>;
  channels: Array<{ name: string; application: string }>;
  devices: Record<string, number>;
}

async function simState(control: string): Promise<SimState> {
  return (await (await fetch(`${control}/state`)).json()) as SimState;
}

/** What a desk's connector (agent `extension`, PJSIP members) makes of the events a session saw. */
function deskEvents(messages: readonly AmiMessage[], extension: string): PbxEvent[] {
  const board = new AmiSwitchboard({ queues: [], queueNames: {}, interfacePatterns: ['PJSIP/{extension}'], extraExtensions: [extension], slaSeconds: 20 });
  const parser = new AmiParser();
  const out: PbxEvent[] = [];
  for (const m of messages) {
    // List items (CoreShowChannel …) and responses are not events.
    if (get(m, 'Event') === undefined || get(m, 'ActionID') !== undefined) continue;
    for (const parsed of parser.feed(m.raw)) out.push(...board.handle(parsed, 1_796_489_600_000));
  }
  return out;
}

describe('AMI simulator: a supervisor (ChanSpy, PlayDTMF, Hangup, Redirect to an agent)', () => {
  it('a ChanSpy originated with d switches by DTMF 4/5/6 received on the spying channel; PlayDTMF answers like app_senddtmf.c', async () => {
    const { ami, control, sim } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    const caller = sim.addCaller('2001', 'reception', 'CLI 2001');
    sim.answer(caller.linkedid, 'PJSIP/1001');
    c.action({ Action: 'Originate', Channel: 'PJSIP/9000', Application: 'ChanSpy', Data: 'PJSIP/1001-,qd', CallerID: '"Monitor 1001" <9000>', Timeout: '30000', Async: 'true', ActionID: 'spy' });
    const start = await c.next(named('ChanSpyStart'));
    expect(keys(start)).toEqual(keys(capturedEvent(first(T05), 'ChanSpyStart')));
    const spyer = get(start, 'SpyerChannel')!;
    expect(spyer).toMatch(/^PJSIP\/9000-[0-9a-f]{8}$/);
    expect([get(start, 'SpyerCallerIDNum'), get(start, 'SpyeeLinkedid')]).toEqual(['9000', caller.linkedid]);
    expect(get(start, 'SpyeeChannel')).toMatch(/^PJSIP\/1001-/);
    const spy = async () => (await simState(control)).calls.find((call) => call.kind === 'spy');
    expect(await spy()).toMatchObject({ spyer, spyee: get(start, 'SpyeeChannel'), spyFlags: 'qd' });

    let n = 0;
    const dtmf = async (headers: Record<string, string>): Promise<AmiMessage> => {
      const id = `d${++n}`;
      c.action({ Action: 'PlayDTMF', ...headers, ActionID: id });
      return c.next((m) => get(m, 'ActionID') === id && get(m, 'Event') === undefined, id);
    };
    for (const [digit, flags] of [
      ['5', 'qwd'],
      ['6', 'qBd'],
      ['4', 'qd'],
      ['6', 'qBd'],
    ] as const) {
      const answer = await dtmf({ Channel: spyer, Digit: digit, Receive: 'yes' });
      expect(answer.raw).toBe(`Response: Success\r\nActionID: d${n}\r\nMessage: DTMF successfully queued\r\n\r\n`);
      expect((await spy())!.spyFlags).toBe(flags);
    }
    // Sent out to the phone (no Receive), or a digit that is no mode: ChanSpy's mode stays.
    await dtmf({ Channel: spyer, Digit: '5' });
    await dtmf({ Channel: spyer, Digit: '1', Receive: 'yes' });
    expect((await spy())!.spyFlags).toBe('qBd');
    const error = async (headers: Record<string, string>) => get(await dtmf(headers), 'Message');
    expect(await error({ Channel: 'PJSIP/nope-00000000', Digit: '5', Receive: 'yes' })).toBe('Channel not found');
    expect(await error({ Digit: '5' })).toBe('Channel not found');
    expect(await error({ Channel: spyer, Receive: 'yes' })).toBe('No digit specified');
    expect(await error({ Channel: spyer, Digit: '5', Duration: 'long' })).toBe('Could not convert Duration parameter');
    expect((await spy())!.spyFlags).toBe('qBd');

    // The supervisor's phone hangs up: ChanSpyStop, its Hangup; the agent's call goes on.
    c.action({ Action: 'Hangup', Channel: spyer, ActionID: 'stop' });
    const stop = await c.collect((m) => named('Hangup')(m) && get(m, 'Channel') === spyer);
    expect(get(stop.find((m) => get(m, 'ActionID') === 'stop')!, 'Message')).toBe('Channel Hungup');
    const chanSpyStop = stop.find(named('ChanSpyStop'))!;
    expect(keys(chanSpyStop)).toEqual(keys(capturedEvent(first(T05), 'ChanSpyStop')));
    expect(stop.filter(named('Hangup')).map((m) => get(m, 'Channel'))).toEqual([spyer]);
    const after = await simState(control);
    expect(after.calls.map((call) => call.kind)).toEqual(['queue']);
    expect([after.devices['PJSIP/9000'], after.devices['PJSIP/1001']]).toEqual([1, 2]);
    // A desk's connector reads it as the supervisor listening in on 1001's call, then not.
    expect(deskEvents(c.messages, '9000').filter((e) => e.type.startsWith('monitor.'))).toEqual([
      { type: 'monitor.started', at: expect.any(Number), supervisorExtension: '9000', extension: '1001', callId: caller.linkedid },
      { type: 'monitor.stopped', at: expect.any(Number), supervisorExtension: '9000', extension: '1001' },
    ]);
  });

  it('feature codes: *2221001 runs ChanSpy q (no d: DTMF does not switch it), a Redirect to *2231001 restarts it as qw; the Local path of transcript 05 ends on the Hangup of the supervisor\'s phone', async () => {
    const { ami, control, sim } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    const caller = sim.addCaller('2001', 'reception');
    sim.answer(caller.linkedid, 'PJSIP/1001');
    c.action({ Action: 'Originate', Channel: 'PJSIP/9000', Context: 'internal', Exten: '*2221001', Priority: '1', CallerID: '"Monitor 1001" <9000>', Async: 'true', ActionID: 'code' });
    const start = await c.next(named('ChanSpyStart'));
    const spyer = get(start, 'SpyerChannel')!;
    const spy = async () => (await simState(control)).calls.find((call) => call.kind === 'spy');
    expect(await spy()).toMatchObject({ spyer, spyFlags: 'q' });
    expect((await simState(control)).channels.find((ch) => ch.name === spyer)).toMatchObject({ application: 'ChanSpy' });
    c.action({ Action: 'PlayDTMF', Channel: spyer, Digit: '5', Receive: 'yes', ActionID: 'no-d' });
    await c.next((m) => get(m, 'ActionID') === 'no-d');
    expect((await spy())!.spyFlags).toBe('q');
    c.action({ Action: 'Redirect', Channel: spyer, Context: 'internal', Exten: '*2231001', Priority: '1', ActionID: 'to-whisper' });
    const moved = await c.collect(named('ChanSpyStart'));
    expect(get(moved.find((m) => get(m, 'ActionID') === 'to-whisper')!, 'Message')).toBe('Redirect successful');
    expect(moved.filter((m) => ['ChanSpyStop', 'ChanSpyStart'].includes(get(m, 'Event') ?? '')).map((m) => [get(m, 'Event'), get(m, 'SpyerChannel')])).toEqual([
      ['ChanSpyStop', spyer],
      ['ChanSpyStart', spyer],
    ]);
    expect(await spy()).toMatchObject({ spyer, spyFlags: 'qw' });
    c.action({ Action: 'Hangup', Channel: spyer, ActionID: 'h1' });
    await c.collect((m) => named('Hangup')(m) && get(m, 'Channel') === spyer);

    // Transcript 05's barge: Local/*2241001@internal → ChanSpy on the Local;2, the ;1 dials 9000.
    c.action({ Action: 'Originate', Channel: 'Local/*2241001@internal', Context: 'internal', Exten: '9000', Priority: '1', CallerID: 'Supervisor <9000>', Async: 'true', ActionID: 'local' });
    const local = await c.next(named('ChanSpyStart'));
    expect(get(local, 'SpyerChannel')).toMatch(/^Local\/\*2241001@internal-[0-9a-f]{8};2$/);
    expect(get(local, 'SpyerCallerIDNum')).toBe('9000');
    const bridged = await c.next((m) => named('BridgeEnter')(m) && (get(m, 'Channel') ?? '').startsWith('PJSIP/9000-'));
    const phone = get(bridged, 'Channel')!;
    expect(await spy()).toMatchObject({ spyFlags: 'qB' });
    c.action({ Action: 'Hangup', Channel: phone, ActionID: 'h2' });
    const ended = await c.collect((m) => named('Hangup')(m) && get(m, 'Channel') === phone);
    expect(ended.filter((m) => ['ChanSpyStop', 'Hangup'].includes(get(m, 'Event') ?? '')).map((m) => get(m, 'Event'))).toEqual(['ChanSpyStop', 'Hangup', 'Hangup', 'Hangup']);
    const after = await simState(control);
    expect(after.calls.map((call) => call.kind)).toEqual(['queue']);
    expect(after.channels.map((ch) => ch.name).filter((name) => !name.startsWith('PJSIP/1001-') && !name.startsWith('PJSIP/2001-'))).toEqual([]);
    expect(deskEvents(c.messages, '9000').filter((e) => e.type.startsWith('monitor.')).map((e) => e.type)).toEqual([
      'monitor.started',
      'monitor.stopped',
      'monitor.started',
      'monitor.stopped',
      'monitor.started',
      'monitor.stopped',
    ]);
  });

  it('the spied-on call ends: ChanSpyStop; without E the spying phone stays in ChanSpy, with E it hangs up too', async () => {
    const { ami, control, sim } = await startSim();
    const c = await AmiClient.connect(ami);
    await c.login();
    for (const [options, stays] of [
      ['qd', true],
      ['qdE', false],
    ] as const) {
      const caller = sim.addCaller('2001', 'reception');
      sim.answer(caller.linkedid, 'PJSIP/1001');
      c.action({ Action: 'Originate', Channel: 'PJSIP/9000', Application: 'ChanSpy', Data: `PJSIP/1001-,${options}`, CallerID: '"Monitor 1001" <9000>', Async: 'true', ActionID: options });
      const spyer = get(await c.next(named('ChanSpyStart')), 'SpyerChannel')!;
      sim.hangupCall(caller.linkedid, 'caller');
      const flow = await c.collect(named('ChanSpyStop'));
      expect(get(flow.at(-1)!, 'SpyerChannel')).toBe(spyer);
      // Settle: everything the hang-up sent has arrived once a Ping is answered.
      c.action({ Action: 'Ping', ActionID: `p-${options}` });
      const rest = await c.collect((m) => get(m, 'ActionID') === `p-${options}`);
      const state = await simState(control);
      expect(rest.some((m) => named('Hangup')(m) && get(m, 'Channel') === spyer)).toBe(!stays);
      expect(state.calls.filter((call) => call.kind === 'spy')).toEqual(stays ? [expect.objectContaining({ spyer, spyee: null, spyFlags: 'qd' })] : []);
      if (stays) {
        c.action({ Action: 'Hangup', Channel: spyer, ActionID: 'h' });
        const gone = await c.collect((m) => named('Hangup')(m) && get(m, 'Channel') === spyer);
        // Already stopped: no second ChanSpyStop.
        expect(gone.some(named('ChanSpyStop'))).toBe(false);
      }
    }
  });

  it('Redirect of a queue caller to 1002 rings PJSIP/1002 and answers after answerDelayMs: desk 1002 sees call.ringing / call.answered with the caller\'s number (its screen pop)', async () => {
    const { ami, control, sim } = await startSim({ answerDelayMs: 250 });
    const c = await AmiClient.connect(ami);
    await c.login();
    const caller = sim.addCaller('+79161234567', 'reception', 'Иванова');
    sim.answer(caller.linkedid, 'PJSIP/1001');
    c.action({ Action: 'Redirect', Channel: caller.channel, Exten: '1002', Context: 'internal', Priority: '1', ActionID: 'x' });
    const redirected = await c.collect((m) => get(m, 'ActionID') === 'x');
    expect(get(redirected.at(-1)!, 'Message')).toBe('Redirect successful');
    // Ringing now, answered later.
    const ringing = await c.collect(named('DialState'));
    expect((await simState(control)).devices['PJSIP/1002']).toBe(6);
    const begin = ringing.find(named('DialBegin'))!;
    const t5 = first(T05);
    const capturedBegin = capturedEvent(t5, 'DialBegin', (m) => get(m, 'DestChannel') === 'PJSIP/1001-00000006');
    expect(keys(begin)).toEqual(keys(capturedBegin));
    expect([get(begin, 'Channel'), get(begin, 'CallerIDNum'), get(begin, 'DestLinkedid'), get(begin, 'DestCallerIDNum'), get(begin, 'DestConnectedLineNum'), get(begin, 'DialString')]).toEqual([
      caller.channel,
      '+79161234567',
      caller.linkedid,
      '1002',
      '+79161234567',
      '1002',
    ]);
    expect(get(begin, 'DestChannel')).toMatch(/^PJSIP\/1002-[0-9a-f]{8}$/);
    const answered = await c.collect((m) => named('DialEnd')(m) && get(m, 'DialStatus') === 'ANSWER');
    expect(keys(answered.at(-1)!)).toEqual(keys(capturedEvent(t5, 'DialEnd', (m) => get(m, 'DestChannel') === 'PJSIP/1001-00000006' && get(m, 'DialStatus') === 'ANSWER')));
    await c.collect((m) => named('BridgeEnter')(m) && get(m, 'Channel') === caller.channel);
    const state = await simState(control);
    expect(state.devices['PJSIP/1002']).toBe(2);
    expect(state.calls.find((call) => call.linkedid === caller.linkedid)).toMatchObject({ kind: 'queue', transferredTo: get(begin, 'DestChannel') });

    const desk = deskEvents(c.messages, '1002').filter((e) => e.type.startsWith('call.') && 'extension' in e && e.extension === '1002');
    expect(desk).toEqual([
      { type: 'call.ringing', at: expect.any(Number), callId: caller.linkedid, number: '+79161234567', extension: '1002', queue: null },
      { type: 'call.answered', at: expect.any(Number), callId: caller.linkedid, number: '+79161234567', extension: '1002', queue: null, waitSec: null },
    ]);
    // The caller hangs up: 1002's leg ends; 1001's queue call completes (AgentComplete) only now.
    sim.hangupCall(caller.linkedid, 'caller');
    await c.collect((m) => named('Hangup')(m) && get(m, 'Channel') === get(begin, 'DestChannel'));
    const ends = deskEvents(c.messages, '1002').filter((e): e is Extract<PbxEvent, { type: 'call.ended' }> => e.type === 'call.ended');
    expect(ends.map((e) => [e.extension, e.queue, e.answered])).toEqual([
      ['1001', 'reception', true],
      ['1002', null, true],
    ]);
  });
});
