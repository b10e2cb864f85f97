import type { AppInfo } from '../../../src-shared/app/app-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Role } from '../../../src-shared/settings/settings-schema';
import type { HandlerTable } from '../ipc/dispatcher';

export interface AppHandlerDeps {
  info: AppInfo;
  /** This desk's role now (settings). */
  role: () => Role;
  /**
   * Opens the supervisor's window, or brings the open one forward (Electron). Absent in the
   * browser host: the page opens the `/supervisor` route in a new tab itself.
   */
  openSupervisorWindow?: () => void;
}

/**
 * `app.info`, and `app.openSupervisor`: only a supervisor desk opens the supervisor's window
 * (`FORBIDDEN` for any other role, whatever its page asks); Electron opens it here (`window`),
 * the browser host leaves it to the page (`route`).
 */
export function createAppHandlers({ info, role, openSupervisorWindow }: AppHandlerDeps): Pick<HandlerTable, 'app.info' | 'app.openSupervisor'> {
  return {
    'app.info': () => info,
    'app.openSupervisor': () => {
      if (role() !== 'supervisor') throw new DeskError('FORBIDDEN', 'Only a supervisor desk opens the supervisor window.');
      if (!openSupervisorWindow) return { opened: 'route' };
      openSupervisorWindow();
      return { opened: 'window' };
    },
  };
}
