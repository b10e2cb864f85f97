import { MisError } from '../mis/mis-connector';
import { DemoMis } from './demo-mis';

/**
 * One desk of `demo-schedule-race.test.ts`: opens the demo MIS on a shared schedule file, says
 * `READY`, and on the parent's `go` (sent to every desk at once) books every slot of the list for
 * its own patient, as fast as it can. Prints one JSON line: what the MIS answered for each slot.
 *
 * Run with Node 22: `node --experimental-transform-types --import ../../sync/reliability/register-ts.mjs
 * demo-schedule-race-child.ts '<json config>'`.
 */
export interface RaceChildConfig {
  scheduleFile: string;
  desk: number;
  patients: number;
  slots: { id: string; doctorId: string; serviceId: string; startsAt: string }[];
}

const config = JSON.parse(process.argv[2] ?? '{}') as RaceChildConfig;
const mis = new DemoMis({ patients: config.patients, scheduleFile: config.scheduleFile });
const patientMisId = String(1_000_000 + config.desk);
process.stdout.write('READY\n');
await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
const answers: string[] = [];
for (const [i, slot] of config.slots.entries()) {
  const localId = `desk${config.desk}-${i}`;
  try {
    const result = await mis.submit({
      idempotencyKey: `key-${localId}`,
      kind: 'booking.create',
      payload: { localId, patientMisId, slotId: slot.id, doctorId: slot.doctorId, serviceId: slot.serviceId, startsAt: slot.startsAt, callId: null },
    });
    answers.push(result.status);
  } catch (error) {
    answers.push(error instanceof MisError ? (error.rejection ?? error.kind) : String(error));
  }
}
mis.close();
process.stdout.write(`${JSON.stringify(answers)}\n`);
