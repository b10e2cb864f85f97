import type { Page } from '@playwright/test';
import { writeConfig } from '../support/desk-host';
import { reportFigure } from '../support/figures';
import { openDesk } from '../support/fixtures';
import { expect, test } from '../support/sip';

// The real desk (browser host, real renderer, SIP.js behind our `Phone`) registers with the
// Kamailio of the `sip` fixture as 1001, provisioned with `--config` the way IT would.

test.use({ permissions: ['microphone'] });

interface SipStateChange {
  state: string;
  /** ms since the page's time origin (navigation start). */
  at: number;
}

declare global {
  interface Window {
    sipStates?: SipStateChange[];
  }
}

/**
 * Records every `data-state` the `status-sip` indicator takes, from the first paint on
 * (`attributeOldValue` catches a state even if two changes land in one observer batch).
 */
async function recordSipStates(page: Page): Promise<void> {
  await page.addInitScript(() => {
    const seen: SipStateChange[] = [];
    window.sipStates = seen;
    const push = (state: string | null) => {
      if (state !== null && seen.at(-1)?.state !== state) seen.push({ state, at: performance.now() });
    };
    new MutationObserver((records) => {
      for (const record of records) {
        const el = record.target as Element;
        if (record.type === 'attributes' && el.getAttribute?.('data-testid') === 'status-sip') push(record.oldValue);
      }
      push(document.querySelector('[data-testid="status-sip"]')?.getAttribute('data-state') ?? null);
    }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-state'], attributeOldValue: true });
  });
}

const sipStates = (page: Page) => page.evaluate(() => window.sipStates ?? []);

function deskConfig(wsUrl: string, domain: string, user: string, password: string): string {
  return writeConfig({
    language: 'en',
    sip: { server: wsUrl, uri: `sip:${user}@${domain}`, authUser: user, password, iceServers: [], iceGatheringTimeoutMs: 500 },
  });
}

test('the provisioned desk registers with the SIP server', async ({ page, launch, sip, problems }) => {
  const desk = await launch({ args: ['--config', deskConfig(sip.wsUrl, sip.domain, sip.users.desk.user, sip.users.desk.password), '--demo-patients', '1000'] });
  await recordSipStates(page);
  await openDesk(page, desk.url);
  await expect(page.getByTestId('status-sip')).toHaveAttribute('data-state', 'registered');
  const states = await sipStates(page);
  const registered = states.find((change) => change.state === 'registered');
  expect(registered).toBeDefined();
  const connecting = states.find((change) => change.state === 'connecting');
  expect(connecting, 'the phone showed connecting before registered').toBeDefined();
  reportFigure(
    'register',
    registered!.at - connecting!.at,
    200,
    `connecting → registered; page open → registered ${Math.round(registered!.at)} ms; ${states.map((c) => c.state).join(' → ')}`,
  );
  await expect(page.getByTestId('phone-registration')).toHaveAttribute('data-state', 'registered');
  await expect(page.getByTestId('sip-error')).toHaveCount(0);
  expect(problems.list).toEqual([]);
});

test('a wrong SIP password shows the specific error and never registered', async ({ page, launch, sip, problems }) => {
  const desk = await launch({ args: ['--config', deskConfig(sip.wsUrl, sip.domain, sip.users.desk.user, 'not-the-password'), '--demo-patients', '1000'] });
  await recordSipStates(page);
  await openDesk(page, desk.url);
  await expect(page.getByTestId('status-sip')).toHaveAttribute('data-state', 'failed');
  await expect(page.getByTestId('sip-error')).toContainText('Wrong SIP password — check it in Settings');
  await expect(page.getByTestId('sip-error')).toHaveAttribute('data-detail', 'sipWrongPassword');
  const states = (await sipStates(page)).map((change) => change.state);
  expect(states.at(-1)).toBe('failed');
  expect(states).not.toContain('registered');
  expect(states).toContain('registering');
  expect(problems.list).toEqual([]);
});
