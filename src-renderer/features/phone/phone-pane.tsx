import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { hasSipAccount, isSipAccountConfigured, useAppStore } from '../../app/app-store';
import { EmptyState } from '../../ui/empty-state';
import { PhoneIcon } from '../../ui/icons';
import { Pane } from '../../ui/pane';

/**
 * The softphone's place: its registration state as the machine reports it (the same as the
 * status bar) and, when registration failed, the specific reason; or how to set it up.
 */
export function PhonePane(): ReactElement {
  const { t } = useTranslation();
  const view = useAppStore((state) => state.settingsView);
  const sip = useAppStore((state) => state.sip);
  const navigate = useAppStore((state) => state.navigate);
  if (!isSipAccountConfigured(view)) {
    return (
      <Pane id="phone" title={t('panes.phone.title')}>
        <EmptyState
          testId="phone-empty"
          icon={<PhoneIcon width={32} height={32} />}
          message={t(hasSipAccount(view) ? 'panes.phone.passwordMissing' : 'panes.phone.notConfigured')}
          details={t('panes.phone.notConfiguredMore')}
        >
          <button type="button" className="button primary" data-testid="phone-open-settings" onClick={() => navigate('settings')}>
            {t('panes.phone.openSettings')}
          </button>
        </EmptyState>
      </Pane>
    );
  }
  const stateText = t(`status.state.${sip.state}`, { defaultValue: sip.state });
  const detailText = sip.detail ? t(`status.detail.${sip.detail}`, { defaultValue: t('status.detail.unknown', { key: sip.detail }) }) : '';
  return (
    <Pane id="phone" title={t('panes.phone.title')}>
      <p className="phone-registration" data-testid="phone-registration" data-state={sip.state} role="status">
        {t('panes.phone.registration', { state: stateText })}
      </p>
      {sip.state === 'failed' && detailText ? (
        <div className="banner error" role="alert" data-testid="sip-error" data-detail={sip.detail ?? undefined}>
          <span className="banner-text">{detailText}</span>
          <button type="button" className="button" data-testid="phone-open-settings" onClick={() => navigate('settings')}>
            {t('panes.phone.openSettings')}
          </button>
        </div>
      ) : null}
    </Pane>
  );
}
