import { useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { SessionView } from '../../../src-shared/access/access-model';
import { PIN_MAX } from '../../../src-shared/access/access-model';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { SignInScreen } from './sign-in-screen';

/**
 * The locked desk (idle minutes or Ctrl+L): no pane is mounted behind it, so no patient data is
 * on screen or in the page — only who is signed in and a PIN box. Another person may sign in
 * instead (a shift change). An open desk (no staff list) resumes with a click.
 */
export function LockScreen({ session }: { session: SessionView }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const [pin, setPin] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [switching, setSwitching] = useState(false);
  const [busy, setBusy] = useState(false);

  if (switching) return <SignInScreen onCancel={() => setSwitching(false)} />;

  const unlock = (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    desk.request('session.unlock', session.person ? { pin } : {}).then(
      () => setBusy(false),
      (failure: unknown) => {
        setBusy(false);
        setPin('');
        const deskError = toDeskError(failure);
        setError(deskError.code === 'SIGN_IN_WAIT' ? deskError.message : errorText(deskError));
      },
    );
  };

  return (
    <section className="session-screen session-locked" data-testid="lock-screen" aria-labelledby="lock-title">
      <h1 id="lock-title">{t('session.lockedTitle')}</h1>
      {session.person ? (
        <form onSubmit={unlock} className="session-form">
          <p className="session-person-name" data-testid="lock-person">
            {session.person.name} <span className="muted">{t(`settings.role.${session.person.role}`)}</span>
          </p>
          <label>
            {t('session.pin')}
            <input type="password" inputMode="numeric" autoComplete="off" autoFocus maxLength={PIN_MAX} value={pin} onChange={(e) => setPin(e.target.value)} data-testid="unlock-pin" />
          </label>
          <div className="session-actions">
            <button type="submit" className="button primary" disabled={busy || pin.length === 0} data-testid="unlock-submit">
              {t('session.unlock')}
            </button>
            <button type="button" className="button ghost" onClick={() => setSwitching(true)} data-testid="lock-switch-person">
              {t('session.otherPerson')}
            </button>
          </div>
        </form>
      ) : (
        <div className="session-actions">
          <p className="muted">{t('session.openDeskLocked')}</p>
          <button type="button" className="button primary" onClick={() => unlock()} disabled={busy} data-testid="unlock-continue">
            {t('session.continue')}
          </button>
        </div>
      )}
      {error ? (
        <p className="error" role="alert" data-testid="unlock-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
