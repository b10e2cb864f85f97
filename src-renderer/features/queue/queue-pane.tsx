import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { EmptyState } from '../../ui/empty-state';
import { QueueIcon } from '../../ui/icons';
import { Pane } from '../../ui/pane';

/** The live queue; empty until a PBX connector feeds it (no fake data). */
export function QueuePane(): ReactElement {
  const { t } = useTranslation();
  return (
    <Pane id="queue" title={t('panes.queue.title')}>
      <EmptyState
        testId="queue-empty"
        icon={<QueueIcon width={32} height={32} />}
        badge={t('panes.notInBuild')}
        message={t('panes.queue.empty')}
        details={t('panes.queue.more')}
      />
    </Pane>
  );
}
