import { useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { SUPERVISOR_WINDOW_PATH } from '../../../src-shared/app/app-contract';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { deskPageUrl } from '../../bridge/desk-client';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';

/**
 * «Open in a separate window», for the supervisor pane's header (`Pane`'s `headerExtra`): asks main
 * (`app.openSupervisor`, which checks the role). Electron opens or brings forward its supervisor
 * window; the browser host answers `route` and this tab opens `/supervisor` in a new tab itself
 * (noopener; Electron refuses `window.open`, hence the request). Shown only on a supervisor desk,
 * and not in the supervisor's window itself. A refusal is a line beside it, never a throw.
 */
export function OpenSupervisorWindowButton(): ReactElement | null {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const supervisor = useAppStore((state) => state.settingsView?.settings.role === 'supervisor');
  const ownWindow = useAppStore((state) => state.windowKind === 'supervisor');
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!supervisor || ownWindow) return null;

  const open = async () => {
    setBusy(true);
    setFailure(null);
    try {
      const { opened } = await desk.request('app.openSupervisor', {});
      if (opened === 'route') window.open(deskPageUrl(SUPERVISOR_WINDOW_PATH), '_blank', 'noopener');
    } catch (error) {
      setFailure(errorText(toDeskError(error)));
    } finally {
      setBusy(false);
    }
  };

  return (
    <span className="sv-open-window">
      <button type="button" className="button ghost" data-testid="sv-open-window" disabled={busy} onClick={() => void open()}>
        {t('app.supervisorWindow.open')}
      </button>
      {failure ? (
        <span className="field-error" role="alert" data-testid="sv-open-window-error">
          {t('app.supervisorWindow.openFailed', { reason: failure })}
        </span>
      ) : null}
    </span>
  );
}
