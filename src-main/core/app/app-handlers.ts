import type { AppInfo } from '../../../src-shared/app/app-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { Role } from '../../../src-shared/settings/settings-schema';
import type { HandlerTable } from '../ipc/dispatcher';
import type { DialRequestMailbox } from './dial-requests';

export interface AppHandlerDeps {
  info: AppInfo;
  /** This desk's role now (settings). */
  role: () => Role;
  /**
   * Opens the supervisor's window, or brings the open one forward (Electron). Absent in the
   * browser host: the page opens the `/supervisor` route in a new tab itself.
   */
  openSupervisorWindow?: () => void;
  /**
   * Brings the operator's window forward for a ringing call, or makes it flash where the OS
   * refuses focus (Electron). Absent in the browser host: `app.attention` answers `shown: false`.
   */
  requestAttention?: () => void;
  /** Numbers from `tel:` / `sip:` links waiting for the page (Electron). Absent: nothing ever waits. */
  dialRequests?: DialRequestMailbox;
}

/**
 * `app.info`; `app.openSupervisor`: only a supervisor desk opens the supervisor's window
 * (`FORBIDDEN` for any other role, whatever its page asks), Electron here (`window`), the browser
 * host leaves it to the page (`route`); `app.attention`: the host's window comes forward for a
 * ring; `app.takeDialRequest`: the waiting link's number, once.
 */
export function createAppHandlers({
  info,
  role,
  openSupervisorWindow,
  requestAttention,
  dialRequests,
}: AppHandlerDeps): Pick<HandlerTable, 'app.info' | 'app.openSupervisor' | 'app.attention' | 'app.takeDialRequest'> {
  return {
    'app.info': () => info,
    'app.openSupervisor': () => {
      if (role() !== 'supervisor') throw new DeskError('FORBIDDEN', 'Only a supervisor desk opens the supervisor window.');
      if (!openSupervisorWindow) return { opened: 'route' };
      openSupervisorWindow();
      return { opened: 'window' };
    },
    'app.attention': () => {
      if (!requestAttention) return { shown: false };
      requestAttention();
      return { shown: true };
    },
    'app.takeDialRequest': () => ({ request: dialRequests?.take() ?? null }),
  };
}
