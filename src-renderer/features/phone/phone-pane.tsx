import { useRef, type ReactElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { hasSipAccount, isSipAccountConfigured, useAppStore } from '../../app/app-store';
import { EmptyState } from '../../ui/empty-state';
import { PhoneIcon, WarningIcon } from '../../ui/icons';
import { Pane } from '../../ui/pane';
import { CallLine } from './call-line';
import { DialPad } from './dial-pad';
import { heldRingsKey, heldRingsOf } from './call-work';
import { IncomingCall } from './incoming-call';
import { ScreenPopRehearsal } from './screen-pop-rehearsal';
import { HOTKEY_LABELS, type PhoneHotkey } from './phone-hotkeys';
import { focusedCallOf, isIncomingRinging, linesOf, usePhoneStore } from './phone-store';
import { ScreenPopView } from './screen-pop';
import { WrapUpPanel } from './wrap-up';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';

/**
 * The softphone: its registration state as the machine reports it (the same as the status
 * bar) and, when registration failed, the specific reason; ringing calls with a big Answer
 * button, one line per live call with the controls on the current one, and the dial pad.
 * Or, while the account is not set up, how to set it up. `journal` (the call journal) goes under
 * it all; the shell passes it in, since the journal dials through the phone.
 */
export function PhonePane({ journal }: { journal: ReactNode }): ReactElement {
  const { t } = useTranslation();
  const view = useAppStore((state) => state.settingsView);
  const navigate = useAppStore((state) => state.navigate);
  const dialInput = useRef<HTMLInputElement>(null);
  if (!isSipAccountConfigured(view)) {
    return (
      <Pane id="phone" title={t('panes.phone.title')}>
        {/* CTI mode (a hardware desk phone): the PBX's calls still pop and are wrapped up here, first. */}
        <div className="phone-calls phone-cti">
          <ScreenPops />
          <WrapUpPanel />
        </div>
        <SoftphoneSetup message={t(hasSipAccount(view) ? 'panes.phone.passwordMissing' : 'panes.phone.notConfigured')} onOpenSettings={() => navigate('settings')} />
        {journal}
      </Pane>
    );
  }
  return (
    // Opening the pane (click, Ctrl+1, Ctrl+Shift+D) puts the cursor in the number box.
    <Pane id="phone" title={t('panes.phone.title')} focusTarget={dialInput}>
      <Registration />
      <ActionError />
      <LostCall />
      <div className="phone-layout">
        <Calls />
        <aside className="phone-side">
          <DialPad inputRef={dialInput} />
          <HotkeyHelp />
        </aside>
      </div>
      {journal}
    </Pane>
  );
}

/**
 * How to set the softphone up. While the desk phone has a call, a pop or a wrap-up on screen, one
 * quiet line under them — the call's card is never pushed down by set-up advice; otherwise the
 * full explanation.
 */
function SoftphoneSetup({ message, onOpenSettings }: { message: string; onOpenSettings: () => void }): ReactElement {
  const { t } = useTranslation();
  const busy = usePhoneStore((state) => state.pbxCalls.length > 0 || state.pops.length > 0 || state.wrapUps.length > 0);
  const button = (
    <button type="button" className={busy ? 'button' : 'button primary'} data-testid="phone-open-settings" onClick={onOpenSettings}>
      {t('panes.phone.openSettings')}
    </button>
  );
  if (busy) {
    return (
      <p className="notice phone-setup-line" data-testid="phone-empty" data-compact="true">
        <PhoneIcon width={16} height={16} />
        <span className="banner-text">{message}</span>
        {button}
      </p>
    );
  }
  return (
    <EmptyState testId="phone-empty" icon={<PhoneIcon width={32} height={32} />} message={message} details={t('panes.phone.notConfiguredMore')}>
      {button}
    </EmptyState>
  );
}

function Registration(): ReactElement {
  const { t } = useTranslation();
  const sip = useAppStore((state) => state.sip);
  const navigate = useAppStore((state) => state.navigate);
  const stateText = t(`status.state.${sip.state}`, { defaultValue: sip.state });
  const detailText = sip.detail ? t(`status.detail.${sip.detail}`, { defaultValue: t('status.detail.unknown', { key: sip.detail }) }) : '';
  return (
    <>
      <p className="phone-registration" data-testid="phone-registration" data-state={sip.state} role="status">
        <span className="status-dot" aria-hidden="true" />
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
    </>
  );
}

/** The last phone action that failed, in words; gone with the next action that works. */
function ActionError(): ReactElement | null {
  const { t } = useTranslation();
  const error = usePhoneStore((state) => state.error);
  const setError = usePhoneStore((state) => state.setError);
  if (!error) return null;
  return (
    <div className="banner error" role="alert" data-testid="phone-error" data-action={error.action} title={error.detail}>
      <WarningIcon />
      <span className="banner-text">{t(`phone.errors.${error.action}`)}</span>
      <button type="button" className="button ghost" onClick={() => setError(null)}>
        {t('errors.dismiss')}
      </button>
    </div>
  );
}

/** A call the network took: say so plainly (the journal makes it a callback). */
function LostCall(): ReactElement | null {
  const { t } = useTranslation();
  const lost = usePhoneStore((state) => state.lost);
  const setLost = usePhoneStore((state) => state.setLost);
  if (!lost) return null;
  return (
    <div className="banner warn" role="alert" data-testid="call-lost-notice" data-call-id={lost.id}>
      <WarningIcon />
      <span className="banner-text">{t('phone.lost', { number: formatPhoneNumber(lost.remoteNumber) || t('phone.call.unknownNumber') })}</span>
      <button type="button" className="button ghost" onClick={() => setLost(null)}>
        {t('errors.dismiss')}
      </button>
    </div>
  );
}

function Calls(): ReactElement {
  const { t } = useTranslation();
  const calls = usePhoneStore((state) => state.calls);
  // CTI mode: a call on the desk phone is not "no calls".
  const pbxBusy = usePhoneStore((state) => state.pbxCalls.length > 0);
  const held = heldRingsOf(usePhoneStore((state) => heldRingsKey(state.pops)));
  const ringing = calls.filter((call) => isIncomingRinging(call) && !held.has(call.id));
  const lines = linesOf(calls);
  const focused = focusedCallOf(calls);
  const someoneActive = lines.some((call) => call.state === 'active');
  return (
    <div className="phone-calls">
      {ringing.map((call) => (
        <IncomingCall key={call.id} call={call} secondLine={lines.length > 0} />
      ))}
      {lines.length > 0 ? (
        <ul className="call-lines" aria-label={t('phone.call.lines')}>
          {lines.map((call) => (
            <CallLine
              key={call.id}
              call={call}
              focused={call.id === focused?.id}
              canSwap={call.state === 'held' && someoneActive}
            />
          ))}
        </ul>
      ) : ringing.length === 0 && !pbxBusy ? (
        <p className="phone-idle muted" data-testid="phone-idle">
          {t('phone.idle')}
        </p>
      ) : null}
      <ScreenPops />
      <WrapUpPanel />
      <ScreenPopRehearsal />
    </div>
  );
}

/**
 * The pops of the calls in progress (ringing, talked on, PBX calls). The pop of the call being
 * wrapped up is drawn with its wrap-up; pops of wrap-ups still queued wait with them.
 */
function ScreenPops(): ReactElement | null {
  const pops = usePhoneStore((state) => state.pops);
  const calls = usePhoneStore((state) => state.calls);
  const pbxCalls = usePhoneStore((state) => state.pbxCalls);
  const live = new Set<string>([...calls.filter((call) => call.state !== 'ended').map((call) => call.id), ...pbxCalls.map((call) => call.callId)]);
  const visible = pops.filter((pop) => live.has(pop.callId) && !pop.held);
  if (visible.length === 0) return null;
  return (
    <div className="screen-pops">
      {visible.map((pop) => (
        <ScreenPopView key={pop.callId} pop={pop} />
      ))}
    </div>
  );
}

const HOTKEYS: readonly PhoneHotkey[] = ['answer', 'hold', 'mute', 'hangup', 'focusDialer'];

function HotkeyHelp(): ReactElement {
  const { t } = useTranslation();
  return (
    <section className="phone-hotkeys" data-testid="phone-hotkeys" aria-labelledby="phone-hotkeys-title">
      <h2 id="phone-hotkeys-title" className="phone-section-title">
        {t('phone.hotkeys.title')}
      </h2>
      <dl>
        {HOTKEYS.map((hotkey) => (
          <div key={hotkey} className="phone-hotkey">
            <dt>
              <kbd className="kbd">{HOTKEY_LABELS[hotkey]}</kbd>
            </dt>
            <dd>{t(`phone.hotkeys.${hotkey}`)}</dd>
          </div>
        ))}
      </dl>
    </section>
  );
}
