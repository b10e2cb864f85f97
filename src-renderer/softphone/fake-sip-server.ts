/**
 * Test support: a SIP.js transport wired to a scripted in-memory registrar. Enough SIP (RFC 3261)
 * to drive REGISTER with a digest challenge, OPTIONS, incoming INVITE/ACK/BYE/CANCEL with any
 * extra headers, and REFER answered 202 or 603, so the real SIP.js UserAgent, Registerer and
 * sessions run against it. Also a media-less SDH and a fake-WebRTC one. Not used by the app.
 */
import { EmitterImpl, TransportState, type SessionDescriptionHandler, type Transport } from 'sip.js';

export type RegisterMode = 'ok' | 'forbidden' | 'not-found' | 'silent';

/** How the far end answers our INVITEs: ring then answer, or busy (486). */
export type InviteMode = 'answer' | 'busy';

/** How the far end answers a REFER: 202 Accepted or 603 Declined (RFC 3515 §2.4.2). */
export type ReferMode = 'accept' | 'decline';

/** An INVITE the fake server sent to the desk, with the far end's follow-ups. */
export interface FakeIncomingCall {
  readonly callId: string;
  /** The desk's 200 OK to this INVITE has arrived. */
  answered(): boolean;
  /** ACK the desk's 200 OK (RFC 3261 §13.2.2.4); throws if there is none yet. */
  ack(): void;
  /** The far end hangs up (BYE, RFC 3261 §15). */
  bye(): void;
  /** The far end gives up before an answer (CANCEL, RFC 3261 §9). */
  cancel(): void;
}

const FAKE_SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n';

export interface Parsed {
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
  /** The status line used when {@link refuseReInvites} is set. */
  reInviteRefusal = '481 Call/Transaction Does Not Exist';
  referMode: ReferMode = 'accept';
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

  /** Requests of one method the desk sent. */
  sent(method: string): Parsed[] {
    return this.received.filter((m) => m.method === method);
  }

  /**
   * The far end of one of the desk's outgoing calls hangs up: a BYE in that dialog (RFC 3261
   * §15.1.1), e.g. an attended-transfer target dropping the leg its Replaces INVITE took over.
   */
  byeOutgoing(callId: string): void {
    const invite = this.sent('INVITE').find((m) => h(m, 'call-id') === callId && !/;tag=/u.test(h(m, 'to')));
    if (!invite) throw new Error(`no outgoing INVITE ${callId}`);
    const contact = /<([^>]+)>/u.exec(h(invite, 'contact'))?.[1] ?? '';
    this.push(
      [
        `BYE ${contact} SIP/2.0`,
        `Via: SIP/2.0/WSS 127.0.0.1;branch=z9hG4bK-bye-${callId.replace(/[^A-Za-z0-9]/gu, '')}`,
        `From: ${h(invite, 'to')};tag=srv1`,
        `To: ${h(invite, 'from')}`,
        `Call-ID: ${callId}`,
        'CSeq: 10 BYE',
        'Max-Forwards: 70',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
  }

  /**
   * Send the desk an INVITE (with an SDP offer) from `from`, plus any `headers` verbatim — e.g.
   * `Call-Info: <sip:pbx>;answer-after=0` or `P-Asserted-Identity: <sip:+7900@pbx>`.
   */
  inviteDesk(opts: { callId: string; from?: string; headers?: readonly string[] }): FakeIncomingCall {
    const branch = `z9hG4bK-${opts.callId.replace(/[^A-Za-z0-9]/gu, '')}`;
    const dialog = [`From: ${opts.from ?? '<sip:200@clinic.test>'};tag=far-${branch}`, `Call-ID: ${opts.callId}`, 'Max-Forwards: 70'];
    const ok = () =>
      this.received.find(
        (m) => m.startLine === 'SIP/2.0 200 OK' && h(m, 'call-id') === opts.callId && /INVITE/u.test(h(m, 'cseq')),
      );
    const inDialog = (method: string, cseq: number, to: string) =>
      this.push(
        [`${method} sip:101@clinic.test SIP/2.0`, `Via: SIP/2.0/WSS 127.0.0.1;branch=${branch}-${method.toLowerCase()}`, ...dialog, `To: ${to}`, `CSeq: ${cseq} ${method}`, 'Content-Length: 0', '', ''].join('\r\n'),
      );
    this.push(
      [
        'INVITE sip:101@clinic.test SIP/2.0',
        `Via: SIP/2.0/WSS 127.0.0.1;branch=${branch}`,
        ...dialog,
        'To: <sip:101@clinic.test>',
        'CSeq: 1 INVITE',
        'Contact: <sip:far@127.0.0.1;transport=ws>',
        ...(opts.headers ?? []),
        'Content-Type: application/sdp',
        `Content-Length: ${FAKE_SDP.length}`,
        '',
        FAKE_SDP,
      ].join('\r\n'),
    );
    return {
      callId: opts.callId,
      answered: () => ok() !== undefined,
      ack: () => {
        const response = ok();
        if (!response) throw new Error('no 200 OK to ACK');
        inDialog('ACK', 1, h(response, 'to'));
      },
      bye: () => {
        const response = ok();
        if (!response) throw new Error('no dialog to BYE');
        inDialog('BYE', 2, h(response, 'to'));
      },
      cancel: () =>
        // CANCEL shares the INVITE's branch (RFC 3261 §9.1).
        this.push(
          ['CANCEL sip:101@clinic.test SIP/2.0', `Via: SIP/2.0/WSS 127.0.0.1;branch=${branch}`, ...dialog, 'To: <sip:101@clinic.test>', 'CSeq: 1 CANCEL', 'Content-Length: 0', '', ''].join('\r\n'),
        ),
    };
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
          if (this.refuseReInvites) return reply(this.reInviteRefusal);
          return reply('200 OK', [...contact, 'Content-Type: application/sdp'], true, FAKE_SDP);
        }
        if (this.inviteMode === 'busy') return reply('486 Busy Here');
        reply('180 Ringing', contact);
        setTimeout(() => reply('200 OK', [...contact, 'Content-Type: application/sdp'], true, FAKE_SDP), 5);
        return;
      }
      case 'REFER':
        return this.referMode === 'accept' ? reply('202 Accepted') : reply('603 Declined');
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

/** A fake `MediaStreamTrack`: what the media code reads and flips. */
export class FakeTrack {
  private static next = 1;
  readonly id = `track-${FakeTrack.next++}`;
  enabled = true;
  stopped = false;
  /** The device ended the track by itself (unplugged), as opposed to our `stop()`. */
  ended = false;
  constructor(
    readonly kind: 'audio' | 'video' = 'audio',
    readonly deviceId = '',
  ) {}
  get readyState(): 'live' | 'ended' {
    return this.stopped || this.ended ? 'ended' : 'live';
  }
  stop(): void {
    this.stopped = true;
  }
}

/** A fake `MediaStream`. */
export class FakeStream {
  readonly tracks: FakeTrack[] = [];
  constructor(tracks: FakeTrack[] = []) {
    this.tracks.push(...tracks);
  }
  getAudioTracks(): FakeTrack[] {
    return this.tracks.filter((t) => t.kind === 'audio');
  }
  getTracks(): FakeTrack[] {
    return [...this.tracks];
  }
  addTrack(track: FakeTrack): void {
    this.tracks.push(track);
  }
  removeTrack(track: FakeTrack): void {
    const i = this.tracks.indexOf(track);
    if (i >= 0) this.tracks.splice(i, 1);
  }
}

/** A fake `RTCRtpSender`. */
export class FakeSender {
  readonly replaced: FakeTrack[] = [];
  constructor(public track: FakeTrack | null) {}
  async replaceTrack(track: FakeTrack | null): Promise<void> {
    if (track) this.replaced.push(track);
    this.track = track;
  }
}

/** A fake `RTCPeerConnection`: senders, a scripted stats report, and `track` listeners. */
export class FakePeerConnection {
  readonly senders: FakeSender[];
  stats: Array<Record<string, unknown>> = [];
  private readonly trackListeners = new Set<() => void>();
  constructor(micTrack: FakeTrack) {
    this.senders = [new FakeSender(micTrack)];
  }
  getSenders(): FakeSender[] {
    return this.senders;
  }
  async getStats(): Promise<Map<string, Record<string, unknown>>> {
    return new Map(this.stats.map((s, i) => [String(s['id'] ?? i), s]));
  }
  addEventListener(type: string, fn: () => void): void {
    if (type === 'track') this.trackListeners.add(fn);
  }
  removeEventListener(type: string, fn: () => void): void {
    if (type === 'track') this.trackListeners.delete(fn);
  }
  get trackListenerCount(): number {
    return this.trackListeners.size;
  }
  /** The far end's track arrives (SIP.js has already put it in `remoteMediaStream`). */
  fireTrack(): void {
    for (const fn of this.trackListeners) fn();
  }
}

/** The media-less SDH plus the fake WebRTC parts a Web SDH exposes. */
export class FakeMediaSdh extends FakeSdh {
  readonly localMediaStream: FakeStream;
  readonly remoteMediaStream = new FakeStream([new FakeTrack('audio')]);
  readonly peerConnection: FakePeerConnection;
  constructor() {
    super();
    const mic = new FakeTrack('audio', 'default-mic');
    this.localMediaStream = new FakeStream([mic]);
    this.peerConnection = new FakePeerConnection(mic);
  }
  override enableSenderTracks(enable: boolean): void {
    super.enableSenderTracks(enable);
    for (const s of this.peerConnection.senders) if (s.track) s.track.enabled = enable;
  }
}

export const fakeMediaSdhFactory = (): SessionDescriptionHandler => new FakeMediaSdh();

/** A fake `HTMLAudioElement` with the Audio Output Devices API. */
export class FakeAudioElement {
  autoplay = false;
  srcObject: unknown = null;
  sinkId = '';
  playing = false;
  readonly sinks: string[] = [];
  async play(): Promise<void> {
    this.playing = true;
  }
  pause(): void {
    this.playing = false;
  }
  async setSinkId(id: string): Promise<void> {
    this.sinks.push(id);
    this.sinkId = id;
  }
}

/** What a {@link FakeWebSdh}'s media-stream factory is: SIP.js's `Web.MediaStreamFactory`, loosely typed. */
export type FakeMediaStreamFactory = (constraints: MediaStreamConstraints, sdh: never, options?: object) => Promise<unknown>;

/**
 * A fake of SIP.js's Web SDH as far as the phone's wiring sees it: it gets its microphone from the
 * media-stream factory the phone built (once, with the call's `constraints`, as the real one's
 * `getLocalMediaStream` does), exposes `peerConnectionDelegate`, and waits for ICE gathering
 * before handing out the offer/answer — until {@link finishGathering} or `iceGatheringComplete()`
 * (the early completion), unless {@link FakeWebSdh.gatherInstantly} is set.
 */
export class FakeWebSdh extends FakeSdh {
  static readonly webAll: FakeWebSdh[] = [];
  /** Gathering "completes" at once (tests not about ICE). */
  static gatherInstantly = true;
  peerConnectionDelegate: Record<string, ((event: unknown) => void) | undefined> | undefined = undefined;
  private readonly pc = { iceGatheringState: 'new' as RTCIceGatheringState, connectionState: 'new' as RTCPeerConnectionState };
  private closed = false;
  /** The stream the media-stream factory gave, and the constraints it was asked for. */
  localStream: FakeStream | null = null;
  readonly mediaRequests: MediaStreamConstraints[] = [];
  /** How many times `iceGatheringComplete()` ended a wait early. */
  earlyCompletions = 0;
  private gatheringDone: (() => void) | null = null;
  private gathered = false;

  constructor(private readonly mediaStreamFactory: FakeMediaStreamFactory) {
    super();
    FakeWebSdh.webAll.push(this);
  }

  /** Undefined once closed, like the real SDH's. */
  get peerConnection(): { iceGatheringState: RTCIceGatheringState; connectionState: RTCPeerConnectionState } | undefined {
    return this.closed ? undefined : this.pc;
  }

  /** Waiting for gathering right now (the offer/answer is held back). */
  get waitingForIce(): boolean {
    return this.gatheringDone !== null;
  }

  override async getDescription(options?: object): Promise<{ body: string; contentType: string }> {
    await this.ensureMedia(options);
    if (!this.gathered && !FakeWebSdh.gatherInstantly) {
      this.pc.iceGatheringState = 'gathering';
      this.peerConnectionDelegate?.['onicegatheringstatechange']?.({});
      await new Promise<void>((resolve) => (this.gatheringDone = resolve));
    }
    this.gathered = true;
    return super.getDescription(options);
  }

  override async setDescription(_sdp?: string, options?: object): Promise<void> {
    await this.ensureMedia(options);
  }

  /** A candidate event, as `RTCPeerConnection` would fire it (null = end of candidates). */
  candidate(c: { type: string; protocol: string; candidate?: string } | null): void {
    const candidate = c ? { candidate: c.candidate ?? `candidate:1 1 ${c.protocol} 1 192.0.2.1 9 typ ${c.type}`, ...c } : null;
    this.peerConnectionDelegate?.['onicecandidate']?.({ candidate });
  }

  /** Gathering really completes (`iceGatheringState` → complete). */
  finishGathering(): void {
    this.pc.iceGatheringState = 'complete';
    this.peerConnectionDelegate?.['onicegatheringstatechange']?.({});
    this.iceGatheringComplete(false);
  }

  /** SIP.js: stop waiting for gathering (what the phone's LAN rule calls). */
  iceGatheringComplete(early = true): void {
    const done = this.gatheringDone;
    if (!done) return;
    if (early) this.earlyCompletions++;
    this.gatheringDone = null;
    done();
  }

  override close(): void {
    // The real SDH stops its sender tracks: the session owns the microphone it was handed.
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    this.closed = true;
  }

  private async ensureMedia(options?: object): Promise<void> {
    if (this.localStream) return;
    const constraints = { ...((options as { constraints?: MediaStreamConstraints } | undefined)?.constraints ?? { audio: true }) };
    this.mediaRequests.push(constraints);
    this.localStream = (await this.mediaStreamFactory(constraints, this as never, options)) as FakeStream;
  }
}

/** For `SipJsPhoneOptions.webSessionDescriptionHandlerFactory`. */
export const fakeWebSdhFactory =
  (mediaStreamFactory: FakeMediaStreamFactory) =>
  (): SessionDescriptionHandler =>
    new FakeWebSdh(mediaStreamFactory);
