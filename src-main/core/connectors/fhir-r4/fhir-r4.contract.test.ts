import { describeMisConnectorContract } from '../mis/testing/mis-contract-suite';
import { FIXTURE_PATIENTS } from './testing/fhir-fixture-data';
import { startFhirFixtureServer } from './testing/fhir-fixture-server';
import { FIXTURE_PASSWORD, FIXTURE_USER, fhirTestConnector } from './testing/fhir-test-connector';

/** The `fhir-r4` connector against its FHIR fixture server, through the contract every MIS connector passes. */
describeMisConnectorContract('fhir-r4', async () => {
  const fixture = await startFhirFixtureServer({ auth: { user: FIXTURE_USER, password: FIXTURE_PASSWORD } });
  // A lost answer is seen when the connector gives up waiting: a short timeout keeps that test quick.
  const connector = fhirTestConnector(fixture.url, { timeoutSec: 0.5 });
  return {
    connector,
    // Семёнова's mobile is stored as "+7 (916) 123-45-67": found only through the punctuated forms.
    known: { misId: FIXTURE_PATIENTS.semenova, phoneE164: '+79161234567', surnameQuery: 'Семенова' },
    merged: { from: FIXTURE_PATIENTS.mergedFrom, into: FIXTURE_PATIENTS.mergedInto },
    // The patient without a family name is refused by the card's schema (quarantined by the core).
    invalidRecords: 1,
    edit: async (misId, surname) => void fixture.control.editPatient(misId, { family: surname }),
    sampleWrite: (key) => ({
      idempotencyKey: key,
      kind: 'wrapup',
      payload: {
        localId: `wrapup:${key}`,
        callId: `call-${key}`,
        misId: FIXTURE_PATIENTS.semenova,
        category: 'Запись',
        outcome: 'resolved',
        note: 'Записана к терапевту',
        acwSec: 12,
        savedAt: '2026-12-06T08:00:00.000Z',
      },
    }),
    writesFor: async (key) => fixture.control.countWithIdentifier('Communication', key),
    loseNextAnswer: () => fixture.control.loseNextWriteAnswer({ mode: 'delay' }),
    withWrongPassword: () => fhirTestConnector(fixture.url, { auth: { type: 'basic', user: FIXTURE_USER, password: 'неверный' } }),
    close: () => fixture.close(),
  };
});
