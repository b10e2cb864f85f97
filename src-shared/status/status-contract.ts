/**
 * The state of PBX, MIS and sync as main sees them (the status bar).
 */
import { NoInput, type EventTable, type RequestTable } from '../ipc/contract-table';
import { CoreStatusSchema } from './system-status';

export const statusRequests = {
  /** State of PBX, MIS and sync as main sees them. */
  'status.snapshot': { input: NoInput, output: CoreStatusSchema },
} as const satisfies RequestTable;

export const statusEvents = {
  'status:changed': CoreStatusSchema,
} as const satisfies EventTable;
