import { afterEach, describe, expect, it, vi } from 'vitest';
import { newCall } from '../../softphone/call-state';
import type { PhoneCall } from '../../softphone/phone';
import { callWaitingWav, createAudioRinger, makeWav, ringerModeOf, ringtoneWav } from './ringer';

const incoming = (id: string, state: PhoneCall['state'] = 'ringing'): PhoneCall => ({
  ...newCall({ id, direction: 'incoming', remoteNumber: '101', remoteDisplayName: '', at: 0 }),
  state,
});
const outgoing = (id: string, state: PhoneCall['state']): PhoneCall => ({
  ...newCall({ id, direction: 'outgoing', remoteNumber: '102', remoteDisplayName: '', at: 0 }),
  state,
});

describe('ringerModeOf', () => {
  it('is silent with no calls, or with calls but none ringing in', () => {
    expect(ringerModeOf([])).toBe('silent');
    expect(ringerModeOf([incoming('a', 'active')])).toBe('silent');
    expect(ringerModeOf([incoming('a', 'connecting')])).toBe('silent'); // answered: stop at once
    expect(ringerModeOf([outgoing('b', 'ringing')])).toBe('silent'); // our own call ringing out is not a ringtone
    expect(ringerModeOf([incoming('a', 'ended')])).toBe('silent');
  });

  it('rings while an incoming call rings and the operator is free', () => {
    expect(ringerModeOf([incoming('a')])).toBe('ring');
    expect(ringerModeOf([incoming('a'), incoming('b')])).toBe('ring');
  });

  it('plays the call-waiting tone instead when another call is up (active, held, recovering or being set up)', () => {
    for (const state of ['active', 'held', 'recovering', 'connecting'] as const) {
      expect(ringerModeOf([incoming('a', state), incoming('b')]), state).toBe('waiting');
    }
    expect(ringerModeOf([outgoing('c', 'ringing'), incoming('b')])).toBe('waiting');
  });
});

describe('generated tones', () => {
  it('are valid 8 kHz 16-bit mono PCM WAVs of the right length', () => {
    const wav = makeWav(0.5, () => 0.5);
    const view = new DataView(wav.buffer);
    const text = (offset: number) => String.fromCharCode(...wav.slice(offset, offset + 4));
    expect([text(0), text(8), text(12), text(36)]).toEqual(['RIFF', 'WAVE', 'fmt ', 'data']);
    expect(view.getUint16(20, true)).toBe(1);
    expect(view.getUint16(22, true)).toBe(1);
    expect(view.getUint32(24, true)).toBe(8000);
    expect(view.getUint32(40, true)).toBe(8000);
    expect(wav.length).toBe(44 + 8000);
    expect(view.getInt16(44, true)).toBe(Math.round(0.5 * 0x7fff));
  });

  it('the ringtone sounds for 1 s in its 5 s cycle; call waiting beeps briefly', () => {
    const sample = (wav: Uint8Array<ArrayBuffer>, seconds: number) => new DataView(wav.buffer).getInt16(44 + Math.round(seconds * 8000) * 2, true);
    const loud = (wav: Uint8Array<ArrayBuffer>, from: number, to: number) => {
      let peak = 0;
      for (let t = from; t < to; t += 1 / 8000) peak = Math.max(peak, Math.abs(sample(wav, t)));
      return peak;
    };
    const ring = ringtoneWav();
    expect(ring.length).toBe(44 + 5 * 8000 * 2);
    expect(loud(ring, 0.1, 0.9)).toBeGreaterThan(5000);
    expect(loud(ring, 1.05, 4.9)).toBe(0);
    const waiting = callWaitingWav();
    expect(loud(waiting, 0.05, 0.15)).toBeGreaterThan(3000);
    expect(loud(waiting, 0.25, 0.35)).toBe(0);
    expect(loud(waiting, 0.45, 0.55)).toBeGreaterThan(3000);
    expect(loud(waiting, 0.7, 3.9)).toBe(0);
  });
});

describe('the <audio> ringer', () => {
  class FakeAudio {
    static made: FakeAudio[] = [];
    src = '';
    loop = false;
    preload = '';
    paused = true;
    currentTime = 0;
    sinkId = '';
    constructor() {
      FakeAudio.made.push(this);
    }
    setSinkId(id: string): Promise<void> {
      this.sinkId = id;
      return Promise.resolve();
    }
    play(): Promise<void> {
      this.paused = false;
      return Promise.resolve();
    }
    pause(): void {
      this.paused = true;
    }
    removeAttribute(name: string): void {
      if (name === 'src') this.src = '';
    }
  }

  function withFakeAudio(): void {
    FakeAudio.made = [];
    vi.stubGlobal('Audio', FakeAudio);
    let next = 0;
    vi.spyOn(URL, 'createObjectURL').mockImplementation(() => `blob:tone-${++next}`);
    vi.spyOn(URL, 'revokeObjectURL').mockImplementation(() => undefined);
  }

  afterEach(() => {
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });

  it('loads both tones on their devices ahead of the ring, so a ring only starts playback', async () => {
    withFakeAudio();
    const ringer = createAudioRinger();
    ringer.prepare('ring', 'speakers');
    ringer.prepare('waiting', 'headset');
    expect(FakeAudio.made.map((a) => [a.sinkId, a.preload, a.loop, a.src !== ''])).toEqual([
      ['speakers', 'auto', true, true],
      ['headset', 'auto', true, true],
    ]);

    ringer.play('ring', 'speakers');
    await vi.waitFor(() => expect(FakeAudio.made.map((a) => a.paused)).toEqual([false, true]));
    expect(FakeAudio.made).toHaveLength(2);

    // Answered: silent and rewound; the next ring plays the same element from the start.
    ringer.play('silent', '');
    expect(FakeAudio.made[0]).toMatchObject({ paused: true, currentTime: 0 });
    ringer.play('ring', 'speakers');
    await vi.waitFor(() => expect(FakeAudio.made[0]!.paused).toBe(false));
    expect(FakeAudio.made).toHaveLength(2);

    // A call rings while another is up: the waiting beeps on the headset instead.
    ringer.play('waiting', 'headset');
    await vi.waitFor(() => expect(FakeAudio.made.map((a) => a.paused)).toEqual([true, false]));
    ringer.dispose();
    expect(FakeAudio.made.every((a) => a.paused && a.src === '')).toBe(true);
  });

  it('rings on a device it was not prepared for (chosen in Settings meanwhile), keeping at most four elements', async () => {
    withFakeAudio();
    const ringer = createAudioRinger();
    for (const device of ['a', 'b', 'c', 'd', 'e', 'f']) ringer.prepare('ring', device);
    ringer.play('ring', 'g');
    await vi.waitFor(() => expect(FakeAudio.made.find((a) => !a.paused)?.sinkId).toBe('g'));
    expect(FakeAudio.made.filter((a) => a.src !== '').length).toBeLessThanOrEqual(4);
  });
});
