import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src-shared/time/manual-clock';
import { FakeSipServer, FakeTransport } from './fake-sip-server';
import type { PhoneCall } from './phone';
import { settle, testAccount, until } from './phone-test-support';
import { SipJsPhone } from './sip-js-phone';

const ACCOUNT = testAccount({ server: 'wss://sip.clinic.test/ws', displayName: 'Регистратура 1' });

let phone: SipJsPhone | undefined;

function setup() {
  const server = new FakeSipServer();
  const clock = new ManualClock();
  phone = new SipJsPhone({ clock, transportConstructor: FakeTransport, keepAliveIntervalMs: 15_000, keepAliveTimeoutMs: 5_000 });
  const states: string[] = [];
  phone.subscribe((s) => {
    if (states.at(-1) !== s.registration.state) states.push(s.registration.state);
  });
  return { server, clock, phone, states };
}

afterEach(async () => {
  await phone?.stop().catch(() => undefined);
  phone = undefined;
});

describe('SipJsPhone registration over a fake transport', () => {
  it('401 → credentials → 200 ends registered', async () => {
    const { server, phone, states } = setup();
    await phone.start(ACCOUNT);
    await until(() => phone.registration.state === 'registered', 'registered');
    expect(states).toEqual(['connecting', 'registering', 'registered']);
    expect(server.registers).toHaveLength(2);
    expect(server.registers[0]!.headers.has('authorization')).toBe(false);
    expect(server.registers[1]!.headers.get('authorization')?.[0]).toMatch(/username="101"/u);
    expect(phone.registration.reason).toBeNull();
  });

  it('401 → credentials → 403 ends failed/wrong-password and stops trying', async () => {
    const { server, clock, phone } = setup();
    server.registerMode = 'forbidden';
    await phone.start(ACCOUNT);
    await until(() => phone.registration.state === 'failed', 'failed');
    expect(phone.registration.reason).toBe('wrong-password');
    const sent = server.registers.length;
    clock.advance(300_000);
    await settle();
    expect(server.registers.length).toBe(sent);
    expect(phone.registration.state).toBe('failed');
  });

  it('404 ends failed/unknown-user', async () => {
    const { server, phone } = setup();
    server.registerMode = 'not-found';
    await phone.start(ACCOUNT);
    await until(() => phone.registration.state === 'failed', 'failed');
    expect(phone.registration.reason).toBe('unknown-user');
  });

  it('a transport drop goes reconnecting, survives a refused reconnect, then registers again', async () => {
    const { server, clock, phone, states } = setup();
    await phone.start(ACCOUNT);
    await until(() => phone.registration.state === 'registered', 'registered');
    const firstCallId = server.registers[0]!.headers.get('call-id')?.[0];

    server.up = false;
    server.dropAll();
    await until(() => phone.registration.state === 'reconnecting', 'reconnecting');
    expect(phone.registration.reason).toBe('unreachable');

    clock.advance(1_000); // first retry: refused
    await until(() => clock.pending().includes(2_000), 'the refused retry backing off 2 s');
    expect(phone.registration).toMatchObject({ state: 'reconnecting', reason: 'unreachable' });

    server.up = true;
    clock.advance(2_000); // second retry, after the 2 s backoff step
    await until(() => phone.registration.state === 'registered', 're-registered');
    expect(states).toEqual(['connecting', 'registering', 'registered', 'reconnecting', 'registered']);
    // A new Registerer (new Call-ID), and no un-REGISTER from the old one wiping the new binding.
    expect(server.registers.at(-1)!.headers.get('call-id')?.[0]).not.toBe(firstCallId);
    expect(server.registers.some((r) => /expires=0\b/u.test(r.raw) || /^Expires: 0/mu.test(r.raw))).toBe(false);
  });

  it('a server that comes back mid-backoff is noticed by the probe and registered within a second, not at the next step', async () => {
    const server = new FakeSipServer();
    const clock = new ManualClock();
    const probed: string[] = [];
    phone = new SipJsPhone({
      clock,
      transportConstructor: FakeTransport,
      probeServer: async (url) => {
        probed.push(url);
        return server.up;
      },
    });
    await phone.start(ACCOUNT);
    const p = phone;
    await until(() => p.registration.state === 'registered', 'registered');
    server.up = false;
    server.dropAll();
    await until(() => p.registration.state === 'reconnecting', 'reconnecting');
    clock.advance(1_000); // retry 1 refused → wait 2 s
    await until(() => clock.pending().includes(2_000), 'the 2 s step');
    clock.advance(2_000); // retry 2 refused → wait 4 s, probing every second
    await until(() => clock.pending().includes(4_000) && probed.length === 1 && clock.pending().includes(1_000), 'the 4 s step and the next probe');
    clock.advance(1_000); // a probe: still down
    await until(() => probed.length === 2 && clock.pending().includes(1_000), 'the probe after a failed one');
    expect(p.registration.state).toBe('reconnecting');
    server.up = true;
    clock.advance(1_000); // the next probe sees it: reconnect now, 2 s before the 4 s step is due
    await until(() => p.registration.state === 'registered', 're-registered via the probe');
    expect(probed.length).toBeGreaterThanOrEqual(2);
    expect(new Set(probed)).toEqual(new Set([ACCOUNT.server]));
  });

  it('a stuck REGISTER is abandoned after 10 s, not 32 s', async () => {
    const { server, clock, phone } = setup();
    server.registerMode = 'silent';
    await phone.start(ACCOUNT);
    await until(() => server.registers.length === 1, 'first REGISTER');
    expect(phone.registration.state).toBe('registering');
    clock.advance(10_000);
    await until(() => phone.registration.state === 'reconnecting', 'reconnecting');
    server.registerMode = 'ok';
    clock.advance(1_000);
    await until(() => phone.registration.state === 'registered', 'registered');
    // The stuck REGISTER's answer finally arrives: the retired Registerer must neither throw nor
    // un-REGISTER the new binding, and the machine must not move.
    const stuck = server.registers[0]!;
    const before = server.registers.length;
    server.replyLate(stuck, '200 OK');
    await settle();
    expect(phone.registration.state).toBe('registered');
    expect(server.registers.slice(before).some((r) => /expires=0/iu.test(r.raw) || /^Expires: 0/mu.test(r.raw))).toBe(false);
  });

  it('an unanswered OPTIONS keep-alive means a dead socket: reconnect', async () => {
    const { server, clock, phone } = setup();
    await phone.start(ACCOUNT);
    await until(() => phone.registration.state === 'registered', 'registered');
    clock.advance(15_000);
    await until(() => server.options.length === 1, 'OPTIONS');
    expect(server.options[0]!.startLine).toBe('OPTIONS sip:clinic.test SIP/2.0');
    await settle();
    expect(phone.registration.state).toBe('registered');

    server.answerOptions = false;
    clock.advance(15_000);
    await until(() => server.options.length === 2, 'second OPTIONS');
    clock.advance(5_000);
    await until(() => phone.registration.state === 'reconnecting', 'reconnecting');
    clock.advance(1_000);
    await until(() => phone.registration.state === 'registered', 're-registered');
  });

  it('stop un-REGISTERs and goes offline', async () => {
    const { server, phone } = setup();
    await phone.start(ACCOUNT);
    await until(() => phone.registration.state === 'registered', 'registered');
    await phone.stop();
    expect(phone.registration.state).toBe('offline');
    const unregisters = server.registers.filter((r) => /expires=0/iu.test(r.raw) || /^Expires: 0/mu.test(r.raw));
    expect(unregisters.length).toBeGreaterThan(0);
    // Exactly one un-REGISTER transaction (a digest challenge may repeat it once with credentials).
    expect(new Set(unregisters.map((r) => r.headers.get('cseq')?.[0])).size).toBeLessThanOrEqual(2);
  });
});

describe('SipJsPhone incoming call signalling', () => {
  it('an INVITE rings with a sanitised caller, and the caller cancelling ends it as missed', async () => {
    const { server, phone } = setup();
    await phone.start(ACCOUNT);
    await until(() => phone.registration.state === 'registered', 'registered');
    const ended: PhoneCall[] = [];
    phone.onCallEnded((c) => ended.push(c));

    const invite = [
      'INVITE sip:101@clinic.test SIP/2.0',
      'Via: SIP/2.0/WSS 10.0.0.1;branch=z9hG4bK-inv1',
      'Max-Forwards: 70',
      // A quoted-pair (RFC 3261 §25.1) smuggles a BEL control character into the display name.
      'From: "Иванов\\\u0007 <b>Пётр</b>\u202e" <sip:+79001234567@clinic.test>;tag=caller1',
      'To: <sip:101@clinic.test>',
      'Call-ID: call-1@test',
      'CSeq: 1 INVITE',
      'Contact: <sip:+79001234567@10.0.0.1;transport=ws>',
      'Content-Length: 0',
      '',
      '',
    ].join('\r\n');
    server.push(invite);
    await until(() => phone.calls.length === 1, 'ringing call');
    const call = phone.calls[0]!;
    expect(call).toMatchObject({ direction: 'incoming', state: 'ringing', remoteNumber: '+79001234567', outcome: null });
    expect([...call.remoteDisplayName].some((ch) => ch.charCodeAt(0) < 0x20 || ch === '\u202e')).toBe(false);
    expect(call.remoteDisplayName).toBe('Иванов <b>Пётр</b>');

    server.push(
      [
        'CANCEL sip:101@clinic.test SIP/2.0',
        'Via: SIP/2.0/WSS 10.0.0.1;branch=z9hG4bK-inv1',
        'Max-Forwards: 70',
        'From: "Иванов" <sip:+79001234567@clinic.test>;tag=caller1',
        'To: <sip:101@clinic.test>',
        'Call-ID: call-1@test',
        'CSeq: 1 CANCEL',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await until(() => phone.calls.length === 0, 'call gone');
    expect(ended).toHaveLength(1);
    expect(ended[0]).toMatchObject({ state: 'ended', outcome: 'missed', direction: 'incoming' });
  });

  it('the operator rejecting sends 486 and journals rejected', async () => {
    const { server, phone } = setup();
    await phone.start(ACCOUNT);
    await until(() => phone.registration.state === 'registered', 'registered');
    const ended: PhoneCall[] = [];
    phone.onCallEnded((c) => ended.push(c));
    server.push(
      [
        'INVITE sip:101@clinic.test SIP/2.0',
        'Via: SIP/2.0/WSS 10.0.0.1;branch=z9hG4bK-inv2',
        'Max-Forwards: 70',
        'From: <sip:200@clinic.test>;tag=caller2',
        'To: <sip:101@clinic.test>',
        'Call-ID: call-2@test',
        'CSeq: 1 INVITE',
        'Contact: <sip:200@10.0.0.1;transport=ws>',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    await until(() => phone.calls.length === 1, 'ringing call');
    await phone.reject(phone.calls[0]!.id);
    await until(() => ended.length === 1, 'ended');
    expect(ended[0]!.outcome).toBe('rejected');
    await until(() => server.received.some((m) => m.startLine.startsWith('SIP/2.0 486')), '486 sent');
  });
});
