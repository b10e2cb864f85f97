import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../ui/empty-state';
import { CallbacksIcon } from '../../ui/icons';
import { Pane } from '../../ui/pane';

/** The missed-call worklist; empty until callback tasks exist (no fake data). */
export function CallbacksPane(): ReactElement {
  const { t } = useTranslation();
  return (
    <Pane id="callbacks" title={t('panes.callbacks.title')}>
      <EmptyState
        testId="callbacks-empty"
        icon={<CallbacksIcon width={32} height={32} />}
        badge={t('panes.notInBuild')}
        message={t('panes.callbacks.empty')}
        details={t('panes.callbacks.more')}
      />
    </Pane>
  );
}
