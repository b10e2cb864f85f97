import { describe, expect, it } from 'vitest';
import { newCall } from '../../softphone/call-state';
import type { PhoneCall } from '../../softphone/phone';
import { callWaitingWav, makeWav, ringerModeOf, ringtoneWav } from './ringer';

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
