import { DeskError } from '../../../src-shared/ipc/errors';
import type { Settings } from '../../../src-shared/settings/settings-schema';
import type { HandlerTable } from '../ipc/dispatcher';
import type { SupervisorService } from './supervisor-service';

type SupervisorRequest =
  | 'supervisor.board'
  | 'supervisor.monitor'
  | 'supervisor.stopMonitor'
  | 'supervisor.transfer'
  | 'supervisor.setAgentStatus'
  | 'supervisor.reassignCallback'
  | 'supervisor.setThresholds';

/**
 * `supervisor.*`. Each first checks this desk's role in main: an operator or cashier desk is
 * refused `FORBIDDEN`, whatever its window shows or sends.
 */
export function createSupervisorHandlers(supervisor: SupervisorService, settings: () => Settings): Pick<HandlerTable, SupervisorRequest> {
  const requireSupervisor = () => {
    const { role } = settings();
    if (role !== 'supervisor') {
      throw new DeskError('FORBIDDEN', `Only a supervisor desk may use the supervisor's board and actions; this desk's role is ${role} (IT sets the role in the settings).`);
    }
  };
  const ok = { ok: true as const };
  return {
    'supervisor.board': () => {
      requireSupervisor();
      return supervisor.board();
    },
    'supervisor.monitor': async ({ extension, mode }) => {
      requireSupervisor();
      await supervisor.monitor(extension, mode);
      return ok;
    },
    'supervisor.stopMonitor': async () => {
      requireSupervisor();
      await supervisor.stopMonitor();
      return ok;
    },
    'supervisor.transfer': async (input) => {
      requireSupervisor();
      await supervisor.transfer(input);
      return ok;
    },
    'supervisor.setAgentStatus': async (request) => {
      requireSupervisor();
      await supervisor.setAgentStatus(request);
      return ok;
    },
    'supervisor.reassignCallback': ({ id, extension }) => {
      requireSupervisor();
      supervisor.reassignCallback(id, extension);
      return ok;
    },
    'supervisor.setThresholds': (patch) => {
      requireSupervisor();
      supervisor.setThresholds(patch);
      return ok;
    },
  };
}
