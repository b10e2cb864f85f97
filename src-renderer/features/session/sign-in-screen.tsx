import { useEffect, useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { SignInChoice } from '../../../src-shared/access/access-contract';
import { PIN_MAX, PIN_MIN } from '../../../src-shared/access/access-model';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';

/**
 * The start of a shift (or a switch): pick yourself from IT's list and enter your PIN; the first
 * time, choose a PIN and repeat it. No patient data is on screen until someone is signed in; the
 * call bar above still rings and answers.
 */
export function SignInScreen({ preselect, onCancel }: { preselect?: string | null; onCancel?: () => void }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const [people, setPeople] = useState<SignInChoice[] | null>(null);
  const [chosen, setChosen] = useState<string | null>(preselect ?? null);
  const [pin, setPin] = useState('');
  const [repeat, setRepeat] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let live = true;
    desk.request('session.people', {}).then(
      (answer) => live && setPeople(answer.people),
      (failure: unknown) => live && setError(errorText(toDeskError(failure))),
    );
    return () => {
      live = false;
    };
  }, [desk, errorText]);

  const person = people?.find((p) => p.id === chosen) ?? null;
  const firstPin = person !== null && !person.hasPin;

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!person) return;
    if (pin.length < PIN_MIN) return setError(t('session.pinTooShort', { min: PIN_MIN }));
    if (firstPin && pin !== repeat) return setError(t('session.pinsDiffer'));
    setBusy(true);
    setError(null);
    desk.request('session.signIn', { personId: person.id, pin }).then(
      () => setBusy(false),
      (failure: unknown) => {
        setBusy(false);
        setPin('');
        setRepeat('');
        const deskError = toDeskError(failure);
        setError(deskError.code === 'SIGN_IN_WAIT' ? deskError.message : errorText(deskError));
      },
    );
  };

  return (
    <section className="session-screen" data-testid="sign-in" aria-labelledby="sign-in-title">
      <h1 id="sign-in-title">{t('session.signInTitle')}</h1>
      {people === null && error === null ? <p className="muted">{t('app.loading')}</p> : null}
      {person === null ? (
        <ul className="session-people" aria-label={t('session.whoAreYou')}>
          {(people ?? []).map((p) => (
            <li key={p.id}>
              <button type="button" className="button" data-testid={`sign-in-person-${p.id}`} onClick={() => setChosen(p.id)}>
                <span className="session-person-name">{p.name}</span>
                <span className="muted">{t(`settings.role.${p.role}`)}</span>
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <form onSubmit={submit} className="session-form">
          <p className="session-person-name" data-testid="sign-in-chosen">
            {person.name} <span className="muted">{t(`settings.role.${person.role}`)}</span>
          </p>
          {firstPin ? <p className="muted">{t('session.firstPin')}</p> : null}
          <label>
            {firstPin ? t('session.newPin') : t('session.pin')}
            <input type="password" inputMode="numeric" autoComplete="off" autoFocus minLength={PIN_MIN} maxLength={PIN_MAX} value={pin} onChange={(e) => setPin(e.target.value)} data-testid="sign-in-pin" />
          </label>
          {firstPin ? (
            <label>
              {t('session.repeatPin')}
              <input type="password" inputMode="numeric" autoComplete="off" minLength={PIN_MIN} maxLength={PIN_MAX} value={repeat} onChange={(e) => setRepeat(e.target.value)} data-testid="sign-in-pin-repeat" />
            </label>
          ) : null}
          <div className="session-actions">
            <button type="submit" className="button primary" disabled={busy} data-testid="sign-in-submit">
              {t('session.signIn')}
            </button>
            <button
              type="button"
              className="button ghost"
              onClick={() => {
                setChosen(null);
                setPin('');
                setRepeat('');
                setError(null);
                onCancel?.();
              }}
            >
              {t('session.otherPerson')}
            </button>
          </div>
        </form>
      )}
      {error ? (
        <p className="error" role="alert" data-testid="sign-in-error">
          {error}
        </p>
      ) : null}
    </section>
  );
}
