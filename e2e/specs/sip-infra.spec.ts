import type { Page } from '@playwright/test';
import { WebSocket } from 'ws';
import type { PatientPhoneHandle } from '../support/patient-phone';
import { SIP_REFUSED_USERS } from '../support/kamailio';
import { expect, test } from '../support/sip';

// Proves the SIP end-to-end infrastructure on its own, without the desk: Kamailio on loopback
// (registrar + WebSocket + digest auth) and two SIP.js patient phones in one Chromium.

async function callState(page: Page): Promise<string> {
  return await page.evaluate(() => window.patientPhone.state.call);
}

/** packetsReceived rises between two samples (RTP is flowing into this phone). */
async function expectPacketsRising(phone: PatientPhoneHandle, label: string): Promise<void> {
  const first = await phone.stats();
  await expect
    .poll(async () => (await phone.stats()).packetsReceived, { message: `${label}: inbound RTP packets rising`, timeout: 5_000 })
    .toBeGreaterThan(first.packetsReceived + 10);
}

/** packetsReceived stops rising: two consecutive samples (500 ms apart) are equal. */
async function expectPacketsStopped(phone: PatientPhoneHandle, label: string): Promise<void> {
  let previous: number | null = null;
  await expect
    .poll(
      async () => {
        const now = (await phone.stats()).packetsReceived;
        const delta = previous === null ? Number.NaN : now - previous;
        previous = now;
        return delta;
      },
      { message: `${label}: inbound RTP stopped`, timeout: 5_000, intervals: [500] },
    )
    .toBe(0);
}

test.describe('SIP e2e infrastructure (Kamailio + SIP.js patient phones)', () => {
  test('two patient phones register, call, talk both ways, send DTMF, hold, resume and hang up', async ({ sip, patientPhone }) => {
    const alice = await patientPhone();
    const bob = await patientPhone();

    const aliceReg = await alice.register(sip.users.patient1);
    const bobReg = await bob.register(sip.users.patient2);
    expect(aliceReg.registration).toBe('registered');
    expect(bobReg.registration).toBe('registered');
    console.log(`register ms: ${aliceReg.registerMs} (2001), ${bobReg.registerMs} (2002)`);

    // 2001 calls 2002; 2002 sees it ringing with the caller's number, answers.
    await alice.page.evaluate((target) => window.patientPhone.call(target), sip.users.patient2.user);
    await expect.poll(() => callState(bob.page), { message: 'callee rings' }).toBe('ringing');
    expect((await bob.state()).remoteUser).toBe(sip.users.patient1.user);
    await bob.page.evaluate(() => window.patientPhone.answer());
    await expect.poll(() => callState(alice.page), { message: 'caller established' }).toBe('established');
    await expect.poll(() => callState(bob.page), { message: 'callee established' }).toBe('established');
    const inviteToAnswered = (await alice.state()).inviteToAnsweredMs;
    console.log(`invite→answered ms: ${inviteToAnswered}`);
    expect(inviteToAnswered).not.toBeNull();

    // Two-way audio: packets rising at both ends, and real (fake-device) audio energy.
    await expectPacketsRising(alice, 'caller');
    await expectPacketsRising(bob, 'callee');
    await expect.poll(async () => (await alice.stats()).totalAudioEnergy, { message: 'caller hears audio' }).toBeGreaterThan(0);
    await expect.poll(async () => (await bob.stats()).totalAudioEnergy, { message: 'callee hears audio' }).toBeGreaterThan(0);
    expect((await bob.stats()).bytesReceived).toBeGreaterThan(0);

    // DTMF (SIP INFO application/dtmf-relay, in-dialog through the record-route).
    await alice.page.evaluate(() => window.patientPhone.sendDtmf('12#'));
    await expect.poll(() => bob.page.evaluate(() => window.patientPhone.receivedDtmf.join('')), { message: 'DTMF at the far end' }).toBe('12#');
    // RFC 4733 telephone-events are negotiated and sent (RTCDTMFSender accepts them); a browser
    // far end cannot observe received telephone-events, so only SIP INFO is checked at bob.
    await alice.page.evaluate(() => window.patientPhone.sendDtmf('5', 'rfc4733'));

    // Hold (re-INVITE sendonly/recvonly): the holder stops receiving RTP; resume brings it back.
    await alice.page.evaluate(() => window.patientPhone.hold());
    expect((await alice.state()).held).toBe(true);
    const heldBefore = await bob.stats();
    await expectPacketsStopped(alice, 'holder while on hold');
    const heldAfter = await bob.stats();
    // SIP.js hold semantics: the holder goes sendonly, so the held party may still receive RTP.
    console.log(`during hold the held party received ${heldAfter.packetsReceived - heldBefore.packetsReceived} packets`);
    await alice.page.evaluate(() => window.patientPhone.unhold());
    expect((await alice.state()).held).toBe(false);
    await expectPacketsRising(alice, 'holder after resume');
    await expectPacketsRising(bob, 'held party after resume');

    // Hang up from the callee: BYE routed in-dialog, both ends end.
    await bob.page.evaluate(() => window.patientPhone.hangup());
    await expect.poll(() => callState(alice.page), { message: 'caller ended by BYE' }).toBe('ended');
    await expect.poll(() => callState(bob.page), { message: 'callee ended' }).toBe('ended');
    expect((await alice.state()).endReason).toBe('bye-received');
    expect((await bob.state()).endReason).toBe('bye-sent');
  });

  test('a wrong password is refused: registration fails and never reaches registered', async ({ sip, patientPhone }) => {
    const phone = await patientPhone();
    const result = await phone.register({ user: sip.users.patient3.user, password: 'not-the-password' });
    expect(result.registration).toBe('registration-failed');
    expect(result.registerFailureCode).toBe(401);
    // The event log has every registration transition: `registered` never appeared.
    const events = (await phone.events()).join('\n');
    expect(events).toMatch(/register rejected 401/);
    expect(events).not.toMatch(/registration registered|registerer Registered/);
  });

  test('the registrar refuses the 403 and 404 test accounts with those codes', async ({ patientPhone }) => {
    for (const [account, code] of [[SIP_REFUSED_USERS.forbidden, 403], [SIP_REFUSED_USERS.notFound, 404]] as const) {
      const phone = await patientPhone();
      const result = await phone.register(account);
      expect(result.registration).toBe('registration-failed');
      expect(result.registerFailureCode).toBe(code);
    }
  });

  test('Kamailio killed and restarted on the same port: phones see the loss and register again', async ({ sip, patientPhone }) => {
    const phone = await patientPhone();
    expect((await phone.register(sip.users.patient1)).registration).toBe('registered');
    const oldPid = sip.server.pid();

    await sip.kill();
    expect(sip.server.running()).toBe(false);
    await expect.poll(async () => (await phone.state()).registration, { message: 'phone notices the dead socket' }).toBe('disconnected');

    const startMs = await sip.start();
    console.log(`Kamailio restart: accepting WebSockets ${startMs} ms after start`);
    expect(sip.server.pid()).not.toBe(oldPid);
    const reRegisterStarted = Date.now();
    await phone.page.evaluate(() => window.patientPhone.reconnect());
    await expect.poll(async () => (await phone.state()).registration, { message: 'registered again' }).toBe('registered');
    console.log(`re-register after restart ms: ${Date.now() - reRegisterStarted}`);

    // The restarted registrar routes calls again (its location table started empty).
    const other = await patientPhone();
    expect((await other.register(sip.users.patient2)).registration).toBe('registered');
    await other.page.evaluate(() => window.patientPhone.setAutoAnswer(true));
    await phone.page.evaluate((target) => window.patientPhone.call(target), sip.users.patient2.user);
    await expect.poll(() => callState(phone.page), { message: 'call after restart' }).toBe('established');
    await expectPacketsRising(phone, 'caller after restart');
    await phone.page.evaluate(() => window.patientPhone.hangup());
    await expect.poll(() => callState(other.page)).toBe('ended');
  });

  test('in-dialog REFER: a blind transfer through the proxy connects the transferee to a third phone', async ({ sip, patientPhone }) => {
    const [alice, bob, carol] = [await patientPhone(), await patientPhone(), await patientPhone()];
    for (const [phone, user] of [[alice, sip.users.patient1], [bob, sip.users.patient2], [carol, sip.users.patient3]] as const) {
      expect((await phone.register(user)).registration).toBe('registered');
    }
    await bob.page.evaluate(() => window.patientPhone.setAutoAnswer(true));
    await carol.page.evaluate(() => window.patientPhone.setAutoAnswer(true));
    await alice.page.evaluate((target) => window.patientPhone.call(target), sip.users.patient2.user);
    await expect.poll(() => callState(alice.page), { message: 'alice↔bob' }).toBe('established');

    await alice.page.evaluate((target) => window.patientPhone.transfer(target), sip.users.patient3.user);
    await expect.poll(async () => (await carol.state()).remoteUser, { message: 'carol called by bob' }).toBe(sip.users.patient2.user);
    await expect.poll(() => callState(carol.page), { message: 'bob↔carol' }).toBe('established');
    await expect.poll(() => callState(alice.page), { message: 'transferor hung up after NOTIFY 200' }).toBe('ended');
    expect((await alice.state()).endReason).toBe('transferred');
    expect((await bob.state()).referralsFollowed).toBe(1);
    await expectPacketsRising(bob, 'transferee');
    await expectPacketsRising(carol, 'transfer target');
    await carol.page.evaluate(() => window.patientPhone.hangup());
    await expect.poll(() => callState(bob.page)).toBe('ended');
  });

  test('OPTIONS to the server itself is answered 200 (keep-alive)', async ({ sip }) => {
    const ws = new WebSocket(sip.wsUrl, 'sip');
    await new Promise<void>((resolveOpen, reject) => {
      ws.once('open', () => resolveOpen());
      ws.once('error', reject);
    });
    const reply = new Promise<string>((resolveReply) => ws.once('message', (data) => resolveReply(data.toString())));
    const branch = `z9hG4bK${Date.now()}`;
    ws.send(
      [
        `OPTIONS sip:${sip.domain} SIP/2.0`,
        `Via: SIP/2.0/WS keepalive.invalid;branch=${branch}`,
        'Max-Forwards: 70',
        `To: <sip:${sip.domain}>`,
        `From: <sip:${sip.users.desk.user}@${sip.domain}>;tag=ka1`,
        `Call-ID: keepalive-${branch}`,
        'CSeq: 1 OPTIONS',
        'Content-Length: 0',
        '',
        '',
      ].join('\r\n'),
    );
    expect((await reply).split('\r\n')[0]).toBe('SIP/2.0 200 OK');
    ws.close();
  });
});
