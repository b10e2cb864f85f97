import type { PhoneCall } from '../../softphone/phone';
import { isIncomingRinging } from './phone-store';

/**
 * What the desk plays: the ringtone (on the ringer device) while an incoming call rings and the
 * operator is free; the call-waiting tone (short beeps in the headset) when a call rings while
 * another is already up; nothing otherwise.
 */
export type RingerMode = 'silent' | 'ring' | 'waiting';

export function ringerModeOf(calls: readonly PhoneCall[]): RingerMode {
  if (!calls.some(isIncomingRinging)) return 'silent';
  const busy = calls.some((call) => !isIncomingRinging(call) && call.state !== 'ended');
  return busy ? 'waiting' : 'ring';
}

const SAMPLE_RATE = 8000;

/**
 * A 16-bit mono PCM WAV (RIFF) of `seconds`, with `tone(t)` in -1..1 as the signal. Built in
 * code so the desk ships no audio files and the CSP needs only `media-src blob:`.
 */
export function makeWav(seconds: number, tone: (t: number) => number): Uint8Array<ArrayBuffer> {
  const samples = Math.round(seconds * SAMPLE_RATE);
  const bytes = new Uint8Array(new ArrayBuffer(44 + samples * 2));
  const view = new DataView(bytes.buffer);
  const text = (offset: number, value: string) => {
    for (let i = 0; i < value.length; i++) view.setUint8(offset + i, value.charCodeAt(i));
  };
  text(0, 'RIFF');
  view.setUint32(4, 36 + samples * 2, true);
  text(8, 'WAVE');
  text(12, 'fmt ');
  view.setUint32(16, 16, true); // fmt chunk size
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, SAMPLE_RATE, true);
  view.setUint32(28, SAMPLE_RATE * 2, true); // byte rate
  view.setUint16(32, 2, true); // block align
  view.setUint16(34, 16, true); // bits per sample
  text(36, 'data');
  view.setUint32(40, samples * 2, true);
  for (let i = 0; i < samples; i++) {
    const value = Math.max(-1, Math.min(1, tone(i / SAMPLE_RATE)));
    view.setInt16(44 + i * 2, Math.round(value * 0x7fff), true);
  }
  return bytes;
}

/** A burst of `freqs` from `start` for `length` s, with 15 ms fades so it does not click. */
function burst(t: number, start: number, length: number, freqs: readonly number[], gain: number): number {
  const local = t - start;
  if (local < 0 || local >= length) return 0;
  const fade = Math.min(1, local / 0.015, (length - local) / 0.015);
  let sum = 0;
  for (const freq of freqs) sum += Math.sin(2 * Math.PI * freq * t);
  return (sum / freqs.length) * gain * fade;
}

/** Ringtone: a soft two-tone (425 + 480 Hz) for 1 s, then 4 s quiet; 5 s, looped. */
export function ringtoneWav(): Uint8Array<ArrayBuffer> {
  return makeWav(5, (t) => burst(t, 0, 1, [425, 480], 0.5));
}

/** Call waiting: two short 425 Hz beeps, then quiet; 4 s, looped, in the headset. */
export function callWaitingWav(): Uint8Array<ArrayBuffer> {
  return makeWav(4, (t) => burst(t, 0, 0.2, [425], 0.35) + burst(t, 0.4, 0.2, [425], 0.35));
}

/** Plays a {@link RingerMode} on a device; the real one uses `<audio>` elements, tests a fake. */
export interface RingerOutput {
  /**
   * Loads the tone for `mode` on `deviceId` ahead of time, so the first ring only starts
   * playback: generating the tone and loading a media element cost tens of milliseconds of the
   * page's thread, exactly while the screen pop is being painted (the pop's 50 ms budget).
   */
  prepare(mode: Exclude<RingerMode, 'silent'>, deviceId: string): void;
  play(mode: RingerMode, deviceId: string): void;
  dispose(): void;
}

type SinkAudio = HTMLAudioElement & { setSinkId?: (id: string) => Promise<void> };

/** Prepared elements kept at most (ring + waiting on the current devices, plus a device switch). */
const PREPARED_LIMIT = 4;

/**
 * The `<audio>` ringer: one loaded, looping element per (tone, device), reused from ring to ring.
 * Anything the platform refuses (no Blob URLs, no `setSinkId`, autoplay blocked before the first
 * click) is swallowed: a missing ringtone must never break a call.
 */
export function createAudioRinger(): RingerOutput {
  const urls: Partial<Record<Exclude<RingerMode, 'silent'>, string>> = {};
  const prepared = new Map<string, { element: SinkAudio; sinkSet: Promise<unknown> }>();
  let playing: SinkAudio | null = null;
  let current: { mode: RingerMode; deviceId: string } = { mode: 'silent', deviceId: '' };
  const supported = typeof Audio === 'function' && typeof URL !== 'undefined' && typeof URL.createObjectURL === 'function';

  const urlFor = (mode: Exclude<RingerMode, 'silent'>): string => {
    const existing = urls[mode];
    if (existing) return existing;
    const wav = mode === 'ring' ? ringtoneWav() : callWaitingWav();
    const url = URL.createObjectURL(new Blob([wav], { type: 'audio/wav' }));
    urls[mode] = url;
    return url;
  };

  const elementFor = (mode: Exclude<RingerMode, 'silent'>, deviceId: string) => {
    const key = `${mode}\u0000${deviceId}`;
    const existing = prepared.get(key);
    if (existing) return existing;
    const element: SinkAudio = new Audio();
    element.loop = true;
    element.preload = 'auto';
    element.src = urlFor(mode);
    const sinkSet = typeof element.setSinkId === 'function' && deviceId !== '' ? element.setSinkId(deviceId).catch(() => undefined) : Promise.resolve();
    const entry = { element, sinkSet };
    prepared.set(key, entry);
    // The oldest idle element goes (a device switched away from).
    for (const [oldKey, old] of prepared) {
      if (prepared.size <= PREPARED_LIMIT) break;
      if (old.element === playing || oldKey === key) continue;
      old.element.removeAttribute('src');
      prepared.delete(oldKey);
    }
    return entry;
  };

  const stop = () => {
    if (!playing) return;
    playing.pause();
    playing.currentTime = 0;
    playing = null;
  };

  return {
    prepare(mode, deviceId) {
      if (!supported) return;
      try {
        elementFor(mode, deviceId);
      } catch {
        // Prepared on first ring instead.
      }
    },
    play(mode, deviceId) {
      if (current.mode === mode && current.deviceId === deviceId) return;
      current = { mode, deviceId };
      if (!supported) return;
      try {
        stop();
        if (mode === 'silent') return;
        const { element, sinkSet } = elementFor(mode, deviceId);
        playing = element;
        void sinkSet.then(() => (playing === element ? element.play() : undefined)).catch(() => undefined);
      } catch {
        playing = null;
      }
    },
    dispose() {
      current = { mode: 'silent', deviceId: '' };
      try {
        stop();
        for (const { element } of prepared.values()) element.removeAttribute('src');
        prepared.clear();
        for (const url of Object.values(urls)) URL.revokeObjectURL(url);
      } catch {
        // nothing to release
      }
    },
  };
}
