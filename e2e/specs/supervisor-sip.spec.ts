import { actionsNamed, header, startAmi } from '../support/ami';
import { writeConfig } from '../support/desk-host';
import { openRegisteredDesk } from '../support/desk-phone';
import { screenshot } from '../support/fixtures';
import { expect, test } from '../support/sip';

// The supervisor's softphone over real SIP (Kamailio): after "listen", the PBX rings the
// supervisor's own phone with an intercom INVITE (`Call-Info: answer-after=0`, as Asterisk,
// MikoPBX and FreePBX send for ChanSpy). The desk answers it by itself — intercom auto-answer
// is off on this desk, so only the monitor session it asked for explains it — and shows it as a
// monitor session, not as a ringing patient. The PBX here is the AMI simulator (it records the
// Originate); the patient phone plays the PBX's leg to the supervisor.

test.use({ permissions: ['microphone'] });

test('the monitor call reaching the supervisor softphone with Call-Info answer-after=0 is answered by itself and shown as a monitor session, not a ringing patient', async ({
  page,
  launch,
  sip,
  patientPhone,
  problems,
}) => {
  test.setTimeout(120_000);
  const { sim, amiPort } = await startAmi();
  sim.setDeviceState('PJSIP/9000', 1);
  try {
    const user = sip.users.desk.user;
    const config = writeConfig({
      role: 'supervisor',
      language: 'ru',
      agent: { extension: '9000', name: 'Смирнова Елена' },
      sip: { server: sip.wsUrl, uri: `sip:${user}@${sip.domain}`, authUser: user, password: sip.users.desk.password, displayName: 'Supervisor', iceServers: [], iceGatheringTimeoutMs: 500 },
      connectors: {
        mis: { id: 'demo', config: { patients: 1_000, evolveIntervalMs: 0, latencyMs: 5 } },
        pbx: { id: 'asterisk-ami', config: { preset: 'asterisk', host: '127.0.0.1', port: amiPort, username: 'admin', secret: 'amipass', queueNames: { reception: 'Регистратура' }, spy: null } },
      },
    });
    const desk = await launch({ args: ['--config', config] });
    await openRegisteredDesk(page, desk);
    await expect(page.getByTestId('status-pbx')).toHaveAttribute('data-state', 'online');

    // An operator (1001) talks to a caller.
    const caller = sim.addCaller('+79161112233', 'reception');
    sim.answer(caller.linkedid, 'PJSIP/1001');
    await page.getByTestId('nav-supervisor').click();
    const agent = page.locator('[data-testid="sv-agent"][data-extension="1001"]');
    await expect(agent).toHaveAttribute('data-state', 'talking');
    const before = sim.recordedActions().length;
    await agent.click();
    await expect(agent).toHaveAttribute('aria-pressed', 'true');
    await page.getByTestId('sv-listen').click();
    await expect.poll(() => actionsNamed(sim, 'Originate', before).length).toBe(1);
    expect(header(actionsNamed(sim, 'Originate', before)[0]!, 'Channel')).toBe('PJSIP/9000');

    // The PBX's leg to the supervisor's softphone: an intercom INVITE.
    const pbxLeg = await patientPhone();
    await pbxLeg.register(sip.users.patient2);
    await pbxLeg.page.evaluate(
      (target) => window.patientPhone.call(target, { displayName: 'Monitor 1001', extraHeaders: [`Call-Info: <sip:${target}@registratura.test>;answer-after=0`] }),
      user,
    );
    const session = page.getByTestId('monitor-session');
    await expect(session).toBeVisible();
    await expect(session).toHaveAttribute('data-mode', 'listen');
    await expect(session).toContainText('1001');
    await expect.poll(async () => (await pbxLeg.state()).call, { message: 'monitor leg connected' }).toBe('established');
    // Not a ringing patient: no ringing panel, no screen pop, no wrap-up.
    await expect(page.getByTestId('incoming-call')).toHaveCount(0);
    await expect(page.getByTestId('screen-pop-name')).toHaveCount(0);
    await screenshot(page, 'supervisor-monitor-softphone');

    // Hanging up there ends the session; no wrap-up follows.
    await session.getByTestId('hangup-button').click();
    await expect(session).toHaveCount(0);
    await expect.poll(async () => (await pbxLeg.state()).call).not.toBe('established');
    await expect(page.getByTestId('wrap-up')).toHaveCount(0);
    expect(problems.list).toEqual([]);
  } finally {
    await sim.stop();
  }
});
