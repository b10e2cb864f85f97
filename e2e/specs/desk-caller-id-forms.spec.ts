import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConsoleMessage } from '@playwright/test';
import { callerIdCorpus, corpusNumbers, type CorpusEntry } from '../support/caller-id-corpus';
import { deskSipArgs } from '../support/desk-phone';
import { screenshot } from '../support/fixtures';
import { CLINIC, fullName, openSyncedDesk } from '../support/screen-pop';
import { expect, test } from '../support/sip';
import { trunkCall, type SippResult, type TrunkInvite } from '../support/sipp';

// Issue 10, item 6: every caller-id form a trunk delivers rings. SIPp — a plain SIP client, not
// SIP.js — sends each INVITE of the corpus (support/caller-id-corpus.ts) over UDP to Kamailio's
// trunk listener, which routes it to the desk's WebSocket. For each one the desk must ring, pop
// the right card (or the new-patient draft for an unknown number) while it rings, and take the
// caller's CANCEL. An INVITE the desk's SIP stack cannot parse is refused with 400 by the desk —
// the trunk hears a refusal, never silence — and the desk keeps ringing for the next caller.

test.use({ permissions: ['microphone'] });

function describeResult(result: SippResult): string {
  return `SIPp exit ${result.code}; responses: ${result.statusLines.join(' | ')}\n${result.errors}\n${result.messages.slice(-6_000)}`;
}

test('every caller-id form from a plain SIP trunk rings and pops the right card or the draft, and the CANCEL ends the ring', async ({ page, launch, sip, problems }) => {
  const corpus = callerIdCorpus();
  test.setTimeout(60_000 + corpus.length * 20_000);
  const consoleLines: string[] = [];
  page.on('console', (message: ConsoleMessage) => consoleLines.push(message.text()));
  const desk = await launch({ args: deskSipArgs(sip, { clinic: CLINIC }) });
  await openSyncedDesk(page, desk);

  for (const entry of corpus) {
    await test.step(entry.label, async () => {
      const started = Date.now();
      const call = await trunkCall({ udpPort: sip.udpPort, target: { user: sip.users.desk.user, domain: sip.domain }, invite: entry.invite, expect: 'ring' });
      let result: SippResult | null = null;
      try {
        const ringing = page.getByTestId('incoming-call');
        await expect(ringing, `${entry.label}: the desk rings`).toBeVisible();
        await expectPop(entry);
        const name = (await ringing.getByTestId('incoming-call-name').textContent()) ?? '';
        if (entry.hostileName) {
          expect(name, 'no bidi override survives').not.toMatch(/[\u202a-\u202e\u2066-\u2069]/u);
          expect(Array.from(name).length, 'the name is bounded').toBeLessThanOrEqual(200);
          await expect(ringing.locator('img')).toHaveCount(0);
        }
        if (entry.label === 'tel: +7 with separators') await screenshot(page, 'desk-caller-id-tel-uri');
        const ringMs = Date.now() - started;
        await call.hangUp();
        await expect(ringing, `${entry.label}: the caller's CANCEL ends the ring`).toHaveCount(0);
        result = await call.finished();
        console.log(`caller-id form "${entry.label}": rang and popped ${'card' in entry.expect ? 'the card' : 'the draft'} (${ringMs} ms from SIPp start); SIPp got ${result.statusLines.map((l) => l.split(' ')[1]).join(',')}, exit ${result.code}`);
      } finally {
        if (!result) {
          await call.stop();
          console.log(`caller-id form "${entry.label}" failed: ${describeResult(await call.finished())}`);
        }
      }
      expect(result!.code, describeResult(result!)).toBe(0);
      expect(result!.statusLines.map((l) => l.split(' ')[1])).toEqual(expect.arrayContaining(['180', '487']));
    });
  }

  // Patient data (numbers, names) never reaches the console, whatever the form.
  const leaked = consoleLines.filter((line) => corpusNumbers().some((digits) => line.replace(/\D/gu, '').includes(digits)) || /Иванова|Мама/u.test(line));
  expect(leaked).toEqual([]);
  expect(problems.list).toEqual([]);

  async function expectPop(entry: CorpusEntry): Promise<void> {
    if ('card' in entry.expect) {
      await expect(page.getByTestId('screen-pop-name'), `${entry.label}: the caller's card pops`).toHaveText(fullName(entry.expect.card));
    } else {
      await expect(page.getByTestId('screen-pop-new'), `${entry.label}: the new-patient draft pops`).toBeVisible();
      const shown = (await page.getByTestId('screen-pop-new-phone').textContent()) ?? '';
      expect(shown.replace(/\D/gu, '').endsWith(entry.expect.draftNational10), `the draft carries the number (${shown.length} characters shown)`).toBe(true);
    }
  }
});

/**
 * INVITEs the proxy relays but the desk's SIP stack cannot parse (a broken SBC): answered 400 by
 * the desk (RFC 3261 §8.2.6, §21.4.1). Kamailio refuses a malformed From or To itself.
 */
const UNPARSEABLE: { label: string; invite: TrunkInvite; reason: string }[] = [
  { label: 'a second, unterminated Contact', invite: { from: '"Ivan" <tel:+7-999-000-00-02>', extraHeaders: ['Contact: <sip:broken@127.0.0.1'] }, reason: 'malformed-contact' },
  { label: 'an unterminated Record-Route from the trunk side', invite: { from: '<sip:89990000002@trunk.registratura.test>', extraHeaders: ['Record-Route: <sip:sbc.registratura.test;lr'] }, reason: 'malformed-record-route' },
];

test('an INVITE the desk cannot parse is refused with 400 by the desk, logged with a reason and no caller data, and the desk keeps ringing for the next caller', async ({ page, launch, sip, problems }) => {
  test.setTimeout(120_000);
  const warnings: string[] = [];
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'warning') warnings.push(message.text());
  });
  const desk = await launch({ args: deskSipArgs(sip, { clinic: CLINIC }) });
  await openSyncedDesk(page, desk);

  for (const entry of UNPARSEABLE) {
    const call = await trunkCall({ udpPort: sip.udpPort, target: { user: sip.users.desk.user, domain: sip.domain }, invite: entry.invite, expect: 'refused' });
    const result = await call.finished();
    expect(result.code, `${entry.label}: ${describeResult(result)}`).toBe(0);
    expect(result.statusLines.at(-1)).toMatch(/^SIP\/2\.0 400 Malformed /u);
    console.log(`unparseable "${entry.label}": SIPp got ${result.statusLines.join(' | ')}`);
    await expect(page.getByTestId('incoming-call')).toHaveCount(0);
    await expect.poll(() => warnings.filter((w) => w === `softphone: refused an unparseable INVITE with 400 (${entry.reason})`).length).toBe(1);
  }
  expect(warnings.filter((w) => /9990000002|Ivan/u.test(w))).toEqual([]);
  // The refusals are in the desk's own log too (where IT looks), as codes: method, status, reason.
  const deskLog = () => readFileSync(join(desk.dataDir, 'logs', 'desk.log'), 'utf8');
  await expect.poll(() => deskLog().split('\n').filter((line) => line.includes('"renderer.softphone.refused-unparseable"')).length).toBe(UNPARSEABLE.length);
  for (const entry of UNPARSEABLE) expect(deskLog()).toContain(`"problem":"${entry.reason}"`);
  expect(deskLog()).not.toMatch(/9990000002|Ivan/u);

  // The phone is still registered and still rings.
  await expect(page.getByTestId('status-sip')).toHaveAttribute('data-state', 'registered');
  const next = await trunkCall({ udpPort: sip.udpPort, target: { user: sip.users.desk.user, domain: sip.domain }, invite: { from: '<tel:+7-999-000-00-03>' }, expect: 'ring' });
  let rang = false;
  try {
    await expect(page.getByTestId('incoming-call')).toBeVisible();
    await next.hangUp();
    await expect(page.getByTestId('incoming-call')).toHaveCount(0);
    rang = true;
  } finally {
    if (!rang) await next.stop();
  }
  const after = await next.finished();
  expect(after.code, describeResult(after)).toBe(0);
  expect(problems.list).toEqual([]);
});
