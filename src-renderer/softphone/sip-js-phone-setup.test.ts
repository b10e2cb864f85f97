/**
 * Call set-up time: the prepared microphone (no getUserMedia between the click and the INVITE /
 * 200 OK), the LAN ICE completion (no wait for TCP candidates) and the first-call warm-up,
 * through the phone's real SDH-factory wiring with a fake Web SDH, against the fake SIP server
 * and the fake clock.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src-shared/time/manual-clock';
import { FakeSdh, FakeSipServer, FakeStream, FakeTrack, FakeTransport, FakeWebSdh, fakeWebSdhFactory } from './fake-sip-server';
import type { PhoneAccount } from './phone';
import { settle, testAccount, until } from './phone-test-support';
import type { PeerConnectionConstructor } from './engine-warm-up';
import { RING_PREPARE_DELAY_MS, SipJsPhone, WARM_UP_DELAY_MS, WARM_UP_STEP_GAP_MS, WARMED_UP_MARK } from './sip-js-phone';

const ACCOUNT: PhoneAccount = testAccount({ audioDevices: { microphoneId: 'headset-mic', speakerId: '', ringerId: '' } });

const HEADSET = { audio: { deviceId: { exact: 'headset-mic' } }, video: false };
const UDP_HOST = { type: 'host', protocol: 'udp' };
const TCP_HOST = { type: 'host', protocol: 'tcp' };


let phone: SipJsPhone | undefined;
let callSeq = 0;

beforeEach(() => {
  FakeSdh.all.length = 0;
  FakeWebSdh.webAll.length = 0;
  FakeWebSdh.gatherInstantly = true;
});

afterEach(async () => {
  await phone?.stop().catch(() => undefined);
  phone = undefined;
  FakeWebSdh.gatherInstantly = true;
  vi.unstubAllGlobals();
});

/** A microphone API that records every getUserMedia and the track it gave. */
function stubMicrophone() {
  const requests: unknown[] = [];
  const tracks: FakeTrack[] = [];
  /** While set, getUserMedia waits for `openGate()` (a slow capture device). */
  const gate: { wait: Promise<void> | null; open: () => void } = { wait: null, open: () => undefined };
  vi.stubGlobal('navigator', {
    mediaDevices: {
      getUserMedia: async (constraints: { audio: { deviceId?: { exact: string } } | true }) => {
        requests.push(constraints);
        if (gate.wait) await gate.wait;
        const track = new FakeTrack('audio', constraints.audio === true ? 'default' : (constraints.audio.deviceId?.exact ?? ''));
        tracks.push(track);
        return new FakeStream([track]);
      },
    },
  });
  const slowDevice = () => {
    gate.wait = new Promise<void>((resolve) => (gate.open = resolve));
  };
  const openGate = () => {
    gate.wait = null;
    gate.open();
  };
  return { requests, tracks, slowDevice, openGate };
}

async function registered(account: Partial<PhoneAccount> = {}, peerConnection?: PeerConnectionConstructor) {
  const mic = stubMicrophone();
  const server = new FakeSipServer();
  const clock = new ManualClock();
  phone = new SipJsPhone({
    clock,
    transportConstructor: FakeTransport,
    webSessionDescriptionHandlerFactory: fakeWebSdhFactory as never,
    ...(peerConnection ? { peerConnection } : {}),
  });
  await phone.start({ ...ACCOUNT, ...account });
  const p = phone;
  await until(() => p.registration.state === 'registered', 'registered');
  // The registration warm-up opens and releases the microphone once; later figures start from here.
  await until(() => mic.tracks.length === 1 && mic.tracks[0]!.stopped, 'warm-up');
  mic.requests.length = 0;
  mic.tracks.length = 0;
  return { server, clock, phone: p, ...mic };
}

type Env = Awaited<ReturnType<typeof registered>>;

const stateOf = (env: Env, id: string) => env.phone.calls.find((c) => c.id === id)?.state;

async function ringing(env: Env) {
  const incoming = env.server.inviteDesk({ callId: `setup-${++callSeq}@test` });
  await until(() => env.phone.calls.some((c) => c.id.startsWith(incoming.callId)), 'ringing');
  return { incoming, id: env.phone.calls.find((c) => c.id.startsWith(incoming.callId))!.id };
}

describe('prepared microphone', () => {
  it('the next call takes the prepared stream: no getUserMedia at call time, and the session owns it', async () => {
    const env = await registered();
    env.phone.prepareMicrophone();
    await until(() => env.tracks.length === 1, 'microphone prepared');
    expect(env.requests).toEqual([HEADSET]);
    const prepared = env.tracks[0]!;

    const id = await env.phone.call('102');
    await until(() => stateOf(env, id) === 'active', 'active');
    const sdh = FakeWebSdh.webAll[0]!;
    expect(sdh.mediaRequests).toEqual([HEADSET]);
    expect(sdh.localStream!.getTracks()).toEqual([prepared]);
    expect(env.requests).toHaveLength(1);
    // Handed over: the 10 s countdown no longer applies to it.
    env.clock.advance(10_000);
    expect(prepared.stopped).toBe(false);
    // The session stops it with the call.
    await env.phone.hangup(id);
    await until(() => prepared.stopped, 'stopped with the call');
  });

  it('an unused prepared stream is stopped after 10 s; the next call opens the microphone itself', async () => {
    const env = await registered();
    env.phone.prepareMicrophone();
    await until(() => env.tracks.length === 1, 'microphone prepared');
    env.clock.advance(9_999);
    await settle(2);
    expect(env.tracks[0]!.stopped).toBe(false);
    env.clock.advance(1);
    await until(() => env.tracks[0]!.stopped, 'released after 10 s');
    const id = await env.phone.call('102');
    await until(() => stateOf(env, id) === 'active', 'active');
    expect(env.requests).toEqual([HEADSET, HEADSET]);
    expect(FakeWebSdh.webAll[0]!.localStream!.getTracks()).toEqual([env.tracks[1]]);
  });

  it('a microphone change releases the prepared stream; the call opens the new device', async () => {
    const env = await registered();
    env.phone.prepareMicrophone();
    await until(() => env.tracks.length === 1, 'microphone prepared');
    await env.phone.setAudioDevices({ microphoneId: 'usb-mic', speakerId: '', ringerId: '' });
    await until(() => env.tracks[0]!.stopped, 'old device released');
    const id = await env.phone.call('102');
    await until(() => stateOf(env, id) === 'active', 'active');
    const usb = { audio: { deviceId: { exact: 'usb-mic' } }, video: false };
    expect(FakeWebSdh.webAll[0]!.mediaRequests).toEqual([usb]);
    expect(env.requests).toEqual([HEADSET, usb]);
    expect(FakeWebSdh.webAll[0]!.localStream!.getTracks()[0]!.deviceId).toBe('usb-mic');
  });

  it('an incoming call prepares the microphone while it rings; Answer takes it', async () => {
    const env = await registered();
    const r = await ringing(env);
    // Not while the screen pop paints: only after RING_PREPARE_DELAY_MS.
    expect(env.requests).toEqual([]);
    env.clock.advance(RING_PREPARE_DELAY_MS);
    await until(() => env.tracks.length === 1, 'prepared while ringing');
    expect(env.requests).toEqual([HEADSET]);
    await env.phone.answer(r.id);
    await until(() => r.incoming.answered(), '200 OK');
    r.incoming.ack();
    await until(() => stateOf(env, r.id) === 'active', 'active');
    expect(env.requests).toHaveLength(1);
    expect(FakeWebSdh.webAll[0]!.localStream!.getTracks()).toEqual([env.tracks[0]]);
  });

  it('a call cancelled while its prepared microphone still opens leaves no microphone on', async () => {
    const env = await registered();
    env.slowDevice();
    env.phone.prepareMicrophone();
    await until(() => env.requests.length === 1, 'getUserMedia started');
    const id = await env.phone.call('102');
    await until(() => FakeWebSdh.webAll[0]?.mediaRequests.length === 1, 'the call asked for the microphone');
    await env.phone.hangup(id);
    await until(() => env.phone.calls.length === 0, 'cancelled');
    env.openGate();
    await until(() => env.tracks.length === 1 && env.tracks[0]!.stopped, 'the late stream stopped');
    expect(env.requests).toHaveLength(1);
    expect(env.server.sent('INVITE')).toHaveLength(0);
  });

  it('stop() releases a prepared stream; an offline phone prepares nothing', async () => {
    const env = await registered();
    env.phone.prepareMicrophone();
    await until(() => env.tracks.length === 1, 'microphone prepared');
    await env.phone.stop();
    await until(() => env.tracks[0]!.stopped, 'released on stop');
    env.phone.prepareMicrophone();
    await settle(5);
    expect(env.requests).toHaveLength(1);
    expect(env.clock.pending()).not.toContain(10_000);
  });
});

describe('LAN ICE completion', () => {
  async function dialling(account: Partial<PhoneAccount> = {}) {
    const env = await registered(account);
    FakeWebSdh.gatherInstantly = false;
    const id = await env.phone.call('102');
    await until(() => FakeWebSdh.webAll[0]?.waitingForIce === true, 'gathering');
    return { env, id, sdh: FakeWebSdh.webAll[0]! };
  }

  it('no ICE servers: the INVITE leaves 30 ms after the UDP host candidate, without waiting for TCP ones', async () => {
    const { env, sdh } = await dialling();
    sdh.candidate(UDP_HOST);
    env.clock.advance(29);
    await settle();
    expect(env.server.sent('INVITE')).toHaveLength(0);
    env.clock.advance(1);
    await until(() => env.server.sent('INVITE').length === 1, 'INVITE');
    expect(sdh.earlyCompletions).toBe(1);
  });

  it('only TCP candidates: keeps waiting until gathering completes', async () => {
    const { env, sdh } = await dialling();
    sdh.candidate(TCP_HOST);
    env.clock.advance(1_000);
    await settle();
    expect(env.server.sent('INVITE')).toHaveLength(0);
    sdh.candidate(null);
    sdh.finishGathering();
    await until(() => env.server.sent('INVITE').length === 1, 'INVITE');
    expect(sdh.earlyCompletions).toBe(0);
  });

  it('with an ICE server configured the full gathering is kept (server-reflexive / relayed candidates matter)', async () => {
    const { env, sdh } = await dialling({ iceServers: [{ urls: 'stun:stun.clinic.test:3478' }] });
    sdh.candidate(UDP_HOST);
    env.clock.advance(1_000);
    await settle();
    expect(env.server.sent('INVITE')).toHaveLength(0);
    expect(sdh.earlyCompletions).toBe(0);
    sdh.finishGathering();
    await until(() => env.server.sent('INVITE').length === 1, 'INVITE');
  });

  it('answering on a LAN: the 200 OK leaves 30 ms after the UDP host candidate', async () => {
    const env = await registered();
    FakeWebSdh.gatherInstantly = false;
    const r = await ringing(env);
    void env.phone.answer(r.id);
    await until(() => FakeWebSdh.webAll[0]?.waitingForIce === true, 'gathering');
    const sdh = FakeWebSdh.webAll[0]!;
    sdh.candidate(UDP_HOST);
    await settle();
    expect(r.incoming.answered()).toBe(false);
    env.clock.advance(30);
    await until(() => r.incoming.answered(), '200 OK');
    r.incoming.ack();
    await until(() => stateOf(env, r.id) === 'active', 'active');
  });
});

describe('first-call warm-up', () => {
  /** Records the warm-up's peer connections (engine-warm-up.test.ts checks what it asks of them). */
  function fakePeerConnections() {
    const made: { closed: boolean }[] = [];
    class Fake {
      closed = false;
      constructor() {
        made.push(this);
      }
      addTransceiver(): void {}
      async createOffer() {
        return { type: 'offer', sdp: '' };
      }
      async setRemoteDescription(): Promise<void> {}
      async createAnswer() {
        return { type: 'answer', sdp: '' };
      }
      close(): void {
        this.closed = true;
      }
    }
    return { made, Fake: Fake as unknown as PeerConnectionConstructor };
  }

  const warmedUp = () => performance.getEntriesByName(WARMED_UP_MARK, 'mark').length > 0;

  /** Runs the warm-up's timers (its start delay, then one gap per step) until it marks itself done. */
  async function runWarmUp(env: Env): Promise<void> {
    env.clock.advance(WARM_UP_DELAY_MS);
    for (let i = 0; i < 20 && !warmedUp(); i++) {
      await settle(2);
      env.clock.advance(WARM_UP_STEP_GAP_MS);
    }
  }

  afterEach(() => performance.clearMarks(WARMED_UP_MARK));

  it('after registering and a pause, warms the WebRTC engine once and marks it — nothing sent, no microphone held', async () => {
    const pcs = fakePeerConnections();
    const env = await registered({}, pcs.Fake);
    const sentBefore = env.server.received.length;
    await settle();
    expect(pcs.made).toHaveLength(0);
    await runWarmUp(env);
    expect(warmedUp()).toBe(true);
    expect(pcs.made).toHaveLength(2);
    expect(pcs.made.every((pc) => pc.closed)).toBe(true);
    expect(env.server.received).toHaveLength(sentBefore);
    expect(env.requests).toEqual([]);
    // Once per phone: nothing more later.
    env.clock.advance(60_000);
    await settle();
    expect(pcs.made).toHaveLength(2);
  });

  it('a call that comes first ends the warm-up: nothing is warmed while it rings, none of it afterwards', async () => {
    const pcs = fakePeerConnections();
    const env = await registered({}, pcs.Fake);
    const r = await ringing(env);
    await runWarmUp(env);
    expect(warmedUp()).toBe(false);
    expect(pcs.made).toHaveLength(0);
    await env.phone.reject(r.id);
    await until(() => env.phone.calls.length === 0, 'rejected');
    await runWarmUp(env);
    expect(pcs.made).toHaveLength(0);
  });
});
