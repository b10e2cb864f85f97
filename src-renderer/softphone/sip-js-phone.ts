/**
 * {@link Phone} over SIP.js 0.21.2. This is the only file that imports SIP.js: the rest of the desk
 * sees {@link Phone}, {@link PhoneCall} and {@link PhoneRegistration}.
 *
 * What we deliberately do NOT use from SIP.js, and why:
 * - `SimpleUser` / `SessionManager`: they drop every call on a transport loss and keep a single
 *   Registerer that can block re-registration for 32 s (Timer F) after a loss.
 * - The UserAgent's own reconnection (`reconnectionAttempts`, 0 by default in 0.21.2): our
 *   registration machine owns reconnects (capped backoff, forever while logged in).
 * - The WebSocket CRLF keep-alive: it has no failure detection; we send SIP OPTIONS instead.
 */
import { reportDiagnostic } from '../diagnostics/report';
import {
  Core,
  Invitation,
  Inviter,
  Registerer,
  RegistererState,
  SessionState,
  UserAgent,
  UserAgentState,
  Web,
  type Session,
  type SessionDescriptionHandler,
  type SessionDescriptionHandlerFactory,
  type Transport,
  type UserAgentOptions,
} from 'sip.js';
import { normaliseDialString } from '../../src-shared/phone/dial-string';
import { sleep, systemClock, type Clock } from '../../src-shared/time/clock';
import { CallAudio, DEFAULT_AUDIO_DEVICES, mediaHandleOf, microphoneConstraints, readMediaStats, replaceMicrophone, warmUpMicrophone } from './call-media';
import { newCall, reduceCall, type CallEvent } from './call-state';
import { warmUpPeerConnection, type PeerConnectionConstructor } from './engine-warm-up';
import { LanIceCompletion, lanIceCompletionApplies } from './ice-gathering';
import {
  isDtmfString,
  type CallMediaStats,
  type Phone,
  type PhoneAccount,
  type PhoneAudioDevices,
  type PhoneCall,
  type PhoneRegistration,
  type PhoneSnapshot,
} from './phone';
import { RegistrationController } from './registration-controller';
import type { RegistrationSnapshot } from './registration-machine';
import { PreparedMicrophone } from './prepared-microphone';
import { parseAnswerAfter, parseCaller } from './sip-headers';
import { WARM_UP_INVITE, WARM_UP_RESPONSES } from './sip-warm-up-messages';
import { SipWireGuard, type StackFailure } from './sip-wire';

/** Tuning and test seams for {@link SipJsPhone}. */
export interface SipJsPhoneOptions {
  readonly clock?: Clock;
  /** A SIP.js transport class; tests pass a fake, the app leaves the Web WebSocket transport. */
  readonly transportConstructor?: UserAgentOptions['transportConstructor'];
  /**
   * Tests only: a media-less session description handler (Node has no RTCPeerConnection). Used
   * as given: no prepared microphone and no LAN ICE completion are wired into it.
   */
  readonly sessionDescriptionHandlerFactory?: UserAgentOptions['sessionDescriptionHandlerFactory'];
  /**
   * Tests only: builds the SDH factory around the phone's media-stream factory, in place of
   * `Web.defaultSessionDescriptionHandlerFactory` (a fake Web SDH that calls the media-stream
   * factory and exposes `peerConnectionDelegate` / `iceGatheringComplete`). Ignored when
   * {@link sessionDescriptionHandlerFactory} is set.
   */
  readonly webSessionDescriptionHandlerFactory?: (mediaStreamFactory: Web.MediaStreamFactory) => SessionDescriptionHandlerFactory;
  /** How often to send the OPTIONS keep-alive while registered (default 15 s). */
  readonly keepAliveIntervalMs?: number;
  /** How long an OPTIONS may go unanswered before the socket counts as dead (default 5 s). */
  readonly keepAliveTimeoutMs?: number;
  /** REGISTER `Expires` in seconds (RFC 3261 §10.2.1.1; default 300). */
  readonly registerExpiresSec?: number;
  /** How long a call may stay `recovering` before it is ended as `lost` (default 20 s). */
  readonly recoveryTimeoutMs?: number;
  /** Seconds a WebSocket connect may take (default 5). */
  readonly connectionTimeoutSec?: number;
  /**
   * Whether a WebSocket to `url` opens (RFC 7118 `sip` subprotocol), used to notice that an
   * unreachable server is back while the backoff runs. Defaults to a real WebSocket in the app;
   * with an injected `transportConstructor` (tests) there is no probe unless one is given.
   */
  readonly probeServer?: (url: string) => Promise<boolean>;
  /**
   * The WebRTC engine's warm-up ({@link SipJsPhone} `warmUp`): the browser's `RTCPeerConnection`
   * by default (none in Node); tests pass a fake, or `null` for none.
   */
  readonly peerConnection?: PeerConnectionConstructor | null;
}

interface LiveCall {
  call: PhoneCall;
  readonly session: Session;
  /** What we asked for, so a `Terminated` session gets the right outcome. */
  intent: 'rejected' | 'hungUp' | null;
  /** A final failure status to an outgoing INVITE (RFC 3261 §13.2.2.3). */
  failureStatus: number | null;
  recoveryTimer: unknown;
  /** Pending intercom auto-answer (Call-Info answer-after), cleared when answered or ended. */
  autoAnswerTimer: unknown;
  /** Plays the far end once the call is established; null without a DOM or WebRTC SDH. */
  audio: CallAudio | null;
  /** After an attended transfer: our own BYE for the consultation leg if the target does not send one. */
  handoverTimer: unknown;
  /** Incoming calls: resolves when the ACK to our 200 OK arrives; null for outgoing calls. */
  readonly initialAck: Promise<void> | null;
  ackReceived: boolean;
}

/** Statuses that mean "the callee declined", not "the call could not be made" (RFC 3261 §21.4.7, §21.6). */
const DECLINED = new Set([486, 600, 603]);

/**
 * How long `answer` waits for the other calls' hold re-INVITEs before accepting anyway: a
 * far end that never answers the re-INVITE must not keep the new caller ringing for Timer B (32 s).
 */
const HOLD_BEFORE_ANSWER_MS = 3_000;

/**
 * How long a re-INVITE on a just-answered incoming call waits for the caller's ACK. RFC 3261 §14.1
 * forbids a new INVITE transaction while the initial one is unfinished, and SIP.js 0.21.2 BYEs the
 * call when that ACK then arrives with our re-INVITE offer outstanding (`Session.onAckRequest`,
 * HaveLocalOffer) — so an operator holding within milliseconds of answering would drop the caller.
 */
const ACK_WAIT_MS = 5_000;

/**
 * After an attended transfer is accepted, how long the consultation leg is left for the target to
 * end. The transferee's INVITE with `Replaces` must find that dialog alive (RFC 3891 §3: a
 * terminated dialog gets 481 and the transfer fails), and a WebRTC transferee gathers ICE before
 * it even sends that INVITE — so our own BYE must not race it. The target BYEs the replaced
 * dialog itself (RFC 5589 §7.2); this is only the fallback.
 */
const CONSULTATION_HANDOVER_MS = 10_000;

type WebSdh = Web.SessionDescriptionHandler;

/**
 * The desk's softphone over SIP.js. One {@link UserAgent} per {@link SipJsPhone.start}; the
 * Registerer is replaced whenever the registration machine says so.
 */
export class SipJsPhone implements Phone {
  private readonly clock: Clock;
  private readonly controller: RegistrationController;
  private readonly listeners = new Set<(s: PhoneSnapshot) => void>();
  private readonly endedListeners = new Set<(c: PhoneCall) => void>();
  private readonly live = new Map<string, LiveCall>();
  private ua: UserAgent | undefined;
  private account: PhoneAccount | undefined;
  private registerer: Registerer | undefined;
  /** Bumped whenever the Registerer or UserAgent is replaced; late callbacks compare against it. */
  private generation = 0;
  private pendingUnregister: Promise<unknown> | null = null;
  private keepAliveTimer: unknown = null;
  private lastState: RegistrationSnapshot['state'] = 'offline';
  /** Whether the warm-up for the first call ran (or runs) since this phone was made (see `warmUp`). */
  private warmUpStarted = false;
  private devices: PhoneAudioDevices = DEFAULT_AUDIO_DEVICES;
  /** Clock time until which an intercom INVITE is the call the desk asked for ({@link SipJsPhone.expectIntercom}). */
  private intercomExpectedUntil: number | null = null;
  /** The microphone opened ahead of a call ({@link SipJsPhone.prepareMicrophone}). */
  private readonly microphone: PreparedMicrophone;

  constructor(private readonly options: SipJsPhoneOptions = {}) {
    this.clock = options.clock ?? systemClock;
    this.microphone = new PreparedMicrophone(this.clock);
    this.controller = new RegistrationController(
      {
        connectTransport: () => this.connectTransport(),
        disconnectTransport: () => this.disconnectTransport(),
        sendRegister: () => this.sendRegister(),
        disposeRegistererAndCreateNew: () => this.replaceRegisterer(),
        unregister: () => this.unregister(),
        probeServer: () => this.probe(),
      },
      this.clock,
    );
    this.controller.subscribe((s) => this.onRegistrationChange(s));
  }

  get registration(): PhoneRegistration {
    const { state, since, reason } = this.controller.snapshot;
    return { state, since, reason };
  }

  get calls(): readonly PhoneCall[] {
    return [...this.live.values()].map((l) => l.call);
  }

  subscribe(listener: (snapshot: PhoneSnapshot) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  onCallEnded(listener: (call: PhoneCall) => void): () => void {
    this.endedListeners.add(listener);
    return () => this.endedListeners.delete(listener);
  }

  async start(account: PhoneAccount): Promise<void> {
    if (!/^wss?:\/\//iu.test(account.server)) throw new Error('softphone: server must be a ws:// or wss:// URL (RFC 7118)');
    const uri = UserAgent.makeURI(account.uri);
    if (!uri) throw new Error('softphone: invalid SIP URI');
    if (this.ua) await this.stop();
    this.account = account;
    this.devices = account.audioDevices ?? DEFAULT_AUDIO_DEVICES;
    this.intercomExpectedUntil = null;
    this.generation++;
    const tap: StackLogTap = { note: () => false };
    const ua = new UserAgent({
      uri,
      transportOptions: {
        server: account.server,
        connectionTimeout: this.options.connectionTimeoutSec ?? 5,
        keepAliveInterval: 0,
      },
      // Every message passes the wire guard (sip-wire.ts): tel: and other URIs in From/To reach
      // SIP.js in a form it parses, and a request it cannot parse is refused with 400, not dropped.
      transportConstructor: guardedTransport(this.options.transportConstructor ?? Web.Transport, tap),
      sessionDescriptionHandlerFactory: this.options.sessionDescriptionHandlerFactory ?? this.sdhFactory(account),
      authorizationUsername: account.authorizationUsername,
      authorizationPassword: account.password,
      displayName: account.displayName,
      sessionDescriptionHandlerFactoryOptions: {
        peerConnectionConfiguration: { iceServers: account.iceServers.map((s) => ({ ...s, urls: typeof s.urls === 'string' ? s.urls : [...s.urls] })) },
        iceGatheringTimeout: account.iceGatheringTimeoutMs,
      },
      logLevel: 'warn',
      // SIP.js reports an unreachable server as a console error on every attempt; the
      // registration machine already turns that into `unreachable` on the status bar, so here it
      // is a warning (SIP.js at this level logs no message bodies and never the password).
      logBuiltinEnabled: false,
      logConnector: (level, category, _label, content) => {
        if (tap.note(category, String(content))) return;
        if (level === 'error' || level === 'warn') console.warn(`${category}: ${content}`);
      },
      // `reconnectionAttempts` is left at its 0.21.2 default of 0 (setting it logs a deprecation):
      // our machine reconnects, and SIP.js's own attempts would race it.
      delegate: {
        onConnect: () => {
          if (this.ua === ua) this.controller.dispatch({ type: 'transportConnected' });
        },
        onDisconnect: () => {
          if (this.ua === ua) this.controller.dispatch({ type: 'transportLost' });
        },
        onInvite: (invitation) => {
          if (this.ua === ua) this.onInvite(invitation);
        },
      },
    });
    this.ua = ua;
    this.controller.dispatch({ type: 'start' });
  }

  async stop(): Promise<void> {
    const ua = this.ua;
    this.intercomExpectedUntil = null;
    this.microphone.release();
    for (const id of [...this.live.keys()]) await this.hangup(id).catch(() => undefined);
    this.controller.dispatch({ type: 'stop' });
    const unregistering = this.pendingUnregister;
    if (unregistering) await Promise.race([unregistering.catch(() => undefined), sleep(this.clock, 2000)]);
    this.pendingUnregister = null;
    this.ua = undefined;
    this.registerer = undefined;
    this.generation++;
    if (ua) await ua.stop().catch(() => undefined);
    // Anything SIP.js did not tell us about is gone with the UserAgent.
    for (const l of [...this.live.values()]) this.apply(l, { type: 'hungUp', at: this.clock.now() });
  }

  async call(number: string): Promise<string> {
    return this.placeCall(number, null);
  }

  prepareMicrophone(): void {
    // Only while a call can actually be placed or answered: a phone that is offline or
    // reconnecting has no use for the microphone.
    if (!this.ua || this.controller.snapshot.state !== 'registered') return;
    this.microphone.prepare(this.devices.microphoneId);
  }

  private placeCall(number: string, consultationFor: string | null): string {
    const ua = this.requireRegistered();
    const dial = normaliseDialString(number);
    if (!dial) throw new Error('softphone: not a dialable number');
    const target = this.targetUri(dial);
    const inviter = new Inviter(ua, target, { sessionDescriptionHandlerOptions: this.mediaOptions() });
    const live = this.track(inviter, 'outgoing', dial, '', { consultationFor });
    inviter
      .invite({
        requestDelegate: {
          onProgress: (response) => {
            if ((response.message.statusCode ?? 0) >= 180) this.apply(live, { type: 'progress', at: this.clock.now() });
          },
          onReject: (response) => {
            live.failureStatus = response.message.statusCode ?? 0;
          },
        },
      })
      .catch(() => this.apply(live, { type: 'failed', at: this.clock.now() }));
    return live.call.id;
  }

  async answer(id: string): Promise<void> {
    const live = this.get(id);
    if (!(live.session instanceof Invitation) || live.call.state !== 'ringing') throw new Error('softphone: not a ringing incoming call');
    this.clearAutoAnswer(live);
    // `connecting` at once, so a second click (or the intercom timer) cannot answer twice.
    this.apply(live, { type: 'accepting', at: this.clock.now() });
    // Call waiting: the line already talking goes on hold (RFC 3264 §8.4 re-INVITE) before we
    // accept, so the first caller never hears the second conversation. A refused or slow hold
    // must not cost us the new caller: answer regardless.
    await this.holdOthers(id, HOLD_BEFORE_ANSWER_MS);
    if (this.live.get(id) !== live) throw new Error('softphone: the caller hung up before the answer');
    try {
      await live.session.accept({ sessionDescriptionHandlerOptions: this.mediaOptions() });
    } catch (error) {
      // No microphone, SDP negotiation failed …: the call could not be set up (not "missed").
      this.apply(live, { type: 'failed', at: this.clock.now() });
      throw error;
    }
  }

  expectIntercom(withinMs: number): void {
    if (!Number.isFinite(withinMs) || withinMs <= 0) {
      this.intercomExpectedUntil = null;
      return;
    }
    this.intercomExpectedUntil = this.clock.now() + withinMs;
    // The PBX may ring before the desk hears that it asked: take the newest intercom call still ringing.
    const ringing = [...this.live.values()].filter((l) => l.session instanceof Invitation && l.call.state === 'ringing' && l.call.autoAnswerAfterSec !== null && !l.call.expectedIntercom);
    const newest = ringing.at(-1);
    if (!newest) return;
    this.intercomExpectedUntil = null;
    this.apply(newest, { type: 'expected', at: this.clock.now() });
    this.answerExpected(newest);
  }

  async reject(id: string): Promise<void> {
    const live = this.get(id);
    if (!(live.session instanceof Invitation) || live.session.state !== SessionState.Initial) {
      throw new Error('softphone: not a ringing incoming call');
    }
    live.intent = 'rejected';
    // 486 Busy Here (RFC 3261 §21.4.24): the caller's PBX may route to voicemail or the queue.
    await live.session.reject({ statusCode: 486 });
  }

  async hangup(id: string): Promise<void> {
    const live = this.get(id);
    const session = live.session;
    switch (session.state) {
      case SessionState.Initial:
      case SessionState.Establishing:
        if (session instanceof Inviter) {
          live.intent = 'hungUp';
          await session.cancel(); // CANCEL, RFC 3261 §9.1
        } else if (session instanceof Invitation) {
          live.intent = 'rejected';
          await session.reject({ statusCode: 486 });
        }
        return;
      case SessionState.Established:
        live.intent = 'hungUp';
        if (!live.ackReceived) {
          // The callee must not BYE before the caller's ACK (RFC 3261 §15): SIP.js holds the BYE
          // until the ACK or Timer H (32 s), and its promise with it. For the operator the call is over now.
          session.bye().catch(() => undefined);
          this.apply(live, { type: 'hungUp', at: this.clock.now() });
          return;
        }
        if (live.call.state === 'recovering') {
          // The transport is down: the BYE may never leave, but the operator's hang-up ends it here.
          session.bye().catch(() => undefined);
          this.apply(live, { type: 'hungUp', at: this.clock.now() });
          return;
        }
        await session.bye(); // BYE, RFC 3261 §15.1.1
        return;
      default:
        return;
    }
  }

  hold(id: string): Promise<void> {
    return this.setHold(id, true);
  }

  resume(id: string): Promise<void> {
    return this.setHold(id, false);
  }

  async setMuted(id: string, muted: boolean): Promise<void> {
    const live = this.get(id);
    const sdh = live.session.sessionDescriptionHandler as WebSdh | undefined;
    // Disable the local track rather than renegotiate: instant, and nothing for the far end to refuse.
    if (sdh && live.call.state !== 'held') sdh.enableSenderTracks(!muted);
    this.apply(live, { type: 'muted', muted, at: this.clock.now() });
  }

  async sendDtmf(id: string, digits: string): Promise<void> {
    const live = this.get(id);
    if (!isDtmfString(digits)) throw new Error('softphone: invalid DTMF digits');
    if (live.session.state !== SessionState.Established) throw new Error('softphone: call is not connected');
    const sdh = live.session.sessionDescriptionHandler as WebSdh | undefined;
    // RFC 4733 telephone-events through RTCDTMFSender first: in-band with the media, what IVRs
    // expect. `info` mode is for PBXs that do not read telephone-events: SIP INFO only.
    if (this.account?.dtmfMode !== 'info' && sdh && sdh.sendDtmf(digits.toUpperCase())) return;
    // Fallback: SIP INFO with application/dtmf-relay (draft-kaplan-dispatch-info-dtmf-package), one per digit.
    for (const digit of digits.toUpperCase()) {
      await live.session.info({
        requestOptions: {
          body: { contentDisposition: 'render', contentType: 'application/dtmf-relay', content: `Signal=${digit}\r\nDuration=160` },
        },
      });
    }
  }

  async blindTransfer(id: string, target: string): Promise<void> {
    const live = this.get(id);
    if (live.session.state !== SessionState.Established) throw new Error('softphone: call is not connected');
    const dial = normaliseDialString(target);
    if (!dial) throw new Error('softphone: not a dialable number');
    const referTo = this.targetUri(dial);
    await new Promise<void>((resolve, reject) => {
      // REFER (RFC 3515 §2.4.1); once the transferee accepts (202) our leg is no longer needed.
      live.session
        .refer(referTo, {
          requestDelegate: {
            onAccept: () => {
              live.intent = 'hungUp';
              live.session.bye().catch(() => undefined);
              resolve();
            },
            onReject: (response) => reject(new Error(`softphone: transfer refused (${response.message.statusCode})`)),
          },
        })
        .catch(reject);
    });
  }

  async startConsultation(id: string, target: string): Promise<string> {
    const live = this.get(id);
    if (live.call.state !== 'active' && live.call.state !== 'held') throw new Error(`softphone: cannot consult from state ${live.call.state}`);
    const dial = normaliseDialString(target);
    if (!dial) throw new Error('softphone: not a dialable number');
    this.requireRegistered();
    // The caller (and any other line) must not hear the consultation: a refused hold means no
    // consultation call.
    await this.holdAllActive(null);
    return this.placeCall(dial, id);
  }

  /**
   * Attended transfer (RFC 5589 §7): REFER the transferee (`id`) with a Refer-To that carries
   * `Replaces` (RFC 3891 §3) naming the consultation dialog — SIP.js builds it from that session's
   * dialog (`Session.referToString`: Call-ID, to-tag = its remote tag, from-tag = its local tag).
   * The transferee then INVITEs the consulted party, whose UA swaps our leg out. On 202 Accepted
   * (RFC 3515 §2.4.2) both our legs are done: the transferee's gets our BYE at once; the
   * consultation is BYE'd by the target when the Replaces INVITE lands, or by us after
   * {@link CONSULTATION_HANDOVER_MS}. Both journal as `answered`. On a refusal both stay as they
   * were (the caller still held, the consultation still up) so the operator can retry or go back.
   */
  async completeAttendedTransfer(id: string, consultationId: string): Promise<void> {
    if (id === consultationId) throw new Error('softphone: a call cannot be transferred to itself');
    const original = this.get(id);
    const consultation = this.get(consultationId);
    if (original.session.state !== SessionState.Established || original.call.state === 'recovering') {
      throw new Error('softphone: the call to transfer is not connected');
    }
    if (consultation.session.state !== SessionState.Established || consultation.call.state === 'recovering') {
      throw new Error('softphone: the consultation call is not connected yet');
    }
    await new Promise<void>((resolve, reject) => {
      original.session
        .refer(consultation.session, {
          requestDelegate: {
            onAccept: () => {
              original.intent = 'hungUp';
              original.session.bye().catch(() => undefined);
              consultation.intent = 'hungUp';
              consultation.handoverTimer = this.clock.setTimeout(() => {
                consultation.handoverTimer = null;
                if (this.live.get(consultationId) === consultation && consultation.session.state === SessionState.Established) {
                  consultation.session.bye().catch(() => undefined);
                }
              }, CONSULTATION_HANDOVER_MS);
              resolve();
            },
            onReject: (response) =>
              reject(new Error(`softphone: attended transfer refused (${response.message.statusCode} ${response.message.reasonPhrase})`)),
          },
        })
        .catch(reject);
    });
  }

  async swap(id: string): Promise<void> {
    const live = this.get(id);
    if (live.call.state !== 'held' && live.call.state !== 'active') throw new Error(`softphone: cannot swap to a call in state ${live.call.state}`);
    // Hold first, then resume; if a hold is refused, do not resume: the operator would be heard
    // on both lines at once.
    await this.holdAllActive(id);
    if (live.call.state === 'held') await this.setHold(id, false);
  }

  async setAudioDevices(devices: PhoneAudioDevices): Promise<void> {
    const previous = this.devices;
    this.devices = devices;
    // A stream prepared for the old microphone must not be handed to the next call.
    if (devices.microphoneId !== previous.microphoneId) this.microphone.release();
    const failures: unknown[] = [];
    for (const live of [...this.live.values()]) {
      live.audio?.setSink(devices.speakerId);
      if (devices.microphoneId === previous.microphoneId) continue;
      const handle = mediaHandleOf(live.session.sessionDescriptionHandler);
      if (!handle) continue;
      try {
        await replaceMicrophone(handle, devices.microphoneId, !live.call.muted && live.call.state !== 'held');
      } catch (error) {
        failures.push(error);
      }
    }
    if (failures.length > 0) {
      const first = failures[0];
      throw new Error(`softphone: could not switch the microphone: ${first instanceof Error ? first.message : String(first)}`);
    }
  }

  async mediaStats(id: string): Promise<CallMediaStats | null> {
    const live = this.get(id);
    const pc = mediaHandleOf(live.session.sessionDescriptionHandler)?.peerConnection;
    if (!pc || typeof pc.getStats !== 'function') return null;
    return readMediaStats(pc);
  }

  // ——— registration effects ———

  private connectTransport(): void {
    const ua = this.ua;
    if (!ua) return;
    const attempt = ua.state === UserAgentState.Started ? ua.reconnect() : ua.start();
    attempt.then(
      () => {
        if (this.ua === ua) this.controller.dispatch({ type: 'transportConnected' });
      },
      () => {
        if (this.ua === ua) this.controller.dispatch({ type: 'transportLost' });
      },
    );
  }

  private probe(): void {
    const account = this.account;
    const probe = this.options.probeServer ?? (this.options.transportConstructor ? undefined : (url: string) => probeWebSocket(url, this.clock));
    if (!account || !probe) return;
    const ua = this.ua;
    probe(account.server).then(
      (reachable) => {
        if (this.ua === ua) this.controller.dispatch({ type: reachable ? 'serverReachable' : 'probeFailed' });
      },
      () => {
        if (this.ua === ua) this.controller.dispatch({ type: 'probeFailed' });
      },
    );
  }

  private disconnectTransport(): void {
    const ua = this.ua;
    if (!ua || this.pendingUnregister) return; // stop() tears the UserAgent down after the un-REGISTER
    ua.transport.disconnect().catch(() => undefined);
  }

  private replaceRegisterer(): void {
    const old = this.registerer;
    this.registerer = undefined;
    this.generation++;
    if (old) retireRegisterer(old);
    const ua = this.ua;
    if (!ua) return;
    const registerer = new Registerer(ua, { expires: this.options.registerExpiresSec ?? 300 });
    const generation = this.generation;
    registerer.stateChange.addListener((state) => {
      if (generation !== this.generation) return;
      if (state === RegistererState.Registered) this.controller.dispatch({ type: 'registered' });
      // A refresh that failed or a binding that expired: the registrar no longer has us.
      else if (state === RegistererState.Unregistered && this.controller.snapshot.state === 'registered') {
        this.controller.dispatch({ type: 'registrationTimedOut' });
      }
    });
    this.registerer = registerer;
  }

  private sendRegister(): void {
    const registerer = this.registerer;
    if (!registerer) return;
    const generation = this.generation;
    registerer
      .register({
        requestDelegate: {
          onReject: (response) => {
            if (generation === this.generation) {
              this.controller.dispatch({ type: 'registrationRejected', status: response.message.statusCode ?? 0 });
            }
          },
        },
      })
      .catch(() => {
        // Could not even send (transport gone between connect and now): the transport events drive us.
      });
  }

  private unregister(): void {
    const registerer = this.registerer;
    if (!registerer) return;
    // Detach it so the replacement step does not retire it mid un-REGISTER.
    this.registerer = undefined;
    // Wait on the Registerer's own state, not the request's delegate: replacing that delegate
    // would starve the Registerer and make dispose() un-REGISTER a second time.
    this.pendingUnregister = new Promise<void>((resolve) => {
      registerer.stateChange.addListener((state) => {
        if (state !== RegistererState.Registered) resolve();
      });
      registerer.unregister().catch(() => resolve());
    }).finally(() => void registerer.dispose().catch(() => undefined));
  }

  // ——— keep-alive ———

  private onRegistrationChange(s: RegistrationSnapshot): void {
    const prev = this.lastState;
    this.lastState = s.state;
    if (s.state === 'registered') this.armKeepAlive();
    else this.stopKeepAlive();
    if (s.state === 'reconnecting' && prev !== 'reconnecting') this.onTransportLostForCalls();
    if (s.state === 'registered' && prev === 'reconnecting') this.recoverCalls();
    if (s.state === 'registered' && !this.warmUpStarted) {
      this.warmUpStarted = true;
      void this.warmUp();
    }
    this.emit();
  }

  /**
   * Makes the day's first call as quick as the hundredth, once per phone, after the first
   * registration. The first call of a page paid for work no later call repeats (Chromium traces,
   * softphone/README.md): starting the capture device, starting the WebRTC
   * engine and its codecs, and compiling SIP.js's message parsing and the desk's caller parsing.
   * So: the capture device at once ({@link warmUpMicrophone}, in the browser's audio service; it
   * also puts the permission question at the start of the shift); meanwhile, once the page's own
   * start-up work has settled ({@link WARM_UP_DELAY_MS}), one step per task
   * {@link WARM_UP_STEP_GAP_MS} apart: each made-up message of sip-warm-up-messages.ts parsed,
   * then {@link warmUpPeerConnection}. Nothing is sent, opened for long, shown or played. Never on
   * a call's path: a call up (ringing included) ends the warm-up for good — that call has warmed
   * everything itself — as does `stop()`. Marks {@link WARMED_UP_MARK} when all is done (e2e waits
   * for it before timing the first call).
   */
  private async warmUp(): Promise<void> {
    const ua = this.ua;
    const microphone = warmUpMicrophone(this.devices.microphoneId);
    const peerConnection = this.options.peerConnection;
    const steps: (() => unknown)[] = [
      () => this.parseForWarmUp(WARM_UP_INVITE, true),
      ...WARM_UP_RESPONSES.map((text) => () => this.parseForWarmUp(text, false)),
      () => (peerConnection === undefined ? warmUpPeerConnection() : warmUpPeerConnection(peerConnection)),
    ];
    let delay = WARM_UP_DELAY_MS;
    for (const step of steps) {
      await sleep(this.clock, delay);
      delay = WARM_UP_STEP_GAP_MS;
      if (this.ua !== ua || this.live.size > 0) return;
      try {
        await step();
      } catch {
        // A warm-up only: the first call pays as it did before.
      }
    }
    await microphone;
    if (this.ua !== ua) return;
    if (typeof performance !== 'undefined' && typeof performance.mark === 'function') performance.mark(WARMED_UP_MARK);
  }

  /** Parses a made-up message as SIP.js parses what arrives (and, for an INVITE, as `onInvite` reads the caller). */
  private parseForWarmUp(text: string, invite: boolean): void {
    const ua = this.ua;
    if (!ua) return;
    const message = Core.Parser.parseMessage(text, ua.getLogger('sip.warm-up'));
    if (!invite || !(message instanceof Core.IncomingRequestMessage)) return;
    parseCaller(message.getHeader('From'), message.getHeaders('P-Asserted-Identity'));
    parseAnswerAfter(message.getHeaders('Call-Info'));
  }

  private armKeepAlive(): void {
    if (this.keepAliveTimer !== null) return;
    this.keepAliveTimer = this.clock.setTimeout(() => {
      this.keepAliveTimer = null;
      this.sendKeepAlive();
    }, this.options.keepAliveIntervalMs ?? 15_000);
  }

  private stopKeepAlive(): void {
    if (this.keepAliveTimer !== null) this.clock.clearTimeout(this.keepAliveTimer);
    this.keepAliveTimer = null;
  }

  /**
   * OPTIONS to the registrar (RFC 3261 §11). Any answer proves the socket is alive; silence for
   * `keepAliveTimeoutMs`, or a locally generated 408/503 (transaction or transport failure), does not.
   */
  private sendKeepAlive(): void {
    const ua = this.ua;
    const account = this.account;
    if (!ua || !account || this.controller.snapshot.state !== 'registered') return;
    const aor = UserAgent.makeURI(account.uri);
    if (!aor) return;
    const requestUri = aor.clone();
    requestUri.user = undefined;
    const generation = this.generation;
    let settled = false;
    const finish = (alive: boolean) => {
      if (settled) return;
      settled = true;
      this.clock.clearTimeout(deadline);
      if (generation !== this.generation || this.ua !== ua) return;
      if (alive) this.armKeepAlive();
      else this.controller.dispatch({ type: 'keepAliveFailed' });
    };
    const deadline = this.clock.setTimeout(() => {
      request?.dispose();
      finish(false);
    }, this.options.keepAliveTimeoutMs ?? 5_000);
    let request: { dispose(): void } | undefined;
    try {
      const core = ua.userAgentCore;
      const message = core.makeOutgoingRequestMessage('OPTIONS', requestUri, aor, aor.clone(), {});
      request = core.request(message, {
        onAccept: () => finish(true),
        onReject: (response) => finish(response.message.statusCode !== 408 && response.message.statusCode !== 503),
      });
    } catch {
      finish(false);
    }
  }

  // ——— calls ———

  private onInvite(invitation: Invitation): void {
    const request = invitation.request;
    // P-Asserted-Identity first, else From (RFC 3325 §9.1), whatever URI form either carries.
    const { number, displayName } = parseCaller(request.getHeader('From'), request.getHeaders('P-Asserted-Identity'));
    const autoAnswerAfterSec = parseAnswerAfter(request.getHeaders('Call-Info'));
    // The intercom call the desk asked for (expectIntercom): answered at once, never a ring or a pop.
    const expectedIntercom = autoAnswerAfterSec !== null && this.claimIntercomExpectation();
    // Screen-pop budget: INVITE received → card painted, measured by the Phone pane.
    // Marked before the call is published (the pop starts from that snapshot); the id is the session's.
    if (!expectedIntercom && typeof performance !== 'undefined' && typeof performance.mark === 'function') {
      try {
        performance.mark(`screen-pop:invite:${invitation.id}`);
      } catch {
        // A measurement aid only.
      }
    }
    const live = this.track(invitation, 'incoming', number, displayName, { autoAnswerAfterSec, expectedIntercom });
    if (expectedIntercom) {
      this.answerExpected(live);
      return;
    }
    // Open the microphone while it rings, so Answer does not wait for the capture device — but
    // not at once: starting the capture device costs CPU exactly while the screen pop paints
    // (the pop's 50 ms budget), and nobody answers within the first few hundred milliseconds.
    const prepareTimer = this.clock.setTimeout(() => {
      if (this.live.get(live.call.id) === live && live.call.state === 'ringing') this.prepareMicrophone();
    }, RING_PREPARE_DELAY_MS);
    live.session.stateChange.addListener((state) => {
      if (state === SessionState.Terminated) this.clock.clearTimeout(prepareTimer);
    });
    if (autoAnswerAfterSec !== null && this.account?.autoAnswerIntercom === true && !this.hasOtherCall(live.call.id)) {
      live.autoAnswerTimer = this.clock.setTimeout(() => {
        live.autoAnswerTimer = null;
        // Re-checked at fire time: the operator may have answered another line meanwhile.
        if (this.live.get(live.call.id) !== live || live.call.state !== 'ringing' || this.hasOtherCall(live.call.id)) return;
        this.answer(live.call.id).catch((e: unknown) => console.warn(`softphone: intercom auto-answer failed: ${e instanceof Error ? e.message : String(e)}`));
      }, autoAnswerAfterSec * 1000);
    }
  }

  /** Whether an intercom INVITE arriving now is the expected one; the expectation is used up either way. */
  private claimIntercomExpectation(): boolean {
    const until = this.intercomExpectedUntil;
    this.intercomExpectedUntil = null;
    return until !== null && this.clock.now() <= until;
  }

  /**
   * Answers the intercom call the desk asked for, at once: it is no caller, so the operator-facing
   * rule "never auto-answer over another call" does not hold it back (`answer` holds that call first).
   */
  private answerExpected(live: LiveCall): void {
    this.clearAutoAnswer(live);
    this.answer(live.call.id).catch((e: unknown) => console.warn(`softphone: expected intercom answer failed: ${e instanceof Error ? e.message : String(e)}`));
  }

  /** Any other call the operator is on or placing (a second call merely ringing does not count). */
  private hasOtherCall(id: string): boolean {
    for (const other of this.live.values()) if (other.call.id !== id && other.call.state !== 'ringing') return true;
    return false;
  }

  private clearAutoAnswer(live: LiveCall): void {
    if (live.autoAnswerTimer !== null) this.clock.clearTimeout(live.autoAnswerTimer);
    live.autoAnswerTimer = null;
  }

  /** Hold every `active` call except `except`; rejects with the first refusal once all have answered. */
  private async holdAllActive(except: string | null): Promise<void> {
    const results = await Promise.allSettled(
      [...this.live.values()].filter((l) => l.call.id !== except && l.call.state === 'active').map((l) => this.setHold(l.call.id, true)),
    );
    const refused = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (refused) throw refused.reason;
  }

  /** Put every other `active` call on hold; failures are swallowed (the caller decides what next). */
  private async holdOthers(id: string, maxWaitMs: number | null): Promise<void> {
    const holds = [...this.live.values()]
      .filter((other) => other.call.id !== id && other.call.state === 'active')
      .map((other) =>
        this.setHold(other.call.id, true).catch((e: unknown) => console.warn(`softphone: could not hold the other call: ${e instanceof Error ? e.message : String(e)}`)),
      );
    if (holds.length === 0) return;
    const all = Promise.all(holds).then(() => undefined);
    if (maxWaitMs === null) return all;
    let timer: unknown = null;
    await Promise.race([all, new Promise<void>((resolve) => (timer = this.clock.setTimeout(resolve, maxWaitMs)))]);
    if (timer !== null) this.clock.clearTimeout(timer);
  }

  /**
   * The Web SDH factory for `account`. Its media-stream factory hands over the prepared microphone
   * when it was opened for the same constraints (device) and is still live — the session then owns
   * and stops it — and otherwise calls getUserMedia as SIP.js's default does. On a LAN each SDH
   * stops waiting for ICE gathering early ({@link attachLanIceCompletion}).
   */
  private sdhFactory(account: PhoneAccount): SessionDescriptionHandlerFactory {
    const getUserMedia = Web.defaultMediaStreamFactory();
    const mediaStreamFactory: Web.MediaStreamFactory = async (constraints, sdh, options) => {
      const stream = await (this.microphone.take(constraints, (c) => getUserMedia(c, sdh, options)) ?? getUserMedia(constraints, sdh, options));
      // The call ended while the microphone opened (a quick cancel): SIP.js would drop the stream
      // without stopping it (its peer connection is gone), leaving the microphone on.
      if (sdh && 'peerConnection' in sdh && sdh.peerConnection === undefined) {
        for (const track of stream.getTracks()) track.stop();
        throw new Error('softphone: the call ended before its microphone opened');
      }
      return stream;
    };
    const make = this.options.webSessionDescriptionHandlerFactory ?? Web.defaultSessionDescriptionHandlerFactory;
    const base = make(mediaStreamFactory);
    const lan = lanIceCompletionApplies(account.iceServers);
    return (session, factoryOptions) => {
      const sdh = base(session, factoryOptions);
      if (lan) attachLanIceCompletion(sdh, this.clock);
      return sdh;
    };
  }

  /** SDH options for a new call: audio from the chosen microphone, never video. */
  private mediaOptions(): Web.SessionDescriptionHandlerOptions {
    return { constraints: microphoneConstraints(this.devices.microphoneId) };
  }

  private track(
    session: Session,
    direction: 'incoming' | 'outgoing',
    remoteNumber: string,
    remoteDisplayName: string,
    extra: { autoAnswerAfterSec?: number | null; consultationFor?: string | null; expectedIntercom?: boolean } = {},
  ): LiveCall {
    let acked: () => void = () => undefined;
    const live: LiveCall = {
      call: newCall({ id: session.id, direction, remoteNumber, remoteDisplayName, at: this.clock.now(), ...extra }),
      session,
      intent: null,
      failureStatus: null,
      recoveryTimer: null,
      autoAnswerTimer: null,
      handoverTimer: null,
      audio: null,
      initialAck: session instanceof Invitation ? new Promise<void>((resolve) => (acked = resolve)) : null,
      ackReceived: !(session instanceof Invitation),
    };
    if (session instanceof Invitation) {
      // Every delegate hook SIP.js calls is optional and checked one by one, so only onAck is ours.
      session.delegate = {
        ...session.delegate,
        onAck: () => {
          live.ackReceived = true;
          acked();
        },
      };
    }
    this.live.set(live.call.id, live);
    // A caller's CANCEL (RFC 3261 §9.2) shows up as `Terminated` before answer: SIP.js must finish
    // the 487 itself, so no `onCancel` delegate that would dispose the session under it.
    session.stateChange.addListener((state) => {
      const at = this.clock.now();
      if (state === SessionState.Established) {
        this.startAudio(live);
        this.apply(live, { type: 'established', at });
      }
      // Deferred one microtask: SIP.js moves an Inviter to Terminated *before* it hands the final
      // response to our request delegate, and the status decides rejected (486/603) vs failed.
      if (state === SessionState.Terminated) queueMicrotask(() => this.apply(live, this.terminationEvent(live, at)));
    });
    this.emit();
    return live;
  }

  private terminationEvent(live: LiveCall, at: number): CallEvent {
    const { call } = live;
    if (call.state === 'recovering') return { type: 'recoveryFailed', at };
    if (live.intent === 'rejected') return { type: 'rejected', at };
    if (live.intent === 'hungUp' || call.answeredAt !== null) return { type: 'hungUp', at };
    if (call.direction === 'incoming') return { type: 'cancelled', at };
    if (live.failureStatus !== null && DECLINED.has(live.failureStatus)) return { type: 'rejected', at };
    return { type: 'failed', at };
  }

  private apply(live: LiveCall, event: CallEvent): void {
    const next = reduceCall(live.call, event);
    if (next === live.call) return;
    live.call = next;
    if (next.state !== 'recovering' && live.recoveryTimer !== null) {
      this.clock.clearTimeout(live.recoveryTimer);
      live.recoveryTimer = null;
    }
    if (next.state === 'ended') {
      // The UI never shows a call the server no longer has: drop it from the list at once.
      this.live.delete(next.id);
      this.clearAutoAnswer(live);
      if (live.handoverTimer !== null) this.clock.clearTimeout(live.handoverTimer);
      live.handoverTimer = null;
      live.audio?.dispose();
      live.audio = null;
      if (live.session.state !== SessionState.Terminated) live.session.dispose().catch(() => undefined);
      for (const listener of this.endedListeners) listener(next);
    }
    this.emit();
  }

  private onTransportLostForCalls(): void {
    const at = this.clock.now();
    for (const live of [...this.live.values()]) {
      this.apply(live, { type: 'transportLost', at });
      if (live.call.state === 'recovering' && live.recoveryTimer === null) {
        live.recoveryTimer = this.clock.setTimeout(() => {
          live.recoveryTimer = null;
          this.failRecovery(live);
        }, this.options.recoveryTimeoutMs ?? 20_000);
      }
    }
  }

  /** After re-registering, re-INVITE each surviving call with an ICE restart (RFC 8445 §9, RFC 3261 §14). */
  private recoverCalls(): void {
    for (const live of [...this.live.values()]) {
      if (live.call.state !== 'recovering') continue;
      const held = (live.session.sessionDescriptionHandlerOptionsReInvite as Web.SessionDescriptionHandlerOptions).hold === true;
      live.session
        .invite({
          sessionDescriptionHandlerOptions: { hold: held, offerOptions: { iceRestart: true } } as Web.SessionDescriptionHandlerOptions,
          requestDelegate: {
            onAccept: () => {
              // Later re-INVITEs (hold, the far end's) must not restart ICE again.
              live.session.sessionDescriptionHandlerOptionsReInvite = { hold: held } as Web.SessionDescriptionHandlerOptions;
              this.apply(live, { type: 'recovered', held, at: this.clock.now() });
            },
            onReject: () => this.failRecovery(live),
          },
        })
        .catch(() => this.failRecovery(live));
    }
  }

  private failRecovery(live: LiveCall): void {
    if (live.call.state !== 'recovering') return;
    // Best effort: tell the far end, but the call is lost either way.
    if (live.session.state === SessionState.Established) live.session.bye().catch(() => undefined);
    this.apply(live, { type: 'recoveryFailed', at: this.clock.now() });
  }

  private async setHold(id: string, hold: boolean): Promise<void> {
    const live = this.get(id);
    if (live.call.state !== (hold ? 'active' : 'held')) throw new Error(`softphone: cannot ${hold ? 'hold' : 'resume'} in state ${live.call.state}`);
    if (!live.ackReceived && live.initialAck) {
      await this.waitForInitialAck(live);
      if (live.call.state !== (hold ? 'active' : 'held')) throw new Error(`softphone: cannot ${hold ? 'hold' : 'resume'} in state ${live.call.state}`);
    }
    const session = live.session;
    // Only `hold`: an ICE restart left over from a recovery must not repeat on every hold.
    const sdhOptions: Web.SessionDescriptionHandlerOptions = { hold };
    await new Promise<void>((resolve, reject) => {
      // re-INVITE with a=sendonly / a=sendrecv (RFC 3264 §8.4), via the Web SDH's `hold` option.
      session
        .invite({
          sessionDescriptionHandlerOptions: sdhOptions,
          requestDelegate: {
            onAccept: () => {
              const sdh = session.sessionDescriptionHandler as WebSdh | undefined;
              sdh?.enableReceiverTracks(!hold);
              sdh?.enableSenderTracks(!hold && !live.call.muted);
              this.apply(live, { type: hold ? 'held' : 'resumed', at: this.clock.now() });
              resolve();
            },
            onReject: (response) => reject(new Error(`softphone: re-INVITE refused (${response.message.statusCode})`)),
          },
        })
        .catch(reject);
    });
  }

  /** See {@link ACK_WAIT_MS}. */
  private async waitForInitialAck(live: LiveCall): Promise<void> {
    let timer: unknown = null;
    const timedOut = await Promise.race([
      live.initialAck!.then(() => false),
      new Promise<boolean>((resolve) => (timer = this.clock.setTimeout(() => resolve(true), ACK_WAIT_MS))),
    ]);
    if (timer !== null) this.clock.clearTimeout(timer);
    if (timedOut) throw new Error('softphone: the caller has not confirmed the call yet (no ACK)');
  }

  /** Start playing the far end (Web SDH in a DOM only); the SDH exists once the call is established. */
  private startAudio(live: LiveCall): void {
    if (live.audio) return;
    const handle = mediaHandleOf(live.session.sessionDescriptionHandler);
    if (handle) live.audio = CallAudio.create(handle, this.devices.speakerId);
  }

  // ——— helpers ———

  private get(id: string): LiveCall {
    const live = this.live.get(id);
    if (!live) throw new Error('softphone: no such call');
    return live;
  }

  private requireRegistered(): UserAgent {
    if (!this.ua || this.controller.snapshot.state !== 'registered') throw new Error('softphone: not registered');
    return this.ua;
  }

  private targetUri(dial: string) {
    const aor = this.account ? UserAgent.makeURI(this.account.uri) : undefined;
    const uri = aor ? UserAgent.makeURI(`sip:${dial}@${aor.host}`) : undefined;
    if (!uri) throw new Error('softphone: cannot build a target URI');
    return uri;
  }

  private emit(): void {
    const snapshot: PhoneSnapshot = { registration: this.registration, calls: this.calls };
    for (const listener of this.listeners) listener(snapshot);
  }
}

/**
 * Drop a Registerer without letting it un-REGISTER. SIP.js 0.21's `Registerer.dispose()` sends
 * REGISTER `Expires: 0` for our Contact (RFC 3261 §10.2.2) once a stuck request ends — which would
 * delete the binding the *new* Registerer just made — and a late final response to the stuck
 * REGISTER would drive a Terminated Registerer to Registered and throw. So: move it straight to
 * Terminated (clears its refresh timers, no un-REGISTER), then make every entry point a late
 * response can reach a no-op. Private API, checked against the 0.21.2 source (api/registerer.js).
 */
function retireRegisterer(registerer: Registerer): void {
  const internals = registerer as unknown as Record<string, unknown>;
  try {
    const terminated = internals['terminated'];
    if (registerer.state !== RegistererState.Terminated && typeof terminated === 'function') terminated.call(registerer);
  } catch {
    void registerer.dispose().catch(() => undefined);
  }
  const refused = () => Promise.reject(new Error('softphone: retired Registerer'));
  for (const name of ['registered', 'unregistered', 'waitingToggle']) internals[name] = () => undefined;
  // A 423 Interval Too Brief (RFC 3261 §10.3 step 7) on the late response would re-send from here.
  internals['register'] = refused;
  internals['unregister'] = refused;
}

/** The parts of SIP.js's Web SDH the LAN ICE completion uses. */
interface IceAwareSdh {
  peerConnectionDelegate: Web.PeerConnectionDelegate | undefined;
  readonly peerConnection: RTCPeerConnection | undefined;
  iceGatheringComplete(): void;
}

function isIceAwareSdh(sdh: SessionDescriptionHandler): sdh is SessionDescriptionHandler & IceAwareSdh {
  return 'peerConnectionDelegate' in sdh && typeof (sdh as Partial<IceAwareSdh>).iceGatheringComplete === 'function';
}

/**
 * LAN calls (no ICE servers): stop SIP.js waiting for ICE gathering once a UDP host candidate is
 * in and 30 ms pass without another ({@link LanIceCompletion}; the why is in ice-gathering.ts).
 * Hooks the SDH's `peerConnectionDelegate` — the supported way to see the peer connection's
 * events (SIP.js owns the `on…` handlers) — and ends the wait with `iceGatheringComplete()`,
 * which SIP.js 0.21.2 documents for exactly this ("implementing your own ICE gathering completion
 * strategy"; public in its typings, checked against platform/web/session-description-handler.js):
 * it resolves the pending `waitForIceGatheringComplete` and clears its timeout, and SIP.js then
 * sends `peerConnection.localDescription`, which holds the candidates gathered so far. Its own
 * `iceGatheringTimeout` still bounds the wait. A new gathering round (ICE-restart re-INVITE when
 * a call recovers) starts the rule afresh.
 */
function attachLanIceCompletion(sdh: SessionDescriptionHandler, clock: Clock): void {
  if (!isIceAwareSdh(sdh)) return;
  // A call ended within the quiet window has nothing left to complete.
  const policy = new LanIceCompletion(clock, () => {
    if (sdh.peerConnection) sdh.iceGatheringComplete();
  });
  const previous = sdh.peerConnectionDelegate;
  sdh.peerConnectionDelegate = {
    ...previous,
    onicecandidate: (event) => {
      policy.onCandidate(event.candidate);
      previous?.onicecandidate?.(event);
    },
    onicegatheringstatechange: (event) => {
      const state = sdh.peerConnection?.iceGatheringState;
      if (state === 'gathering') policy.restart();
      else if (state === 'complete') policy.dispose();
      previous?.onicegatheringstatechange?.(event);
    },
  };
}

/** How long after an INVITE arrives the microphone is prepared (after the screen pop, before a human answers). */
export const RING_PREPARE_DELAY_MS = 300;

/** After the registration's microphone warm-up, how long the rest of the warm-up waits (the page's start-up work, the pop's rehearsal, go first). */
export const WARM_UP_DELAY_MS = 500;

/** Between two warm-up steps: each is one short task, so a click or a ring is never queued behind more than one. */
export const WARM_UP_STEP_GAP_MS = 50;

/** Performance mark set once the first-call warm-up is done (read by e2e). */
export const WARMED_UP_MARK = 'softphone:warmed-up';

/** How long a probe WebSocket may take to open before the server counts as still down. */
const PROBE_TIMEOUT_MS = 2_000;

/**
 * Opens a WebSocket with the `sip` subprotocol (RFC 7118 §4) and closes it at once: no SIP is
 * sent, so the registrar sees nothing but a connect. Resolves false on error or timeout.
 */
export function probeWebSocket(url: string, clock: Clock = systemClock): Promise<boolean> {
  if (typeof WebSocket === 'undefined') return Promise.resolve(false);
  return new Promise((resolve) => {
    let settled = false;
    let socket: WebSocket;
    const finish = (reachable: boolean) => {
      if (settled) return;
      settled = true;
      clock.clearTimeout(timer);
      try {
        socket.close();
      } catch {
        // Already closed.
      }
      resolve(reachable);
    };
    const timer = clock.setTimeout(() => finish(false), PROBE_TIMEOUT_MS);
    try {
      socket = new WebSocket(url, 'sip');
    } catch {
      clock.clearTimeout(timer);
      resolve(false);
      return;
    }
    socket.onopen = () => finish(true);
    socket.onerror = () => finish(false);
    socket.onclose = () => finish(false);
  });
}

type TransportConstructor = NonNullable<UserAgentOptions['transportConstructor']>;

/**
 * How the UA's log reaches the transport that is delivering a message: SIP.js reports a message it
 * drops only in its log, synchronously while the transport's `onMessage` runs. `note` returns true
 * for the lines it consumed (they name no value, but the guard logs its own reason-coded line).
 */
export interface StackLogTap {
  note(category: string, content: string): boolean;
}

/**
 * SIP.js 0.21.2's log lines that mean "this incoming message is dropped" (core/messages/parser.js,
 * api/user-agent.js `onTransportMessage`), as a {@link StackFailure}; `'dropped'` for the summary
 * line that follows one; null for any other line. Pinned to 0.21.2 — the wire-guard tests run the
 * real SIP.js, so a change in these texts fails them.
 */
export function stackFailureOf(category: string, content: string): StackFailure | 'dropped' | null {
  if (category === 'sip.Parser') {
    const header = /^error parsing header '([^']{1,64})'/u.exec(content)?.[1];
    if (header !== undefined) return { kind: 'header', header };
    if (content.startsWith('error parsing first line')) return { kind: 'start-line' };
    if (content === 'malformed message' || content.startsWith('no CRLF found')) return { kind: 'framing' };
    return null;
  }
  if (category === 'sip.UserAgent') {
    const missing = /^Missing mandatory header field : ([A-Za-z_-]{1,32})\.$/u.exec(content)?.[1];
    if (missing !== undefined) return { kind: 'missing', header: missing };
    if (content === 'Failed to parse incoming message. Dropping.' || content === 'Request missing mandatory header field. Dropping.') return 'dropped';
  }
  return null;
}

/**
 * Wraps a SIP.js transport class so that every message passes a {@link SipWireGuard}: an incoming
 * request's From/To reach SIP.js in a form it parses; a request SIP.js still drops (it says so in
 * its log, see {@link stackFailureOf}) is refused with 400 (RFC 3261 §8.2.6, §21.4.1) instead of
 * vanishing; outgoing messages get the caller's original From/To back. SIP.js parses each message
 * once, as before. Each refusal or drop is logged with the method and a reason code — never a
 * header value, so no number or name reaches the log.
 */
export function guardedTransport(Base: TransportConstructor, tap: StackLogTap): TransportConstructor {
  return class GuardedTransport implements Transport {
    onConnect: (() => void) | undefined;
    onDisconnect: ((error?: Error) => void) | undefined;
    onMessage: ((message: string) => void) | undefined;
    private readonly inner: Transport;
    private readonly guard = new SipWireGuard();
    private delivering = false;
    private failure: StackFailure | null = null;

    constructor(logger: Core.Logger, options: unknown) {
      this.inner = new Base(logger, options);
      this.inner.onConnect = () => this.onConnect?.();
      this.inner.onDisconnect = (error) => this.onDisconnect?.(error);
      this.inner.onMessage = (message) => this.receive(message);
      tap.note = (category, content) => this.noteStackLog(category, content);
    }

    get protocol(): string {
      return this.inner.protocol;
    }

    get state(): Transport['state'] {
      return this.inner.state;
    }

    get stateChange(): Transport['stateChange'] {
      return this.inner.stateChange;
    }

    connect(): Promise<void> {
      return this.inner.connect();
    }

    disconnect(): Promise<void> {
      return this.inner.disconnect();
    }

    dispose(): Promise<void> {
      return this.inner.dispose();
    }

    isConnected(): boolean {
      return this.inner.isConnected();
    }

    send(message: string): Promise<void> {
      return this.inner.send(this.guard.outbound(message));
    }

    private noteStackLog(category: string, content: string): boolean {
      if (!this.delivering) return false;
      const failure = stackFailureOf(category, content);
      if (failure === null) return false;
      if (failure !== 'dropped') this.failure ??= failure;
      return true;
    }

    private receive(raw: string): void {
      const { message } = this.guard.inbound(raw);
      this.failure = null;
      this.delivering = true;
      try {
        this.onMessage?.(message);
      } finally {
        this.delivering = false;
      }
      const failure = this.failure;
      this.failure = null;
      if (failure === null) return;
      const verdict = this.guard.refusal(raw, failure);
      if (verdict.action === 'drop') {
        reportDiagnostic(
          'softphone.dropped-unparseable',
          { method: verdict.method ?? 'unknown', problem: verdict.problem },
          `softphone: dropped an unparseable ${verdict.method ?? 'message'} (${verdict.problem}): no response can be sent`,
        );
        return;
      }
      reportDiagnostic(
        'softphone.refused-unparseable',
        { method: verdict.method, status: String(verdict.status), problem: verdict.problem },
        `softphone: refused an unparseable ${verdict.method} with ${verdict.status} (${verdict.problem})`,
      );
      this.inner.send(verdict.reply).catch(() => console.warn(`softphone: the ${verdict.status} for an unparseable ${verdict.method} could not be sent (transport down)`));
    }
  };
}
