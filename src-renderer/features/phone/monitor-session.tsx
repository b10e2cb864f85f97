import { useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { SupervisorIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import { runPhoneAction, usePhoneStore, usePhoneStoreApi } from './phone-store';
import { formatDuration, useNow } from './use-now';

/**
 * The supervisor's monitor session in the call bar (every pane, the Phone pane included): what
 * it is — «Прослушивание · Иванова Анна (1001)» — never a caller; connecting until the board says
 * ChanSpy runs; the talk timer once the softphone's monitor call is up; and End, which hangs the
 * monitor call up and tells main to stop the session. Follows only the session and its call, not
 * the call list.
 */
export function MonitorSessionItem(): ReactElement | null {
  const { t } = useTranslation();
  const desk = useDesk();
  const store = usePhoneStoreApi();
  const errorText = useErrorText();
  const monitor = usePhoneStore((state) => state.monitor);
  const call = usePhoneStore((state) => state.monitorCall);
  const [failure, setFailure] = useState<string | null>(null);
  const [ending, setEnding] = useState(false);
  if (!monitor && !call) return null;

  const state = monitor ? monitor.state : 'active';
  const end = async () => {
    setEnding(true);
    setFailure(null);
    const live = store.getState().monitorCall;
    const phone = store.getState().phone;
    // Nothing may pick the PBX's call up once the supervisor said stop.
    phone?.expectIntercom(0);
    if (live) await runPhoneAction(store, 'hangup', (p) => p.hangup(live.id));
    try {
      if (monitor) await desk.request('supervisor.stopMonitor', {});
    } catch (error) {
      // The hung-up call ends ChanSpy on the PBX anyway; a refusal matters only without one.
      if (!live) setFailure(errorText(toDeskError(error)));
    } finally {
      setEnding(false);
    }
  };

  return (
    <div
      className="call-bar-item monitor-session"
      data-testid="monitor-session"
      data-kind="monitor"
      data-state={state}
      data-mode={monitor?.mode}
      data-call-id={call?.id}
      aria-label={t('callBar.monitor.label')}
    >
      <SupervisorIcon className="call-bar-icon" width={18} height={18} />
      <div className="call-bar-who">
        <span className="call-bar-name" data-testid="monitor-session-text" dir="auto">
          {monitor ? (
            <>
              {t(`callBar.monitor.${monitor.mode}`)} · <Plain text={monitor.agent.name} /> ({monitor.agent.extension})
            </>
          ) : (
            t('callBar.monitor.call')
          )}
        </span>
        {state === 'connecting' ? (
          <span className="call-bar-hint" data-testid="monitor-session-connecting">
            {t('callBar.monitor.connecting')}
          </span>
        ) : call && call.answeredAt !== null ? (
          <MonitorTimer since={call.answeredAt} />
        ) : null}
        {failure ? (
          <span className="field-error" role="alert" data-testid="monitor-session-error">
            {t('callBar.monitor.endFailed', { reason: failure })}
          </span>
        ) : null}
      </div>
      <div className="call-bar-actions">
        <button type="button" className="button danger" data-testid="hangup-button" disabled={ending} onClick={() => void end()}>
          {t('callBar.monitor.end')}
        </button>
      </div>
    </div>
  );
}

function MonitorTimer({ since }: { since: number }): ReactElement {
  const { t } = useTranslation();
  const now = useNow(true);
  return (
    <span className="call-bar-timer mono" data-testid="monitor-session-timer" role="timer" aria-label={t('phone.call.timer')}>
      {formatDuration(now - since)}
    </span>
  );
}
