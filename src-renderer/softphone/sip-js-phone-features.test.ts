/**
 * SipJsPhone's second-line, intercom, transfer, DTMF-mode and media behaviour against the fake SIP
 * server. Time-driven behaviour uses the fake clock; network progress is awaited by condition.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ManualClock } from '../../src-shared/time/manual-clock';
import type {
  FakeMediaSdh} from './fake-sip-server';
import {
  FakeAudioElement,
  FakeSdh,
  FakeSipServer,
  FakeStream,
  FakeTrack,
  FakeTransport,
  fakeMediaSdhFactory,
  fakeSdhFactory,
  type Parsed,
} from './fake-sip-server';
import type { PhoneAccount, PhoneCall } from './phone';
import { settle, testAccount, until } from './phone-test-support';
import { SipJsPhone } from './sip-js-phone';

const ACCOUNT: PhoneAccount = testAccount();


let phone: SipJsPhone | undefined;
let callSeq = 0;

beforeEach(() => {
  FakeSdh.all.length = 0;
  FakeSdh.dtmfWorks = false;
});

afterEach(async () => {
  await phone?.stop().catch(() => undefined);
  phone = undefined;
  vi.unstubAllGlobals();
});

async function registered(account: Partial<PhoneAccount> = {}, media = false) {
  const server = new FakeSipServer();
  const clock = new ManualClock();
  phone = new SipJsPhone({
    clock,
    transportConstructor: FakeTransport,
    sessionDescriptionHandlerFactory: media ? fakeMediaSdhFactory : fakeSdhFactory,
  });
  const ended: PhoneCall[] = [];
  phone.onCallEnded((c) => ended.push(c));
  await phone.start({ ...ACCOUNT, ...account });
  const p = phone;
  await until(() => p.registration.state === 'registered', 'registered');
  return { server, clock, phone: p, ended };
}

type Env = Awaited<ReturnType<typeof registered>>;

const call = (env: Env, id: string) => env.phone.calls.find((c) => c.id === id);
const isOk = (m: Parsed) => m.startLine === 'SIP/2.0 200 OK' && /INVITE/u.test(m.headers.get('cseq')?.[0] ?? '');
const inDialogInvites = (server: FakeSipServer, callId: string) =>
  server.sent('INVITE').filter((m) => m.headers.get('call-id')?.[0] === callId && /;tag=/u.test(m.headers.get('to')?.[0] ?? ''));
const callIdOf = (server: FakeSipServer, number: string) =>
  server.sent('INVITE').find((m) => m.startLine.startsWith(`INVITE sip:${number}@`))!.headers.get('call-id')![0]!;

async function outgoingActive(env: Env, number: string): Promise<string> {
  const id = await env.phone.call(number);
  await until(() => call(env, id)?.state === 'active', `${number} active`);
  return id;
}

/** An incoming call from the fake server, ringing on the desk. */
async function ringing(env: Env, headers: string[] = [], from = '"Пациент" <sip:+79001112233@clinic.test>') {
  const incoming = env.server.inviteDesk({ callId: `in-${++callSeq}@test`, from, headers });
  await until(() => env.phone.calls.some((c) => c.direction === 'incoming' && c.state === 'ringing' && !c.answeredAt && c.id.startsWith(incoming.callId)), 'ringing');
  const id = env.phone.calls.find((c) => c.id.startsWith(incoming.callId))!.id;
  return { incoming, id };
}

async function answerAndAck(env: Env, r: Awaited<ReturnType<typeof ringing>>): Promise<void> {
  await env.phone.answer(r.id);
  await until(() => r.incoming.answered(), '200 OK');
  r.incoming.ack();
  await until(() => call(env, r.id)?.state === 'active', 'incoming active');
}

describe('caller identity', () => {
  it('prefers the P-Asserted-Identity user part over From (RFC 3325 §9.1), keeping From’s display name', async () => {
    const env = await registered();
    const { id } = await ringing(env, ['P-Asserted-Identity: "Trunk" <sip:+74951234567@pbx.clinic.test>, <tel:+74951234567>'], '"Иванова" <sip:queue-7@clinic.test>');
    expect(call(env, id)).toMatchObject({ remoteNumber: '+74951234567', remoteDisplayName: 'Иванова' });
  });

  it('falls back to From when P-Asserted-Identity is unusable', async () => {
    const env = await registered();
    const { id } = await ringing(env, ['P-Asserted-Identity: <http://example.test/x>']);
    expect(call(env, id)).toMatchObject({ remoteNumber: '+79001112233', remoteDisplayName: 'Пациент' });
  });
});

describe('intercom auto-answer (Call-Info answer-after)', () => {
  it('answers after N seconds on the injected clock when the account allows it', async () => {
    const env = await registered({ autoAnswerIntercom: true });
    const r = await ringing(env, ['Call-Info: <sip:pbx.clinic.test>;answer-after=2']);
    expect(call(env, r.id)!.autoAnswerAfterSec).toBe(2);
    env.clock.advance(1_999);
    await settle();
    expect(r.incoming.answered()).toBe(false);
    expect(call(env, r.id)!.state).toBe('ringing');
    env.clock.advance(1);
    await until(() => r.incoming.answered(), 'auto-answer 200 OK');
    r.incoming.ack();
    await until(() => call(env, r.id)?.state === 'active', 'active');
  });

  it('only rings when the account does not allow intercom', async () => {
    const env = await registered({ autoAnswerIntercom: false });
    const r = await ringing(env, ['Call-Info: <sip:pbx>;answer-after=0']);
    expect(call(env, r.id)!.autoAnswerAfterSec).toBe(0);
    expect(env.clock.pending()).not.toContain(0);
    // Past the delay, short of the 15 s keep-alive (whose fake-clock deadline would drop the transport).
    env.clock.advance(10_000);
    await settle();
    expect(r.incoming.answered()).toBe(false);
    expect(call(env, r.id)!.state).toBe('ringing');
  });

  it('garbage Call-Info is no intercom; the first valid of several headers counts', async () => {
    const env = await registered({ autoAnswerIntercom: true });
    const bad = await ringing(env, ['Call-Info: <sip:pbx>;answer-after=soon']);
    expect(call(env, bad.id)!.autoAnswerAfterSec).toBeNull();
    await env.phone.reject(bad.id);
    const several = await ringing(env, ['Call-Info: <http://pbx/photo.jpg>;purpose=icon', 'Call-Info: <sip:pbx>;answer-after=300']);
    expect(call(env, several.id)!.autoAnswerAfterSec).toBe(60);
  });

  it('never auto-answers over another call: it rings normally', async () => {
    const env = await registered({ autoAnswerIntercom: true });
    const first = await outgoingActive(env, '102');
    const r = await ringing(env, ['Call-Info: <sip:pbx>;answer-after=0']);
    // Past the delay, short of the 15 s keep-alive (whose fake-clock deadline would drop the transport).
    env.clock.advance(10_000);
    await settle();
    expect(r.incoming.answered()).toBe(false);
    expect(call(env, r.id)!.state).toBe('ringing');
    expect(call(env, first)!.state).toBe('active');
    expect(inDialogInvites(env.server, callIdOf(env.server, '102'))).toHaveLength(0);
  });

  it('a call cancelled before the delay is not answered and leaves no timer behind', async () => {
    const env = await registered({ autoAnswerIntercom: true });
    const before = env.clock.pending().length;
    const r = await ringing(env, ['Call-Info: <sip:pbx>;answer-after=5']);
    // The auto-answer timer and the deferred microphone preparation.
    expect(env.clock.pending()).toHaveLength(before + 2);
    r.incoming.cancel();
    await until(() => env.ended.length === 1, 'cancelled');
    expect(env.ended[0]!.outcome).toBe('missed');
    expect(env.clock.pending()).toHaveLength(before);
    env.clock.advance(5_000);
    await settle();
    expect(r.incoming.answered()).toBe(false);
  });

  it('a call the operator answered first is not answered twice', async () => {
    const env = await registered({ autoAnswerIntercom: true });
    const r = await ringing(env, ['Call-Info: <sip:pbx>;answer-after=3']);
    await answerAndAck(env, r);
    const oks = () => env.server.received.filter((m) => isOk(m) && m.headers.get('call-id')?.[0] === r.incoming.callId).length;
    const sentOks = oks();
    env.clock.advance(3_000);
    await settle();
    expect(oks()).toBe(sentOks);
    expect(call(env, r.id)!.state).toBe('active');
  });
});

describe('second line', () => {
  it('answering a second call holds the first before the 200 OK (call waiting)', async () => {
    const env = await registered();
    const first = await outgoingActive(env, '102');
    const r = await ringing(env);
    await answerAndAck(env, r);
    expect(call(env, first)!.state).toBe('held');
    const holdInvite = inDialogInvites(env.server, callIdOf(env.server, '102'))[0]!;
    const ok = env.server.received.find((m) => isOk(m) && m.headers.get('call-id')?.[0] === r.incoming.callId)!;
    expect(env.server.received.indexOf(holdInvite)).toBeLessThan(env.server.received.indexOf(ok));
    expect(FakeSdh.all[0]!.offers.at(-1)).toMatchObject({ hold: true });
  });

  it('a double answer is refused while the first is holding the other line', async () => {
    const env = await registered();
    await outgoingActive(env, '102');
    const r = await ringing(env);
    const first = env.phone.answer(r.id);
    expect(call(env, r.id)!.state).toBe('connecting');
    await expect(env.phone.answer(r.id)).rejects.toThrow(/not a ringing/u);
    await first;
    await until(() => r.incoming.answered(), '200 OK');
    expect(env.server.received.filter((m) => isOk(m) && m.headers.get('call-id')?.[0] === r.incoming.callId)).toHaveLength(1);
  });

  it('answers even when the hold of the first call is refused', async () => {
    const env = await registered();
    const first = await outgoingActive(env, '102');
    env.server.refuseReInvites = true;
    env.server.reInviteRefusal = '488 Not Acceptable Here';
    const r = await ringing(env);
    await answerAndAck(env, r);
    expect(call(env, r.id)!.state).toBe('active');
    expect(call(env, first)?.state).toBe('active');
  });

  it('swap holds the talking call, then resumes the held one', async () => {
    const env = await registered();
    const first = await outgoingActive(env, '102');
    const r = await ringing(env);
    await answerAndAck(env, r);
    await env.phone.swap(first);
    expect(call(env, first)!.state).toBe('active');
    expect(call(env, r.id)!.state).toBe('held');
    // Hold the talking line first, then resume: the two parties never hear each other.
    const holdSecond = inDialogInvites(env.server, r.incoming.callId)[0]!;
    const resumeFirst = inDialogInvites(env.server, callIdOf(env.server, '102')).at(-1)!;
    expect(inDialogInvites(env.server, callIdOf(env.server, '102'))).toHaveLength(2);
    expect(env.server.received.indexOf(holdSecond)).toBeLessThan(env.server.received.indexOf(resumeFirst));
    await env.phone.swap(r.id);
    expect(call(env, first)!.state).toBe('held');
    expect(call(env, r.id)!.state).toBe('active');
  });
});

describe('refused holds never leave the operator on two lines', () => {
  it('swap does not resume the other call when the hold is refused', async () => {
    const env = await registered();
    const first = await outgoingActive(env, '102');
    const r = await ringing(env);
    await answerAndAck(env, r);
    env.server.refuseReInvites = true;
    env.server.reInviteRefusal = '488 Not Acceptable Here';
    await expect(env.phone.swap(first)).rejects.toThrow(/refused \(488\)/u);
    expect(call(env, first)!.state).toBe('held');
    expect(call(env, r.id)!.state).toBe('active');
    expect(inDialogInvites(env.server, callIdOf(env.server, '102'))).toHaveLength(1);
  });

  it('no consultation call when the caller cannot be held', async () => {
    const env = await registered();
    const r = await ringing(env);
    await answerAndAck(env, r);
    env.server.refuseReInvites = true;
    env.server.reInviteRefusal = '488 Not Acceptable Here';
    await expect(env.phone.startConsultation(r.id, '105')).rejects.toThrow(/refused/u);
    expect(env.phone.calls).toHaveLength(1);
    expect(env.server.sent('INVITE').filter((m) => m.startLine.startsWith('INVITE sip:105@'))).toHaveLength(0);
  });
});

describe('re-INVITE before the caller’s ACK (RFC 3261 §14.1)', () => {
  it('a hold right after answering waits for the ACK instead of killing the call', async () => {
    const env = await registered();
    const r = await ringing(env);
    await env.phone.answer(r.id);
    await until(() => r.incoming.answered(), '200 OK');
    const holding = env.phone.hold(r.id);
    await settle();
    expect(inDialogInvites(env.server, r.incoming.callId)).toHaveLength(0);
    r.incoming.ack();
    await holding;
    expect(call(env, r.id)!.state).toBe('held');
    expect(inDialogInvites(env.server, r.incoming.callId)).toHaveLength(1);
    expect(env.server.sent('BYE')).toHaveLength(0);
  });

  it('gives up with a clear error when the ACK never comes', async () => {
    const env = await registered();
    const r = await ringing(env);
    await env.phone.answer(r.id);
    await until(() => r.incoming.answered(), '200 OK');
    const holding = env.phone.hold(r.id);
    await settle();
    env.clock.advance(5_000);
    await expect(holding).rejects.toThrow(/no ACK/u);
    expect(inDialogInvites(env.server, r.incoming.callId)).toHaveLength(0);
    expect(call(env, r.id)!.state).toBe('active');
  });

  it('hanging up before the ACK ends the call at once; the BYE follows the ACK (RFC 3261 §15)', async () => {
    const env = await registered();
    const r = await ringing(env);
    await env.phone.answer(r.id);
    await until(() => r.incoming.answered(), '200 OK');
    await env.phone.hangup(r.id);
    expect(env.phone.calls).toEqual([]);
    expect(env.ended).toMatchObject([{ id: r.id, outcome: 'answered' }]);
    await settle();
    expect(env.server.sent('BYE')).toHaveLength(0);
    r.incoming.ack();
    await until(() => env.server.sent('BYE').length === 1, 'BYE after the ACK');
  });
});

describe('attended transfer (RFC 5589 §7)', () => {
  async function consulting() {
    const env = await registered();
    const r = await ringing(env);
    await answerAndAck(env, r);
    const consultation = await env.phone.startConsultation(r.id, '105');
    expect(call(env, r.id)!.state).toBe('held');
    expect(call(env, consultation)).toMatchObject({ consultationFor: r.id, direction: 'outgoing', remoteNumber: '105' });
    await until(() => call(env, consultation)?.state === 'active', 'consultation active');
    return { env, caller: r.id, callerCallId: r.incoming.callId, consultation };
  }

  it('REFERs the caller with Replaces naming the consultation dialog; after 202 both legs end answered', async () => {
    const { env, caller, callerCallId, consultation } = await consulting();
    await env.phone.completeAttendedTransfer(caller, consultation);
    const refer = env.server.sent('REFER')[0]!;
    expect(refer.headers.get('call-id')![0]).toBe(callerCallId);
    const invite = env.server.sent('INVITE').find((m) => m.startLine.startsWith('INVITE sip:105@'))!;
    const consultCallId = invite.headers.get('call-id')![0]!;
    const fromTag = /;tag=([^;\s]+)/u.exec(invite.headers.get('from')![0]!)![1]!;
    const referTo = refer.headers.get('refer-to')![0]!;
    const replaces = decodeURIComponent(/\?Replaces=([^>]+)>/u.exec(referTo)![1]!);
    // RFC 3891 §3: Call-ID;to-tag=<the consulted party's tag>;from-tag=<ours>.
    expect(replaces).toBe(`${consultCallId};to-tag=srv1;from-tag=${fromTag}`);
    // The transferee's leg is BYE'd at once…
    await until(() => env.ended.length === 1, 'caller leg ended');
    expect(env.ended[0]).toMatchObject({ id: caller, outcome: 'answered' });
    await until(() => env.server.sent('BYE').length === 1, 'BYE on the caller leg');
    expect(env.server.sent('BYE')[0]!.headers.get('call-id')![0]).toBe(callerCallId);
    // …the consultation is left for the target, whose Replaces INVITE ends it with a BYE to us.
    expect(call(env, consultation)!.state).toBe('active');
    env.server.byeOutgoing(consultCallId);
    await until(() => env.ended.length === 2, 'consultation ended');
    expect(env.ended[1]).toMatchObject({ id: consultation, outcome: 'answered' });
    expect(env.phone.calls).toEqual([]);
    expect(env.server.sent('BYE')).toHaveLength(1);
    expect(env.clock.pending()).not.toContain(10_000);
  });

  it('if the target never drops the consultation leg, the desk BYEs it after the handover window', async () => {
    const { env, caller, consultation } = await consulting();
    await env.phone.completeAttendedTransfer(caller, consultation);
    await until(() => env.ended.length === 1, 'caller leg ended');
    env.clock.advance(9_999);
    expect(call(env, consultation)!.state).toBe('active');
    env.clock.advance(1);
    await until(() => env.ended.length === 2, 'consultation ended');
    expect(env.ended.map((c) => c.outcome)).toEqual(['answered', 'answered']);
    await until(() => env.server.sent('BYE').length === 2, 'our BYE on the consultation');
  });

  it('a refused REFER (603) rejects clearly and leaves both calls as they were', async () => {
    const { env, caller, consultation } = await consulting();
    env.server.referMode = 'decline';
    await expect(env.phone.completeAttendedTransfer(caller, consultation)).rejects.toThrow(/attended transfer refused \(603/u);
    expect(call(env, caller)!.state).toBe('held');
    expect(call(env, consultation)!.state).toBe('active');
    expect(env.server.sent('BYE')).toHaveLength(0);
    expect(env.ended).toEqual([]);
  });

  it('refuses before the consultation is connected, and consultation needs a connected call', async () => {
    const env = await registered();
    const r = await ringing(env);
    await expect(env.phone.startConsultation(r.id, '105')).rejects.toThrow(/cannot consult/u);
    await answerAndAck(env, r);
    env.server.inviteMode = 'busy';
    const consultation = await env.phone.startConsultation(r.id, '105');
    await expect(env.phone.completeAttendedTransfer(r.id, consultation)).rejects.toThrow(/not connected/u);
    expect(env.server.sent('REFER')).toHaveLength(0);
  });
});

describe('DTMF mode', () => {
  it("'info' sends SIP INFO even when RFC 4733 would work", async () => {
    const env = await registered({ dtmfMode: 'info' });
    const id = await outgoingActive(env, '102');
    FakeSdh.dtmfWorks = true;
    await env.phone.sendDtmf(id, '5#');
    await until(() => env.server.sent('INFO').length === 2, 'two INFOs');
    expect(FakeSdh.all[0]!.dtmf).toEqual([]);
    expect(env.server.sent('INFO')[0]!.headers.get('content-type')![0]).toBe('application/dtmf-relay');
    expect(env.server.sent('INFO')[1]!.raw).toContain('Signal=#');
  });
});

describe('media', () => {
  function stubDom() {
    const elements: FakeAudioElement[] = [];
    vi.stubGlobal('document', {
      createElement: (tag: string) => {
        expect(tag).toBe('audio');
        const el = new FakeAudioElement();
        elements.push(el);
        return el;
      },
    });
    const requests: unknown[] = [];
    vi.stubGlobal('navigator', {
      mediaDevices: {
        getUserMedia: async (constraints: unknown) => {
          requests.push(constraints);
          return new FakeStream([new FakeTrack('audio', 'new-mic')]);
        },
      },
    });
    return { elements, requests };
  }

  it('asks for the chosen microphone on INVITE and on answer', async () => {
    const env = await registered({ audioDevices: { microphoneId: 'mic-2', speakerId: '', ringerId: '' } });
    await outgoingActive(env, '102');
    const r = await ringing(env);
    await answerAndAck(env, r);
    const constraints = { constraints: { audio: { deviceId: { exact: 'mic-2' } }, video: false } };
    expect(FakeSdh.all[0]!.offers[0]).toMatchObject(constraints);
    expect(FakeSdh.all[1]!.offers[0]).toMatchObject(constraints);
  });

  it('plays the far end on the chosen speaker, follows new tracks, and stops when the call ends', async () => {
    const { elements } = stubDom();
    const env = await registered({ audioDevices: { microphoneId: '', speakerId: 'headset', ringerId: '' } }, true);
    const id = await outgoingActive(env, '102');
    const sdh = FakeSdh.all[0] as FakeMediaSdh;
    expect(elements).toHaveLength(1);
    const el = elements[0]!;
    expect(el).toMatchObject({ autoplay: true, playing: true, sinkId: 'headset' });
    expect(el.srcObject).toBe(sdh.remoteMediaStream);
    expect(sdh.peerConnection.trackListenerCount).toBe(1);
    el.srcObject = null;
    sdh.peerConnection.fireTrack();
    expect(el.srcObject).toBe(sdh.remoteMediaStream);
    await env.phone.setAudioDevices({ microphoneId: '', speakerId: 'loudspeaker', ringerId: '' });
    expect(el.sinks).toEqual(['headset', 'loudspeaker']);
    await env.phone.hangup(id);
    await until(() => env.ended.length === 1, 'ended');
    expect(el.srcObject).toBeNull();
    expect(el.playing).toBe(false);
    expect(sdh.peerConnection.trackListenerCount).toBe(0);
  });

  it('switches the microphone mid-call with replaceTrack, no re-INVITE, keeping mute', async () => {
    const { requests } = stubDom();
    const env = await registered({}, true);
    const id = await outgoingActive(env, '102');
    const sdh = FakeSdh.all[0] as FakeMediaSdh;
    const sender = sdh.peerConnection.senders[0]!;
    const oldTrack = sender.track!;
    await env.phone.setMuted(id, true);
    const invitesBefore = env.server.sent('INVITE').length;
    // The one request so far is the warm-up at registration (default device, released at once).
    expect(requests).toEqual([{ audio: true, video: false }]);
    requests.length = 0;
    await env.phone.setAudioDevices({ microphoneId: 'usb-headset', speakerId: '', ringerId: '' });
    expect(requests).toEqual([{ audio: { deviceId: { exact: 'usb-headset' } }, video: false }]);
    expect(sender.track).not.toBe(oldTrack);
    expect(sender.track!.enabled).toBe(false);
    expect(oldTrack.stopped).toBe(true);
    expect(sdh.localMediaStream.tracks).toEqual([sender.track]);
    expect(env.server.sent('INVITE')).toHaveLength(invitesBefore);
    // Same microphone again: nothing to do.
    await env.phone.setAudioDevices({ microphoneId: 'usb-headset', speakerId: '', ringerId: '' });
    expect(requests).toHaveLength(1);
    // Later calls use the new device too.
    await outgoingActive(env, '103');
    expect(FakeSdh.all[1]!.offers[0]).toMatchObject({ constraints: { audio: { deviceId: { exact: 'usb-headset' } } } });
  });

  it('starts the chosen microphone once at registration and releases it at once (the first capture start is slow)', async () => {
    const opened: FakeTrack[] = [];
    vi.stubGlobal('navigator', {
      mediaDevices: {
        getUserMedia: async () => {
          const track = new FakeTrack('audio', 'warm');
          opened.push(track);
          return new FakeStream([track]);
        },
      },
    });
    const env = await registered({ audioDevices: { microphoneId: 'headset-mic', speakerId: '', ringerId: '' } });
    await until(() => opened.length === 1 && opened[0]!.stopped, 'warm-up opened and released the microphone');
    env.server.dropAll();
    await until(() => env.phone.registration.state === 'reconnecting', 'reconnecting');
    env.clock.advance(1_000);
    await until(() => env.phone.registration.state === 'registered', 'registered again');
    expect(opened).toHaveLength(1);
  });

  it('mediaStats reads inbound/outbound RTP and the microphone level; null without a peer connection', async () => {
    const env = await registered({}, true);
    const id = await outgoingActive(env, '102');
    const sdh = FakeSdh.all[0] as FakeMediaSdh;
    sdh.peerConnection.stats = [
      { id: 'in', type: 'inbound-rtp', kind: 'audio', packetsReceived: 250, packetsLost: 2, bytesReceived: 40_000, totalAudioEnergy: 0.7, jitter: 0.004 },
      { id: 'vid', type: 'inbound-rtp', kind: 'video', packetsReceived: 999 },
      { id: 'out', type: 'outbound-rtp', kind: 'audio', packetsSent: 248 },
      { id: 'src', type: 'media-source', kind: 'audio', audioLevel: 0.25 },
    ];
    expect(await env.phone.mediaStats(id)).toEqual({
      packetsReceived: 250,
      packetsLost: 2,
      bytesReceived: 40_000,
      totalAudioEnergy: 0.7,
      packetsSent: 248,
      jitterSec: 0.004,
      microphoneLevel: 0.25,
    });
    sdh.peerConnection.stats = [{ id: 'in', type: 'inbound-rtp', kind: 'audio', packetsReceived: 1 }];
    expect(await env.phone.mediaStats(id)).toMatchObject({ packetsReceived: 1, microphoneLevel: 0, packetsSent: 0 });
  });

  it('without WebRTC or a DOM (Node): no audio element, null stats, device switch is stored only', async () => {
    const env = await registered();
    const id = await outgoingActive(env, '102');
    expect(await env.phone.mediaStats(id)).toBeNull();
    await env.phone.setAudioDevices({ microphoneId: 'x', speakerId: 'y', ringerId: 'z' });
    await expect(env.phone.mediaStats('nope')).rejects.toThrow(/no such call/u);
  });
});
