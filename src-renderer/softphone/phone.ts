/**
 * The desk's own softphone interface. Everything outside `softphone/` talks to a {@link Phone};
 * no SIP.js type crosses this line, so the SIP library can be patched or replaced without
 * touching the UI, the journal or the callbacks.
 */
import type { RegistrationReason, RegistrationState } from './registration-machine';

export type { RegistrationReason, RegistrationState } from './registration-machine';

/** What the status bar needs; straight from the registration machine, never a cached flag. */
export interface PhoneRegistration {
  readonly state: RegistrationState;
  /** Clock time (ms) the state was entered. */
  readonly since: number;
  readonly reason: RegistrationReason;
}

export type CallDirection = 'incoming' | 'outgoing';

/**
 * A call's life. Incoming: `ringing` → `connecting` (answer sent) → `active`. Outgoing:
 * `connecting` (INVITE sent) → `ringing` (18x, RFC 3261 §13.2.2.1) → `active`. `held` after a
 * hold re-INVITE (RFC 3261 §14, RFC 3264 §8.4); `recovering` while the transport is back but the
 * ICE-restart re-INVITE is outstanding; `ended` is final.
 */
export type CallState = 'ringing' | 'connecting' | 'active' | 'held' | 'recovering' | 'ended';

/**
 * How a call ended, for the journal. `missed`: nobody answered (the caller cancelled, RFC 3261 §9,
 * or our outgoing call was cancelled unanswered); `rejected`: declined (by the operator, or 486/603
 * from the far end); `failed`: could not be set up; `lost`: the network took it and recovery failed.
 */
export type CallOutcome = 'answered' | 'missed' | 'rejected' | 'failed' | 'lost';

/** One call as the desk sees it. Immutable; a change produces a new object. */
export interface PhoneCall {
  readonly id: string;
  readonly direction: CallDirection;
  /** Dialable form (digits, leading `+`, `*`, `#`) or the SIP user part, sanitised. */
  readonly remoteNumber: string;
  /** Caller-supplied text: control and bidi characters stripped, at most 80 characters. Render as text. */
  readonly remoteDisplayName: string;
  readonly state: CallState;
  readonly muted: boolean;
  readonly startedAt: number;
  readonly answeredAt: number | null;
  readonly endedAt: number | null;
  readonly outcome: CallOutcome | null;
  /**
   * Intercom: the INVITE asked to be answered automatically (`Call-Info: <…>;answer-after=N`,
   * RFC 7462 / the de-facto PBX intercom header) — seconds to wait, or null when not asked.
   * The phone answers it only when the account allows intercom auto-answer.
   */
  readonly autoAnswerAfterSec: number | null;
  /**
   * Attended transfer: the id of the call this one is a consultation for (the caller waiting on
   * hold), or null for an ordinary call.
   */
  readonly consultationFor: string | null;
  /**
   * An intercom call the desk asked for ({@link Phone.expectIntercom}): answered by the phone
   * itself, and not a caller — the desk shows it as what it asked for (a supervisor's listen),
   * never as a ring, a screen pop or a journal entry.
   */
  readonly expectedIntercom: boolean;
}

/** Live media figures for one call, from `RTCPeerConnection.getStats()` (W3C webrtc-stats). */
export interface CallMediaStats {
  /** inbound-rtp `packetsReceived`: rises ~50/s while the far end's audio reaches us. */
  readonly packetsReceived: number;
  readonly packetsLost: number;
  readonly bytesReceived: number;
  /** inbound-rtp `totalAudioEnergy`: > 0 once real sound (not silence) has been received. */
  readonly totalAudioEnergy: number;
  /** outbound-rtp `packetsSent`. */
  readonly packetsSent: number;
  /** inbound-rtp `jitter`, seconds. */
  readonly jitterSec: number;
  /** media-source `audioLevel` 0..1 of our microphone right now (the level meter). */
  readonly microphoneLevel: number;
}

/** Audio device ids from `enumerateDevices()`; `''` is the system default. */
export interface PhoneAudioDevices {
  readonly microphoneId: string;
  /** Call audio (the headset). */
  readonly speakerId: string;
  /** Ringtone (e.g. the loudspeaker), so a ringing call is heard without the headset on. */
  readonly ringerId: string;
}

/** How DTMF leaves the desk: RFC 4733 telephone-events with SIP INFO fallback, or always SIP INFO. */
export type DtmfMode = 'rfc4733' | 'info';

/** An ICE server, structurally the same as the DOM's `RTCIceServer`. */
export interface PhoneIceServer {
  readonly urls: string | readonly string[];
  readonly username?: string;
  readonly credential?: string;
}

/** The account a phone registers with (validated by the settings layer before it gets here). */
export interface PhoneAccount {
  /** `wss://…` or `ws://…` (RFC 7118). */
  readonly server: string;
  /** `sip:101@clinic.example`. */
  readonly uri: string;
  readonly authorizationUsername: string;
  readonly password: string;
  readonly displayName: string;
  /** None by default: a LAN needs none, and the public STUN default leaks the desk's address. */
  readonly iceServers: readonly PhoneIceServer[];
  /** ≈500 ms on a LAN, or every call waits for full ICE gathering. */
  readonly iceGatheringTimeoutMs: number;
  /** Answer INVITEs that carry `Call-Info: answer-after=N` by themselves (intercom). Off by default. */
  readonly autoAnswerIntercom: boolean;
  readonly dtmfMode: DtmfMode;
  readonly audioDevices: PhoneAudioDevices;
}

export interface PhoneSnapshot {
  readonly registration: PhoneRegistration;
  /** Live calls only: a call the server no longer has is not in this list. */
  readonly calls: readonly PhoneCall[];
}

/**
 * The softphone. Methods resolve when the request is sent, not when the far end reacts; the
 * reaction shows up through {@link Phone.subscribe}. A method on an unknown or ended call id
 * rejects.
 */
export interface Phone {
  readonly registration: PhoneRegistration;
  readonly calls: readonly PhoneCall[];
  /** Called after every change with the new snapshot; returns the unsubscribe function. */
  subscribe(listener: (snapshot: PhoneSnapshot) => void): () => void;
  /** Called once per call when it ends (journal; `outcome: 'lost'` is the `call:lost` event). */
  onCallEnded(listener: (call: PhoneCall) => void): () => void;
  /** Connect and register (RFC 3261 §10); keeps reconnecting until {@link Phone.stop}. */
  start(account: PhoneAccount): Promise<void>;
  /** Hang up everything, un-REGISTER, disconnect. */
  stop(): Promise<void>;
  /** Place a call (INVITE, RFC 3261 §13); resolves to the new call's id. */
  call(number: string): Promise<string>;
  /**
   * Open the configured microphone (the current audio devices) now, because a call is about to
   * need it: the operator is typing a number or a transfer target, or a call rings (the phone does
   * that itself). The next call set-up — INVITE or answer — then takes this stream instead of
   * starting the capture device (~180 ms). An unused stream is stopped at most 10 s after the
   * last request, on a microphone change and on {@link Phone.stop}: the OS shows the microphone
   * in use only that long. A no-op while not registered or where there is no microphone API;
   * never throws.
   */
  prepareMicrophone(): void;
  /**
   * The desk has just asked the PBX to ring this phone (a supervisor's listen: the PBX rings the
   * supervisor's own extension with `Call-Info: …;answer-after=0`). For the next `withinMs`
   * milliseconds of the phone's clock, the first incoming INVITE that asks to be answered
   * automatically is answered at once — whatever the account's `autoAnswerIntercom` says, and
   * holding any other active call first as `answer` does — and carries `expectedIntercom: true`.
   * One call per expectation. An intercom call already ringing is taken at once (the PBX may be
   * quicker than the news that the desk asked for it). `0` withdraws the expectation. An INVITE
   * without `answer-after` is never taken: it rings as usual.
   */
  expectIntercom(withinMs: number): void;
  /** Decline a ringing incoming call (486 Busy Here). */
  reject(id: string): Promise<void>;
  /**
   * Answer a ringing incoming call. Any other call that is `active` is put on hold first
   * (call waiting: answering the second line holds the first).
   */
  answer(id: string): Promise<void>;
  /** BYE, CANCEL or reject, whichever the call's state needs. */
  hangup(id: string): Promise<void>;
  /** Hold via re-INVITE with `a=sendonly` (RFC 3261 §14, RFC 3264 §8.4). */
  hold(id: string): Promise<void>;
  resume(id: string): Promise<void>;
  /** Local microphone on/off; no signalling. */
  setMuted(id: string, muted: boolean): Promise<void>;
  /** RFC 4733 telephone-events, falling back to SIP INFO (`application/dtmf-relay`). */
  sendDtmf(id: string, digits: string): Promise<void>;
  /** REFER (RFC 3515) the far end to `target`, then drop our leg. */
  blindTransfer(id: string, target: string): Promise<void>;
  /**
   * Attended transfer, step 1: hold `id` and call `target` (the consultation call). Resolves to
   * the new call's id; that call has `consultationFor: id`. To cancel, hang up the consultation
   * and {@link Phone.resume} the original.
   */
  startConsultation(id: string, target: string): Promise<string>;
  /**
   * Attended transfer, step 2: REFER the held caller (`id`) to the consulted party with
   * `Replaces` naming the consultation dialog (RFC 3515, RFC 3891 / RFC 5589 §7), then drop both
   * of our legs once the REFER is accepted.
   */
  completeAttendedTransfer(id: string, consultationId: string): Promise<void>;
  /** Second line: resume `id` and hold every other active call. */
  swap(id: string): Promise<void>;
  /**
   * Switch devices, also mid-call: the microphone by `RTCRtpSender.replaceTrack` (no
   * re-INVITE), call audio and ringer by `HTMLMediaElement.setSinkId`.
   */
  setAudioDevices(devices: PhoneAudioDevices): Promise<void>;
  /** Live media figures of a connected call (null when it has no media yet). */
  mediaStats(id: string): Promise<CallMediaStats | null>;
}

/** Longest caller display name a {@link PhoneCall} carries (code points); made safe by `oneLineText`. */
export const MAX_DISPLAY_NAME_LENGTH = 80;

/** Characters allowed in a SIP user part we show as a number (RFC 3261 §25.1 `user`, minus escapes). */
const NUMBER_CHARS = /[^0-9A-Za-z+*#._-]/gu;

/** A remote party's user part, safe to show and to journal (≤ 64 characters). */
export function sanitiseRemoteNumber(raw: string | undefined | null): string {
  if (!raw) return '';
  return raw.replace(NUMBER_CHARS, '').slice(0, 64);
}

/** Valid DTMF digits (RFC 4733 §3.2 events 0–15). */
export function isDtmfString(digits: string): boolean {
  return /^[0-9*#A-Da-d]+$/u.test(digits);
}
