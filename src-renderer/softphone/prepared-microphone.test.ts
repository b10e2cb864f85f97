import { describe, expect, it } from 'vitest';
import { microphoneConstraints } from './call-media';
import { ManualClock } from '../../src-shared/time/manual-clock';
import { FakeStream, FakeTrack } from './fake-sip-server';
import { PREPARED_MICROPHONE_MS, PreparedMicrophone } from './prepared-microphone';

function setup(fail = false) {
  const clock = new ManualClock();
  const opened: { constraints: MediaStreamConstraints; track: FakeTrack }[] = [];
  let resolveNext: (() => void) | null = null;
  let hold = false;
  const gum = async (constraints: MediaStreamConstraints) => {
    if (hold) await new Promise<void>((r) => (resolveNext = r));
    if (fail) throw new Error('NotAllowedError');
    const audio = constraints.audio as { deviceId?: { exact: string } } | true;
    const track = new FakeTrack('audio', audio === true ? 'default' : (audio.deviceId?.exact ?? ''));
    opened.push({ constraints, track });
    return new FakeStream([track]) as unknown as MediaStream;
  };
  const mic = new PreparedMicrophone(clock, () => gum);
  const fallbacks: MediaStreamConstraints[] = [];
  const fallback = async (c: MediaStreamConstraints) => {
    fallbacks.push(c);
    return new FakeStream([new FakeTrack('audio', 'fallback')]) as unknown as MediaStream;
  };
  return {
    clock,
    mic,
    opened,
    fallbacks,
    fallback,
    holdNext: () => (hold = true),
    release: () => resolveNext?.(),
  };
}

const flush = async () => {
  for (let i = 0; i < 5; i++) await Promise.resolve();
};

describe('PreparedMicrophone', () => {
  it('hands the prepared stream to a call asking for the same device: no second getUserMedia', async () => {
    const env = setup();
    env.mic.prepare('mic-2');
    await flush();
    expect(env.opened).toHaveLength(1);
    const stream = (await env.mic.take(microphoneConstraints('mic-2'), env.fallback)) as unknown as FakeStream;
    expect(stream.getTracks()).toEqual([env.opened[0]!.track]);
    expect(env.opened).toHaveLength(1);
    expect(env.fallbacks).toEqual([]);
    // Handed over: the countdown is off and the session owns the track.
    expect(env.mic.held).toBe(false);
    expect(env.clock.pending()).toEqual([]);
    env.clock.advance(PREPARED_MICROPHONE_MS);
    expect(env.opened[0]!.track.stopped).toBe(false);
    // Nothing left to hand out.
    expect(env.mic.take(microphoneConstraints('mic-2'), env.fallback)).toBeNull();
  });

  it('an unused stream is stopped 10 s after the last request (each request re-arms it)', async () => {
    const env = setup();
    env.mic.prepare('');
    await flush();
    env.clock.advance(6_000);
    env.mic.prepare(''); // the operator is still typing
    await flush();
    expect(env.opened).toHaveLength(1);
    env.clock.advance(PREPARED_MICROPHONE_MS - 1);
    await flush();
    expect(env.opened[0]!.track.stopped).toBe(false);
    env.clock.advance(1);
    await flush();
    expect(env.opened[0]!.track.stopped).toBe(true);
    expect(env.mic.held).toBe(false);
    expect(env.mic.take(microphoneConstraints(''), env.fallback)).toBeNull();
  });

  it('is not reused for another device; preparing another device replaces it', async () => {
    const env = setup();
    env.mic.prepare('headset');
    await flush();
    expect(env.mic.take(microphoneConstraints('usb-mic'), env.fallback)).toBeNull();
    expect(env.mic.take({ audio: { deviceId: { exact: 'headset' } }, video: true }, env.fallback)).toBeNull();
    env.mic.prepare('usb-mic');
    await flush();
    expect(env.opened.map((o) => o.track.deviceId)).toEqual(['headset', 'usb-mic']);
    expect(env.opened[0]!.track.stopped).toBe(true);
    expect(env.opened[1]!.track.stopped).toBe(false);
  });

  it('release stops it at once; a stream arriving after release is stopped too', async () => {
    const env = setup();
    env.mic.prepare('');
    await flush();
    env.mic.release();
    await flush();
    expect(env.opened[0]!.track.stopped).toBe(true);
    expect(env.clock.pending()).toEqual([]);
    env.holdNext();
    env.mic.prepare('');
    env.mic.release();
    env.release();
    await flush();
    expect(env.opened[1]!.track.stopped).toBe(true);
  });

  it('a call set up while getUserMedia still runs waits for that stream rather than opening a second', async () => {
    const env = setup();
    env.holdNext();
    env.mic.prepare('');
    const taking = env.mic.take(microphoneConstraints(''), env.fallback)!;
    expect(taking).not.toBeNull();
    env.release();
    const stream = (await taking) as unknown as FakeStream;
    expect(env.opened).toHaveLength(1);
    expect(stream.getTracks()[0]).toBe(env.opened[0]!.track);
    expect(env.fallbacks).toEqual([]);
  });

  it('a prepared track the device ended (unplugged) is not handed over: the call opens a fresh one', async () => {
    const env = setup();
    env.mic.prepare('');
    await flush();
    env.opened[0]!.track.ended = true;
    await env.mic.take(microphoneConstraints(''), env.fallback);
    expect(env.fallbacks).toEqual([microphoneConstraints('')]);
  });

  it('a refused getUserMedia prepares nothing and leaves no timer', async () => {
    const env = setup(true);
    env.mic.prepare('');
    await flush();
    expect(env.mic.held).toBe(false);
    expect(env.clock.pending()).toEqual([]);
  });

  it('without a microphone API it does nothing', () => {
    const clock = new ManualClock();
    const mic = new PreparedMicrophone(clock, () => null);
    mic.prepare('');
    expect(mic.held).toBe(false);
    expect(clock.pending()).toEqual([]);
  });
});
