import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useClock } from '../../ui/use-clock';
import { countOwed } from './callbacks-model';
import { useCallbacksStore } from './callbacks-store';

/**
 * The navigation's count of tasks owed a call back (`data-overdue`: how many are late; red then).
 * Nothing while none is owed or before the list arrives.
 */
export function CallbacksBadge(): ReactElement | null {
  const { t } = useTranslation();
  const tasks = useCallbacksStore((state) => state.list?.tasks);
  const now = useClock();
  if (!tasks) return null;
  const { owed, overdue } = countOwed(tasks, now);
  if (owed === 0) return null;
  const label = overdue > 0 ? t('callbacks.badgeOverdue', { count: owed, overdue }) : t('callbacks.badge', { count: owed });
  return (
    <span className="nav-badge" data-testid="nav-callbacks-count" data-owed={owed} data-overdue={overdue} title={label} aria-label={label}>
      {owed}
    </span>
  );
}
