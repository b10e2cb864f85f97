import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src-shared/time/manual-clock';
import { FakeSdh, FakeSipServer, FakeTransport, fakeSdhFactory } from './fake-sip-server';
import type { PhoneAccount, PhoneCall } from './phone';
import { testAccount, until } from './phone-test-support';
import { SipJsPhone } from './sip-js-phone';

const ACCOUNT: PhoneAccount = testAccount();

let phone: SipJsPhone | undefined;

beforeEach(() => {
  FakeSdh.all.length = 0;
  FakeSdh.dtmfWorks = false;
});

afterEach(async () => {
  await phone?.stop().catch(() => undefined);
  phone = undefined;
});

async function registered() {
  const server = new FakeSipServer();
  const clock = new ManualClock();
  phone = new SipJsPhone({ clock, transportConstructor: FakeTransport, sessionDescriptionHandlerFactory: fakeSdhFactory });
  const ended: PhoneCall[] = [];
  phone.onCallEnded((c) => ended.push(c));
  await phone.start(ACCOUNT);
  const p = phone;
  await until(() => p.registration.state === 'registered', 'registered');
  return { server, clock, phone: p, ended };
}

const sent = (server: FakeSipServer, method: string) => server.received.filter((m) => m.method === method);

async function activeOutgoingCall() {
  const env = await registered();
  const id = await env.phone.call('+7 (900) 123-45-67');
  await until(() => env.phone.calls[0]?.state === 'active', 'active');
  return { ...env, id };
}

describe('SipJsPhone calls over a fake transport and media-less SDH', () => {
  it('dials a normalised number: connecting → ringing (180) → active (200)', async () => {
    const { server, phone } = await registered();
    const states: string[] = [];
    phone.subscribe((s) => {
      const st = s.calls[0]?.state;
      if (st && states.at(-1) !== st) states.push(st);
    });
    const id = await phone.call('+7 (900) 123-45-67');
    await until(() => phone.calls[0]?.state === 'active', 'active');
    expect(sent(server, 'INVITE')[0]!.startLine).toBe('INVITE sip:+79001234567@clinic.test SIP/2.0');
    expect(states).toEqual(['connecting', 'ringing', 'active']);
    expect(phone.calls[0]).toMatchObject({ id, direction: 'outgoing', remoteNumber: '+79001234567' });
    expect(phone.calls[0]!.answeredAt).not.toBeNull();
  });

  it('refuses to dial garbage or while not registered', async () => {
    const { phone } = await registered();
    await expect(phone.call('abc')).rejects.toThrow(/dialable/u);
    const idle = new SipJsPhone({ transportConstructor: FakeTransport });
    await expect(idle.call('101')).rejects.toThrow(/not registered/u);
  });

  it('busy (486) ends rejected and leaves the list', async () => {
    const { server, phone, ended } = await registered();
    server.inviteMode = 'busy';
    await phone.call('102');
    await until(() => ended.length === 1, 'ended');
    expect(ended[0]).toMatchObject({ outcome: 'rejected', state: 'ended' });
    expect(phone.calls).toEqual([]);
  });

  it('hold and resume send re-INVITEs with the SDH hold option; mute disables the sender track', async () => {
    const { server, phone, id } = await activeOutgoingCall();
    const sdh = FakeSdh.all[0]!;
    await phone.hold(id);
    expect(phone.calls[0]!.state).toBe('held');
    expect(sent(server, 'INVITE')).toHaveLength(2);
    expect(sdh.offers.at(-1)).toMatchObject({ hold: true });
    expect(sdh.receiverEnabled).toBe(false);
    await phone.resume(id);
    expect(phone.calls[0]!.state).toBe('active');
    expect(sdh.offers.at(-1)).toMatchObject({ hold: false });
    await phone.setMuted(id, true);
    expect(phone.calls[0]!.muted).toBe(true);
    expect(sdh.senderEnabled).toBe(false);
    await phone.setMuted(id, false);
    expect(sdh.senderEnabled).toBe(true);
  });

  it('DTMF: RFC 4733 through the SDH when it works, SIP INFO per digit otherwise', async () => {
    const { server, phone, id } = await activeOutgoingCall();
    FakeSdh.dtmfWorks = true;
    await phone.sendDtmf(id, '12#');
    expect(FakeSdh.all[0]!.dtmf).toEqual(['12#']);
    expect(sent(server, 'INFO')).toHaveLength(0);
    FakeSdh.dtmfWorks = false;
    await phone.sendDtmf(id, '4*');
    await until(() => sent(server, 'INFO').length === 2, 'two INFOs');
    expect(sent(server, 'INFO')[0]!.raw).toContain('Signal=4');
    await expect(phone.sendDtmf(id, 'x')).rejects.toThrow(/DTMF/u);
  });

  it('hang up sends BYE and journals answered', async () => {
    const { server, phone, id, ended } = await activeOutgoingCall();
    await phone.hangup(id);
    await until(() => ended.length === 1 && sent(server, 'BYE').length === 1, 'ended with a BYE');
    expect(ended[0]).toMatchObject({ outcome: 'answered' });
    expect(phone.calls).toEqual([]);
  });

  it('blind transfer REFERs (RFC 3515) to the normalised target, then drops our leg', async () => {
    const { server, phone, id, ended } = await activeOutgoingCall();
    await phone.blindTransfer(id, '102');
    const refer = sent(server, 'REFER')[0]!;
    expect(refer.headers.get('refer-to')?.[0]).toMatch(/sip:102@clinic\.test/u);
    await until(() => ended.length === 1, 'ended');
    expect(ended[0]!.outcome).toBe('answered');
  });

  it('transport drop mid-call: recovering, then an ICE-restart re-INVITE after re-registering brings it back', async () => {
    const { server, clock, phone, id } = await activeOutgoingCall();
    server.dropAll();
    await until(() => phone.calls[0]?.state === 'recovering', 'recovering');
    clock.advance(1_000);
    await until(() => phone.calls[0]?.state === 'active', 'recovered');
    expect(phone.registration.state).toBe('registered');
    expect(FakeSdh.all[0]!.offers.at(-1)).toMatchObject({ offerOptions: { iceRestart: true } });
    expect(phone.calls[0]!.id).toBe(id);
  });

  it('recovery refused (481): the call ends lost, never a ghost', async () => {
    const { server, clock, phone, ended } = await activeOutgoingCall();
    server.refuseReInvites = true;
    server.dropAll();
    await until(() => phone.calls[0]?.state === 'recovering', 'recovering');
    clock.advance(1_000);
    await until(() => ended.length === 1, 'lost');
    expect(ended[0]).toMatchObject({ outcome: 'lost', state: 'ended' });
    expect(phone.calls).toEqual([]);
  });

  it('server gone for good: the recovering call is ended lost after the recovery timeout', async () => {
    const { server, clock, phone, ended } = await activeOutgoingCall();
    server.up = false;
    server.dropAll();
    await until(() => phone.calls[0]?.state === 'recovering', 'recovering');
    clock.advance(20_000);
    await until(() => ended.length === 1, 'lost');
    expect(ended[0]!.outcome).toBe('lost');
    expect(phone.registration.state).toBe('reconnecting');
  });

  it('incoming: INVITE with SDP rings, answer sends 200, ACK makes it active, the far end BYE ends it answered', async () => {
    const { server, clock, phone, ended } = await registered();
    // Screen-pop budget: the INVITE is marked before the ringing call is published.
    const markedWhenPublished: boolean[] = [];
    phone.subscribe((snapshot) => {
      const ringing = snapshot.calls.find((c) => c.state === 'ringing');
      if (ringing) markedWhenPublished.push(performance.getEntriesByName(`screen-pop:invite:${ringing.id}`, 'mark').length === 1);
    });
    const sdp = 'v=0\r\no=- 2 2 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\n';
    const dialog = [
      'From: "Пациент" <sip:+79001112233@clinic.test>;tag=far1',
      'Call-ID: in-1@test',
      'Max-Forwards: 70',
    ];
    server.push(
      [
        'INVITE sip:101@clinic.test SIP/2.0',
        'Via: SIP/2.0/WSS 127.0.0.1;branch=z9hG4bK-in1',
        ...dialog,
        'To: <sip:101@clinic.test>',
        'CSeq: 1 INVITE',
        'Contact: <sip:far@127.0.0.1;transport=ws>',
        'Content-Type: application/sdp',
        `Content-Length: ${sdp.length}`,
        '',
        sdp,
      ].join('\r\n'),
    );
    await until(() => phone.calls[0]?.state === 'ringing', 'ringing');
    expect(phone.calls[0]).toMatchObject({ direction: 'incoming', remoteNumber: '+79001112233', remoteDisplayName: 'Пациент' });
    expect(markedWhenPublished[0]).toBe(true);
    performance.clearMarks();
    clock.advance(3_000);
    await phone.answer(phone.calls[0]!.id);
    await until(() => server.received.some((m) => m.startLine === 'SIP/2.0 200 OK' && /INVITE/u.test(m.headers.get('cseq')?.[0] ?? '')), '200 OK');
    const ok = server.received.find((m) => m.startLine === 'SIP/2.0 200 OK' && /INVITE/u.test(m.headers.get('cseq')?.[0] ?? ''))!;
    const toWithTag = ok.headers.get('to')![0]!;
    server.push(
      ['ACK sip:101@clinic.test SIP/2.0', 'Via: SIP/2.0/WSS 127.0.0.1;branch=z9hG4bK-in1ack', ...dialog, `To: ${toWithTag}`, 'CSeq: 1 ACK', 'Content-Length: 0', '', ''].join('\r\n'),
    );
    await until(() => phone.calls[0]?.state === 'active', 'active');
    expect(phone.calls[0]!.answeredAt! - phone.calls[0]!.startedAt).toBe(3_000);
    server.push(
      ['BYE sip:101@clinic.test SIP/2.0', 'Via: SIP/2.0/WSS 127.0.0.1;branch=z9hG4bK-in1bye', ...dialog, `To: ${toWithTag}`, 'CSeq: 2 BYE', 'Content-Length: 0', '', ''].join('\r\n'),
    );
    await until(() => ended.length === 1, 'ended');
    expect(ended[0]).toMatchObject({ outcome: 'answered', direction: 'incoming' });
    expect(phone.calls).toEqual([]);
  });
});
