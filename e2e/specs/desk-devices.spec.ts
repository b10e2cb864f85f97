import type { Page } from '@playwright/test';
import { deskSipArgs, openRegisteredDesk } from '../support/desk-phone';
import { screenshot } from '../support/fixtures';
import type { PatientPhoneHandle } from '../support/patient-phone';
import { expect, test } from '../support/sip';

// Audio devices chosen in Settings, with Chromium's fake devices (two inputs, two outputs):
// the ringtone plays on the ringer device, call audio on the headset device, and the microphone
// can be switched mid-call without a re-INVITE. The test watches the page's <audio> elements
// (sink and what they play) from outside the product, through an init script.

test.use({ permissions: ['microphone'] });

interface AudioSeen {
  sinkId: string;
  playing: boolean;
  /** 'ringtone' for a Blob URL source, 'call' for a MediaStream, '' for nothing. */
  source: 'ringtone' | 'call' | '';
}

declare global {
  interface Window {
    deskAudio?: () => AudioSeen[];
  }
}

async function watchAudioElements(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const elements = new Set<HTMLMediaElement>();
    const play = HTMLMediaElement.prototype.play;
    HTMLMediaElement.prototype.play = function (this: HTMLMediaElement) {
      elements.add(this);
      return play.call(this);
    };
    window.deskAudio = () =>
      [...elements].map((el) => ({
        sinkId: (el as HTMLMediaElement & { sinkId?: string }).sinkId ?? '',
        playing: !el.paused,
        source: el.srcObject ? 'call' : el.src.startsWith('blob:') ? 'ringtone' : '',
      }));
  });
}

const playing = (page: Page) => page.evaluate(() => (window.deskAudio?.() ?? []).filter((a) => a.playing));

/** The deviceId of the option whose label is `label` in a Settings select. */
async function chooseDevice(page: Page, testId: string, label: string): Promise<string> {
  const select = page.getByTestId(testId);
  await expect(select.locator('option', { hasText: label })).toHaveCount(1);
  await select.selectOption({ label });
  return await select.inputValue();
}

async function patientHears(patient: PatientPhoneHandle, label: string): Promise<void> {
  const before = (await patient.stats()).packetsReceived;
  await expect.poll(async () => (await patient.stats()).packetsReceived, { message: label }).toBeGreaterThan(before + 10);
}

test('ringtone on the ringer device, call audio on the headset, microphone switched mid-call without a re-INVITE', async ({
  page,
  launch,
  sip,
  patientPhone,
  problems,
}) => {
  const desk = await launch({ args: deskSipArgs(sip) });
  await watchAudioElements(page);
  await openRegisteredDesk(page, desk);

  await page.getByTestId('nav-settings').click();
  const ringer = await chooseDevice(page, 'settings-audio-ringer', 'Fake Audio Output 2');
  const headset = await chooseDevice(page, 'settings-audio-speaker', 'Fake Audio Output 1');
  await chooseDevice(page, 'settings-audio-microphone', 'Fake Audio Input 1');
  expect(ringer).not.toBe(headset);
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-message')).toHaveAttribute('data-tone', 'ok');
  await screenshot(page, 'desk-settings-audio');
  await page.getByTestId('nav-phone').click();

  const patient = await patientPhone();
  await patient.register(sip.users.patient1);
  await patient.page.evaluate((target) => window.patientPhone.call(target), sip.users.desk.user);
  await expect(page.getByTestId('incoming-call')).toBeVisible();
  await expect.poll(() => playing(page), { message: 'the ringtone plays on the ringer device' }).toEqual([{ sinkId: ringer, playing: true, source: 'ringtone' }]);

  await page.getByTestId('answer-button').click();
  await expect(page.locator('[data-testid="call-line"][data-state="active"]')).toHaveCount(1);
  await expect.poll(() => playing(page), { message: 'the ringtone stops; the call plays on the headset' }).toEqual([{ sinkId: headset, playing: true, source: 'call' }]);
  await patientHears(patient, 'the patient hears the desk');

  // Mid-call: another microphone. replaceTrack, no re-INVITE: the far end sees no new offer.
  const reInvitesBefore = (await patient.state()).reInvitesReceived;
  await page.getByTestId('nav-settings').click();
  await chooseDevice(page, 'settings-audio-microphone', 'Fake Audio Input 2');
  await page.getByTestId('settings-save').click();
  await expect(page.getByTestId('settings-message')).toHaveAttribute('data-tone', 'ok');
  await page.getByTestId('nav-phone').click();
  await patientHears(patient, 'the patient still hears the desk after the switch');
  expect((await patient.state()).reInvitesReceived).toBe(reInvitesBefore);
  expect((await patient.state()).call).toBe('established');

  await page.getByTestId('hangup-button').click();
  await expect(page.getByTestId('call-line')).toHaveCount(0);
  await expect.poll(() => playing(page), { message: 'nothing plays after the call' }).toEqual([]);
  expect(problems.list).toEqual([]);
});
