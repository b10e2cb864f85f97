import type { HandlerTable } from '../ipc/dispatcher';
import type { StatusService } from './status-service';

/** `status.snapshot`: the state of PBX, MIS and sync as main sees them. */
export function createStatusHandlers(status: StatusService): Pick<HandlerTable, 'status.snapshot'> {
  return { 'status.snapshot': () => status.snapshot() };
}
