/**
 * SipJsPhone with the wire guard (sip-wire.ts) in front of the real SIP.js: every caller-id form
 * rings with the number the pop needs, the caller gets its own From back in every response and
 * in the desk's in-dialog requests, and an INVITE SIP.js cannot parse is answered 400 instead of
 * vanishing — logged with a reason, never the number or the name.
 */
import { afterEach, beforeEach, describe, expect, it, vi, type MockInstance } from 'vitest';
import { ManualClock } from '../../src-shared/time/manual-clock';
import { FakeSdh, FakeSipServer, FakeTransport, fakeSdhFactory, type Parsed } from './fake-sip-server';
import type { PhoneCall } from './phone';
import { settle, testAccount, until } from './phone-test-support';
import { SipJsPhone, stackFailureOf } from './sip-js-phone';

let phone: SipJsPhone | undefined;
let callSeq = 0;
let consoleSpies: MockInstance[] = [];

beforeEach(() => {
  FakeSdh.all.length = 0;
  consoleSpies = (['log', 'info', 'warn', 'error', 'debug'] as const).map((level) => vi.spyOn(console, level).mockImplementation(() => undefined));
});

afterEach(async () => {
  await phone?.stop().catch(() => undefined);
  phone = undefined;
  vi.restoreAllMocks();
});

/** Everything the phone printed to the console during the test. */
const printed = () => consoleSpies.flatMap((spy) => spy.mock.calls.map((args) => args.map(String).join(' ')));

async function registered() {
  const server = new FakeSipServer();
  phone = new SipJsPhone({ clock: new ManualClock(), transportConstructor: FakeTransport, sessionDescriptionHandlerFactory: fakeSdhFactory });
  const ended: PhoneCall[] = [];
  phone.onCallEnded((c) => ended.push(c));
  await phone.start(testAccount());
  const p = phone;
  await until(() => p.registration.state === 'registered', 'registered');
  return { server, phone: p, ended };
}

type Env = Awaited<ReturnType<typeof registered>>;

function ring(env: Env, from: string, headers: string[] = []) {
  return env.server.inviteDesk({ callId: `cid-${++callSeq}@trunk`, from, headers });
}

const responsesTo = (server: FakeSipServer, callId: string, status: string) =>
  server.received.filter((m) => m.startLine.startsWith(`SIP/2.0 ${status}`) && m.headers.get('call-id')?.[0] === callId);
const header = (m: Parsed | undefined, name: string) => m?.headers.get(name)?.[0];

describe('every caller-id form rings', () => {
  const FORMS: [string, string, string[], string][] = [
    ['tel: with separators', '<tel:+7-916-123-45-67>', [], '+7-916-123-45-67'],
    ['tel: national with phone-context', '"Иванова" <tel:89161234567;phone-context=+7>', [], '89161234567'],
    ['tel: addr-spec without brackets', 'tel:+79161234567', [], '+79161234567'],
    ['anonymous From, P-Asserted-Identity tel:', '"Anonymous" <sip:anonymous@anonymous.invalid>', ['P-Asserted-Identity: <tel:+79161234567>', 'Privacy: id'], '+79161234567'],
    ['urn: From, P-Asserted-Identity sip:', '<urn:service:sos>', ['P-Asserted-Identity: <sip:+79161234567@pbx.test;user=phone>'], '+79161234567'],
    ['unquoted UTF-8 display name', 'Иванова Мария <sip:89161234567@pbx.test>', [], '89161234567'],
  ];

  it.each(FORMS)('%s: rings with the number; every response echoes the original From', async (_label, from, headers, number) => {
    const env = await registered();
    const incoming = ring(env, from, headers);
    await until(() => env.phone.calls.some((c) => c.state === 'ringing'), 'ringing');
    expect(env.phone.calls[0]).toMatchObject({ direction: 'incoming', remoteNumber: number });
    await until(() => responsesTo(env.server, incoming.callId, '180').length > 0, '180');
    const sentFrom = `${from};tag=far-z9hG4bK-${incoming.callId.replace(/[^A-Za-z0-9]/gu, '')}`;
    expect(header(responsesTo(env.server, incoming.callId, '180')[0], 'from')).toBe(sentFrom);
    // The caller gives up: CANCEL (its From is a tel: URI too) ends the ring as missed.
    incoming.cancel();
    await until(() => env.ended.length === 1, 'ended');
    expect(env.ended[0]).toMatchObject({ outcome: 'missed' });
    await until(() => responsesTo(env.server, incoming.callId, '487').length > 0, '487');
    expect(header(responsesTo(env.server, incoming.callId, '487')[0], 'from')).toBe(sentFrom);
    expect(printed().filter((line) => /9161234567|Иванова/u.test(line))).toEqual([]);
  });

  it("answered and hung up by the desk: the BYE goes to the caller's original tel: URI", async () => {
    const env = await registered();
    const incoming = ring(env, '"Caller" <tel:+7-916-123-45-67>');
    await until(() => env.phone.calls[0]?.state === 'ringing', 'ringing');
    const id = env.phone.calls[0]!.id;
    await env.phone.answer(id);
    await until(() => incoming.answered(), '200 OK');
    incoming.ack();
    await until(() => env.phone.calls[0]?.state === 'active', 'active');
    await env.phone.hangup(id);
    await until(() => env.server.sent('BYE').length === 1, 'BYE');
    expect(header(env.server.sent('BYE')[0], 'to')).toMatch(/^<tel:\+7-916-123-45-67>;tag=far-/u);
    expect(env.ended[0]).toMatchObject({ outcome: 'answered', remoteNumber: '+7-916-123-45-67' });
  });
});

describe('an INVITE SIP.js cannot parse is refused, not lost', () => {
  it('answers 400 naming the header, logs a reason code without caller data, and keeps ringing for the next caller', async () => {
    const env = await registered();
    const bad = ring(env, '"Иванова" <tel:+79161234567>', ['Contact: <sip:broken@127.0.0.1']);
    await until(() => responsesTo(env.server, bad.callId, '400').length === 1, '400');
    const refusal = responsesTo(env.server, bad.callId, '400')[0]!;
    expect(refusal.startLine).toBe('SIP/2.0 400 Malformed Contact header field');
    expect(header(refusal, 'from')).toMatch(/^"Иванова" <tel:\+79161234567>;tag=/u);
    expect(header(refusal, 'to')).toMatch(/^<sip:101@clinic\.test>;tag=rg/u);
    expect(header(refusal, 'warning')).toBe('399 registratura "Malformed Contact header field"');
    expect(env.phone.calls).toEqual([]);
    expect(printed()).toContain('softphone: refused an unparseable INVITE with 400 (malformed-contact)');
    expect(printed().filter((line) => /9161234567|Иванова/u.test(line))).toEqual([]);

    ring(env, '<tel:+79161234567>');
    await until(() => env.phone.calls[0]?.state === 'ringing', 'the next caller rings');
    expect(env.phone.registration.state).toBe('registered');
  });

  it('an INVITE SIP.js drops for a missing mandatory header cannot be answered: it is dropped with its reason, not silently', async () => {
    const env = await registered();
    env.server.push(
      ['INVITE sip:101@clinic.test SIP/2.0', 'Via: SIP/2.0/WSS 127.0.0.1;branch=z9hG4bK-noto', 'From: <tel:+79161234567>;tag=x', 'Call-ID: noto@trunk', 'CSeq: 1 INVITE', 'Max-Forwards: 70', 'Contact: <sip:far@127.0.0.1;transport=ws>', 'Content-Length: 0', '', ''].join('\r\n'),
    );
    await until(() => printed().some((line) => line.startsWith('softphone: dropped an unparseable INVITE')), 'the drop is logged');
    expect(printed()).toContain('softphone: dropped an unparseable INVITE (missing-to): no response can be sent');
    await settle();
    expect(env.server.received.filter((m) => m.headers.get('call-id')?.[0] === 'noto@trunk')).toEqual([]);
    expect(env.phone.calls).toEqual([]);
  });

  it('an unparseable ACK is never answered (RFC 3261 §17.2.1)', async () => {
    const env = await registered();
    env.server.push(
      ['ACK sip:101@clinic.test SIP/2.0', 'Via: SIP/2.0/WSS 127.0.0.1;branch=z9hG4bK-badack', 'From: <sip:1@a;tag=x', 'To: <sip:101@clinic.test>;tag=y', 'Call-ID: badack@trunk', 'CSeq: 1 ACK', 'Content-Length: 0', '', ''].join('\r\n'),
    );
    await until(() => printed().some((line) => line.startsWith('softphone: dropped an unparseable ACK (malformed-from)')), 'the drop is logged');
    await settle();
    expect(env.server.received.filter((m) => m.headers.get('call-id')?.[0] === 'badack@trunk')).toEqual([]);
  });
});

describe('stackFailureOf reads SIP.js 0.21.2 drop lines', () => {
  it('maps each line SIP.js logs when it drops a message', () => {
    expect(stackFailureOf('sip.Parser', "error parsing header 'Contact'")).toEqual({ kind: 'header', header: 'Contact' });
    expect(stackFailureOf('sip.Parser', 'error parsing first line of SIP message: "x"')).toEqual({ kind: 'start-line' });
    expect(stackFailureOf('sip.Parser', 'malformed message')).toEqual({ kind: 'framing' });
    expect(stackFailureOf('sip.UserAgent', 'Missing mandatory header field : call_id.')).toEqual({ kind: 'missing', header: 'call_id' });
    expect(stackFailureOf('sip.UserAgent', 'Failed to parse incoming message. Dropping.')).toBe('dropped');
    expect(stackFailureOf('sip.UserAgent', 'Request-URI does not point to us.')).toBeNull();
    expect(stackFailureOf('sip.Transport', "error parsing header 'From'")).toBeNull();
  });
});
