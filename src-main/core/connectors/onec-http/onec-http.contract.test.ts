import { describeMisConnectorContract } from '../mis/testing/mis-contract-suite';
import { fixtureGuid } from './testing/onec-fixture-data';
import { startOnecFixtureServer } from './testing/onec-fixture-server';
import { FIXTURE_PASSWORD, FIXTURE_USER, onecTestConnector } from './testing/onec-test-connector';

for (const mode of ['http-service', 'odata'] as const) {
  describeMisConnectorContract(`onec-http (${mode})`, async () => {
    const fixture = await startOnecFixtureServer({ user: FIXTURE_USER, password: FIXTURE_PASSWORD });
    // A lost answer is seen when the connector gives up waiting: a short timeout keeps that test quick.
    const made = onecTestConnector(fixture.url, mode, { timeoutSec: 0.5 });
    const wrong: (() => void)[] = [];
    return {
      connector: made.connector,
      known: { misId: fixtureGuid(1), phoneE164: '+79165550101', surnameQuery: 'Новосельц' },
      merged: { from: fixtureGuid(7), into: fixtureGuid(8) },
      edit: (misId, surname) => Promise.resolve(fixture.control.editPatient(misId, { surname })),
      sampleWrite: (key) =>
        mode === 'odata'
          ? null
          : {
              idempotencyKey: key,
              kind: 'wrapup',
              payload: { localId: `wu-${key}`, callId: 'call-1', misId: fixtureGuid(1), category: 'booking', outcome: 'booked', note: 'Перезвонить после 18:00', acwSec: 25, savedAt: '2026-12-06T09:15:00+03:00' },
            },
      writesFor: (key) => Promise.resolve(fixture.control.notesFor(key)),
      loseNextAnswer: () => fixture.control.loseNextAnswer(),
      withWrongPassword: () => {
        const other = onecTestConnector(fixture.url, mode, { password: 'неверный' });
        wrong.push(other.dispose);
        return other.connector;
      },
      close: async () => {
        await fixture.close();
        made.dispose();
        for (const dispose of wrong) dispose();
      },
    };
  });
}
