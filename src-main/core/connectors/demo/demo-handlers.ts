import { DeskError } from '../../../../src-shared/ipc/errors';
import type { DemoHandlerTable } from '../../ipc/dispatcher';
import type { DemoMis } from './demo-mis';
import type { DemoPbx } from './demo-pbx';

export interface DemoHandlerOptions {
  /** The demo clinic while it runs (null: the MIS is another connector, or not started). */
  mis: () => DemoMis | null;
  /** The demo PBX (null: the PBX is another connector). */
  pbx: DemoPbx | null;
  /** Moves the desk's call-list clock forward (`advance-clock`); absent: that control is not available. */
  advanceClock?: (ms: number) => void;
}

/**
 * `demo.*`: the demo clinic's controls (training, sales demos, e2e) — edit a patient as the
 * MIS staff would, take the MIS offline, let another channel take a slot, move the call lists'
 * clock, ring the desk phone, list the MIS's ledger. The core
 * adds them to its handler table only when a demo connector runs; otherwise the dispatcher
 * refuses every `demo.*` request with `DEMO_ONLY`.
 */
export function createDemoHandlers(options: DemoHandlerOptions): DemoHandlerTable {
  const demoMis = (): DemoMis => {
    const mis = options.mis();
    if (!mis) throw new DeskError('DEMO_ONLY', 'The MIS of this desk is not the demo clinic.');
    return mis;
  };
  return {
    'demo.simulate': (input) => {
      if (input.action === 'pbx-ringing' || input.action === 'pbx-answered' || input.action === 'pbx-ended') {
        const pbx = options.pbx;
        if (!pbx) throw new DeskError('DEMO_ONLY', 'The PBX of this desk is not the demo PBX.');
        if (input.action === 'pbx-ringing') return { applied: true, callId: pbx.ring(input.number, input.extension) };
        return { applied: input.action === 'pbx-answered' ? pbx.answer(input.callId) : pbx.end(input.callId) };
      }
      if (input.action === 'advance-clock') {
        if (!options.advanceClock) throw new DeskError('NOT_AVAILABLE', 'This desk has no call-list clock to move.');
        options.advanceClock(input.ms);
        return { applied: true };
      }
      const mis = demoMis();
      if (input.action === 'take-slot') return { applied: mis.takeSlot(input.slotId) };
      if (input.action === 'set-offline') mis.setOffline(input.offline);
      else {
        const patch = { ...(input.surname && { surname: input.surname }), ...(input.givenName && { givenName: input.givenName }) };
        mis.editPatient(input.misId, patch);
      }
      return { applied: true };
    },
    'demo.ledger': ({ kind }) => ({
      entries: demoMis()
        .ledgerEntries(kind)
        .map((entry) => ({
          kind: entry.kind,
          key: entry.idempotencyKey,
          ref: `demo-${entry.idempotencyKey}`,
          localId: entry.localId,
          receipts: entry.receipts,
        })),
    }),
  };
}
