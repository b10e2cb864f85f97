import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../ui/empty-state';
import { SupervisorIcon } from '../../ui/icons';
import { Pane } from '../../ui/pane';

/** Supervisor monitoring; empty until live monitoring exists (no fake data). */
export function SupervisorPane(): ReactElement {
  const { t } = useTranslation();
  return (
    <Pane id="supervisor" title={t('panes.supervisor.title')}>
      <EmptyState
        testId="supervisor-empty"
        icon={<SupervisorIcon width={32} height={32} />}
        badge={t('panes.notInBuild')}
        message={t('panes.supervisor.empty')}
        details={t('panes.supervisor.more')}
      />
    </Pane>
  );
}
