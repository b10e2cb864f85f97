/**
 * SipJsPhone's expected intercom (`expectIntercom`): the call the desk asked the PBX for (a
 * supervisor's listen) is answered at once and flagged, whatever `autoAnswerIntercom` says; any
 * other INVITE behaves as before. Against the fake SIP server, time on the fake clock.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src-shared/time/manual-clock';
import { FakeSipServer, FakeTransport, fakeSdhFactory, type Parsed } from './fake-sip-server';
import type { PhoneAccount, PhoneCall } from './phone';
import { settle, testAccount, until } from './phone-test-support';
import { SipJsPhone } from './sip-js-phone';

let phone: SipJsPhone | undefined;
let callSeq = 0;

afterEach(async () => {
  await phone?.stop().catch(() => undefined);
  phone = undefined;
});

async function registered(account: Partial<PhoneAccount> = {}) {
  const server = new FakeSipServer();
  const clock = new ManualClock();
  phone = new SipJsPhone({ clock, transportConstructor: FakeTransport, sessionDescriptionHandlerFactory: fakeSdhFactory });
  const ended: PhoneCall[] = [];
  phone.onCallEnded((c) => ended.push(c));
  await phone.start(testAccount(account));
  const p = phone;
  await until(() => p.registration.state === 'registered', 'registered');
  return { server, clock, phone: p, ended };
}

type Env = Awaited<ReturnType<typeof registered>>;

const INTERCOM = 'Call-Info: <sip:pbx.clinic.test>;answer-after=0';
const call = (env: Env, id: string) => env.phone.calls.find((c) => c.id === id);
const isOk = (m: Parsed) => m.startLine === 'SIP/2.0 200 OK' && /INVITE/u.test(m.headers.get('cseq')?.[0] ?? '');

/** An INVITE from the fake PBX; resolves once the desk has the call (in whatever state). */
async function invite(env: Env, headers: string[] = [INTERCOM]) {
  const incoming = env.server.inviteDesk({ callId: `exp-${++callSeq}@test`, from: '"ChanSpy" <sip:spy-1001@pbx.clinic.test>', headers });
  await until(() => env.phone.calls.some((c) => c.id.startsWith(incoming.callId)), 'the call on the desk');
  const id = env.phone.calls.find((c) => c.id.startsWith(incoming.callId))!.id;
  return { incoming, id };
}

describe('expected intercom (the call the desk asked for)', () => {
  it('answers the next intercom INVITE at once even with autoAnswerIntercom off, and flags it', async () => {
    const env = await registered({ autoAnswerIntercom: false });
    env.phone.expectIntercom(30_000);
    const r = await invite(env);
    expect(call(env, r.id)!.expectedIntercom).toBe(true);
    // No clock advance: not the answer-after delay, not the operator.
    await until(() => r.incoming.answered(), 'the 200 OK');
    r.incoming.ack();
    await until(() => call(env, r.id)?.state === 'active', 'active');
    expect(call(env, r.id)).toMatchObject({ expectedIntercom: true, direction: 'incoming' });
    // Hanging up ends it like any call; the ended call still says what it was.
    await env.phone.hangup(r.id);
    await until(() => env.ended.length === 1, 'ended');
    expect(env.ended[0]).toMatchObject({ expectedIntercom: true, outcome: 'answered' });
  });

  it('takes one call per expectation: the next intercom INVITE rings as before', async () => {
    const env = await registered({ autoAnswerIntercom: false });
    env.phone.expectIntercom(30_000);
    const first = await invite(env);
    await until(() => first.incoming.answered(), 'the first answered');
    const second = await invite(env);
    env.clock.advance(10_000);
    await settle();
    expect(second.incoming.answered()).toBe(false);
    expect(call(env, second.id)).toMatchObject({ state: 'ringing', expectedIntercom: false });
  });

  it('an INVITE without answer-after is never taken: it rings, and the expectation waits for the intercom one', async () => {
    const env = await registered({ autoAnswerIntercom: false });
    env.phone.expectIntercom(30_000);
    const patient = await invite(env, []);
    await settle();
    expect(patient.incoming.answered()).toBe(false);
    expect(call(env, patient.id)).toMatchObject({ state: 'ringing', expectedIntercom: false });
    const spy = await invite(env);
    expect(call(env, spy.id)!.expectedIntercom).toBe(true);
    await until(() => spy.incoming.answered(), 'the intercom answered');
    // The patient's ring is untouched (a ringing call is not put on hold).
    expect(call(env, patient.id)!.state).toBe('ringing');
  });

  it('an expectation runs out: past it, an intercom INVITE behaves exactly as today', async () => {
    const env = await registered({ autoAnswerIntercom: false });
    env.phone.expectIntercom(5_000);
    env.clock.advance(5_001);
    const r = await invite(env);
    await settle();
    expect(call(env, r.id)).toMatchObject({ state: 'ringing', expectedIntercom: false, autoAnswerAfterSec: 0 });
    expect(r.incoming.answered()).toBe(false);
  });

  it('expectIntercom(0) withdraws it', async () => {
    const env = await registered({ autoAnswerIntercom: false });
    env.phone.expectIntercom(30_000);
    env.phone.expectIntercom(0);
    const r = await invite(env);
    await settle();
    expect(call(env, r.id)).toMatchObject({ state: 'ringing', expectedIntercom: false });
  });

  it('without an expectation nothing changes: no auto-answer with autoAnswerIntercom off', async () => {
    const env = await registered({ autoAnswerIntercom: false });
    const r = await invite(env);
    env.clock.advance(10_000);
    await settle();
    expect(r.incoming.answered()).toBe(false);
    expect(call(env, r.id)).toMatchObject({ state: 'ringing', expectedIntercom: false });
  });

  it('takes an intercom call that rang before the desk heard it had asked', async () => {
    const env = await registered({ autoAnswerIntercom: false });
    const r = await invite(env);
    expect(call(env, r.id)).toMatchObject({ state: 'ringing', expectedIntercom: false });
    env.phone.expectIntercom(30_000);
    expect(call(env, r.id)!.expectedIntercom).toBe(true);
    await until(() => r.incoming.answered(), 'the 200 OK');
    // Used up: a later intercom INVITE rings.
    const later = await invite(env);
    await settle();
    expect(call(env, later.id)).toMatchObject({ state: 'ringing', expectedIntercom: false });
  });

  it('with autoAnswerIntercom on and a delay, the expected call does not wait the delay and is answered once', async () => {
    const env = await registered({ autoAnswerIntercom: true });
    env.phone.expectIntercom(30_000);
    const r = await invite(env, ['Call-Info: <sip:pbx>;answer-after=3']);
    await until(() => r.incoming.answered(), 'answered at once');
    r.incoming.ack();
    await until(() => call(env, r.id)?.state === 'active', 'active');
    env.clock.advance(3_000);
    await settle();
    expect(env.server.received.filter((m) => isOk(m) && m.headers.get('call-id')?.[0] === r.incoming.callId)).toHaveLength(1);
  });

  it('holds the call the supervisor is on before answering the expected one (as answer does)', async () => {
    const env = await registered({ autoAnswerIntercom: false });
    const out = await env.phone.call('102');
    await until(() => call(env, out)?.state === 'active', 'outgoing active');
    env.phone.expectIntercom(30_000);
    const r = await invite(env);
    await until(() => r.incoming.answered(), 'answered');
    expect(call(env, out)!.state).toBe('held');
  });

  it('stop() forgets the expectation', async () => {
    const env = await registered({ autoAnswerIntercom: false });
    env.phone.expectIntercom(30_000);
    await env.phone.stop();
    await env.phone.start(testAccount({ autoAnswerIntercom: false }));
    await until(() => env.phone.registration.state === 'registered', 're-registered');
    const r = await invite(env);
    await settle();
    expect(call(env, r.id)).toMatchObject({ state: 'ringing', expectedIntercom: false });
  });
});
