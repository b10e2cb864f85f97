/**
 * Test support: a SIP.js transport wired to a scripted in-memory registrar. Enough SIP (RFC 3261)
 * to drive REGISTER with a digest challenge, OPTIONS and an incoming INVITE/CANCEL, so the real
 * SIP.js UserAgent and Registerer run against it. Not used by the app.
 */
import { EmitterImpl, TransportState, type SessionDescriptionHandler, type Transport } from 'sip.js';

export type RegisterMode = 'ok' | 'forbidden' | 'not-found' | 'silent';

/** How the far end answers our INVITEs: ring then answer, busy (486), or refuse re-INVITEs (481). */
export type InviteMode = 'answer' | 'busy';

const FAKE_SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n';

interface Parsed {
  readonly startLine: string;
  readonly method: string;
  readonly headers: Map<string, string[]>;
  readonly raw: string;
}

function parse(raw: string): Parsed {
  const [head = ''] = raw.split('\r\n\r\n');
  const [startLine = '', ...lines] = head.split('\r\n');
  const headers = new Map<string, string[]>();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i < 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), line.slice(i + 1).trim()]);
  }
  return { startLine, method: startLine.split(' ')[0] ?? '', headers, raw };
}

const h = (m: Parsed, name: string) => m.headers.get(name)?.[0] ?? '';

/** The scripted far side. One instance per test; transports attach to `FakeSipServer.current`. */
export class FakeSipServer {
  static current: FakeSipServer | undefined;

  /** Accepting WebSocket connections? */
  up = true;
  registerMode: RegisterMode = 'ok';
  answerOptions = true;
  inviteMode: InviteMode = 'answer';
  /** Answer in-dialog re-INVITEs with 481 (the dialog is gone on the server). */
  refuseReInvites = false;
  readonly received: Parsed[] = [];
  private readonly transports = new Set<FakeTransport>();

  constructor() {
    FakeSipServer.current = this;
  }

  get registers(): Parsed[] {
    return this.received.filter((m) => m.method === 'REGISTER');
  }

  get options(): Parsed[] {
    return this.received.filter((m) => m.method === 'OPTIONS');
  }

  /** The WebSocket dies under everyone (server killed). */
  dropAll(): void {
    for (const t of this.transports) t.serverDrop();
  }

  attach(t: FakeTransport): void {
    this.transports.add(t);
  }

  /** Answer an earlier request now (a late response), with its Contact echoed for REGISTER. */
  replyLate(m: Parsed, status: string): void {
    const contact = h(m, 'contact');
    this.push(response(m, status, contact ? [`Contact: ${contact};expires=300`] : [], true, ''));
  }

  /** Deliver a raw message to every connected client. */
  push(message: string): void {
    for (const t of this.transports) if (t.isConnected()) t.deliver(message);
  }

  receive(raw: string, from: FakeTransport): void {
    if (/^\r?\n/u.test(raw)) return;
    const m = parse(raw);
    if (m.startLine.startsWith('SIP/2.0')) {
      this.received.push(m);
      return;
    }
    this.received.push(m);
    const reply = (status: string, extra: string[] = [], toTag = true, body = '') =>
      from.deliver(response(m, status, extra, toTag, body));
    switch (m.method) {
      case 'REGISTER': {
        if (this.registerMode === 'silent') return;
        if (!m.headers.has('authorization')) {
          reply('401 Unauthorized', ['WWW-Authenticate: Digest realm="clinic", nonce="abc123", algorithm=MD5, qop="auth"']);
          return;
        }
        if (this.registerMode === 'forbidden') return reply('403 Forbidden');
        if (this.registerMode === 'not-found') return reply('404 Not Found');
        const contact = h(m, 'contact');
        const expires = /;expires=\d+/u.test(contact) ? contact : `${contact};expires=300`;
        reply('200 OK', [`Contact: ${expires}`]);
        return;
      }
      case 'OPTIONS':
        if (this.answerOptions) reply('200 OK');
        return;
      case 'INVITE': {
        const inDialog = /;tag=/u.test(h(m, 'to'));
        const contact = ['Contact: <sip:far@127.0.0.1;transport=ws>'];
        if (inDialog) {
          if (this.refuseReInvites) return reply('481 Call/Transaction Does Not Exist');
          return reply('200 OK', [...contact, 'Content-Type: application/sdp'], true, FAKE_SDP);
        }
        if (this.inviteMode === 'busy') return reply('486 Busy Here');
        reply('180 Ringing', contact);
        setTimeout(() => reply('200 OK', [...contact, 'Content-Type: application/sdp'], true, FAKE_SDP), 5);
        return;
      }
      case 'REFER':
        return reply('202 Accepted');
      case 'ACK':
        return;
      default:
        reply('200 OK');
    }
  }
}

function response(m: Parsed, status: string, extra: string[], toTag: boolean, body: string): string {
  const lines = [`SIP/2.0 ${status}`];
  for (const via of m.headers.get('via') ?? []) lines.push(`Via: ${via}`);
  lines.push(`From: ${h(m, 'from')}`);
  const to = h(m, 'to');
  lines.push(`To: ${toTag && !/;tag=/u.test(to) ? `${to};tag=srv1` : to}`);
  lines.push(`Call-ID: ${h(m, 'call-id')}`, `CSeq: ${h(m, 'cseq')}`, ...extra, `Content-Length: ${new TextEncoder().encode(body).length}`, '', body);
  return lines.join('\r\n');
}

/** A SIP.js `Transport` talking to {@link FakeSipServer.current} instead of a WebSocket. */
export class FakeTransport implements Transport {
  readonly protocol = 'WSS';
  onConnect: (() => void) | undefined;
  onDisconnect: ((error?: Error) => void) | undefined;
  onMessage: ((message: string) => void) | undefined;
  private _state = TransportState.Disconnected;
  private readonly emitter = new EmitterImpl<TransportState>();
  private readonly server: FakeSipServer;

  constructor(_logger: unknown, _options: unknown) {
    if (!FakeSipServer.current) throw new Error('no FakeSipServer');
    this.server = FakeSipServer.current;
    this.server.attach(this);
  }

  get state(): TransportState {
    return this._state;
  }

  get stateChange() {
    return this.emitter;
  }

  private setState(state: TransportState, error?: Error): void {
    if (this._state === state) return;
    const was = this._state;
    this._state = state;
    this.emitter.emit(state);
    if (state === TransportState.Connected) this.onConnect?.();
    if (state === TransportState.Disconnected && was !== TransportState.Connecting) this.onDisconnect?.(error);
  }

  async connect(): Promise<void> {
    if (this._state === TransportState.Connected) return;
    this.setState(TransportState.Connecting);
    await Promise.resolve();
    if (!this.server.up) {
      this.setState(TransportState.Disconnected);
      this.onDisconnect?.(new Error('connection refused'));
      throw new Error('connection refused');
    }
    this.setState(TransportState.Connected);
  }

  async disconnect(): Promise<void> {
    this.setState(TransportState.Disconnected);
  }

  async dispose(): Promise<void> {
    this.setState(TransportState.Disconnected);
  }

  isConnected(): boolean {
    return this._state === TransportState.Connected;
  }

  async send(message: string): Promise<void> {
    if (!this.isConnected()) throw new Error('not connected');
    const server = this.server;
    setTimeout(() => server.receive(message, this), 0);
  }

  deliver(message: string): void {
    setTimeout(() => {
      if (this.isConnected()) this.onMessage?.(message);
    }, 0);
  }

  serverDrop(): void {
    if (this.isConnected()) this.setState(TransportState.Disconnected, new Error('connection reset'));
  }
}

/** A media-less SDH: hands out a fixed SDP and records what it was asked to do. */
export class FakeSdh implements SessionDescriptionHandler {
  static readonly all: FakeSdh[] = [];
  /** Whether RTCDTMFSender "works" (false forces the SIP INFO fallback). */
  static dtmfWorks = false;
  readonly offers: Array<Record<string, unknown> | undefined> = [];
  readonly dtmf: string[] = [];
  senderEnabled = true;
  receiverEnabled = true;

  constructor() {
    FakeSdh.all.push(this);
  }

  close(): void {}

  async getDescription(options?: object): Promise<{ body: string; contentType: string }> {
    this.offers.push(options as Record<string, unknown> | undefined);
    return { body: FAKE_SDP, contentType: 'application/sdp' };
  }

  hasDescription(contentType: string): boolean {
    return contentType === 'application/sdp';
  }

  async setDescription(): Promise<void> {}

  sendDtmf(tones: string): boolean {
    if (FakeSdh.dtmfWorks) this.dtmf.push(tones);
    return FakeSdh.dtmfWorks;
  }

  enableSenderTracks(enable: boolean): void {
    this.senderEnabled = enable;
  }

  enableReceiverTracks(enable: boolean): void {
    this.receiverEnabled = enable;
  }
}

export const fakeSdhFactory = (): SessionDescriptionHandler => new FakeSdh();
