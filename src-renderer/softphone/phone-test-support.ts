/**
 * Shared by the SipJsPhone tests (test support, never imported by the app): the account they
 * register with, and the two ways they wait — on a condition, or until the fake transport's
 * `setTimeout(0)` hops have run. Neither waits for wall-clock time to pass as such.
 */
import type { PhoneAccount } from './phone';

/** The test desk's account on the fake SIP server; pass what a test needs different. */
export function testAccount(overrides: Partial<PhoneAccount> = {}): PhoneAccount {
  return {
    server: 'ws://127.0.0.1:8080',
    uri: 'sip:101@clinic.test',
    authorizationUsername: '101',
    password: 'secret',
    displayName: 'Desk',
    iceServers: [],
    iceGatheringTimeoutMs: 500,
    autoAnswerIntercom: false,
    dtmfMode: 'rfc4733',
    audioDevices: { microphoneId: '', speakerId: '', ringerId: '' },
    ...overrides,
  };
}

/** Polls `cond` (SIP.js runs on real timers) until it holds, or fails naming `what`. */
export async function until(cond: () => boolean, what: string, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Drains the event loop (the fake transport hops on `setTimeout(0)`), so a message that should
 * NOT have been sent would be in `server.received` by now.
 */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setTimeout(r, 0));
}
