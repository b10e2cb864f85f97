import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { isSipAccountConfigured, useAppStore } from '../../app/app-store';
import { EmptyState } from '../../ui/empty-state';
import { PhoneIcon } from '../../ui/icons';
import { Pane } from '../../ui/pane';

/** The softphone's place. It is not part of this build, and the pane says so. */
export function PhonePane(): ReactElement {
  const { t } = useTranslation();
  const view = useAppStore((state) => state.settingsView);
  const navigate = useAppStore((state) => state.navigate);
  const configured = isSipAccountConfigured(view);
  return (
    <Pane id="phone" title={t('panes.phone.title')}>
      {configured ? (
        <EmptyState
          testId="phone-empty"
          icon={<PhoneIcon width={32} height={32} />}
          badge={t('panes.notInBuild')}
          message={t('panes.phone.notInBuild')}
        />
      ) : (
        <EmptyState
          testId="phone-empty"
          icon={<PhoneIcon width={32} height={32} />}
          message={t('panes.phone.notConfigured')}
          details={t('panes.phone.notConfiguredMore')}
        >
          <button type="button" className="button primary" data-testid="phone-open-settings" onClick={() => navigate('settings')}>
            {t('panes.phone.openSettings')}
          </button>
        </EmptyState>
      )}
    </Pane>
  );
}
