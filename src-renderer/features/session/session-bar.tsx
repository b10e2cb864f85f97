import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';

/** Who is signed in, and Lock (Ctrl+L) / Sign out — on a desk with a staff list only. */
export function SessionBar(): ReactElement | null {
  const { t } = useTranslation();
  const desk = useDesk();
  const session = useAppStore((state) => state.session);
  if (session?.state !== 'signed-in' || !session.person) return null;
  return (
    <div className="session-bar" data-testid="session-bar">
      <span className="session-person-name" data-testid="session-person">
        {session.person.name}
      </span>
      <span className="muted">{t(`settings.role.${session.person.role}`)}</span>
      <button type="button" className="button ghost" onClick={() => void desk.request('session.lock', {}).catch(() => undefined)} data-testid="session-lock" title={t('session.lockHint')}>
        {t('session.lock')}
      </button>
      <button type="button" className="button ghost" onClick={() => void desk.request('session.signOut', {}).catch(() => undefined)} data-testid="session-sign-out">
        {t('session.signOut')}
      </button>
    </div>
  );
}
