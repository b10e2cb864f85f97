// An Asterisk Manager Interface (AMI 11.0.0, Asterisk 22.10.1) simulator: a TCP server that
// speaks the wire format field for field as the captures in src-main/core/connectors/asterisk-ami/fixtures show, a
// small PBX model (queues, members, callers, calls, AstDB) and an HTTP control port (JSON) that
// tests and people drive. Node built-ins only; self-contained on purpose (no relative imports),
// so that `node main.ts` (Node's type stripping) and `npx tsx main.ts` both run it.
import net from 'node:net';
import http from 'node:http';
import { randomUUID } from 'node:crypto';

export type Header = [string, string];
/** A header, or a raw line sent verbatim (UserEvent copies the sender's lines as they were). */
type Field = Header | string;

export interface RecordedAction {
  /** 1-based, in order of arrival over all sessions. */
  seq: number;
  session: number;
  at: number;
  /** The Action header's value as sent. */
  action: string;
  /** Parsed headers in order (key as sent, value with leading blanks dropped). */
  headers: Header[];
  /** The raw header lines, as sent (without line endings). */
  raw: string[];
}

export interface AmiSimulatorOptions {
  username?: string;
  secret?: string;
  /** Delay of the `Authentication failed` answer (Asterisk sleeps 1 s). */
  authFailDelayMs?: number;
  /** How long an originated or transferred-to phone rings before it answers. */
  answerDelayMs?: number;
  /** `demo`: queue `reception` with PJSIP/1001 and PJSIP/1002 (idle), PJSIP/9000 registered. */
  preset?: 'demo' | 'none';
  /** Wall clock in ms (tests may pin it). */
  now?: () => number;
  log?: (line: string) => void;
}

export interface StartOptions {
  amiPort?: number;
  controlPort?: number;
  host?: '127.0.0.1';
}

export interface StartedPorts {
  amiPort: number;
  controlPort: number;
}

export interface QueueSpec {
  name: string;
  strategy?: string;
  serviceLevel?: number;
  /** The extension callers dial (Exten of the caller channel), `100` in the captures. */
  exten?: string;
  members?: MemberSpec[];
}

export interface MemberSpec {
  interface: string;
  name?: string;
  stateInterface?: string;
  penalty?: number;
  paused?: boolean;
  reason?: string;
  membership?: 'static' | 'dynamic';
  /** Device state (AST_DEVICE_*): 1 idle (default), 2 in use, 5 unavailable, 6 ringing … */
  status?: number;
}

// --------------------------------------------------------------------------------------------
// Wire helpers

const BANNER = 'Asterisk Call Manager/11.0.0\r\n';
const MAX_LINE = 1024; // Asterisk's session inbuf (1025 bytes incl. the NUL)
const MAX_HEADERS = 127;
const CONTEXT = 'internal';

const EVENT_CLASSES = [
  'system', 'call', 'log', 'verbose', 'command', 'agent', 'user', 'config', 'dtmf', 'reporting',
  'cdr', 'dialplan', 'originate', 'agi', 'cc', 'aoc', 'test', 'security', 'message',
];

const DEVICE_STATE_NAMES = [
  'UNKNOWN', 'NOT_INUSE', 'INUSE', 'BUSY', 'INVALID', 'UNAVAILABLE', 'RINGING', 'RINGINUSE', 'ONHOLD',
];
const CHANNEL_STATE_DESC = ['Down', 'Rsrvd', 'OffHook', 'Dialing', 'Ring', 'Ringing', 'Up', 'Busy'];
const CAUSE_TEXT: Record<number, string> = { 0: 'Unknown', 16: 'Normal Clearing', 17: 'User busy', 26: 'Answered elsewhere' };

function isTrue(v: string | undefined): boolean {
  return v !== undefined && /^(yes|true|y|t|1|on)$/i.test(v.trim());
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function header(headers: Header[], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === lower) return v;
  return undefined;
}

function parseHeaderLine(line: string): Header {
  const colon = line.indexOf(':');
  if (colon < 0) return [line, ''];
  return [line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+/, '')];
}

function formatMessage(lines: Field[]): string {
  let out = '';
  for (const l of lines) out += typeof l === 'string' ? `${l}\r\n` : `${l[0]}: ${l[1]}\r\n`;
  return `${out}\r\n`;
}

function parseCallerId(v: string | undefined): { num: string; name: string } {
  if (!v) return { num: '', name: '' };
  const m = /^\s*"?([^"<]*?)"?\s*<([^>]*)>\s*$/.exec(v);
  if (m) return { name: (m[1] ?? '').trim(), num: (m[2] ?? '').trim() };
  return /^[+\d*#]+$/.test(v.trim()) ? { num: v.trim(), name: '' } : { num: '', name: v.trim() };
}

function eventTv(ms: number): string {
  return `${new Date(ms).toISOString().replace('Z', '')}+0000`;
}

/** The captures' dialplan (context `internal`): `*222XXXX` is `ChanSpy(PJSIP/XXXX-,q)`, `*223` adds w, `*224` B. */
function featureSpy(exten: string): { prefix: string; flags: string } | null {
  const m = /^\*22([234])(\w+)$/.exec(exten);
  if (!m) return null;
  return { prefix: `PJSIP/${m[2]}-`, flags: ({ '2': 'q', '3': 'qw', '4': 'qB' } as Record<string, string>)[m[1] ?? '2'] ?? 'q' };
}

/** ChanSpy's one-letter options, their arguments in parentheses (`g(grp)`) left out. */
function spyOptionLetters(flags: string): string {
  return flags.replace(/\([^)]*\)/g, '');
}

/**
 * app_chanspy.c `change_spy_mode` (option `d`): DTMF 4 clears w and B (listen), 5 sets w and
 * clears B (whisper), 6 sets B and clears w (barge). The letter goes after `q`.
 */
function switchSpyFlags(flags: string, digit: string): string {
  const mode = digit === '5' ? 'w' : digit === '6' ? 'B' : '';
  let out = '';
  let depth = 0;
  let afterQ = -1;
  for (const ch of flags) {
    if (ch === '(') depth++;
    else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (ch === 'w' || ch === 'B')) continue;
    out += ch;
    if (depth === 0 && ch === 'q' && afterQ < 0) afterQ = out.length;
  }
  const at = Math.max(0, afterQ);
  return `${out.slice(0, at)}${mode}${out.slice(at)}`;
}

// --------------------------------------------------------------------------------------------
// Model

interface Channel {
  name: string;
  state: number;
  cidNum: string;
  cidName: string;
  connNum: string;
  connName: string;
  context: string;
  exten: string;
  priority: number;
  uniqueid: string;
  linkedid: string;
  application: string;
  data: string;
  created: number;
  bridgeId: string;
  /** The device behind it (`PJSIP/1001`), if any. */
  device: string;
  /** The call group it belongs to (a caller's linkedid, an originate's id). */
  group: string;
}

interface Member {
  iface: string;
  name: string;
  stateInterface: string;
  penalty: number;
  paused: boolean;
  pausedReason: string;
  lastPause: number;
  loginTime: number;
  callsTaken: number;
  lastCall: number;
  inCall: boolean;
  membership: 'static' | 'dynamic';
}

interface Queue {
  name: string;
  strategy: string;
  serviceLevel: number;
  exten: string;
  members: Member[];
  entries: Caller[];
  holdtime: number;
  talktime: number;
  completed: number;
  abandoned: number;
  completedInSl: number;
  abandonedInSl: number;
  availState: string;
}

interface RingLeg {
  iface: string;
  member: Member;
  channel: Channel;
  ringStart: number;
}

interface Caller {
  channel: Channel;
  queue: string;
  joinedAt: number;
  originalPosition: number;
  ringing: RingLeg[];
}

interface Bridge {
  id: string;
  channels: Channel[];
}

interface QueueCall {
  kind: 'queue';
  id: string;
  queue: string;
  caller: Channel;
  agent: Channel | null;
  iface: string;
  memberName: string;
  holdSecs: number;
  ringSecs: number;
  connectedAt: number;
  bridge: Bridge | null;
  /** After a Redirect of the caller: the leg it was sent to. */
  transferLeg: Channel | null;
}

interface OtherCall {
  kind: 'originate' | 'spy';
  id: string;
  channels: Channel[];
  bridge: Bridge | null;
  spyee: Channel | null;
  spyer: Channel | null;
  /** ChanSpy's options now in effect (`qd`, then `qwd` after DTMF 5 with `d`); '' for no spy. */
  spyFlags: string;
  connectedAt: number;
}

type Call = QueueCall | OtherCall;

interface Session {
  id: number;
  socket: net.Socket;
  inbuf: Buffer;
  lines: string[];
  tooLong: boolean;
  authenticated: boolean;
  username: string;
  /** Event classes this session wants; null = all. */
  mask: Set<string> | null;
  include: RegExp[];
  exclude: RegExp[];
  sessionId: string;
  sessionTv: number;
  closing: boolean;
  busy: boolean;
  pending: string[][];
  remote: string;
  local: string;
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

// --------------------------------------------------------------------------------------------

export class AmiSimulator {
  private readonly opts: Required<Omit<AmiSimulatorOptions, 'log'>> & { log: (line: string) => void };
  private amiServer: net.Server | null = null;
  private controlServer: http.Server | null = null;
  private readonly sessions = new Map<number, Session>();
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Failure callbacks of originates still ringing (a reset or stop fails them). */
  private readonly pendingOriginates = new Set<() => void>();
  private nextSessionId = 1;
  private startedAt = 0;
  private actions: RecordedAction[] = [];
  private queues = new Map<string, Queue>();
  private devices = new Map<string, number>();
  private channels = new Map<string, Channel>();
  private calls = new Map<string, Call>();
  private astdb = new Map<string, string>();
  private uidCounter = 0;
  private chanCounter = 0;
  private localCounter = 0;

  constructor(options: AmiSimulatorOptions = {}) {
    this.opts = {
      username: options.username ?? 'admin',
      secret: options.secret ?? 'amipass',
      authFailDelayMs: options.authFailDelayMs ?? 1000,
      answerDelayMs: options.answerDelayMs ?? 300,
      preset: options.preset ?? 'none',
      now: options.now ?? Date.now,
      log: options.log ?? (() => {}),
    };
    this.startedAt = this.opts.now();
    this.applyPreset();
  }

  // ---------------------------------------------------------------- lifecycle

  async start(options: StartOptions = {}): Promise<StartedPorts> {
    const host = options.host ?? '127.0.0.1';
    this.startedAt = this.opts.now();
    const ami = net.createServer((socket) => this.onConnection(socket));
    ami.on('error', (err) => this.opts.log(`ami server error: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      ami.once('error', reject);
      ami.listen(options.amiPort ?? 0, host, () => {
        ami.off('error', reject);
        resolve();
      });
    });
    this.amiServer = ami;
    const control = http.createServer((req, res) => this.onHttp(req, res));
    control.on('error', (err) => this.opts.log(`control server error: ${err.message}`));
    await new Promise<void>((resolve, reject) => {
      control.once('error', reject);
      control.listen(options.controlPort ?? 0, host, () => {
        control.off('error', reject);
        resolve();
      });
    }).catch(async (err: unknown) => {
      await new Promise<void>((r) => ami.close(() => r()));
      this.amiServer = null;
      throw err;
    });
    this.controlServer = control;
    return {
      amiPort: (ami.address() as net.AddressInfo).port,
      controlPort: (control.address() as net.AddressInfo).port,
    };
  }

  async stop(): Promise<void> {
    this.clearTimers();
    this.killSessions();
    const closing: Promise<void>[] = [];
    if (this.amiServer) {
      const s = this.amiServer;
      closing.push(new Promise((r) => s.close(() => r())));
      this.amiServer = null;
    }
    if (this.controlServer) {
      const s = this.controlServer;
      s.closeAllConnections();
      closing.push(new Promise((r) => s.close(() => r())));
      this.controlServer = null;
    }
    await Promise.all(closing);
  }

  /** Drop every AMI socket (a PBX restart, from the desk's point of view). */
  killSessions(): number {
    let n = 0;
    for (const s of this.sessions.values()) {
      s.closing = true;
      s.socket.destroy();
      n++;
    }
    this.sessions.clear();
    return n;
  }

  /** Every action received so far (all sessions, in order). */
  recordedActions(since = 0): RecordedAction[] {
    return this.actions.filter((a) => a.seq > since);
  }

  // ---------------------------------------------------------------- state set-up (also used by HTTP)

  reset(): void {
    this.clearTimers();
    this.actions = [];
    this.queues = new Map();
    this.devices = new Map();
    this.channels = new Map();
    this.calls = new Map();
    this.astdb = new Map();
    this.uidCounter = 0;
    this.chanCounter = 0;
    this.localCounter = 0;
    this.applyPreset();
  }

  defineQueues(specs: QueueSpec[]): void {
    for (const spec of specs) {
      if (!spec || typeof spec.name !== 'string' || spec.name === '') throw new HttpError(400, 'queue needs a name');
      const nowS = this.nowS();
      const q: Queue = {
        name: spec.name,
        strategy: spec.strategy ?? 'ringall',
        serviceLevel: spec.serviceLevel ?? 0,
        exten: spec.exten ?? '100',
        members: [],
        entries: [],
        holdtime: 0,
        talktime: 0,
        completed: 0,
        abandoned: 0,
        completedInSl: 0,
        abandonedInSl: 0,
        availState: '',
      };
      const old = this.queues.get(spec.name);
      if (old) q.entries = old.entries;
      for (const m of spec.members ?? []) {
        if (!m || typeof m.interface !== 'string' || !m.interface.includes('/')) {
          throw new HttpError(400, 'member needs an interface like PJSIP/1001');
        }
        const stateInterface = m.stateInterface ?? m.interface;
        q.members.push({
          iface: m.interface,
          name: m.name ?? m.interface,
          stateInterface,
          penalty: m.penalty ?? 0,
          paused: m.paused ?? false,
          pausedReason: m.paused ? (m.reason ?? '') : '',
          lastPause: m.paused ? nowS : 0,
          loginTime: nowS,
          callsTaken: 0,
          lastCall: 0,
          inCall: false,
          membership: m.membership ?? 'static',
        });
        if (m.status !== undefined) this.devices.set(stateInterface, m.status);
        else if (!this.devices.has(stateInterface)) this.devices.set(stateInterface, 1);
      }
      this.queues.set(q.name, q);
    }
  }

  // ---------------------------------------------------------------- AMI sessions

  private onConnection(socket: net.Socket): void {
    const s: Session = {
      id: this.nextSessionId++,
      socket,
      inbuf: Buffer.alloc(0),
      lines: [],
      tooLong: false,
      authenticated: false,
      username: '',
      mask: null,
      include: [],
      exclude: [],
      sessionId: `0x${(0x7f0000000000 + Math.floor(Math.random() * 0xffffffffff)).toString(16)}`,
      sessionTv: 0,
      closing: false,
      busy: false,
      pending: [],
      remote: `IPV4/TCP/${socket.remoteAddress ?? '127.0.0.1'}/${socket.remotePort ?? 0}`,
      local: `IPV4/TCP/${socket.localAddress ?? '127.0.0.1'}/${socket.localPort ?? 0}`,
    };
    this.sessions.set(s.id, s);
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => {
      try {
        this.onData(s, chunk);
      } catch (err) {
        this.opts.log(`session ${s.id}: ${(err as Error).stack ?? String(err)}`);
      }
    });
    socket.on('error', () => {});
    socket.on('close', () => {
      s.closing = true;
      this.sessions.delete(s.id);
    });
    this.write(s, BANNER);
  }

  private write(s: Session, text: string): void {
    if (s.socket.destroyed || !s.socket.writable) return;
    s.socket.write(text);
  }

  private onData(s: Session, chunk: Buffer): void {
    if (s.closing) return;
    s.inbuf = s.inbuf.length ? Buffer.concat([s.inbuf, chunk]) : chunk;
    for (;;) {
      const nl = s.inbuf.indexOf(0x0a);
      if (nl < 0 || nl > MAX_LINE) {
        if (s.inbuf.length >= MAX_LINE) {
          // Asterisk: "Discarding message … Line too long"; the rest of the line becomes a line of its own.
          s.inbuf = s.inbuf.subarray(MAX_LINE);
          s.tooLong = true;
          continue;
        }
        return;
      }
      let end = nl;
      if (end > 0 && s.inbuf[end - 1] === 0x0d) end--;
      const line = s.inbuf.subarray(0, end).toString('utf8');
      s.inbuf = s.inbuf.subarray(nl + 1);
      if (line.trim() === '') {
        if (s.lines.length === 0 && !s.tooLong) continue;
        const lines = s.lines;
        s.lines = [];
        if (s.tooLong) {
          s.tooLong = false;
          const id = header(lines.map(parseHeaderLine), 'ActionID');
          this.respond(s, id, 'Error', 'Failed to parse message: line too long');
          continue;
        }
        this.enqueue(s, lines);
        if (s.closing) return;
      } else if (s.lines.length < MAX_HEADERS) {
        s.lines.push(line);
      }
    }
  }

  private enqueue(s: Session, lines: string[]): void {
    if (s.busy) {
      s.pending.push(lines);
      return;
    }
    const done = this.process(s, lines);
    if (done) {
      s.busy = true;
      void done.then(() => {
        s.busy = false;
        const next = s.pending.shift();
        if (next && !s.closing) this.enqueue(s, next);
      });
    }
  }

  /** Runs one message; a Promise means the session is blocked until it settles (as Asterisk's thread is). */
  private process(s: Session, lines: string[]): Promise<void> | null {
    const headers = lines.map(parseHeaderLine);
    const action = header(headers, 'Action') ?? '';
    this.actions.push({ seq: this.actions.length + 1, session: s.id, at: this.opts.now(), action, headers, raw: lines });
    const id = header(headers, 'ActionID');
    const name = action.trim().toLowerCase();
    if (name === '') {
      this.respond(s, id, 'Error', 'Missing action in request');
      return null;
    }
    if (!s.authenticated && name !== 'login' && name !== 'logoff' && name !== 'challenge') {
      this.respond(s, id, 'Error', 'Permission denied');
      return null;
    }
    try {
      return this.dispatch(s, name, action.trim(), headers, id, lines);
    } catch (err) {
      this.opts.log(`action ${action}: ${(err as Error).stack ?? String(err)}`);
      this.respond(s, id, 'Error', 'Internal error');
      return null;
    }
  }

  private respond(s: Session, id: string | undefined, response: string, message?: string, extra: Header[] = [], eventList?: string): void {
    const lines: Header[] = [['Response', response]];
    if (id) lines.push(['ActionID', id]);
    if (eventList) lines.push(['EventList', eventList]);
    if (message !== undefined) lines.push(['Message', message]);
    lines.push(...extra);
    this.write(s, formatMessage(lines));
  }

  private listItem(s: Session, event: string, fields: Header[], id: string | undefined, idFirst = false): void {
    const lines: Header[] = [['Event', event]];
    if (idFirst && id) lines.push(['ActionID', id]);
    lines.push(...fields);
    if (!idFirst && id) lines.push(['ActionID', id]);
    this.write(s, formatMessage(lines));
  }

  private listComplete(s: Session, event: string, id: string | undefined, items: number): void {
    const lines: Header[] = [['Event', event]];
    if (id) lines.push(['ActionID', id]);
    lines.push(['EventList', 'Complete'], ['ListItems', String(items)]);
    this.write(s, formatMessage(lines));
  }

  /** Send an event to every logged-in session whose event mask and filters let it through. */
  private emit(event: string, klass: string, fields: Field[]): void {
    const text = formatMessage([['Event', event], ['Privilege', `${klass},all`], ...fields]);
    for (const s of this.sessions.values()) {
      if (!s.authenticated || s.closing) continue;
      if (s.mask && !s.mask.has(klass)) continue;
      if (!this.passesFilters(s, text)) continue;
      this.write(s, text);
    }
  }

  private passesFilters(s: Session, text: string): boolean {
    const inc = s.include.length > 0;
    const exc = s.exclude.length > 0;
    if (!inc && !exc) return true;
    if (inc && !s.include.some((r) => r.test(text))) return false;
    if (exc && s.exclude.some((r) => r.test(text))) return false;
    return true;
  }

  private parseMask(v: string): Set<string> | null | 'invalid' {
    const t = v.trim();
    if (/^(on|yes|true|y|t|1)$/i.test(t)) return null;
    if (/^(off|no|false|n|f|0)$/i.test(t)) return new Set();
    if (/^\d+$/.test(t)) {
      const n = Number(t);
      return new Set(EVENT_CLASSES.filter((_, i) => (n & (1 << i)) !== 0));
    }
    const set = new Set<string>();
    for (const part of t.split(',')) {
      const p = part.trim().toLowerCase();
      if (p === 'all') return null;
      if (EVENT_CLASSES.includes(p)) set.add(p);
    }
    return set;
  }

  private securityBase(s: Session, severity: string, version: string): Header[] {
    return [
      ['EventTV', eventTv(this.opts.now())],
      ['Severity', severity],
      ['Service', 'AMI'],
      ['EventVersion', version],
    ];
  }

  // ---------------------------------------------------------------- actions

  private dispatch(s: Session, name: string, action: string, h: Header[], id: string | undefined, raw: string[]): Promise<void> | null {
    const get = (k: string): string => (header(h, k) ?? '').trim();
    switch (name) {
      case 'login':
        return this.actLogin(s, h, id);
      case 'logoff':
        this.respond(s, id, 'Goodbye', 'Thanks for all the fish.');
        s.closing = true;
        s.socket.end();
        return null;
      case 'ping': {
        const ms = this.opts.now();
        const micros = String((ms % 1000) * 1000 + Math.floor(Math.random() * 1000)).padStart(6, '0');
        this.respond(s, id, 'Success', undefined, [['Ping', 'Pong'], ['Timestamp', `${Math.floor(ms / 1000)}.${micros}`]]);
        return null;
      }
      case 'events': {
        const mask = this.parseMask(get('EventMask'));
        if (mask === 'invalid') {
          this.respond(s, id, 'Error', 'Invalid event mask');
          return null;
        }
        s.mask = mask;
        this.respond(s, id, 'Success', undefined, [['Events', mask === null || mask.size > 0 ? 'On' : 'Off']]);
        return null;
      }
      case 'filter':
        this.actFilter(s, h, id);
        return null;
      case 'coresettings':
        this.respond(s, id, 'Success', undefined, [
          ['AMIversion', '11.0.0'],
          ['AsteriskVersion', '22.10.1'],
          ['SystemName', ''],
          ['CoreMaxCalls', '0'],
          ['CoreMaxLoadAvg', '0.000000'],
          ['CoreRunUser', 'root'],
          ['CoreRunGroup', 'root'],
          ['CoreMaxFilehandles', '8192'],
          ['CoreRealTimeEnabled', 'No'],
          ['CoreCDRenabled', 'No'],
          ['CoreHTTPenabled', 'No'],
          ['SoundsSearchCustomDir', 'No'],
        ]);
        return null;
      case 'queuestatus':
        this.actQueueStatus(s, get('Queue'), get('Member'), id);
        return null;
      case 'queuesummary':
        this.actQueueSummary(s, get('Queue'), id);
        return null;
      case 'queuepause':
        this.actQueuePause(s, h, id);
        return null;
      case 'queueadd':
        this.actQueueAdd(s, h, id);
        return null;
      case 'queueremove':
        this.actQueueRemove(s, get('Queue'), get('Interface'), id);
        return null;
      case 'coreshowchannels':
        this.actCoreShowChannels(s, id);
        return null;
      case 'userevent':
        this.actUserEvent(s, h, id, raw);
        return null;
      case 'dbput':
      case 'dbget':
      case 'dbgettree':
      case 'dbdel':
      case 'dbdeltree':
        this.actDb(s, name, h, id);
        return null;
      case 'originate':
        return this.actOriginate(s, h, id);
      case 'redirect':
        this.actRedirect(s, h, id);
        return null;
      case 'atxfer':
        this.actAtxfer(s, h, id);
        return null;
      case 'hangup':
        this.actHangup(s, h, id);
        return null;
      case 'playdtmf':
        this.actPlayDtmf(s, h, id);
        return null;
      default:
        this.respond(s, id, 'Error', `Invalid/unknown command: ${action}. Use Action: ListCommands to show available commands.`);
        this.emit('RequestBadFormat', 'security', [
          ...this.securityBase(s, 'Error', '1'),
          ['SessionID', s.sessionId],
          ['LocalAddress', s.local],
          ['RemoteAddress', s.remote],
          ['RequestType', `Action: ${action}`],
          ['SessionTV', eventTv(s.sessionTv)],
          ['AccountID', s.username],
        ]);
        return null;
    }
  }

  private actLogin(s: Session, h: Header[], id: string | undefined): Promise<void> | null {
    if (s.authenticated) {
      this.respond(s, id, 'Success', 'Already authenticated');
      return null;
    }
    const user = (header(h, 'Username') ?? '').trim();
    const secret = header(h, 'Secret') ?? '';
    if (user !== this.opts.username || secret !== this.opts.secret) {
      const base: Header[] = [
        ['AccountID', user],
        ['SessionID', s.sessionId],
        ['LocalAddress', s.local],
        ['RemoteAddress', s.remote],
        ['SessionTV', '1970-01-01T00:00:00.000+0000'],
      ];
      if (user !== this.opts.username) {
        this.emit('InvalidAccountID', 'security', [...this.securityBase(s, 'Error', '1'), ...base]);
      } else {
        this.emit('InvalidPassword', 'security', [...this.securityBase(s, 'Error', '2'), ...base]);
      }
      return new Promise((resolve) => {
        this.later(this.opts.authFailDelayMs, () => {
          this.respond(s, id, 'Error', 'Authentication failed');
          s.closing = true;
          s.socket.end();
          resolve();
        });
      });
    }
    s.authenticated = true;
    s.username = user;
    s.sessionTv = this.opts.now();
    const events = header(h, 'Events');
    if (events !== undefined) {
      const mask = this.parseMask(events);
      s.mask = mask === 'invalid' ? new Set() : mask;
    }
    this.respond(s, id, 'Success', 'Authentication accepted');
    if (!s.mask || s.mask.has('system')) {
      const up = String(Math.floor((this.opts.now() - this.startedAt) / 1000));
      this.write(s, formatMessage([
        ['Event', 'FullyBooted'],
        ['Privilege', 'system,all'],
        ['Uptime', up],
        ['LastReload', up],
        ['Status', 'Fully Booted'],
      ]));
    }
    this.emit('SuccessfulAuth', 'security', [
      ...this.securityBase(s, 'Informational', '1'),
      ['AccountID', user],
      ['SessionID', s.sessionId],
      ['LocalAddress', s.local],
      ['RemoteAddress', s.remote],
      ['UsingPassword', '0'],
      ['SessionTV', eventTv(s.sessionTv)],
    ]);
    return null;
  }

  private actFilter(s: Session, h: Header[], id: string | undefined): void {
    const op = (header(h, 'Operation') ?? '').trim();
    const filter = header(h, 'Filter') ?? '';
    if (op.toLowerCase() !== 'add') {
      this.respond(s, id, 'Error', 'Unknown operation');
      return;
    }
    const exclude = filter.startsWith('!');
    const body = exclude ? filter.slice(1) : filter;
    let re: RegExp;
    try {
      re = new RegExp(posixToJs(body));
    } catch {
      this.respond(s, id, 'Error', 'Filter did not compile.  Check the syntax of the filter given.');
      return;
    }
    (exclude ? s.exclude : s.include).push(re);
    this.respond(s, id, 'Success', 'Success');
  }

  private actQueueStatus(s: Session, queueFilter: string, memberFilter: string, id: string | undefined): void {
    this.respond(s, id, 'Success', 'Queue status will follow', [], 'start');
    let items = 0;
    const now = this.opts.now();
    for (const q of this.queues.values()) {
      if (queueFilter && queueFilter !== q.name) continue;
      const total = q.completed + q.abandoned;
      const sl = q.completed > 0 ? (100 * q.completedInSl) / q.completed : 0;
      const sl2 = total > 0 ? (100 * (q.abandonedInSl + q.completedInSl)) / total : 0;
      this.listItem(s, 'QueueParams', [
        ['Queue', q.name],
        ['Max', '0'],
        ['Strategy', q.strategy],
        ['Calls', String(q.entries.length)],
        ['Holdtime', String(q.holdtime)],
        ['TalkTime', String(q.talktime)],
        ['Completed', String(q.completed)],
        ['Abandoned', String(q.abandoned)],
        ['ServiceLevel', String(q.serviceLevel)],
        ['ServicelevelPerf', sl.toFixed(1)],
        ['ServicelevelPerf2', sl2.toFixed(1)],
        ['Weight', '0'],
      ], id);
      items++;
      for (const m of q.members) {
        if (memberFilter && memberFilter !== m.iface && memberFilter !== m.name) continue;
        this.listItem(s, 'QueueMember', [
          ['Queue', q.name],
          ['Name', m.name],
          ['Location', m.iface],
          ['StateInterface', m.stateInterface],
          ['Membership', m.membership],
          ['Penalty', String(m.penalty)],
          ['CallsTaken', String(m.callsTaken)],
          ['LastCall', String(m.lastCall)],
          ['LastPause', String(m.lastPause)],
          ['LoginTime', String(m.loginTime)],
          ['InCall', m.inCall ? '1' : '0'],
          ['Status', String(this.deviceState(m.stateInterface))],
          ['Paused', m.paused ? '1' : '0'],
          ['PausedReason', m.pausedReason],
          ['Wrapuptime', '0'],
        ], id);
        items++;
      }
      q.entries.forEach((e, i) => {
        const c = e.channel;
        this.listItem(s, 'QueueEntry', [
          ['Queue', q.name],
          ['Position', String(i + 1)],
          ['Channel', c.name],
          ['Uniqueid', c.uniqueid],
          ['CallerIDNum', c.cidNum || 'unknown'],
          ['CallerIDName', c.cidName || 'unknown'],
          ['ConnectedLineNum', c.connNum || 'unknown'],
          ['ConnectedLineName', c.connName || 'unknown'],
          ['Wait', String(Math.floor((now - e.joinedAt) / 1000))],
          ['Priority', '0'],
        ], id);
        items++;
      });
    }
    this.listComplete(s, 'QueueStatusComplete', id, items);
  }

  private actQueueSummary(s: Session, queueFilter: string, id: string | undefined): void {
    this.respond(s, id, 'Success', 'Queue summary will follow', [], 'start');
    let items = 0;
    const now = this.opts.now();
    for (const q of this.queues.values()) {
      if (queueFilter && queueFilter !== q.name) continue;
      let loggedIn = 0;
      let available = 0;
      for (const m of q.members) {
        const st = this.deviceState(m.stateInterface);
        if (st !== 5 && st !== 4) {
          loggedIn++;
          if ((st === 1 || st === 0) && !m.paused) available++;
        }
      }
      const longest = q.entries.reduce((max, e) => Math.max(max, Math.floor((now - e.joinedAt) / 1000)), 0);
      this.listItem(s, 'QueueSummary', [
        ['Queue', q.name],
        ['LoggedIn', String(loggedIn)],
        ['Available', String(available)],
        ['Callers', String(q.entries.length)],
        ['HoldTime', String(q.holdtime)],
        ['TalkTime', String(q.talktime)],
        ['LongestHoldTime', String(longest)],
      ], id);
      items++;
    }
    this.listComplete(s, 'QueueSummaryComplete', id, items);
  }

  private actQueuePause(s: Session, h: Header[], id: string | undefined): void {
    const iface = (header(h, 'Interface') ?? '').trim();
    const pausedS = header(h, 'Paused');
    if (!iface || pausedS === undefined || pausedS.trim() === '') {
      this.respond(s, id, 'Error', "Need 'Interface' and 'Paused' parameters.");
      return;
    }
    const queueName = (header(h, 'Queue') ?? '').trim();
    const paused = isTrue(pausedS);
    const reason = header(h, 'Reason') ?? '';
    const targets: Array<[Queue, Member]> = [];
    for (const q of this.queues.values()) {
      if (queueName && q.name !== queueName) continue;
      const m = q.members.find((x) => x.iface === iface);
      if (m) targets.push([q, m]);
    }
    if (targets.length === 0) {
      this.respond(s, id, 'Error', 'Interface not found');
      return;
    }
    this.respond(s, id, 'Success', paused ? 'Interface paused successfully' : 'Interface unpaused successfully');
    for (const [q, m] of targets) this.setPaused(q, m, paused, reason);
  }

  private setPaused(q: Queue, m: Member, paused: boolean, reason: string): void {
    m.paused = paused;
    m.pausedReason = paused ? reason : '';
    if (paused) m.lastPause = this.nowS();
    this.emitDeviceState(`Queue:${q.name}_pause_${m.iface}`, paused ? 'INUSE' : 'NOT_INUSE');
    this.updateQueueAvail(q, m);
    this.emit('QueueMemberPause', 'agent', this.memberFields(q, m));
  }

  private actQueueAdd(s: Session, h: Header[], id: string | undefined): void {
    const get = (k: string): string => (header(h, k) ?? '').trim();
    const queueName = get('Queue');
    const iface = get('Interface');
    if (!queueName || !iface) {
      this.respond(s, id, 'Error', "'Queue' and 'Interface' must be specified.");
      return;
    }
    const q = this.queues.get(queueName);
    if (!q) {
      this.respond(s, id, 'Error', 'Unable to add interface to queue: No such queue');
      return;
    }
    if (q.members.some((m) => m.iface === iface)) {
      this.respond(s, id, 'Error', 'Unable to add interface: Already there');
      return;
    }
    const paused = isTrue(header(h, 'Paused'));
    const m: Member = {
      iface,
      name: get('MemberName') || iface,
      stateInterface: get('StateInterface') || iface,
      penalty: Number.parseInt(get('Penalty'), 10) || 0,
      paused,
      pausedReason: paused ? (header(h, 'Reason') ?? '') : '',
      lastPause: 0,
      loginTime: this.nowS(),
      callsTaken: 0,
      lastCall: 0,
      inCall: false,
      membership: 'dynamic',
    };
    if (!this.devices.has(m.stateInterface)) this.devices.set(m.stateInterface, 1);
    q.members.push(m);
    this.respond(s, id, 'Success', 'Added interface to queue');
    this.emit('QueueMemberAdded', 'agent', this.memberFields(q, m));
  }

  private actQueueRemove(s: Session, queueName: string, iface: string, id: string | undefined): void {
    if (!queueName || !iface) {
      this.respond(s, id, 'Error', 'Need \'Queue\' and \'Interface\' parameters.');
      return;
    }
    const q = this.queues.get(queueName);
    if (!q) {
      this.respond(s, id, 'Error', 'Unable to remove interface from queue: No such queue');
      return;
    }
    const idx = q.members.findIndex((m) => m.iface === iface);
    const m = q.members[idx];
    if (!m) {
      this.respond(s, id, 'Error', 'Unable to remove interface: Not there');
      return;
    }
    if (m.membership !== 'dynamic') {
      this.respond(s, id, 'Error', 'Member not dynamic');
      return;
    }
    q.members.splice(idx, 1);
    this.respond(s, id, 'Success', 'Removed interface from queue');
    this.emit('QueueMemberRemoved', 'agent', this.memberFields(q, m));
  }

  private actCoreShowChannels(s: Session, id: string | undefined): void {
    this.respond(s, id, 'Success', 'Channels will follow', [], 'start');
    const now = this.opts.now();
    let n = 0;
    for (const c of this.channels.values()) {
      const secs = Math.floor((now - c.created) / 1000);
      const dur = `${pad2(Math.floor(secs / 3600))}:${pad2(Math.floor(secs / 60) % 60)}:${pad2(secs % 60)}`;
      this.listItem(s, 'CoreShowChannel', [
        ...this.snapshot(c),
        ['Application', c.application],
        ['ApplicationData', c.data],
        ['Duration', dur],
        ['BridgeId', c.bridgeId],
      ], id, true);
      n++;
    }
    this.listComplete(s, 'CoreShowChannelsComplete', id, n);
  }

  private actUserEvent(s: Session, h: Header[], id: string | undefined, raw: string[]): void {
    const name = header(h, 'UserEvent') ?? '';
    // manager.c: every header line but `UserEvent:` and `Action:` is copied verbatim (ActionID too).
    const rest = raw.filter((line) => !/^(userevent|action):/i.test(line));
    this.respond(s, id, 'Success', 'Event Sent');
    this.emit('UserEvent', 'user', [['UserEvent', name.trim()], ...rest]);
  }

  private actDb(s: Session, name: string, h: Header[], id: string | undefined): void {
    const family = (header(h, 'Family') ?? '').trim();
    const key = (header(h, 'Key') ?? '').trim();
    if (!family) {
      this.respond(s, id, 'Error', 'No family specified.');
      return;
    }
    const treePrefix = key ? `/${family}/${key}` : `/${family}`;
    const inTree = (k: string): boolean => k === treePrefix || k.startsWith(`${treePrefix}/`);
    switch (name) {
      case 'dbput':
        if (!key) return this.respond(s, id, 'Error', 'No key specified.');
        this.astdb.set(`/${family}/${key}`, header(h, 'Val') ?? '');
        return this.respond(s, id, 'Success', 'Updated database successfully');
      case 'dbget': {
        if (!key) return this.respond(s, id, 'Error', 'No key specified.');
        const val = this.astdb.get(`/${family}/${key}`);
        if (val === undefined) return this.respond(s, id, 'Error', 'Database entry not found');
        this.respond(s, id, 'Success', 'Result will follow', [], 'start');
        this.listItem(s, 'DBGetResponse', [['Family', family], ['Key', key], ['Val', val]], id);
        return this.listComplete(s, 'DBGetComplete', id, 1);
      }
      case 'dbgettree': {
        const keys = [...this.astdb.keys()].filter(inTree).sort();
        this.respond(s, id, 'Success', 'Result will follow', [], 'start');
        for (const k of keys) this.listItem(s, 'DBGetTreeResponse', [['Key', k], ['Val', this.astdb.get(k) ?? '']], id);
        return this.listComplete(s, 'DBGetTreeComplete', id, keys.length);
      }
      case 'dbdel':
        if (!key) return this.respond(s, id, 'Error', 'No key specified.');
        if (!this.astdb.delete(`/${family}/${key}`)) return this.respond(s, id, 'Error', 'Database entry could not be deleted');
        return this.respond(s, id, 'Success', 'Key deleted successfully');
      default: {
        const keys = [...this.astdb.keys()].filter(inTree);
        if (keys.length === 0) return this.respond(s, id, 'Error', 'Database entry not found');
        for (const k of keys) this.astdb.delete(k);
        return this.respond(s, id, 'Success', 'Key tree deleted successfully');
      }
    }
  }

  private actOriginate(s: Session, h: Header[], id: string | undefined): Promise<void> | null {
    const get = (k: string): string => (header(h, k) ?? '').trim();
    const target = get('Channel');
    if (!target) {
      this.respond(s, id, 'Error', 'Channel not specified');
      return null;
    }
    const async = isTrue(header(h, 'Async'));
    const app = get('Application');
    const exten = get('Exten');
    const context = get('Context') || CONTEXT;
    const cid = parseCallerId(header(h, 'CallerID'));
    const reachable = this.reachable(target);
    const failFields = (): Header[] => [
      ...(id ? ([['ActionID', id]] as Header[]) : []),
      ['Response', 'Failure'],
      ['Channel', target],
      ...(app ? ([['Application', app], ['Data', get('Data')]] as Header[]) : ([['Context', context], ['Exten', exten]] as Header[])),
      ['Reason', '0'],
      ['Uniqueid', '<unknown>'],
      ['CallerIDNum', cid.num || '<unknown>'],
      ['CallerIDName', cid.name || '<unknown>'],
    ];
    if (!reachable) {
      if (async) {
        this.respond(s, id, 'Success', 'Originate successfully queued');
        this.emit('OriginateResponse', 'call', failFields());
      } else {
        this.respond(s, id, 'Error', 'Originate failed');
      }
      return null;
    }
    const okFields = (first: Channel): Header[] => [
      ...(id ? ([['ActionID', id]] as Header[]) : []),
      ['Response', 'Success'],
      ['Channel', first.name],
      ...(app ? ([['Application', app], ['Data', get('Data')]] as Header[]) : ([['Context', context], ['Exten', exten]] as Header[])),
      ['Reason', '4'],
      ['Uniqueid', first.uniqueid],
      ['CallerIDNum', cid.num || '<unknown>'],
      ['CallerIDName', cid.name || '<unknown>'],
    ];
    const o = { app, data: get('Data'), exten, context, cid };
    if (async) {
      this.respond(s, id, 'Success', 'Originate successfully queued');
      this.startOriginate(target, o, (first) => this.emit('OriginateResponse', 'call', okFields(first)), () => {
        this.emit('OriginateResponse', 'call', failFields());
      });
      return null;
    }
    // A synchronous Originate blocks the session until the phone answers or the attempt fails.
    return new Promise<void>((resolve) => {
      this.startOriginate(
        target,
        o,
        () => {
          this.respond(s, id, 'Success', 'Originate successfully queued');
          resolve();
        },
        () => {
          this.respond(s, id, 'Error', 'Originate failed');
          resolve();
        },
      );
    });
  }

  private actRedirect(s: Session, h: Header[], id: string | undefined): void {
    const get = (k: string): string => (header(h, k) ?? '').trim();
    const name = get('Channel');
    if (!name) return this.respond(s, id, 'Error', 'Channel not specified');
    if (!get('Context')) return this.respond(s, id, 'Error', 'Context not specified');
    if (!get('Exten')) return this.respond(s, id, 'Error', 'Exten not specified');
    if (!get('Priority')) return this.respond(s, id, 'Error', 'Priority not specified');
    const ch = this.channels.get(name);
    if (!ch) return this.respond(s, id, 'Error', `Channel does not exist: ${name}`);
    this.respond(s, id, 'Success', 'Redirect successful');
    this.redirect(ch, get('Exten'), get('Context'));
  }

  private actAtxfer(s: Session, h: Header[], id: string | undefined): void {
    const name = (header(h, 'Channel') ?? '').trim();
    const exten = (header(h, 'Exten') ?? '').trim();
    if (!name) return this.respond(s, id, 'Error', 'No channel specified');
    if (!exten) return this.respond(s, id, 'Error', 'No extension specified');
    if (!this.channels.has(name)) return this.respond(s, id, 'Error', 'Channel specified does not exist');
    this.respond(s, id, 'Success', 'Atxfer successfully queued');
  }

  private actHangup(s: Session, h: Header[], id: string | undefined): void {
    const name = (header(h, 'Channel') ?? '').trim();
    if (!name) return this.respond(s, id, 'Error', 'No channel specified');
    const ch = this.channels.get(name);
    if (!ch) return this.respond(s, id, 'Error', 'No such channel');
    this.respond(s, id, 'Success', 'Channel Hungup');
    const cause = Number.parseInt(header(h, 'Cause') ?? '', 10);
    this.hangupChannel(ch, Number.isFinite(cause) ? cause : 16);
  }

  /**
   * apps/app_senddtmf.c `manager_play_dtmf`: the channel first (`Channel not found`), then the
   * digit, then Duration. `Receive: yes` queues the digit as if the channel had sent it, so the
   * application on it (ChanSpy) reads it; otherwise it goes out to the phone.
   */
  private actPlayDtmf(s: Session, h: Header[], id: string | undefined): void {
    const ch = this.channels.get((header(h, 'Channel') ?? '').trim());
    if (!ch) return this.respond(s, id, 'Error', 'Channel not found');
    const digit = header(h, 'Digit') ?? '';
    if (digit === '') return this.respond(s, id, 'Error', 'No digit specified');
    const duration = (header(h, 'Duration') ?? '').trim();
    if (duration !== '' && !/^\d+/.test(duration)) return this.respond(s, id, 'Error', 'Could not convert Duration parameter');
    if (isTrue(header(h, 'Receive'))) this.spyDigit(ch, digit.charAt(0));
    this.respond(s, id, 'Success', 'DTMF successfully queued');
  }

  // ---------------------------------------------------------------- PBX model: helpers

  private nowS(): number {
    return Math.floor(this.opts.now() / 1000);
  }

  private later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      try {
        fn();
      } catch (err) {
        this.opts.log(`timer: ${(err as Error).stack ?? String(err)}`);
      }
    }, ms);
    this.timers.add(t);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    const pending = [...this.pendingOriginates];
    this.pendingOriginates.clear();
    for (const fail of pending) fail();
  }

  private applyPreset(): void {
    if (this.opts.preset !== 'demo') return;
    this.defineQueues([{ name: 'reception', strategy: 'ringall', members: [{ interface: 'PJSIP/1001' }, { interface: 'PJSIP/1002' }] }]);
    this.devices.set('PJSIP/9000', 1);
  }

  private deviceState(iface: string): number {
    return this.devices.get(iface) ?? 5;
  }

  private reachable(target: string): boolean {
    if (target.startsWith('Local/')) return true;
    const st = this.devices.get(target);
    return st !== undefined && st !== 4 && st !== 5;
  }

  private newUniqueid(): string {
    return `${this.nowS()}.${this.uidCounter++}`;
  }

  private newChannel(init: Partial<Channel> & { name: string; group: string }): Channel {
    const uniqueid = this.newUniqueid();
    const ch: Channel = {
      state: 0,
      cidNum: '',
      cidName: '',
      connNum: '',
      connName: '',
      context: CONTEXT,
      exten: 's',
      priority: 1,
      uniqueid,
      linkedid: uniqueid,
      application: '',
      data: '',
      created: this.opts.now(),
      bridgeId: '',
      device: '',
      ...init,
    };
    this.channels.set(ch.name, ch);
    return ch;
  }

  private pjsipChannel(device: string): string {
    return `${device}-${hex8(this.chanCounter++)}`;
  }

  private snapshot(c: Channel, prefix = ''): Header[] {
    return [
      [`${prefix}Channel`, c.name],
      [`${prefix}ChannelState`, String(c.state)],
      [`${prefix}ChannelStateDesc`, CHANNEL_STATE_DESC[c.state] ?? 'Unknown'],
      [`${prefix}CallerIDNum`, c.cidNum || '<unknown>'],
      [`${prefix}CallerIDName`, c.cidName || '<unknown>'],
      [`${prefix}ConnectedLineNum`, c.connNum || '<unknown>'],
      [`${prefix}ConnectedLineName`, c.connName || '<unknown>'],
      [`${prefix}Language`, 'en'],
      [`${prefix}AccountCode`, ''],
      [`${prefix}Context`, c.context],
      [`${prefix}Exten`, c.exten],
      [`${prefix}Priority`, String(c.priority)],
      [`${prefix}Uniqueid`, c.uniqueid],
      [`${prefix}Linkedid`, c.linkedid],
    ];
  }

  private memberFields(q: Queue, m: Member): Header[] {
    return [
      ['Queue', q.name],
      ['MemberName', m.name],
      ['Interface', m.iface],
      ['StateInterface', m.stateInterface],
      ['Membership', m.membership],
      ['Penalty', String(m.penalty)],
      ['CallsTaken', String(m.callsTaken)],
      ['LastCall', String(m.lastCall)],
      ['LastPause', String(m.lastPause)],
      ['LoginTime', String(m.loginTime)],
      ['InCall', m.inCall ? '1' : '0'],
      ['Status', String(this.deviceState(m.stateInterface))],
      ['Paused', m.paused ? '1' : '0'],
      ['PausedReason', m.pausedReason],
      ['Ringinuse', '0'],
      ['Wrapuptime', '0'],
    ];
  }

  private varSet(c: Channel, variable: string, value: string): void {
    this.emit('VarSet', 'dialplan', [...this.snapshot(c), ['Variable', variable], ['Value', value]]);
  }

  private newExten(c: Channel, app: string, data: string): void {
    c.application = app;
    c.data = data;
    this.emit('Newexten', 'dialplan', [...this.snapshot(c), ['Extension', c.exten], ['Application', app], ['AppData', data]]);
  }

  private hangupEvent(c: Channel, cause: number): void {
    this.emit('Hangup', 'call', [...this.snapshot(c), ['Cause', String(cause)], ['Cause-txt', CAUSE_TEXT[cause] ?? 'Unknown']]);
    this.channels.delete(c.name);
    // A spy whose target is gone stops (ChanSpyStop); with option E it hangs up, without it
    // ChanSpy goes on waiting for another channel of its prefix (not simulated: it just waits).
    for (const call of [...this.calls.values()]) {
      if (call.kind !== 'spy' || call.spyee !== c) continue;
      if (spyOptionLetters(call.spyFlags).includes('E')) this.endOther(call, 16);
      else this.stopSpy(call);
    }
  }

  private emitDeviceState(device: string, state: string): void {
    this.emit('DeviceStateChange', 'call', [['Device', device], ['State', state]]);
  }

  private isAvailable(m: Member): boolean {
    return !m.paused && [0, 1].includes(this.deviceState(m.stateInterface));
  }

  /**
   * app_queue: when member m changed, `Queue:<q>_avail` becomes NOT_INUSE if m is available, INUSE
   * if nobody is; the device state engine only reports a change of its cached value.
   */
  private updateQueueAvail(q: Queue, m: Member): void {
    let st: string | null = null;
    if (this.isAvailable(m)) st = 'NOT_INUSE';
    else if (!q.members.some((x) => this.isAvailable(x))) st = 'INUSE';
    if (st !== null && st !== q.availState) {
      q.availState = st;
      this.emitDeviceState(`Queue:${q.name}_avail`, st);
    }
  }

  /** Device state of an endpoint changed: DeviceStateChange, QueueMemberStatus per queue, ExtensionStatus. */
  private setDevice(iface: string, state: number): void {
    const old = this.devices.get(iface);
    this.devices.set(iface, state);
    if (old === state) return;
    this.emitDeviceState(iface, DEVICE_STATE_NAMES[state] ?? 'UNKNOWN');
    for (const q of this.queues.values()) {
      for (const m of q.members) {
        if (m.stateInterface !== iface) continue;
        this.emit('QueueMemberStatus', 'agent', this.memberFields(q, m));
        this.updateQueueAvail(q, m);
      }
    }
    const ext = /^PJSIP\/(\w+)$/.exec(iface)?.[1];
    if (ext) {
      const [code, text] = ({ 0: [0, 'Idle'], 1: [0, 'Idle'], 2: [1, 'InUse'], 3: [2, 'Busy'], 5: [4, 'Unavailable'], 6: [8, 'Ringing'], 7: [9, 'InUse&Ringing'], 8: [16, 'Hold'] } as Record<number, [number, string]>)[state] ?? [-1, 'Unknown'];
      this.emit('ExtensionStatus', 'call', [['Exten', ext], ['Context', CONTEXT], ['Hint', iface], ['Status', String(code)], ['StatusText', text]]);
    }
  }

  private bridgeFields(b: Bridge): Header[] {
    return [
      ['BridgeUniqueid', b.id],
      ['BridgeType', 'basic'],
      ['BridgeTechnology', 'simple_bridge'],
      ['BridgeCreator', '<unknown>'],
      ['BridgeName', '<unknown>'],
      ['BridgeNumChannels', String(b.channels.length)],
      ['BridgeVideoSourceMode', 'none'],
    ];
  }

  private bridge(a: Channel, b: Channel): Bridge {
    const br: Bridge = { id: randomUUID(), channels: [] };
    this.emit('BridgeCreate', 'call', this.bridgeFields(br));
    for (const c of [a, b]) {
      br.channels.push(c);
      c.bridgeId = br.id;
      this.emit('BridgeEnter', 'call', [...this.bridgeFields(br), ...this.snapshot(c)]);
    }
    this.varSet(a, 'BRIDGEPEER', b.name);
    this.varSet(b, 'BRIDGEPEER', a.name);
    return br;
  }

  private bridgeLeave(br: Bridge | null, c: Channel): void {
    if (!br || !br.channels.includes(c)) return;
    br.channels = br.channels.filter((x) => x !== c);
    c.bridgeId = '';
    this.emit('BridgeLeave', 'call', [...this.bridgeFields(br), ...this.snapshot(c)]);
    if (br.channels.length === 0) this.emit('BridgeDestroy', 'call', this.bridgeFields(br));
  }

  private dial(from: Channel | null, to: Channel, event: string, extra: Header[]): void {
    this.emit(event, 'call', [...(from ? this.snapshot(from) : []), ...this.snapshot(to, 'Dest'), ...extra]);
  }

  private queueVars(c: Channel, q: Queue): void {
    this.varSet(c, 'QUEUENAME', q.name);
    this.varSet(c, 'QUEUECALLS', String(q.entries.length));
    this.varSet(c, 'QUEUEABANDONED', String(q.abandoned));
  }

  // ---------------------------------------------------------------- PBX model: queue calls

  private findCaller(linkedid: string): { q: Queue; e: Caller; pos: number } | null {
    for (const q of this.queues.values()) {
      const pos = q.entries.findIndex((e) => e.channel.linkedid === linkedid);
      const e = q.entries[pos];
      if (e) return { q, e, pos };
    }
    return null;
  }

  addCaller(number: string, queueName: string, name = ''): { uniqueid: string; linkedid: string; channel: string; position: number } {
    if (!/^[+\w*#-]{1,40}$/.test(number)) throw new HttpError(400, 'number must be digits (1..40)');
    const q = this.queues.get(queueName);
    if (!q) throw new HttpError(404, `no such queue: ${queueName}`);
    const chName = this.pjsipChannel(`PJSIP/${number}`);
    const ch = this.newChannel({ name: chName, group: '', state: 4, cidNum: number, cidName: name, exten: q.exten, device: '' });
    ch.group = ch.linkedid;
    this.emit('Newchannel', 'call', this.snapshot(ch));
    this.varSet(ch, 'SIPDOMAIN', '127.0.0.1');
    this.newExten(ch, 'NoOp', `Caller "${name}" <${number}> -> queue ${q.name}`);
    ch.priority = 2;
    this.newExten(ch, 'Answer', '');
    ch.state = 6;
    this.emit('Newstate', 'call', this.snapshot(ch));
    ch.priority = 3;
    this.newExten(ch, 'Queue', `${q.name},t,,,120`);
    for (const v of ['ANSWEREDTIME', 'DIALEDTIME', 'QUEUEWAIT']) this.varSet(ch, v, '');
    const e: Caller = { channel: ch, queue: q.name, joinedAt: this.opts.now(), originalPosition: q.entries.length + 1, ringing: [] };
    q.entries.push(e);
    if (q.entries.length === 1) this.emitDeviceState(`Queue:${q.name}`, 'RINGING');
    this.emit('QueueCallerJoin', 'agent', [...this.snapshot(ch), ['Queue', q.name], ['Position', String(q.entries.length)], ['Count', String(q.entries.length)]]);
    this.emit('MusicOnHoldStart', 'call', [...this.snapshot(ch), ['Class', 'default']]);
    return { uniqueid: ch.uniqueid, linkedid: ch.linkedid, channel: ch.name, position: q.entries.length };
  }

  /** Ring one member for a waiting caller: AgentCalled, DialBegin, member status 6. */
  ring(linkedid: string, iface: string): RingLeg {
    const found = this.findCaller(linkedid);
    if (!found) throw new HttpError(404, `no waiting caller ${linkedid}`);
    const { q, e } = found;
    const existing = e.ringing.find((r) => r.iface === iface);
    if (existing) return existing;
    const m = q.members.find((x) => x.iface === iface);
    if (!m) throw new HttpError(404, `${iface} is not a member of ${q.name}`);
    if (m.paused) throw new HttpError(409, `${iface} is paused`);
    const st = this.deviceState(m.stateInterface);
    if (st !== 0 && st !== 1) throw new HttpError(409, `${iface} is not free (device state ${st})`);
    const caller = e.channel;
    const agent = this.newChannel({
      name: this.pjsipChannel(iface),
      group: caller.linkedid,
      linkedid: caller.linkedid,
      cidNum: q.exten,
      cidName: '',
      device: m.stateInterface,
    });
    this.emit('Newchannel', 'call', this.snapshot(agent));
    agent.exten = q.exten;
    agent.connNum = caller.cidNum;
    agent.connName = caller.cidName;
    this.newExten(agent, 'AppQueue', '(Outgoing Line)');
    this.varSet(agent, 'DIALEDPEERNUMBER', iface.replace(/^[^/]*\//, ''));
    this.dial(caller, agent, 'AgentCalled', [['Queue', q.name], ['Interface', m.iface], ['MemberName', m.name]]);
    this.dial(caller, agent, 'DialBegin', [['DialString', iface]]);
    agent.state = 5;
    this.emit('Newstate', 'call', this.snapshot(agent));
    this.setDevice(m.stateInterface, 6);
    this.dial(caller, agent, 'DialState', [['DialStatus', 'RINGING']]);
    const leg: RingLeg = { iface, member: m, channel: agent, ringStart: this.opts.now() };
    e.ringing.push(leg);
    return leg;
  }

  private stopRinging(caller: Channel, leg: RingLeg, status: 'NOANSWER' | 'CANCEL', cause: number): void {
    this.dial(caller, leg.channel, 'DialEnd', [['DialStatus', status]]);
    this.hangupEvent(leg.channel, cause);
    this.setDevice(leg.member.stateInterface, 1);
  }

  ringNoAnswer(linkedid: string, iface: string, ringMs?: number): { ringTime: number } {
    const found = this.findCaller(linkedid);
    if (!found) throw new HttpError(404, `no waiting caller ${linkedid}`);
    const leg = this.ring(linkedid, iface);
    const { q, e } = found;
    const ringTime = ringMs ?? this.opts.now() - leg.ringStart;
    this.dial(e.channel, leg.channel, 'AgentRingNoAnswer', [['Queue', q.name], ['Interface', leg.iface], ['MemberName', leg.member.name], ['RingTime', String(ringTime)]]);
    e.ringing = e.ringing.filter((r) => r !== leg);
    this.stopRinging(e.channel, leg, 'NOANSWER', 0);
    return { ringTime };
  }

  answer(linkedid: string, iface?: string, ringMs = 0): { interface: string; scheduled: boolean } {
    const found = this.findCaller(linkedid);
    if (!found) throw new HttpError(404, `no waiting caller ${linkedid}`);
    const { q, e } = found;
    let chosen = iface;
    if (!chosen) {
      chosen = e.ringing[0]?.iface ?? q.members.find((m) => !m.paused && [0, 1].includes(this.deviceState(m.stateInterface)))?.iface;
      if (!chosen) throw new HttpError(409, `no free member in ${q.name}`);
    }
    const leg = this.ring(linkedid, chosen);
    if (ringMs > 0) {
      this.later(ringMs, () => {
        if (this.findCaller(linkedid)?.e.ringing.includes(leg)) this.connect(linkedid, leg);
      });
      return { interface: chosen, scheduled: true };
    }
    this.connect(linkedid, leg);
    return { interface: chosen, scheduled: false };
  }

  private connect(linkedid: string, leg: RingLeg): void {
    const found = this.findCaller(linkedid);
    if (!found) return;
    const { q, e, pos } = found;
    const caller = e.channel;
    const agent = leg.channel;
    const now = this.opts.now();
    agent.state = 6;
    this.emit('Newstate', 'call', this.snapshot(agent));
    this.setDevice(leg.member.stateInterface, 2);
    this.dial(caller, agent, 'DialEnd', [['DialStatus', 'ANSWER']]);
    for (const other of e.ringing) if (other !== leg) this.stopRinging(caller, other, 'CANCEL', 26);
    e.ringing = [];
    caller.connNum = agent.cidNum;
    caller.connName = agent.cidName;
    this.emit('MusicOnHoldStop', 'call', this.snapshot(caller));
    const holdSecs = Math.floor((now - e.joinedAt) / 1000);
    const ringSecs = Math.floor((now - leg.ringStart) / 1000);
    q.holdtime = ((q.holdtime << 2) - q.holdtime + holdSecs) >> 2;
    this.varSet(caller, 'MEMBERINTERFACE', leg.iface);
    this.varSet(caller, 'MEMBERNAME', leg.member.name);
    this.queueVars(caller, q);
    q.entries.splice(pos, 1);
    if (q.entries.length === 0) this.emitDeviceState(`Queue:${q.name}`, 'NOT_INUSE');
    this.emit('QueueCallerLeave', 'agent', [...this.snapshot(caller), ['Queue', q.name], ['Position', String(pos + 1)], ['Count', String(q.entries.length)]]);
    this.varSet(caller, 'QUEUEPOSITION', String(pos + 1));
    leg.member.inCall = true;
    this.dial(caller, agent, 'AgentConnect', [
      ['Queue', q.name],
      ['Interface', leg.iface],
      ['MemberName', leg.member.name],
      ['HoldTime', String(holdSecs)],
      ['RingTime', String(ringSecs)],
    ]);
    const br = this.bridge(agent, caller);
    this.calls.set(linkedid, {
      kind: 'queue',
      id: linkedid,
      queue: q.name,
      caller,
      agent,
      iface: leg.iface,
      memberName: leg.member.name,
      holdSecs,
      ringSecs,
      connectedAt: now,
      bridge: br,
      transferLeg: null,
    });
  }

  abandon(linkedid: string): { holdTime: number } {
    const found = this.findCaller(linkedid);
    if (!found) throw new HttpError(404, `no waiting caller ${linkedid}`);
    const { q, e, pos } = found;
    const caller = e.channel;
    for (const leg of e.ringing) this.stopRinging(caller, leg, 'CANCEL', 0);
    e.ringing = [];
    const holdSecs = Math.floor((this.opts.now() - e.joinedAt) / 1000);
    this.emit('HangupRequest', 'call', this.snapshot(caller));
    this.emit('MusicOnHoldStop', 'call', this.snapshot(caller));
    this.varSet(caller, 'QUEUEWAIT', String(holdSecs));
    this.varSet(caller, 'ABANDONED', 'TRUE');
    q.abandoned++;
    if (holdSecs <= q.serviceLevel) q.abandonedInSl++;
    this.queueVars(caller, q);
    this.emit('QueueCallerAbandon', 'agent', [
      ...this.snapshot(caller),
      ['Queue', q.name],
      ['Position', String(pos + 1)],
      ['OriginalPosition', String(e.originalPosition)],
      ['HoldTime', String(holdSecs)],
    ]);
    q.entries.splice(pos, 1);
    if (q.entries.length === 0) this.emitDeviceState(`Queue:${q.name}`, 'NOT_INUSE');
    this.emit('QueueCallerLeave', 'agent', [...this.snapshot(caller), ['Queue', q.name], ['Position', String(pos + 1)], ['Count', String(q.entries.length)]]);
    this.varSet(caller, 'QUEUEPOSITION', String(pos + 1));
    this.emit('SoftHangupRequest', 'call', [...this.snapshot(caller), ['Cause', '16']]);
    this.hangupEvent(caller, 0);
    return { holdTime: holdSecs };
  }

  hangupCall(linkedid: string, by: 'caller' | 'agent'): { talkTime: number } {
    const call = this.calls.get(linkedid);
    if (!call) {
      if (this.findCaller(linkedid) && by === 'caller') {
        this.abandon(linkedid);
        return { talkTime: 0 };
      }
      throw new HttpError(404, `no call ${linkedid}`);
    }
    if (call.kind !== 'queue') {
      this.endOther(call, 16);
      return { talkTime: Math.floor((this.opts.now() - call.connectedAt) / 1000) };
    }
    const q = this.queues.get(call.queue);
    const far = call.agent ?? call.transferLeg;
    const first = by === 'caller' || !far ? call.caller : far;
    const second = first === call.caller ? far : call.caller;
    const talk = Math.floor((this.opts.now() - call.connectedAt) / 1000);
    this.emit('HangupRequest', 'call', this.snapshot(first));
    this.bridgeLeave(call.bridge, first);
    this.varSet(call.caller, 'ANSWEREDTIME', String(talk));
    this.emit('SoftHangupRequest', 'call', [...this.snapshot(first), ['Cause', '16']]);
    if (q) {
      q.completed++;
      if (call.holdSecs <= q.serviceLevel) q.completedInSl++;
      q.talktime = q.completed === 1 ? talk : ((q.talktime << 2) - q.talktime + talk) >> 2;
    }
    this.emit('AgentComplete', 'agent', [
      ...this.snapshot(call.caller),
      ...(call.agent ? this.snapshot(call.agent, 'Dest') : []),
      ['Queue', call.queue],
      ['Interface', call.iface],
      ['MemberName', call.memberName],
      ['HoldTime', String(call.holdSecs)],
      ['TalkTime', String(talk)],
      ['Reason', by],
    ]);
    if (second) this.bridgeLeave(call.bridge, second);
    this.hangupEvent(first, 16);
    if (second) this.hangupEvent(second, 16);
    this.calls.delete(linkedid);
    if (call.agent) this.agentLegGone(call);
    if (call.transferLeg) this.setDevice(call.transferLeg.device, 1);
    return { talkTime: talk };
  }

  /** The queue member's leg is gone (call end or transfer away): stats and device state. */
  private agentLegGone(call: QueueCall): void {
    const q = this.queues.get(call.queue);
    const m = q?.members.find((x) => x.iface === call.iface);
    if (m) {
      m.callsTaken++;
      m.lastCall = this.nowS();
      m.inCall = false;
      this.setDevice(m.stateInterface, 1);
    } else if (call.agent) {
      this.setDevice(call.agent.device, 1);
    }
    call.agent = null;
  }

  private redirect(ch: Channel, exten: string, context: string): void {
    const spying = [...this.calls.values()].find((c): c is OtherCall => c.kind === 'spy' && c.spyer === ch);
    if (spying) {
      // The spying channel leaves ChanSpy for the new place: another spy code starts a new ChanSpy.
      this.stopSpy(spying);
      ch.context = context;
      ch.exten = exten;
      ch.priority = 1;
      const spy = featureSpy(exten);
      if (spy) this.startSpy(spying, ch, spy.prefix, spy.flags);
      else this.newExten(ch, 'NoOp', '');
      return;
    }
    const call = [...this.calls.values()].find((c): c is QueueCall => c.kind === 'queue' && c.caller === ch);
    const waiting = this.findCaller(ch.linkedid);
    ch.context = context;
    if (call && call.agent) {
      ch.exten = exten;
      ch.priority = 1;
      this.bridgeLeave(call.bridge, ch);
      const agent = call.agent;
      this.bridgeLeave(call.bridge, agent);
      call.bridge = null;
      this.hangupEvent(agent, 16);
      this.agentLegGone(call);
    } else if (waiting && waiting.e.channel === ch) {
      const { q, e, pos } = waiting;
      for (const leg of e.ringing) this.stopRinging(ch, leg, 'CANCEL', 0);
      this.emit('MusicOnHoldStop', 'call', this.snapshot(ch));
      q.entries.splice(pos, 1);
      this.emit('QueueCallerLeave', 'agent', [...this.snapshot(ch), ['Queue', q.name], ['Position', String(pos + 1)], ['Count', String(q.entries.length)]]);
      ch.exten = exten;
      ch.priority = 1;
    } else {
      ch.exten = exten;
      ch.priority = 1;
      this.newExten(ch, 'NoOp', '');
      return;
    }
    const device = `PJSIP/${exten}`;
    if (!this.reachable(device)) {
      this.newExten(ch, 'Dial', `${device},30`);
      return;
    }
    this.newExten(ch, 'Dial', `${device},30`);
    // Transcript 05: the new leg shows the dialled extension as its caller id, the caller as connected line.
    const leg = this.newChannel({ name: this.pjsipChannel(device), group: ch.linkedid, linkedid: ch.linkedid, cidNum: exten, cidName: '', exten, device });
    this.emit('Newchannel', 'call', this.snapshot(leg));
    leg.connNum = ch.cidNum;
    leg.connName = ch.cidName;
    this.newExten(leg, 'AppDial', '(Outgoing Line)');
    this.dial(ch, leg, 'DialBegin', [['DialString', exten]]);
    leg.state = 5;
    this.emit('Newstate', 'call', this.snapshot(leg));
    this.setDevice(device, 6);
    this.dial(ch, leg, 'DialState', [['DialStatus', 'RINGING']]);
    this.later(this.opts.answerDelayMs, () => {
      if (!this.channels.has(leg.name) || !this.channels.has(ch.name)) return;
      leg.state = 6;
      this.emit('Newstate', 'call', this.snapshot(leg));
      this.dial(ch, leg, 'DialEnd', [['DialStatus', 'ANSWER']]);
      this.setDevice(device, 2);
      ch.connNum = exten;
      ch.connName = '';
      const br = this.bridge(leg, ch);
      if (call) {
        call.transferLeg = leg;
        call.bridge = br;
      } else {
        this.calls.set(ch.linkedid, { kind: 'originate', id: ch.linkedid, channels: [ch, leg], bridge: br, spyee: null, spyer: null, spyFlags: '', connectedAt: this.opts.now() });
      }
    });
  }

  // ---------------------------------------------------------------- PBX model: originate, spy, hangup

  private startOriginate(
    target: string,
    o: { app: string; data: string; exten: string; context: string; cid: { num: string; name: string } },
    onAnswer: (first: Channel) => void,
    onFail: () => void,
  ): void {
    const local = /^Local\/([^@]+)@([^/]+)$/.exec(target);
    if (local) {
      const n = hex8(this.localCounter++);
      const base = `Local/${local[1]}@${local[2]}-${n}`;
      const one = this.newChannel({ name: `${base};1`, group: '', cidNum: o.cid.num, cidName: o.cid.name, exten: local[1] ?? '', context: local[2] ?? CONTEXT });
      one.group = one.uniqueid;
      const two = this.newChannel({ name: `${base};2`, group: one.uniqueid, linkedid: one.uniqueid, state: 4, cidNum: o.cid.num, cidName: o.cid.name, exten: local[1] ?? '', context: local[2] ?? CONTEXT });
      this.emit('Newchannel', 'call', this.snapshot(one));
      this.emit('Newchannel', 'call', this.snapshot(two));
      this.dial(null, one, 'DialBegin', [['DialString', `${local[1]}@${local[2]}`]]);
      one.state = 6;
      two.state = 6;
      this.emit('Newstate', 'call', this.snapshot(two));
      this.emit('Newstate', 'call', this.snapshot(one));
      this.dial(null, one, 'DialEnd', [['DialStatus', 'ANSWER']]);
      onAnswer(one);
      const call: OtherCall = { kind: 'spy', id: one.uniqueid, channels: [one, two], bridge: null, spyee: null, spyer: null, spyFlags: '', connectedAt: this.opts.now() };
      this.calls.set(call.id, call);
      const spy = featureSpy(local[1] ?? '');
      if (spy) {
        this.startSpy(call, two, spy.prefix, spy.flags);
      } else {
        this.newExten(two, o.app || 'NoOp', o.data);
      }
      if (o.exten) this.dialOut(call, one, o.exten);
      return;
    }
    const ch = this.newChannel({ name: this.pjsipChannel(target), group: '', cidNum: o.cid.num, cidName: o.cid.name, connNum: o.cid.num, connName: o.cid.name, device: target });
    ch.group = ch.uniqueid;
    const call: OtherCall = { kind: o.app.toLowerCase() === 'chanspy' ? 'spy' : 'originate', id: ch.uniqueid, channels: [ch], bridge: null, spyee: null, spyer: null, spyFlags: '', connectedAt: this.opts.now() };
    this.calls.set(call.id, call);
    this.pendingOriginates.add(onFail);
    this.emit('Newchannel', 'call', this.snapshot(ch));
    this.newExten(ch, 'AppDial2', '(Outgoing Line)');
    this.dial(null, ch, 'DialBegin', [['DialString', target.replace(/^[^/]*\//, '')]]);
    ch.state = 5;
    this.emit('Newstate', 'call', this.snapshot(ch));
    this.setDevice(target, 6);
    this.dial(null, ch, 'DialState', [['DialStatus', 'RINGING']]);
    this.later(this.opts.answerDelayMs, () => {
      this.pendingOriginates.delete(onFail);
      if (!this.channels.has(ch.name)) {
        onFail();
        return;
      }
      ch.state = 6;
      call.connectedAt = this.opts.now();
      this.emit('Newstate', 'call', this.snapshot(ch));
      this.dial(null, ch, 'DialEnd', [['DialStatus', 'ANSWER']]);
      this.setDevice(target, 2);
      onAnswer(ch);
      if (o.app) {
        ch.exten = 's';
        if (o.app.toLowerCase() === 'chanspy') {
          const [prefix = '', flags = ''] = o.data.split(',');
          this.startSpy(call, ch, prefix, flags);
        } else {
          this.newExten(ch, o.app, o.data);
        }
      } else if (o.exten) {
        ch.context = o.context;
        ch.exten = o.exten;
        const spy = featureSpy(o.exten);
        if (spy) this.startSpy(call, ch, spy.prefix, spy.flags);
        else this.dialOut(call, ch, o.exten);
      }
    });
  }

  /** The answered originate leg dials `exten`: a registered device rings and answers, anything else goes out a trunk. */
  private dialOut(call: OtherCall, from: Channel, exten: string): void {
    const device = `PJSIP/${exten}`;
    const internal = this.reachable(device);
    this.newExten(from, 'Dial', internal ? `${device},30` : `PJSIP/${exten}@trunk,60`);
    const leg = this.newChannel({
      name: this.pjsipChannel(internal ? device : 'PJSIP/trunk'),
      group: call.id,
      linkedid: from.linkedid,
      cidNum: internal ? from.cidNum : exten,
      cidName: internal ? from.cidName : '',
      connNum: from.cidNum,
      connName: from.cidName,
      exten,
      device: internal ? device : '',
    });
    call.channels.push(leg);
    this.emit('Newchannel', 'call', this.snapshot(leg));
    this.newExten(leg, 'AppDial', '(Outgoing Line)');
    this.dial(from, leg, 'DialBegin', [['DialString', internal ? exten : `${exten}@trunk`]]);
    leg.state = 5;
    this.emit('Newstate', 'call', this.snapshot(leg));
    if (internal) this.setDevice(device, 6);
    this.dial(from, leg, 'DialState', [['DialStatus', 'RINGING']]);
    this.later(this.opts.answerDelayMs, () => {
      if (!this.channels.has(leg.name) || !this.channels.has(from.name)) return;
      leg.state = 6;
      this.emit('Newstate', 'call', this.snapshot(leg));
      if (internal) this.setDevice(device, 2);
      this.dial(from, leg, 'DialEnd', [['DialStatus', 'ANSWER']]);
      from.connNum = leg.cidNum;
      from.connName = leg.cidName;
      call.bridge = this.bridge(leg, from);
    });
  }

  private startSpy(call: OtherCall, spyer: Channel, prefix: string, flags: string): void {
    this.newExten(spyer, 'ChanSpy', `${prefix},${flags}`);
    const spyee = [...this.channels.values()].find((c) => c !== spyer && prefix !== '' && c.name.startsWith(prefix) && c.state === 6);
    call.kind = 'spy';
    call.spyer = spyer;
    call.spyFlags = flags;
    if (!spyee) return;
    call.spyee = spyee;
    this.emit('ChanSpyStart', 'call', [...this.snapshot(spyer, 'Spyer'), ...this.snapshot(spyee, 'Spyee')]);
  }

  /** ChanSpy stops spying (ChanSpyStop); its channel stays up. */
  private stopSpy(call: OtherCall): void {
    if (call.spyer && call.spyee) this.emit('ChanSpyStop', 'call', [...this.snapshot(call.spyer, 'Spyer'), ...this.snapshot(call.spyee, 'Spyee')]);
    call.spyee = null;
  }

  /** A digit the spying channel received: with `d`, 4 / 5 / 6 switch a running spy's mode. */
  private spyDigit(ch: Channel, digit: string): void {
    const call = [...this.calls.values()].find((c): c is OtherCall => c.kind === 'spy' && c.spyer === ch);
    if (!call || !call.spyee || !spyOptionLetters(call.spyFlags).includes('d') || !'456'.includes(digit) || digit === '') return;
    call.spyFlags = switchSpyFlags(call.spyFlags, digit);
  }

  private endOther(call: OtherCall, cause: number): void {
    this.calls.delete(call.id);
    this.stopSpy(call);
    for (const c of call.channels) if (call.bridge) this.bridgeLeave(call.bridge, c);
    for (const c of call.channels) {
      if (!this.channels.has(c.name)) continue;
      this.hangupEvent(c, cause);
      if (c.device && this.devices.has(c.device)) this.setDevice(c.device, 1);
    }
  }

  private hangupChannel(ch: Channel, cause: number): void {
    const waiting = this.findCaller(ch.linkedid);
    if (waiting) {
      if (waiting.e.channel === ch) {
        this.abandon(ch.linkedid);
        return;
      }
      const leg = waiting.e.ringing.find((r) => r.channel === ch);
      if (leg) {
        this.ringNoAnswer(ch.linkedid, leg.iface);
        return;
      }
    }
    for (const call of this.calls.values()) {
      if (call.kind === 'queue') {
        if (call.caller === ch) return void this.hangupCall(call.id, 'caller');
        if (call.agent === ch || call.transferLeg === ch) return void this.hangupCall(call.id, 'agent');
      } else if (call.channels.includes(ch)) {
        this.endOther(call, cause);
        return;
      }
    }
    this.hangupEvent(ch, cause);
  }

  /** A UserEvent as another desk (or the PBX dialplan) would send it. */
  userEvent(name: string, headers: Record<string, string>): void {
    this.emit('UserEvent', 'user', [['UserEvent', name], ...Object.entries(headers).map(([k, v]) => [k, String(v)] as Header)]);
  }

  setDeviceState(iface: string, status: number): void {
    if (!Number.isInteger(status) || status < 0 || status > 8) throw new HttpError(400, 'status must be 0..8 (AST_DEVICE_*)');
    this.setDevice(iface, status);
  }

  // ---------------------------------------------------------------- state dump

  state(): unknown {
    const now = this.opts.now();
    return {
      sessions: [...this.sessions.values()].map((s) => ({
        id: s.id,
        authenticated: s.authenticated,
        username: s.username,
        events: s.mask === null ? 'all' : [...s.mask],
        include: s.include.map((r) => r.source),
        exclude: s.exclude.map((r) => r.source),
        remote: s.remote,
      })),
      queues: [...this.queues.values()].map((q) => ({
        name: q.name,
        strategy: q.strategy,
        exten: q.exten,
        counters: {
          calls: q.entries.length,
          holdtime: q.holdtime,
          talktime: q.talktime,
          completed: q.completed,
          abandoned: q.abandoned,
          serviceLevel: q.serviceLevel,
          serviceLevelPerf: q.completed > 0 ? (100 * q.completedInSl) / q.completed : 0,
        },
        members: q.members.map((m) => ({
          interface: m.iface,
          name: m.name,
          stateInterface: m.stateInterface,
          membership: m.membership,
          penalty: m.penalty,
          status: this.deviceState(m.stateInterface),
          paused: m.paused,
          pausedReason: m.pausedReason,
          inCall: m.inCall,
          callsTaken: m.callsTaken,
          lastCall: m.lastCall,
          lastPause: m.lastPause,
          loginTime: m.loginTime,
        })),
      })),
      callers: [...this.queues.values()].flatMap((q) =>
        q.entries.map((e, i) => ({
          queue: q.name,
          position: i + 1,
          number: e.channel.cidNum,
          name: e.channel.cidName,
          channel: e.channel.name,
          uniqueid: e.channel.uniqueid,
          linkedid: e.channel.linkedid,
          waitSeconds: Math.floor((now - e.joinedAt) / 1000),
          ringing: e.ringing.map((r) => r.iface),
        })),
      ),
      calls: [...this.calls.values()].map((c) =>
        c.kind === 'queue'
          ? { kind: c.kind, linkedid: c.id, queue: c.queue, caller: c.caller.name, agent: c.agent?.name ?? null, interface: c.iface, transferredTo: c.transferLeg?.name ?? null, holdTime: c.holdSecs, talkSeconds: Math.floor((now - c.connectedAt) / 1000) }
          : { kind: c.kind, linkedid: c.id, channels: c.channels.map((x) => x.name), spyer: c.spyer?.name ?? null, spyee: c.spyee?.name ?? null, spyFlags: c.kind === 'spy' ? c.spyFlags : null },
      ),
      channels: [...this.channels.values()].map((c) => ({ name: c.name, state: c.state, uniqueid: c.uniqueid, linkedid: c.linkedid, application: c.application, callerIdNum: c.cidNum })),
      devices: Object.fromEntries(this.devices),
      astdb: Object.fromEntries([...this.astdb.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      actions: this.actions.length,
    };
  }

  // ---------------------------------------------------------------- HTTP control port

  private onHttp(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > 1_000_000) {
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('error', () => {});
    req.on('end', () => {
      let status = 200;
      let body: unknown;
      try {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: Record<string, unknown> = {};
        if (text.trim() !== '') {
          try {
            json = JSON.parse(text) as Record<string, unknown>;
          } catch {
            throw new HttpError(400, 'body is not JSON');
          }
          if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new HttpError(400, 'body must be a JSON object');
        }
        body = this.route(req.method ?? 'GET', new URL(req.url ?? '/', 'http://127.0.0.1'), json);
      } catch (err) {
        status = err instanceof HttpError ? err.status : 500;
        body = { error: (err as Error).message };
        if (status === 500) this.opts.log(`control: ${(err as Error).stack ?? String(err)}`);
      }
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    });
  }

  private route(method: string, url: URL, body: Record<string, unknown>): unknown {
    const parts = url.pathname.split('/').filter(Boolean).map((p) => decodeURIComponent(p));
    const str = (k: string): string | undefined => (typeof body[k] === 'string' ? (body[k] as string) : typeof body[k] === 'number' ? String(body[k]) : undefined);
    const need = (k: string): string => {
      const v = str(k);
      if (!v) throw new HttpError(400, `"${k}" is required`);
      return v;
    };
    const num = (k: string): number | undefined => {
      const v = body[k];
      if (v === undefined) return undefined;
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new HttpError(400, `"${k}" must be a number >= 0`);
      return v;
    };
    const key = `${method} /${parts.map((p, i) => (i > 0 && ['callers', 'calls', 'members'].includes(parts[i - 1] ?? '') && !['ring-no-answer', 'state'].includes(p) ? ':id' : p)).join('/')}`;
    let p1 = parts[1] ?? '';
    if (parts[0] === 'members' && parts.length > 3 && parts[parts.length - 1] === 'state') {
      // /members/PJSIP/1001/state (the interface not URL-encoded)
      p1 = parts.slice(1, -1).join('/');
      return this.route(method, new URL(`/members/${encodeURIComponent(p1)}/state`, url), body);
    }
    switch (key) {
      case 'GET /state':
        return this.state();
      case 'GET /actions': {
        const since = Number(url.searchParams.get('since') ?? '0') || 0;
        return { actions: this.recordedActions(since), next: this.actions.length };
      }
      case 'POST /queues': {
        if (!Array.isArray(body.queues)) throw new HttpError(400, '"queues" must be an array');
        this.defineQueues(body.queues as QueueSpec[]);
        return { ok: true, queues: [...this.queues.keys()] };
      }
      case 'POST /devices':
        this.setDeviceState(need('interface'), num('status') ?? 1);
        return { ok: true };
      case 'POST /members/:id/state':
        this.setDeviceState(p1, num('status') ?? 1);
        return { ok: true };
      case 'POST /members/ring-no-answer':
        return this.ringNoAnswer(need('linkedid'), need('interface'), num('ringMs'));
      case 'POST /callers':
        return this.addCaller(need('number'), str('queue') ?? 'reception', str('name') ?? '');
      case 'POST /callers/:id/ring':
        return { interface: this.ring(p1, need('interface')).iface };
      case 'POST /callers/:id/answer':
        return this.answer(p1, str('interface'), num('ringMs') ?? 0);
      case 'POST /callers/:id/abandon':
        return this.abandon(p1);
      case 'POST /calls/:id/hangup': {
        const by = str('by') ?? 'caller';
        if (by !== 'caller' && by !== 'agent') throw new HttpError(400, '"by" must be caller or agent');
        return this.hangupCall(p1, by);
      }
      case 'POST /user-events': {
        const headers = body.headers ?? {};
        if (typeof headers !== 'object' || headers === null) throw new HttpError(400, '"headers" must be an object');
        this.userEvent(need('name'), headers as Record<string, string>);
        return { ok: true };
      }
      case 'POST /reset':
        this.reset();
        return { ok: true };
      case 'POST /kill-sessions':
        return { killed: this.killSessions() };
      default:
        throw new HttpError(404, `no route ${method} ${url.pathname}`);
    }
  }
}

/**
 * Asterisk compiles a legacy filter with regcomp (POSIX extended); JavaScript has no POSIX
 * bracket classes, so `[[:space:]]` and friends are spelled out before compiling.
 */
const POSIX_CLASSES: Record<string, string> = {
  space: '\\s',
  blank: ' \\t',
  digit: '0-9',
  alpha: 'A-Za-z',
  alnum: 'A-Za-z0-9',
  upper: 'A-Z',
  lower: 'a-z',
  xdigit: '0-9A-Fa-f',
  punct: '!-/:-@\\[-`{-~',
};

export function posixToJs(pattern: string): string {
  return pattern.replace(/\[:([a-z]+):\]/g, (whole, name: string) => POSIX_CLASSES[name] ?? whole);
}
