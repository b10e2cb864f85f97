import type { ReactElement, ReactNode } from 'react';

export interface EmptyStateProps {
  icon: ReactNode;
  /** Short status tag, e.g. "Not connected in this build". */
  badge?: string;
  message: string;
  details?: string;
  children?: ReactNode;
  testId?: string;
  /** Why it is empty, for tests and styling (`data-state`). */
  state?: string;
}

/** An honest "nothing here yet" block: says what the pane will do and why it is empty now. */
export function EmptyState({ icon, badge, message, details, children, testId, state }: EmptyStateProps): ReactElement {
  return (
    <div className="empty-state" data-testid={testId} data-state={state}>
      <div className="empty-state-icon">{icon}</div>
      {badge ? <p className="empty-state-badge">{badge}</p> : null}
      <p className="empty-state-message">{message}</p>
      {details ? <p className="empty-state-details">{details}</p> : null}
      {children ? <div className="empty-state-actions">{children}</div> : null}
    </div>
  );
}
