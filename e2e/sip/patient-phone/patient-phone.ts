// The "patient phone": a small SIP.js 0.21.2 WebRTC phone used as the far end in e2e tests.
// Built by e2e/support/patient-phone.ts (vite build API) into out/e2e/patient-phone/ and served
// on 127.0.0.1. Tests drive it through `window.patientPhone` with page.evaluate and wait on
// `window.patientPhone.state` with waitForFunction / expect.poll.
import {
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  type Info,
  type Referral,
  Web,
  type Session,
  type SessionDescriptionHandlerFactory,
} from 'sip.js';
// The desk's own LAN rule, so this far end answers as fast as a desk phone on a LAN would: the
// invite→answered figure then measures the desk, not the test phone's ICE wait.
import { LanIceCompletion } from '../../../src-renderer/softphone/ice-gathering';
import { systemClock } from '../../../src-shared/time/clock';

type SessionDescriptionHandler = Web.SessionDescriptionHandler;

/** SIP.js's Web SDH factory, with gathering ended 30 ms after the first UDP host candidate. */
function lanSdhFactory(): SessionDescriptionHandlerFactory {
  const base = Web.defaultSessionDescriptionHandlerFactory();
  return (session, options) => {
    const sdh = base(session, options) as SessionDescriptionHandler;
    const policy = new LanIceCompletion(systemClock, () => {
      if (sdh.peerConnection) sdh.iceGatheringComplete();
    });
    sdh.peerConnectionDelegate = {
      onicecandidate: (event) => policy.onCandidate(event.candidate),
      onicegatheringstatechange: () => {
        const state = sdh.peerConnection?.iceGatheringState;
        if (state === 'gathering') policy.restart();
        else if (state === 'complete') policy.dispose();
      },
    };
    return sdh;
  };
}

export type RegistrationState = 'idle' | 'registering' | 'registered' | 'registration-failed' | 'unregistered' | 'disconnected';
export type CallState = 'none' | 'calling' | 'ringing' | 'established' | 'ended';

export interface PatientPhoneState {
  registration: RegistrationState;
  call: CallState;
  /** True while this phone has put the call on hold. */
  held: boolean;
  /** Status code of the last final REGISTER failure (e.g. 401, 403), if any. */
  registerFailureCode: number | null;
  /** ms from register() to 200 OK. */
  registerMs: number | null;
  /** ms from call() sending INVITE to the call being established. */
  inviteToAnsweredMs: number | null;
  /** Remote identity of the current/last call (user part) and display name. */
  remoteUser: string | null;
  remoteDisplayName: string | null;
  /** How the last call ended: 'bye-sent', 'bye-received', 'cancelled', 'rejected', … */
  endReason: string | null;
  /** Calls started on this phone by accepting a REFER (transfer). */
  referralsFollowed: number;
  /** In-dialog re-INVITEs received (hold, resume, ICE restart …), over all calls. */
  reInvitesReceived: number;
}

export interface MediaStats {
  packetsReceived: number;
  bytesReceived: number;
  totalAudioEnergy: number;
  packetsSent: number;
}

export interface PatientPhone {
  state: PatientPhoneState;
  receivedDtmf: string[];
  /** Timestamped log of what happened (for failure messages). */
  events: string[];
  register(user: string, password: string, wsUrl: string, domain?: string): Promise<void>;
  unregister(): Promise<void>;
  /** Drops the old user agent (without waiting on a dead transport) and registers afresh. */
  reconnect(): Promise<void>;
  /** Answer incoming calls automatically (after `delayMs`). */
  setAutoAnswer(on: boolean, delayMs?: number): void;
  /**
   * Calls `target`. `displayName` overrides the From display name for this call (hostile caller
   * ids); `extraHeaders` are added to the INVITE (e.g. `Call-Info: <sip:x>;answer-after=0`).
   */
  call(target: string, options?: { displayName?: string; extraHeaders?: string[] }): Promise<void>;
  answer(): Promise<void>;
  reject(): Promise<void>;
  hangup(): Promise<void>;
  hold(): Promise<void>;
  unhold(): Promise<void>;
  /** Blind transfer of the current call (in-dialog REFER); resolves when the REFER is accepted. */
  transfer(target: string): Promise<void>;
  /** 'info' (default): SIP INFO application/dtmf-relay; 'rfc4733': RTP telephone-event. */
  sendDtmf(digits: string, mode?: 'info' | 'rfc4733'): Promise<void>;
  stats(): Promise<MediaStats>;
}

declare global {
  interface Window {
    patientPhone: PatientPhone;
  }
}

const audioElement = document.getElementById('remote') as HTMLAudioElement;
const stateElement = document.getElementById('state') as HTMLElement;
const t0 = performance.now();

let userAgent: UserAgent | null = null;
let registerer: Registerer | null = null;
let session: Session | null = null;
let replaced: Session | null = null;
let domain = 'registratura.test';
let credentials: { user: string; password: string; wsUrl: string } | null = null;
let autoAnswer: { on: boolean; delayMs: number } = { on: false, delayMs: 0 };

const state: PatientPhoneState = {
  registration: 'idle',
  call: 'none',
  held: false,
  registerFailureCode: null,
  registerMs: null,
  inviteToAnsweredMs: null,
  remoteUser: null,
  remoteDisplayName: null,
  endReason: null,
  referralsFollowed: 0,
  reInvitesReceived: 0,
};
const receivedDtmf: string[] = [];
const events: string[] = [];

function log(event: string): void {
  events.push(`${Math.round(performance.now() - t0)}ms ${event}`);
  stateElement.textContent = `${state.registration} / ${state.call}${state.held ? ' (held)' : ''}`;
  stateElement.dataset.registration = state.registration;
  stateElement.dataset.call = state.call;
}

function sdh(s: Session): SessionDescriptionHandler | null {
  return (s.sessionDescriptionHandler as SessionDescriptionHandler | undefined) ?? null;
}

function attachRemoteAudio(s: Session): void {
  const handler = sdh(s);
  if (!handler) return;
  audioElement.srcObject = handler.remoteMediaStream;
  void audioElement.play().catch((error: unknown) => log(`audio play failed: ${String(error)}`));
}

function parseDtmfInfo(info: Info): string | null {
  const contentType = info.request.getHeader('Content-Type') ?? '';
  const body = info.request.body ?? '';
  if (/application\/dtmf-relay/i.test(contentType)) {
    const match = /Signal\s*=\s*([0-9A-D*#])/i.exec(body);
    return match ? match[1]!.toUpperCase() : null;
  }
  if (/application\/dtmf/i.test(contentType)) {
    const digit = body.trim();
    return /^[0-9A-D*#]$/i.test(digit) ? digit.toUpperCase() : null;
  }
  return null;
}

function adopt(s: Session, direction: 'in' | 'out'): void {
  const previous = session;
  session = s;
  state.held = false;
  state.endReason = null;
  state.remoteUser = s.remoteIdentity.uri.user ?? null;
  state.remoteDisplayName = s.remoteIdentity.displayName || null;
  s.delegate = {
    onInvite() {
      state.reInvitesReceived += 1;
      log('re-INVITE received');
    },
    onInfo(info: Info) {
      const digit = parseDtmfInfo(info);
      if (digit) {
        receivedDtmf.push(digit);
        log(`dtmf received ${digit}`);
      }
      void info.accept();
    },
    onRefer(referral: Referral) {
      log(`refer received to ${referral.referTo.uri.toString()}`);
      void referral.accept().then(() => {
        const target = referral.makeInviter({
          sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
        });
        state.referralsFollowed += 1;
        adopt(target, 'out');
        state.call = 'calling';
        const sent = performance.now();
        target.stateChange.addListener((next) => {
          if (next === SessionState.Established) state.inviteToAnsweredMs = Math.round(performance.now() - sent);
        });
        // The transferor's dialog is ended by the transferor (BYE after NOTIFY 200).
        return target.invite();
      });
    },
  };
  s.stateChange.addListener((next: SessionState) => {
    if (session !== s) return;
    log(`session ${direction} ${next}`);
    if (next === SessionState.Established) {
      state.call = 'established';
      attachRemoteAudio(s);
    } else if (next === SessionState.Terminated) {
      state.call = 'ended';
      state.held = false;
      state.endReason ??= 'bye-received';
      audioElement.srcObject = null;
    }
  });
  // The call this one replaces (attended transfer target), ended once this one is answered.
  replaced = previous && previous !== s && previous.state === SessionState.Established ? previous : null;
}

function requireSession(): Session {
  if (!session) throw new Error('no call');
  return session;
}

async function reInvite(hold: boolean): Promise<void> {
  const s = requireSession();
  s.sessionDescriptionHandlerOptionsReInvite = { hold } as never;
  await new Promise<void>((resolveInvite, reject) => {
    void s
      .invite({
        sessionDescriptionHandlerOptions: { hold } as never,
        requestDelegate: {
          onAccept: () => resolveInvite(),
          onReject: (response) => reject(new Error(`re-INVITE rejected: ${response.message.statusCode}`)),
        },
      })
      .catch(reject);
  });
  state.held = hold;
  log(hold ? 'held' : 'resumed');
}

const phone: PatientPhone = {
  state,
  receivedDtmf,
  events,

  async register(user, password, wsUrl, sipDomain = 'registratura.test') {
    domain = sipDomain;
    credentials = { user, password, wsUrl };
    const uri = UserAgent.makeURI(`sip:${user}@${domain}`);
    if (!uri) throw new Error(`bad SIP URI for ${user}@${domain}`);
    // Events of a user agent this phone has since replaced (reconnect) are ignored.
    let self: UserAgent | null = null;
    const current = () => self !== null && userAgent === self;
    self = userAgent = new UserAgent({
      uri,
      authorizationUsername: user,
      authorizationPassword: password,
      displayName: `Patient ${user}`,
      transportOptions: { server: wsUrl, traceSip: false },
      logLevel: 'warn',
      logBuiltinEnabled: false,
      sessionDescriptionHandlerFactory: lanSdhFactory(),
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: [] },
        iceGatheringTimeout: 500,
      },
      delegate: {
        onInvite(invitation: Invitation) {
          if (session && session.state !== SessionState.Terminated) {
            const replaces = invitation.request.getHeader('Replaces');
            if (!replaces) {
              void invitation.reject({ statusCode: 486 });
              log('busy: rejected a second call');
              return;
            }
          }
          adopt(invitation, 'in');
          state.call = 'ringing';
          state.inviteToAnsweredMs = null;
          log(`incoming call from ${state.remoteUser ?? '?'}`);
          if (autoAnswer.on || invitation.request.getHeader('Replaces')) {
            setTimeout(() => void phone.answer(), autoAnswer.delayMs);
          }
        },
        onDisconnect(error?: Error) {
          if (!current()) return;
          state.registration = 'disconnected';
          log(`transport disconnected${error ? `: ${error.message}` : ''}`);
        },
      },
    });
    state.registration = 'registering';
    state.registerFailureCode = null;
    // Start the capture device once (then release it), as a desk phone is always ready: the
    // first getUserMedia of a page takes ~400 ms, which would otherwise land inside every
    // invite→answered figure measured against this phone.
    await navigator.mediaDevices
      .getUserMedia({ audio: true })
      .then((stream) => stream.getTracks().forEach((track) => track.stop()))
      .catch(() => log('microphone warm-up failed'));
    log(`register ${user}`);
    await userAgent.start();
    registerer = new Registerer(userAgent, { expires: 300 });
    const started = performance.now();
    registerer.stateChange.addListener((next: RegistererState) => {
      if (!current()) return;
      log(`registerer ${next}`);
      if (next === RegistererState.Registered) {
        state.registration = 'registered';
        state.registerMs ??= Math.round(performance.now() - started);
      } else if (next === RegistererState.Unregistered && state.registration !== 'registration-failed') {
        state.registration = 'unregistered';
      }
      log(`registration ${state.registration}`);
    });
    await registerer.register({
      requestDelegate: {
        onReject(response) {
          if (!current()) return;
          state.registerFailureCode = response.message.statusCode ?? null;
          state.registration = 'registration-failed';
          log(`register rejected ${state.registerFailureCode}`);
        },
      },
    });
  },

  async unregister() {
    if (registerer && state.registration === 'registered') await registerer.unregister();
    await userAgent?.stop();
    state.registration = 'unregistered';
    log('stopped');
  },

  async reconnect() {
    if (!credentials) throw new Error('never registered');
    const old = userAgent;
    userAgent = null;
    registerer = null;
    if (old) {
      const stopped = old.stop().catch(() => undefined);
      await Promise.race([stopped, new Promise((r) => setTimeout(r, 1_000))]);
    }
    state.registerMs = null;
    await phone.register(credentials.user, credentials.password, credentials.wsUrl, domain);
  },

  setAutoAnswer(on, delayMs = 0) {
    autoAnswer = { on, delayMs };
  },

  async call(target, options = {}) {
    if (!userAgent) throw new Error('not registered');
    const targetUri = UserAgent.makeURI(target.startsWith('sip:') ? target : `sip:${target}@${domain}`);
    if (!targetUri) throw new Error(`bad target ${target}`);
    const inviter = new Inviter(userAgent, targetUri, {
      sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } },
      ...(options.displayName !== undefined ? { params: { fromDisplayName: options.displayName } } : {}),
      ...(options.extraHeaders ? { extraHeaders: options.extraHeaders } : {}),
    });
    adopt(inviter, 'out');
    state.call = 'calling';
    state.inviteToAnsweredMs = null;
    const sent = performance.now();
    inviter.stateChange.addListener((next) => {
      if (next === SessionState.Established) state.inviteToAnsweredMs = Math.round(performance.now() - sent);
    });
    log(`calling ${target}`);
    await inviter.invite({
      requestDelegate: {
        onReject(response) {
          state.endReason = `rejected ${response.message.statusCode}`;
        },
      },
    });
  },

  async answer() {
    const s = requireSession();
    if (!(s instanceof Invitation)) throw new Error('no incoming call');
    const replaces = s.request.getHeader('Replaces');
    await s.accept({ sessionDescriptionHandlerOptions: { constraints: { audio: true, video: false } } });
    if (replaces) {
      // RFC 3891: the target of an attended transfer ends the dialog it replaced.
      log(`answered a call with Replaces: ${replaces}`);
      const old = replaced;
      replaced = null;
      if (old && old.state === SessionState.Established) await old.bye();
    }
  },

  async reject() {
    const s = requireSession();
    if (!(s instanceof Invitation)) throw new Error('no incoming call');
    state.endReason = 'rejected-here';
    await s.reject({ statusCode: 486 });
  },

  async hangup() {
    const s = requireSession();
    switch (s.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (s instanceof Inviter) {
          state.endReason = 'cancelled';
          await s.cancel();
        } else {
          state.endReason = 'rejected-here';
          await (s as Invitation).reject();
        }
        break;
      case SessionState.Established:
        state.endReason = 'bye-sent';
        await s.bye();
        break;
      default:
        break;
    }
  },

  async transfer(target) {
    const s = requireSession();
    const targetUri = UserAgent.makeURI(target.startsWith('sip:') ? target : `sip:${target}@${domain}`);
    if (!targetUri) throw new Error(`bad target ${target}`);
    await new Promise<void>((resolveRefer, reject) => {
      void s
        .refer(targetUri, {
          // NOTIFY (message/sipfrag) reports the transferee's call; on 200 the transferor hangs up.
          onNotify: (notification) => {
            void notification.accept();
            const frag = notification.request.body ?? '';
            log(`refer notify: ${frag.split(/\r?\n/)[0] ?? ''}`);
            if (/^SIP\/2\.0 2\d\d/.test(frag) && s.state === SessionState.Established) {
              state.endReason = 'transferred';
              void s.bye();
            }
          },
          requestDelegate: {
            onAccept: () => resolveRefer(),
            onReject: (response) => reject(new Error(`REFER rejected: ${response.message.statusCode}`)),
          },
        })
        .catch(reject);
    });
    log(`transferred to ${target}`);
  },

  hold: () => reInvite(true),
  unhold: () => reInvite(false),

  async sendDtmf(digits, mode = 'info') {
    const s = requireSession();
    for (const digit of digits) {
      if (mode === 'rfc4733') {
        const handler = sdh(s);
        if (!handler?.sendDtmf(digit, { duration: 100, interToneGap: 70 })) throw new Error(`RFC 4733 DTMF ${digit} not sent`);
      } else {
        await s.info({
          requestOptions: {
            body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=100` },
          },
        });
      }
      log(`dtmf sent ${digit} (${mode})`);
    }
  },

  async stats() {
    const result: MediaStats = { packetsReceived: 0, bytesReceived: 0, totalAudioEnergy: 0, packetsSent: 0 };
    const pc = session ? sdh(session)?.peerConnection : undefined;
    if (!pc) return result;
    const report = await pc.getStats();
    report.forEach((entry: Record<string, unknown>) => {
      if (entry.type === 'inbound-rtp' && entry.kind === 'audio') {
        result.packetsReceived += Number(entry.packetsReceived ?? 0);
        result.bytesReceived += Number(entry.bytesReceived ?? 0);
        result.totalAudioEnergy += Number(entry.totalAudioEnergy ?? 0);
      } else if (entry.type === 'outbound-rtp' && entry.kind === 'audio') {
        result.packetsSent += Number(entry.packetsSent ?? 0);
      }
    });
    return result;
  },
};

window.patientPhone = phone;
log('ready');
