import type { PatientCard } from '../../../../src-shared/patients/patient-card';
import { describeMisConnectorContract } from '../mis/testing/mis-contract-suite';
import { DemoMis } from './demo-mis';

/** The demo clinic passes the same contract as every real MIS connector (`mis/testing/mis-contract-suite.ts`). */
describeMisConnectorContract('demo', async () => {
  const mis = new DemoMis({ patients: 60, seed: 7 });
  // A few days of the clinic's life, so it has a merged duplicate to hide.
  const changes = mis.evolve(120);
  const merge = changes.find((change): change is { type: 'merge'; from: string; into: string } => change.type === 'merge');
  if (!merge) throw new Error('the demo clinic (seed 7) merged no duplicate in 120 changes: pick another seed');
  const first = (await mis.changesSince(null, 200)).cards as PatientCard[];
  const known = first.find((card) => card.phones.some((p) => p.kind === 'mobile') && mis.peek(card.misId) !== null && card.misId !== merge.from && card.misId !== merge.into)!;
  const mobile = known.phones.find((p) => p.kind === 'mobile')!;
  return {
    connector: mis,
    known: { misId: known.misId, phoneE164: mobile.e164, surnameQuery: mis.peek(known.misId)!.surname },
    merged: { from: merge.from, into: merge.into },
    edit: async (misId, surname) => void mis.editPatient(misId, { surname }),
    sampleWrite: (key) => ({
      idempotencyKey: key,
      kind: 'wrapup',
      payload: { localId: `wrapup:${key}`, callId: `call-${key}`, misId: known.misId, category: 'Запись', outcome: 'resolved', note: 'Записана на приём', acwSec: 12, savedAt: '2026-12-06T08:00:00.000Z' },
    }),
    writesFor: async (key) => (mis.ledgerEntry(key) === null ? 0 : 1),
    loseNextAnswer: () => {
      // The next round trip times out; half the time after the write was applied (as in life).
      mis.timeoutRate = 1;
      const submit = mis.submit.bind(mis);
      mis.submit = async (submission) => {
        try {
          return await submit(submission);
        } finally {
          mis.timeoutRate = 0;
          mis.submit = submit;
        }
      };
    },
    withWrongPassword: null,
    close: async () => mis.close(),
  };
});
