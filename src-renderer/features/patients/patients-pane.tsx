import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../ui/empty-state';
import { PatientsIcon } from '../../ui/icons';
import { Pane } from '../../ui/pane';

/** Patient search; empty until the patient-card cache exists (no fake data). */
export function PatientsPane(): ReactElement {
  const { t } = useTranslation();
  return (
    <Pane id="patients" title={t('panes.patients.title')}>
      <EmptyState
        testId="patients-empty"
        icon={<PatientsIcon width={32} height={32} />}
        badge={t('panes.notInBuild')}
        message={t('panes.patients.empty')}
        details={t('panes.patients.more')}
      />
    </Pane>
  );
}
