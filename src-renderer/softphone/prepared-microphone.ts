/**
 * A microphone opened a moment before a call needs it. `getUserMedia` restarts the capture device
 * every time (~176 ms measured in Chromium here, even after the registration warm-up), and without
 * this that time lands between the click on Call/Answer and the INVITE/200 OK. No SIP.js import:
 * the SIP.js side hands {@link PreparedMicrophone.take} to the SDH as its media-stream factory.
 *
 * Privacy: an unused stream is stopped {@link PREPARED_MICROPHONE_MS} after the last request,
 * on a device change and on {@link PreparedMicrophone.release}; nothing else keeps it open (the OS
 * shows the microphone in use while it is).
 */
import { microphoneConstraints } from './call-media';
import type { Clock } from '../../src-shared/time/clock';

/** How long a prepared, unused microphone stream is kept after the last request for it. */
export const PREPARED_MICROPHONE_MS = 10_000;

/** `navigator.mediaDevices.getUserMedia`, or what a test puts there. */
export type GetUserMedia = (constraints: MediaStreamConstraints) => Promise<MediaStream>;

interface Prepared {
  readonly microphoneId: string;
  /** The key of the constraints it was opened with, to match a call's request. */
  readonly key: string;
  /** Resolves to the stream, or null when getUserMedia failed. */
  readonly stream: Promise<MediaStream | null>;
  timer: unknown;
}

/** The key two constraint sets match on: the audio part (the device) and no video. */
function constraintsKey(constraints: MediaStreamConstraints): string | null {
  if (constraints.video) return null;
  return JSON.stringify(constraints.audio ?? false);
}

function isLive(stream: MediaStream): boolean {
  const tracks = stream.getAudioTracks();
  return tracks.length > 0 && tracks.every((t) => t.readyState !== 'ended');
}

function stopStream(stream: MediaStream | null): void {
  if (stream) for (const track of stream.getTracks()) track.stop();
}

/** The browser's getUserMedia, feature-detected (none in Node, in insecure contexts, or without devices). */
export function browserGetUserMedia(): GetUserMedia | null {
  const mediaDevices = (globalThis as { navigator?: { mediaDevices?: MediaDevices } }).navigator?.mediaDevices;
  if (typeof mediaDevices?.getUserMedia !== 'function') return null;
  return (constraints) => mediaDevices.getUserMedia(constraints);
}

/**
 * Holds at most one prepared microphone stream. {@link prepare} opens it (or re-arms the
 * countdown of the one already open for that device); {@link take} hands it to a call that asks
 * for the same constraints — from then on it is the call's (its SDH stops it), not ours.
 */
export class PreparedMicrophone {
  private prepared: Prepared | null = null;

  constructor(
    private readonly clock: Clock,
    private readonly getUserMedia: () => GetUserMedia | null = browserGetUserMedia,
    private readonly keepMs = PREPARED_MICROPHONE_MS,
  ) {}

  /** Whether a stream (or a request for one) is held right now. */
  get held(): boolean {
    return this.prepared !== null;
  }

  /**
   * Open `microphoneId` ('' = system default) and keep it for {@link keepMs}, unless it is already
   * held, in which case the countdown starts again. A different device replaces the held one.
   * Never throws; a failed getUserMedia just leaves nothing prepared (the call path reports why).
   */
  prepare(microphoneId: string): void {
    const current = this.prepared;
    if (current && current.microphoneId === microphoneId) {
      this.arm(current);
      return;
    }
    this.release();
    const gum = this.getUserMedia();
    if (!gum) return;
    const constraints = microphoneConstraints(microphoneId);
    const key = constraintsKey(constraints);
    if (key === null) return;
    let stream: Promise<MediaStream | null>;
    try {
      stream = gum(constraints).then(
        (s) => s,
        () => null,
      );
    } catch {
      return;
    }
    const prepared: Prepared = { microphoneId, key, stream, timer: null };
    this.prepared = prepared;
    this.arm(prepared);
    // A failed getUserMedia prepares nothing. (A stream released or taken meanwhile is stopped
    // by `release` or owned by the call.)
    void stream.then((s) => {
      if (!s) this.drop(prepared);
    });
  }

  /**
   * The prepared stream for a call whose SDH asks for `constraints`, or null when none matches
   * (another device, video, not prepared, already ended). A match is handed over: the countdown
   * stops and the stream belongs to the session from now on. If getUserMedia is still running,
   * the call waits for it rather than starting a second one — or falls back when it fails.
   */
  take(constraints: MediaStreamConstraints, fallback: (c: MediaStreamConstraints) => Promise<MediaStream>): Promise<MediaStream> | null {
    const prepared = this.prepared;
    if (!prepared || constraintsKey(constraints) !== prepared.key) return null;
    this.drop(prepared);
    return prepared.stream.then((s) => {
      if (s && isLive(s)) return s;
      stopStream(s);
      return fallback(constraints);
    });
  }

  /** Stop an unused prepared stream now (device change, phone stop). */
  release(): void {
    const prepared = this.prepared;
    if (!prepared) return;
    this.drop(prepared);
    void prepared.stream.then(stopStream);
  }

  private arm(prepared: Prepared): void {
    if (prepared.timer !== null) this.clock.clearTimeout(prepared.timer);
    prepared.timer = this.clock.setTimeout(() => {
      prepared.timer = null;
      if (this.prepared === prepared) this.release();
    }, this.keepMs);
  }

  /** Forget it (no stopping: the caller decides). */
  private drop(prepared: Prepared): void {
    if (prepared.timer !== null) this.clock.clearTimeout(prepared.timer);
    prepared.timer = null;
    if (this.prepared === prepared) this.prepared = null;
  }
}
