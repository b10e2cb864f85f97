import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../app/app-store';
import type { PhoneCall } from '../../softphone/phone';
import { PhoneIcon } from '../../ui/icons';
import { safeName } from './call-text';
import { HOTKEY_ARIA, HOTKEY_LABELS } from './phone-hotkeys';
import { requestNotificationPermission } from './phone-alerts';
import { runPhoneAction, usePhoneStoreApi } from './phone-store';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';

/**
 * One ringing incoming call: who (number and name, as text) and a big Answer button. When the
 * operator is already on a call it says so: answering puts the current call on hold.
 */
export function IncomingCall({ call, secondLine }: { call: PhoneCall; secondLine: boolean }): ReactElement {
  const { t } = useTranslation();
  const store = usePhoneStoreApi();
  const autoAnswer = useAppStore((state) => state.settingsView?.settings.sip.autoAnswerIntercom ?? false);
  const name = safeName(call.remoteDisplayName);
  const headingId = `incoming-${call.id}-title`;
  return (
    <section className="incoming-call" data-testid="incoming-call" data-call-id={call.id} data-waiting={secondLine ? 'true' : 'false'} aria-labelledby={headingId}>
      <div className="incoming-call-who">
        <p id={headingId} className="incoming-call-title">
          <PhoneIcon className="incoming-call-icon" />
          {secondLine ? t('phone.incoming.secondLine') : t('phone.incoming.title')}
        </p>
        <p className="incoming-call-number mono" data-testid="incoming-call-number" data-number={call.remoteNumber} dir="ltr">
          {formatPhoneNumber(call.remoteNumber) || t('phone.call.unknownNumber')}
        </p>
        <p className="incoming-call-name truncate" data-testid="incoming-call-name" dir="auto">
          {name}
        </p>
        {secondLine ? (
          <p className="incoming-call-note" data-testid="incoming-call-waiting">
            {t('phone.incoming.secondLineHint')}
          </p>
        ) : null}
        {call.autoAnswerAfterSec !== null && autoAnswer ? (
          <p className="incoming-call-note" data-testid="incoming-call-intercom">
            {t('phone.incoming.intercom')}
          </p>
        ) : null}
      </div>
      <div className="incoming-call-actions">
        <button
          type="button"
          className="button answer-button"
          data-testid="answer-button"
          title={t('phone.hint', { action: t('phone.incoming.answer'), key: HOTKEY_LABELS.answer })}
          aria-keyshortcuts={HOTKEY_ARIA.answer}
          onClick={() => {
            requestNotificationPermission();
            void runPhoneAction(store, 'answer', (phone) => phone.answer(call.id));
          }}
        >
          <PhoneIcon width={22} height={22} />
          {t('phone.incoming.answer')}
          <kbd className="kbd">{HOTKEY_LABELS.answer}</kbd>
        </button>
        <button
          type="button"
          className="button danger"
          data-testid="reject-button"
          // F9 rejects only when no other call is up (then it hangs that one up).
          title={secondLine ? undefined : t('phone.hint', { action: t('phone.incoming.reject'), key: HOTKEY_LABELS.hangup })}
          onClick={() => void runPhoneAction(store, 'reject', (phone) => phone.reject(call.id))}
        >
          {t('phone.incoming.reject')}
        </button>
      </div>
    </section>
  );
}
