/**
 * The browser-media side of a call: playing the far end, choosing devices, reading stats. No
 * SIP.js import — it works on what SIP.js's Web `SessionDescriptionHandler` exposes
 * (`peerConnection`, `remoteMediaStream`, `localMediaStream`), detected structurally, and every
 * DOM/WebRTC global is feature-detected, so the Node tests (no `document`, media-less SDH) run the
 * same code paths and simply get "no media".
 */
import type { CallMediaStats, PhoneAudioDevices } from './phone';

/** The media parts of a Web SDH we use. */
export interface CallMediaHandle {
  /** Undefined once the SDH has closed it. */
  readonly peerConnection: RTCPeerConnection | undefined;
  readonly remoteMediaStream: MediaStream;
  readonly localMediaStream: MediaStream;
}

/** The SDH's media parts, or null for an SDH without WebRTC (the tests' media-less one). */
export function mediaHandleOf(sdh: unknown): CallMediaHandle | null {
  if (!sdh || typeof sdh !== 'object') return null;
  if (!('peerConnection' in sdh) || !('remoteMediaStream' in sdh) || !('localMediaStream' in sdh)) return null;
  return sdh as CallMediaHandle;
}

/** getUserMedia constraints for the chosen microphone; '' is the system default. Never video. */
export function microphoneConstraints(microphoneId: string): { audio: boolean | MediaTrackConstraints; video: false } {
  return { audio: microphoneId ? { deviceId: { exact: microphoneId } } : true, video: false };
}

/** `HTMLMediaElement.setSinkId` (Audio Output Devices API); not in every DOM typing or runtime. */
interface SinkableAudio {
  sinkId?: string;
  setSinkId?: (id: string) => Promise<void>;
}

function warn(what: string, error: unknown): void {
  console.warn(`softphone: ${what}: ${error instanceof Error ? error.message : String(error)}`);
}

/**
 * Plays one call's remote audio. SIP.js only collects the far end's tracks into
 * `remoteMediaStream`; nothing is heard until a media element renders that stream. The element
 * is not attached to the DOM (an `autoplay` element with a `srcObject` plays regardless).
 */
export class CallAudio {
  private readonly element: HTMLAudioElement;
  private peerConnection: RTCPeerConnection | undefined;
  private readonly onTrack = (): void => this.attach();

  private constructor(
    private readonly handle: CallMediaHandle,
    element: HTMLAudioElement,
  ) {
    this.element = element;
  }

  /** A player for `handle`, or null where there is no DOM (Node tests). */
  static create(handle: CallMediaHandle, speakerId: string): CallAudio | null {
    const doc = (globalThis as { document?: Document }).document;
    if (!doc || typeof doc.createElement !== 'function') return null;
    const element = doc.createElement('audio');
    element.autoplay = true;
    const audio = new CallAudio(handle, element);
    audio.attach();
    audio.setSink(speakerId);
    // A renegotiation (re-INVITE) can bring a new remote track; SIP.js's own `ontrack` handler
    // has put it into `remoteMediaStream` by the time our listener (registered later) runs.
    const pc = handle.peerConnection;
    if (pc && typeof pc.addEventListener === 'function') {
      pc.addEventListener('track', audio.onTrack);
      audio.peerConnection = pc;
    }
    return audio;
  }

  /** (Re)bind the remote stream; re-assigning makes the element pick up replaced tracks. */
  attach(): void {
    this.element.srcObject = null;
    this.element.srcObject = this.handle.remoteMediaStream;
    const played = typeof this.element.play === 'function' ? this.element.play() : undefined;
    // Autoplay may be refused before a user gesture; Electron allows it, a browser page may not.
    if (played && typeof played.catch === 'function') played.catch((e: unknown) => warn('remote audio did not start', e));
  }

  /** Route call audio to `speakerId` ('' = system default) where the runtime can. */
  setSink(speakerId: string): void {
    const el = this.element as unknown as SinkableAudio;
    if (typeof el.setSinkId !== 'function') return;
    // Nothing chosen and nothing chosen before: leave the default alone.
    if (!speakerId && !el.sinkId) return;
    if (el.sinkId === speakerId) return;
    el.setSinkId(speakerId).catch((e: unknown) => warn('cannot switch the speaker', e));
  }

  dispose(): void {
    this.peerConnection?.removeEventListener('track', this.onTrack);
    this.peerConnection = undefined;
    if (typeof this.element.pause === 'function') this.element.pause();
    this.element.srcObject = null;
  }

  /** Test and diagnostics access to the element. */
  get audioElement(): HTMLAudioElement {
    return this.element;
  }
}

/**
 * Swap the microphone under a live call: `RTCRtpSender.replaceTrack` (WebRTC 1.0 §5.2) changes
 * what is sent without renegotiation, so no re-INVITE and nothing for the far end to refuse. The
 * new track inherits `enabled` (mute / hold); the old one is stopped so the device is released.
 * No-op without a peer connection or getUserMedia.
 */
export async function replaceMicrophone(handle: CallMediaHandle, microphoneId: string, enabled: boolean): Promise<void> {
  const pc = handle.peerConnection;
  const mediaDevices = (globalThis as { navigator?: { mediaDevices?: MediaDevices } }).navigator?.mediaDevices;
  if (!pc || typeof mediaDevices?.getUserMedia !== 'function') return;
  const sender = pc.getSenders().find((s) => s.track?.kind === 'audio');
  if (!sender) return;
  const stream = await mediaDevices.getUserMedia(microphoneConstraints(microphoneId));
  const track = stream.getAudioTracks()[0];
  if (!track) throw new Error('softphone: the microphone gave no audio track');
  track.enabled = enabled;
  const old = sender.track;
  try {
    await sender.replaceTrack(track);
  } catch (error) {
    track.stop();
    throw error;
  }
  // Keep SIP.js's local stream in step: its hold/mute helpers and `localMediaStream` readers look there.
  const local = handle.localMediaStream;
  if (old) {
    old.stop();
    if (typeof local.removeTrack === 'function') local.removeTrack(old);
  }
  if (typeof local.addTrack === 'function') local.addTrack(track);
}

interface StatLike {
  readonly type?: string;
  readonly kind?: string;
  readonly mediaType?: string;
  readonly [key: string]: unknown;
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/**
 * Live figures from `RTCPeerConnection.getStats()` (W3C webrtc-stats §8): inbound-rtp audio
 * (received, lost, bytes, energy, jitter), outbound-rtp audio (sent), media-source audio
 * (`audioLevel` → microphone level, 0 when absent). Counters are summed over streams.
 */
export async function readMediaStats(pc: RTCPeerConnection): Promise<CallMediaStats> {
  const report = await pc.getStats();
  let packetsReceived = 0;
  let packetsLost = 0;
  let bytesReceived = 0;
  let totalAudioEnergy = 0;
  let jitterSec = 0;
  let packetsSent = 0;
  let microphoneLevel = 0;
  report.forEach((raw: unknown) => {
    const s = raw as StatLike;
    const audio = (s.kind ?? s.mediaType) === 'audio';
    if (!audio) return;
    if (s.type === 'inbound-rtp') {
      packetsReceived += num(s['packetsReceived']);
      packetsLost += num(s['packetsLost']);
      bytesReceived += num(s['bytesReceived']);
      totalAudioEnergy += num(s['totalAudioEnergy']);
      jitterSec = Math.max(jitterSec, num(s['jitter']));
    } else if (s.type === 'outbound-rtp') {
      packetsSent += num(s['packetsSent']);
    } else if (s.type === 'media-source') {
      microphoneLevel = Math.max(microphoneLevel, num(s['audioLevel']));
    }
  });
  return { packetsReceived, packetsLost, bytesReceived, totalAudioEnergy, packetsSent, jitterSec, microphoneLevel };
}

/** Devices as stored when nothing was chosen: the system defaults. */
export const DEFAULT_AUDIO_DEVICES: PhoneAudioDevices = { microphoneId: '', speakerId: '', ringerId: '' };

/**
 * Open the microphone once and release it at once. The first `getUserMedia` of a page spends
 * ~400 ms starting the capture device (measured in Chromium here; later ones take ~30 ms), and
 * without this that time lands between the operator pressing Answer and the caller being heard.
 * Doing it at registration also puts the permission question at the start of the shift, not
 * in front of the first caller. Nothing stays open: the OS shows no microphone in use.
 * Resolves false when there is no usable microphone (the call path reports why).
 */
export async function warmUpMicrophone(microphoneId: string): Promise<boolean> {
  const mediaDevices = (globalThis as { navigator?: { mediaDevices?: MediaDevices } }).navigator?.mediaDevices;
  if (typeof mediaDevices?.getUserMedia !== 'function') return false;
  try {
    const stream = await mediaDevices.getUserMedia(microphoneConstraints(microphoneId));
    for (const track of stream.getTracks()) track.stop();
    return true;
  } catch {
    return false;
  }
}
