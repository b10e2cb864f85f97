import { useCallback, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';

export interface SupervisorAction {
  /** A request of this control is running (its buttons wait). */
  busy: boolean;
  /** The last refusal, until the next request or `clear()`. */
  error: DeskErrorPayload | null;
  /** Sends one request; true when main said yes. A refusal is kept in `error`. */
  run(send: () => Promise<unknown>): Promise<boolean>;
  clear(): void;
}

/**
 * One control's requests to main (a tile's actions, the monitor banner, a callback row): one at
 * a time, the refusal kept for the control to say. Nothing on screen changes on the click
 * itself — the board changes when main's `supervisor:changed` says so.
 */
export function useSupervisorAction(): SupervisorAction {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<DeskErrorPayload | null>(null);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);
  const run = useCallback(async (send: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await send();
      return true;
    } catch (failure) {
      if (mounted.current) setError(toDeskError(failure).toPayload());
      return false;
    } finally {
      if (mounted.current) setBusy(false);
    }
  }, []);
  const clear = useCallback(() => setError(null), []);
  return { busy, error, run, clear };
}

/**
 * A refusal in plain words: the PBX's own reason for `PBX_REFUSED`, what the role may not do for
 * `FORBIDDEN`, the PBX link for `PBX_UNAVAILABLE`; any other code its usual sentence.
 */
export function useRefusalText(): (error: DeskErrorPayload) => string {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (error) => {
    switch (error.code) {
      case 'PBX_REFUSED':
        return error.message.trim() ? t('supervisor.errors.refused', { reason: error.message.trim() }) : t('errors.PBX_REFUSED');
      case 'FORBIDDEN':
        return t('supervisor.errors.forbidden');
      case 'PBX_UNAVAILABLE':
        return t('supervisor.errors.pbxUnavailable');
      default:
        return errorText(error);
    }
  };
}
