import type { ReactElement, ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';
import type { VisiblePatientCard } from '../../../src-shared/patients/patient-card';
import { useAppStore } from '../../app/app-store';
import type { PhoneCall } from '../../softphone/phone';
import { PhoneIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import { fullName } from '../patients';
import { safeName } from './call-text';
import { shownCardOf, type PbxCall, type ScreenPop } from './call-work';
import { HOTKEY_ARIA, HOTKEY_LABELS } from './phone-hotkeys';
import { MonitorSessionItem } from './monitor-session';
import { requestNotificationPermission } from './phone-alerts';
import { isIncomingRinging, linesOf, runPhoneAction, usePhoneStore, usePhoneStoreApi } from './phone-store';
import { formatDuration, useNow } from './use-now';

/**
 * The calls, wherever the operator is: a band at the top of every pane but Phone (which shows
 * them in full). A softphone ring with Answer / Reject (F6 / F9 work too); a ring on the desk
 * phone (CTI) with the hint to pick up the handset; the call in progress with its timer, Hold
 * and Hang up; an unsaved wrap-up. Each says who calls — the caller's card from the screen pop when
 * the cache knows the number — with "Open card" (the Patients pane) and "Open call" (the Phone
 * pane). A ring held for its card (call-work.ts) waits with it, so band, card and ringtone come
 * together. Names are never cut: they wrap. A supervisor's monitor session (monitor-session.tsx)
 * is shown here on every pane, the Phone pane included: it is not a call the Phone pane draws.
 */
export function CallBar(): ReactElement | null {
  const pane = useAppStore((state) => state.pane);
  // On the Phone pane the calls are drawn in full; nothing here follows the call list there.
  return pane === 'phone' ? <MonitorSessionBar /> : <CallBarItems />;
}

/** The Phone pane's band: only the monitor session (it follows the session, not the call list). */
function MonitorSessionBar(): ReactElement | null {
  const { t } = useTranslation();
  const shown = usePhoneStore((state) => state.monitor !== null || state.monitorCall !== null);
  if (!shown) return null;
  return (
    <section className="call-bar" data-testid="call-bar" aria-label={t('callBar.label')}>
      <MonitorSessionItem />
    </section>
  );
}

function CallBarItems(): ReactElement | null {
  const { t } = useTranslation();
  const calls = usePhoneStore((state) => state.calls);
  const pbxCalls = usePhoneStore((state) => state.pbxCalls);
  const pops = usePhoneStore((state) => state.pops);
  const wrapUps = usePhoneStore((state) => state.wrapUps);
  const held = new Set(pops.filter((pop) => pop.held).map((pop) => pop.callId));
  const popOf = (callId: string) => pops.find((pop) => pop.callId === callId);
  const lines = linesOf(calls);
  const rings = calls.filter((call) => isIncomingRinging(call) && !held.has(call.id));
  const pbxRings = pbxCalls.filter((call) => call.state === 'ringing' && !held.has(call.callId));
  const pbxTalks = pbxCalls.filter((call) => call.state === 'answered');
  const wrapUp = wrapUps[0];
  const monitoring = usePhoneStore((state) => state.monitor !== null || state.monitorCall !== null);
  if (rings.length + pbxRings.length + lines.length + pbxTalks.length === 0 && !wrapUp && !monitoring) return null;
  return (
    <section className="call-bar" data-testid="call-bar" aria-label={t('callBar.label')}>
      {monitoring ? <MonitorSessionItem /> : null}
      {rings.map((call) => (
        <RingItem key={call.id} call={call} pop={popOf(call.id)} secondLine={lines.length > 0} />
      ))}
      {pbxRings.map((call) => (
        <PbxItem key={call.callId} call={call} pop={popOf(call.callId)} />
      ))}
      {lines.map((call) => (
        <LineItem key={call.id} call={call} pop={popOf(call.id)} />
      ))}
      {pbxTalks.map((call) => (
        <PbxItem key={call.callId} call={call} pop={popOf(call.callId)} />
      ))}
      {wrapUp && lines.length + pbxTalks.length === 0 ? <WrapUpItemRow callId={wrapUp.callId} number={wrapUp.number} pop={popOf(wrapUp.callId)} waiting={wrapUps.length} /> : null}
    </section>
  );
}

/**
 * What the band says about the caller: their card's name, the family count, "not in the records"
 * (or "looking up in the MIS" while the cache is still being filled), "known patient" (the desk
 * was locked when it rang: no name), or nothing yet.
 */
function useWho(pop: ScreenPop | undefined, callerName: string): { text: ReactNode; card: VisiblePatientCard | null; known: boolean } {
  const { t } = useTranslation();
  // Locked or signed out since the card came: the band keeps the call, not the name (nor the caller ID's, which may carry it).
  const mayShow = useAppStore((state) => state.session === null || state.session.state === 'open' || state.session.state === 'signed-in');
  if (pop?.lookup === 'done' && pop.withheld !== null) return { text: pop.withheld > 0 ? t('screenPop.locked.known') : t('callBar.unknown'), card: null, known: true };
  if (!mayShow) return { text: pop && pop.lookup === 'done' && pop.matches.length > 0 ? t('screenPop.locked.known') : '', card: null, known: pop?.lookup === 'done' };
  const card = pop ? shownCardOf(pop) : null;
  if (card) return { text: <Plain text={fullName(card)} />, card, known: true };
  if (pop?.lookup === 'done' && pop.matches.length > 1) return { text: t('callBar.family', { count: pop.matches.length }), card: null, known: true };
  // The cache is still being filled: no card there is not yet "not in the records".
  if (pop?.lookup === 'done' && pop.matches.length === 0 && pop.cacheIncomplete && pop.refresh === 'refreshing') return { text: t('callBar.checkingMis'), card: null, known: false };
  // …and the MIS did not answer: the caller may well be on file.
  if (pop?.lookup === 'done' && pop.matches.length === 0 && pop.cacheIncomplete && pop.refresh === 'unreachable') return { text: t('callBar.misNoAnswer'), card: null, known: false };
  if (pop?.lookup === 'done' && pop.matches.length === 0) return { text: t('callBar.unknown'), card: null, known: true };
  if (pop?.lookup === 'pending') return { text: t('screenPop.status.looking'), card: null, known: false };
  return { text: callerName, card: null, known: false };
}

interface ItemProps {
  callId: string;
  kind: 'ringing' | 'line' | 'wrap-up';
  source: 'sip' | 'pbx';
  state: string;
  title: string;
  number: string;
  who: ReactNode;
  extra?: ReactNode;
  children?: ReactNode;
}

/** One row: what it is, the number, who, and the actions at the right. */
function Item({ callId, kind, source, state, title, number, who, extra, children }: ItemProps): ReactElement {
  const { t } = useTranslation();
  return (
    <div className="call-bar-item" data-testid="call-bar-item" data-kind={kind} data-source={source} data-state={state} data-call-id={callId}>
      <PhoneIcon className="call-bar-icon" width={18} height={18} />
      <div className="call-bar-who">
        <span className="call-bar-title">{title}</span>
        <span className="call-bar-number mono" data-testid="call-bar-number" data-number={number} dir="ltr">
          {formatPhoneNumber(number) || t('phone.call.unknownNumber')}
        </span>
        {who ? (
          <span className="call-bar-name" data-testid="call-bar-name" dir="auto">
            {who}
          </span>
        ) : null}
        {extra}
      </div>
      <div className="call-bar-actions">{children}</div>
    </div>
  );
}

/** "Open card" (the caller's card on the Patients pane, audited with the call) and "Open call" (the Phone pane). */
function CardAndCallButtons({ card, callId }: { card: VisiblePatientCard | null; callId: string }): ReactElement {
  const { t } = useTranslation();
  const openPatient = useAppStore((state) => state.openPatient);
  const navigate = useAppStore((state) => state.navigate);
  return (
    <>
      {card ? (
        <button type="button" className="button" data-testid="call-bar-open-card" onClick={() => openPatient({ misId: card.misId, reason: 'call', callId })}>
          {t('callBar.openCard')}
        </button>
      ) : null}
      <button type="button" className="button ghost" data-testid="call-bar-open-call" onClick={() => navigate('phone')}>
        {t('callBar.openCall')}
      </button>
    </>
  );
}

/** A softphone ring: answer or reject it right here. */
function RingItem({ call, pop, secondLine }: { call: PhoneCall; pop: ScreenPop | undefined; secondLine: boolean }): ReactElement {
  const { t } = useTranslation();
  const store = usePhoneStoreApi();
  const who = useWho(pop, safeName(call.remoteDisplayName));
  return (
    <Item
      callId={call.id}
      kind="ringing"
      source="sip"
      state={call.state}
      title={secondLine ? t('phone.incoming.secondLine') : t('phone.incoming.title')}
      number={call.remoteNumber}
      who={who.text}
    >
      <button
        type="button"
        className="button answer-button"
        data-testid="call-bar-answer"
        title={t('phone.hint', { action: t('phone.incoming.answer'), key: HOTKEY_LABELS.answer })}
        aria-keyshortcuts={HOTKEY_ARIA.answer}
        onClick={() => {
          requestNotificationPermission();
          void runPhoneAction(store, 'answer', (phone) => phone.answer(call.id));
        }}
      >
        {t('phone.incoming.answer')}
        <kbd className="kbd">{HOTKEY_LABELS.answer}</kbd>
      </button>
      <button type="button" className="button danger" data-testid="call-bar-reject" onClick={() => void runPhoneAction(store, 'reject', (phone) => phone.reject(call.id))}>
        {t('phone.incoming.reject')}
      </button>
      <CardAndCallButtons card={who.card} callId={call.id} />
    </Item>
  );
}

/** A softphone call in progress (talking, on hold, setting up): its timer, Hold / Resume and Hang up. */
function LineItem({ call, pop }: { call: PhoneCall; pop: ScreenPop | undefined }): ReactElement {
  const { t } = useTranslation();
  const store = usePhoneStoreApi();
  const who = useWho(pop, safeName(call.remoteDisplayName));
  const state = t(`phone.call.state.${call.state}`);
  return (
    <Item
      callId={call.id}
      kind="line"
      source="sip"
      state={call.state}
      title={state}
      number={call.remoteNumber}
      who={who.text}
      extra={call.answeredAt !== null ? <Timer since={call.answeredAt} /> : null}
    >
      {call.state === 'active' || call.state === 'held' ? (
        <button
          type="button"
          className="button"
          data-testid="call-bar-hold"
          aria-pressed={call.state === 'held'}
          title={t('phone.hint', { action: call.state === 'held' ? t('phone.call.resume') : t('phone.call.hold'), key: HOTKEY_LABELS.hold })}
          aria-keyshortcuts={HOTKEY_ARIA.hold}
          onClick={() => void runPhoneAction(store, call.state === 'held' ? 'resume' : 'hold', (phone) => (call.state === 'held' ? phone.resume(call.id) : phone.hold(call.id)))}
        >
          {call.state === 'held' ? t('phone.call.resume') : t('phone.call.hold')}
        </button>
      ) : null}
      <button
        type="button"
        className="button danger"
        data-testid="call-bar-hangup"
        title={t('phone.hint', { action: t('phone.call.hangup'), key: HOTKEY_LABELS.hangup })}
        aria-keyshortcuts={HOTKEY_ARIA.hangup}
        onClick={() => void runPhoneAction(store, 'hangup', (phone) => phone.hangup(call.id))}
      >
        {t('phone.call.hangup')}
        <kbd className="kbd">{HOTKEY_LABELS.hangup}</kbd>
      </button>
      <CardAndCallButtons card={who.card} callId={call.id} />
    </Item>
  );
}

/** A call on the hardware desk phone (CTI): the operator answers on the handset; the desk shows who. */
function PbxItem({ call, pop }: { call: PbxCall; pop: ScreenPop | undefined }): ReactElement {
  const { t } = useTranslation();
  const who = useWho(pop, '');
  const ringing = call.state === 'ringing';
  return (
    <Item
      callId={call.callId}
      kind={ringing ? 'ringing' : 'line'}
      source="pbx"
      state={call.state}
      title={t(ringing ? 'callBar.pbxRinging' : 'callBar.pbxTalking', { extension: call.extension })}
      number={call.number}
      who={who.text}
      extra={
        ringing ? (
          <span className="call-bar-hint" data-testid="call-bar-hint">
            {t('callBar.pbxHint')}
          </span>
        ) : call.answeredAt !== null ? (
          <Timer since={call.answeredAt} />
        ) : null
      }
    >
      <CardAndCallButtons card={who.card} callId={call.callId} />
    </Item>
  );
}

/** An answered call whose wrap-up is not saved yet: the way back to it. */
function WrapUpItemRow({ callId, number, pop, waiting }: { callId: string; number: string; pop: ScreenPop | undefined; waiting: number }): ReactElement {
  const { t } = useTranslation();
  const navigate = useAppStore((state) => state.navigate);
  const who = useWho(pop, '');
  return (
    <Item
      callId={callId}
      kind="wrap-up"
      source={pop?.source ?? 'sip'}
      state="wrap-up"
      title={t('callBar.wrapUp')}
      number={number}
      who={who.known ? who.text : null}
      extra={waiting > 1 ? <span className="call-bar-hint">{t('wrapUp.waiting', { count: waiting - 1 })}</span> : null}
    >
      <button type="button" className="button primary" data-testid="call-bar-wrap-up" onClick={() => navigate('phone')}>
        {t('callBar.openWrapUp')}
      </button>
    </Item>
  );
}

function Timer({ since }: { since: number }): ReactElement {
  const { t } = useTranslation();
  const now = useNow(true);
  return (
    <span className="call-bar-timer mono" data-testid="call-bar-timer" role="timer" aria-label={t('phone.call.timer')}>
      {formatDuration(now - since)}
    </span>
  );
}
