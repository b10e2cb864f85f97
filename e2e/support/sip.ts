import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS } from './desk-host';
import { test as base } from './fixtures';
import { startKamailio, type Kamailio } from './kamailio';
import { buildPatientPhone, openPatientPhone, PATIENT_PHONE_OUT, serveStatic, type PatientPhoneHandle } from './patient-phone';

export interface SipInfra {
  wsUrl: string;
  /** Kamailio's trunk listener, udp:127.0.0.1:udpPort (SIPp rings the desk through it). */
  udpPort: number;
  domain: string;
  users: Kamailio['users'];
  /** The Kamailio process (log, pid, restart …). */
  server: Kamailio;
  /** Kills Kamailio (SIGKILL to its process group, by PID), as a crash would. */
  kill(): Promise<void>;
  /** Starts it again on the same port; resolves with ms until it accepts WebSockets. */
  start(): Promise<number>;
  restart(): Promise<number>;
  /** URL of the built patient phone page. */
  patientPhoneUrl: string;
}

type NewPatientPhone = () => Promise<PatientPhoneHandle>;

/**
 * `sip` (worker-scoped): one Kamailio on 127.0.0.1 per worker, plus the patient phone page
 * built once and served from 127.0.0.1; stopped at worker teardown. A test that kills
 * Kamailio must leave it running (call `start()`), the fixture also restarts it if needed.
 * `patientPhone` (test-scoped): opens patient phones in their own contexts, closed afterwards.
 */
export const test = base.extend<{ patientPhone: NewPatientPhone; sipUp: void }, { sip: SipInfra }>({
  sip: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const buildMs = await buildPatientPhone();
      const server = await startKamailio();
      const web = await serveStatic(PATIENT_PHONE_OUT);
      console.log(`sip infra: patient phone built in ${buildMs} ms; Kamailio pid ${server.pid()} on ${server.wsUrl}`);
      try {
        await use({
          wsUrl: server.wsUrl,
          udpPort: server.udpPort,
          domain: server.domain,
          users: server.users,
          server,
          kill: () => server.kill(),
          start: () => server.start(),
          restart: () => server.restart(),
          patientPhoneUrl: web.url,
        });
      } finally {
        await web.close();
        await server.stop();
        // Keep the server log for a failed run; the temp folder itself goes.
        mkdirSync(ARTIFACTS, { recursive: true });
        writeFileSync(join(ARTIFACTS, 'kamailio.log'), server.log());
        rmSync(server.dir, { recursive: true, force: true });
      }
    },
    { scope: 'worker' },
  ],
  // Every test starts with Kamailio up, even if an earlier test killed it and failed.
  sipUp: [
    async ({ sip }, use) => {
      if (!sip.server.running()) await sip.start();
      await use();
    },
    { auto: true },
  ],
  patientPhone: async ({ browser, sip }, use, testInfo) => {
    const opened: PatientPhoneHandle[] = [];
    await use(async () => {
      const phone = await openPatientPhone(browser, sip.patientPhoneUrl, sip);
      opened.push(phone);
      return phone;
    });
    // A failed test keeps what each far end saw: the first thing to read when a call misbehaves.
    if (testInfo.status !== testInfo.expectedStatus) {
      for (const [index, phone] of opened.entries()) {
        const events = await phone.events().catch(() => ['(page gone)']);
        await testInfo.attach(`patient-phone-${index + 1}-events`, { body: events.join('\n'), contentType: 'text/plain' });
        console.log(`patient phone ${index + 1} events:\n  ${events.join('\n  ')}`);
      }
    }
    await Promise.all(opened.map((phone) => phone.close().catch(() => undefined)));
  },
});

export { expect } from './fixtures';
