import type { ReactElement } from 'react';
import { WarningIcon } from '../../ui/icons';
import { useClock } from '../../ui/use-clock';
import { formatDuration } from '../phone';
import type { SupervisorAction } from './use-supervisor-action';

/** Time since `at`, counting on the shared clock (one 1 s interval for every figure on screen). */
export function Since({ at }: { at: number }): ReactElement {
  const now = useClock();
  return <time>{formatDuration(now - at)}</time>;
}

/** A control's last refusal, in plain words (`refusal`: useRefusalText). */
export function ActionError({ action, testId, refusal }: { action: Pick<SupervisorAction, 'error'>; testId: string; refusal(error: NonNullable<SupervisorAction['error']>): string }): ReactElement | null {
  if (!action.error) return null;
  return (
    <p className="notice bad sv-error" role="alert" data-testid={testId} data-code={action.error.code}>
      <WarningIcon width={16} height={16} />
      <span>{refusal(action.error)}</span>
    </p>
  );
}
