import { useState, type KeyboardEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { PhoneCall } from '../../softphone/phone';
import { safeName } from './call-text';
import { KEYPAD_KEYS } from './dial-pad';
import { HOTKEY_ARIA, HOTKEY_LABELS } from './phone-hotkeys';
import { consultationOf, prepareMicrophone, runPhoneAction, usePhoneStore, usePhoneStoreApi } from './phone-store';
import { useMediaStats } from './use-media-stats';
import { formatDuration, useNow } from './use-now';
import { checkDialString, type DialProblem } from '../../../src-shared/phone/dial-string';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';

/**
 * One live call: who, its state and talk time; the focused one also gets the controls.
 * `rehearsal` (screen-pop-rehearsal.tsx): a made-up call drawn off screen — no timer ticking, no
 * media figures asked of the phone.
 */
export function CallLine({ call, focused, canSwap, rehearsal = false }: { call: PhoneCall; focused: boolean; canSwap: boolean; rehearsal?: boolean }): ReactElement {
  const { t } = useTranslation();
  const store = usePhoneStoreApi();
  const name = safeName(call.remoteDisplayName);
  const recovering = call.state === 'recovering';
  const role = call.consultationFor ? 'consultation' : null;
  return (
    <li
      className="call-line"
      data-testid="call-line"
      data-call-id={call.id}
      data-state={call.state}
      data-number={call.remoteNumber}
      data-focused={focused ? 'true' : undefined}
      aria-label={t('phone.call.label', { number: formatPhoneNumber(call.remoteNumber) || t('phone.call.unknownNumber') })}
    >
      <div className="call-line-head">
        <span className="call-state" data-state={call.state} data-testid="call-state">
          {recovering ? t('phone.call.recovering') : t(`phone.call.state.${call.state}`)}
        </span>
        <span className="call-who">
          <span className="call-number mono" data-testid="call-number" dir="ltr">
            {formatPhoneNumber(call.remoteNumber) || t('phone.call.unknownNumber')}
          </span>
          {name ? (
            <span className="call-name truncate" data-testid="call-name" dir="auto">
              {name}
            </span>
          ) : null}
          {role ? <span className="pill pill-muted">{t('phone.transfer.consultationTag')}</span> : null}
          {call.direction === 'outgoing' ? <span className="call-direction">{t('phone.call.outgoing')}</span> : null}
        </span>
        {call.answeredAt !== null ? <CallTimer answeredAt={call.answeredAt} ticking={!rehearsal} /> : null}
        {canSwap ? (
          <button
            type="button"
            className="button"
            data-testid="swap-button"
            onClick={() => void runPhoneAction(store, 'swap', (phone) => phone.swap(call.id))}
          >
            {t('phone.call.swap')}
          </button>
        ) : null}
      </div>
      {focused ? <CallControls call={call} rehearsal={rehearsal} /> : hasMedia(call) ? <MediaReadout callId={call.id} withMicrophone={false} rehearsal={rehearsal} /> : null}
    </li>
  );
}

/** A call past setup has media figures worth reading (also on hold: they show the audio stopped). */
const hasMedia = (call: PhoneCall) => call.state === 'active' || call.state === 'held' || call.state === 'recovering';

function CallTimer({ answeredAt, ticking }: { answeredAt: number; ticking: boolean }): ReactElement {
  const { t } = useTranslation();
  const now = useNow(ticking);
  return (
    <span className="call-timer mono" data-testid="call-timer" aria-label={t('phone.call.timer')} role="timer">
      {formatDuration(now - answeredAt)}
    </span>
  );
}

function CallControls({ call, rehearsal }: { call: PhoneCall; rehearsal: boolean }): ReactElement {
  const { t } = useTranslation();
  const store = usePhoneStoreApi();
  const phone = usePhoneStore((state) => state.phone);
  const disabled = call.state === 'recovering';
  const connected = call.state === 'active' || call.state === 'held';
  const held = call.state === 'held';
  return (
    <div className="call-controls" data-testid="call-controls" aria-disabled={disabled ? 'true' : undefined}>
      {disabled ? (
        <p className="notice warn call-recovering" role="status" data-testid="call-recovering">
          {t('phone.call.recoveringHint')}
        </p>
      ) : null}
      <div className="call-buttons">
        <button
          type="button"
          className="button"
          data-testid="hold-button"
          aria-pressed={held}
          disabled={disabled || !connected}
          title={t('phone.hint', { action: held ? t('phone.call.resume') : t('phone.call.hold'), key: HOTKEY_LABELS.hold })}
          aria-keyshortcuts={HOTKEY_ARIA.hold}
          onClick={() => void runPhoneAction(store, held ? 'resume' : 'hold', (p) => (held ? p.resume(call.id) : p.hold(call.id)))}
        >
          {held ? t('phone.call.resume') : t('phone.call.hold')}
          <kbd className="kbd">{HOTKEY_LABELS.hold}</kbd>
        </button>
        <button
          type="button"
          className="button"
          data-testid="mute-button"
          aria-pressed={call.muted}
          disabled={disabled}
          title={t('phone.hint', { action: call.muted ? t('phone.call.unmute') : t('phone.call.mute'), key: HOTKEY_LABELS.mute })}
          aria-keyshortcuts={HOTKEY_ARIA.mute}
          onClick={() => void runPhoneAction(store, call.muted ? 'unmute' : 'mute', (p) => p.setMuted(call.id, !call.muted))}
        >
          {call.muted ? t('phone.call.unmute') : t('phone.call.mute')}
          <kbd className="kbd">{HOTKEY_LABELS.mute}</kbd>
        </button>
        <button
          type="button"
          className="button danger hangup-button"
          data-testid="hangup-button"
          disabled={disabled}
          title={t('phone.hint', { action: t('phone.call.hangup'), key: HOTKEY_LABELS.hangup })}
          aria-keyshortcuts={HOTKEY_ARIA.hangup}
          onClick={() => void runPhoneAction(store, 'hangup', (p) => p.hangup(call.id))}
        >
          {t('phone.call.hangup')}
          <kbd className="kbd">{HOTKEY_LABELS.hangup}</kbd>
        </button>
      </div>
      <div className="call-tools">
        <DtmfKeypad callId={call.id} disabled={disabled || call.state !== 'active'} />
        <div className="call-tools-side">
          <TransferControls call={call} disabled={disabled} />
          {(phone || rehearsal) && hasMedia(call) ? <MediaReadout callId={call.id} withMicrophone rehearsal={rehearsal} /> : null}
        </div>
      </div>
    </div>
  );
}

const DTMF_KEY = /^[0-9*#]$/u;

/** DTMF to the far end (IVR menus, extensions): click the keys, or type digits while it has focus. */
function DtmfKeypad({ callId, disabled }: { callId: string; disabled: boolean }): ReactElement {
  const { t } = useTranslation();
  const store = usePhoneStoreApi();
  const [sent, setSent] = useState('');
  const send = (digit: string) => {
    if (disabled) return;
    setSent((current) => (current + digit).slice(-32));
    void runPhoneAction(store, 'dtmf', (phone) => phone.sendDtmf(callId, digit));
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.altKey || event.metaKey || event.repeat || !DTMF_KEY.test(event.key)) return;
    event.preventDefault();
    send(event.key);
  };
  return (
    <div
      className="keypad dtmf-keypad"
      data-testid="dtmf-keypad"
      role="group"
      tabIndex={disabled ? -1 : 0}
      aria-label={t('phone.dtmf.label')}
      aria-disabled={disabled ? 'true' : undefined}
      title={t('phone.dtmf.hint')}
      onKeyDown={onKeyDown}
    >
      <p className="dtmf-sent mono" data-testid="dtmf-sent" aria-live="polite">
        {sent || t('phone.dtmf.label')}
      </p>
      {KEYPAD_KEYS.map((key) => (
        <button key={key} type="button" className="button keypad-key" data-testid={`dtmf-key-${key}`} disabled={disabled} tabIndex={-1} onClick={() => send(key)}>
          {key}
        </button>
      ))}
    </div>
  );
}

/** Blind transfer, or attended: consult first, then complete (or cancel and take the caller back). */
function TransferControls({ call, disabled }: { call: PhoneCall; disabled: boolean }): ReactElement | null {
  const { t } = useTranslation();
  const store = usePhoneStoreApi();
  const calls = usePhoneStore((state) => state.calls);
  const [target, setTarget] = useState('');
  const [problem, setProblem] = useState<DialProblem | null>(null);
  const consultation = consultationOf(calls);

  if (consultation && (consultation.consultation.id === call.id || consultation.original.id === call.id)) {
    const { consultation: consult, original } = consultation;
    return (
      <div className="transfer" data-testid="transfer" data-mode="attended">
        <p className="transfer-note">{t('phone.transfer.consulting')}</p>
        <div className="transfer-row">
          <button
            type="button"
            className="button primary"
            data-testid="complete-transfer-button"
            disabled={disabled || consult.state !== 'active'}
            onClick={() => void runPhoneAction(store, 'completeTransfer', (phone) => phone.completeAttendedTransfer(original.id, consult.id))}
          >
            {t('phone.transfer.complete')}
          </button>
          <button
            type="button"
            className="button"
            data-testid="cancel-transfer-button"
            disabled={disabled}
            onClick={() =>
              void runPhoneAction(store, 'cancelTransfer', async (phone) => {
                await phone.hangup(consult.id);
                await phone.resume(original.id);
              })
            }
          >
            {t('phone.transfer.cancel')}
          </button>
        </div>
      </div>
    );
  }
  if (call.consultationFor) return null;
  const connected = call.state === 'active' || call.state === 'held';
  const go = (kind: 'blindTransfer' | 'consult') => {
    const check = checkDialString(target);
    if (!check.ok) {
      setProblem(check.problem);
      return;
    }
    setProblem(null);
    void runPhoneAction<unknown>(store, kind, (phone) => (kind === 'blindTransfer' ? phone.blindTransfer(call.id, check.number) : phone.startConsultation(call.id, check.number))).then(
      (result) => {
        if (result !== null) setTarget('');
      },
    );
  };
  return (
    <div className="transfer" data-testid="transfer" data-mode="choose">
      <label htmlFor={`transfer-${call.id}`} className="field-label">
        {t('phone.transfer.label')}
      </label>
      <div className="transfer-row">
        <input
          id={`transfer-${call.id}`}
          className="input mono"
          data-testid="transfer-input"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
          value={target}
          placeholder={t('phone.transfer.placeholder')}
          disabled={disabled || !connected}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? `transfer-${call.id}-error` : undefined}
          // A consultation call may follow: open the microphone ahead of it.
          onFocus={() => prepareMicrophone(store)}
          onChange={(event) => {
            setTarget(event.target.value);
            setProblem(null);
          }}
          onKeyDown={(event) => {
            if (event.key === 'Enter') {
              event.preventDefault();
              go('consult');
            }
          }}
        />
        <button type="button" className="button" data-testid="blind-transfer-button" disabled={disabled || !connected} onClick={() => go('blindTransfer')}>
          {t('phone.transfer.blind')}
        </button>
        <button type="button" className="button" data-testid="consult-button" disabled={disabled || !connected} onClick={() => go('consult')}>
          {t('phone.transfer.consult')}
        </button>
      </div>
      {problem ? (
        <p id={`transfer-${call.id}-error`} className="field-error" role="alert" data-testid="transfer-error" data-problem={problem}>
          {t(`phone.dial.errors.${problem}`)}
        </p>
      ) : null}
    </div>
  );
}

const round = (value: number, digits = 3) => String(Math.round(value * 10 ** digits) / 10 ** digits);

/**
 * The media figures IT asks for when a caller "can't hear you", refreshed every second; with
 * the microphone meter on the current call.
 */
function MediaReadout({ callId, withMicrophone, rehearsal }: { callId: string; withMicrophone: boolean; rehearsal: boolean }): ReactElement {
  const { t } = useTranslation();
  const phone = usePhoneStore((state) => state.phone);
  const stats = useMediaStats(rehearsal ? null : phone, callId);
  const level = Math.max(0, Math.min(1, stats?.microphoneLevel ?? 0));
  return (
    <div className="call-media-box">
      {withMicrophone ? (
        <div className="mic-level-row">
          <span className="field-label" id={`mic-level-${callId}`}>
            {t('phone.media.microphone')}
          </span>
          <div
            className="mic-level"
            data-testid="mic-level"
            data-level={round(level)}
            role="meter"
            aria-labelledby={`mic-level-${callId}`}
            aria-valuemin={0}
            aria-valuemax={1}
            aria-valuenow={Number(round(level, 2))}
          >
            <div className="mic-level-bar" style={{ width: `${Math.round(level * 100)}%` }} />
          </div>
        </div>
      ) : null}
      <p
        className="call-media mono"
        data-testid="call-media"
        data-state={stats ? 'measured' : 'none'}
        data-packets-received={stats?.packetsReceived ?? 0}
        data-packets-sent={stats?.packetsSent ?? 0}
        data-packets-lost={stats?.packetsLost ?? 0}
        data-audio-energy={round(stats?.totalAudioEnergy ?? 0, 6)}
        data-jitter-ms={Math.round((stats?.jitterSec ?? 0) * 1000)}
      >
        {stats
          ? t('phone.media.figures', {
              received: stats.packetsReceived,
              sent: stats.packetsSent,
              lost: stats.packetsLost,
              jitter: Math.round(stats.jitterSec * 1000),
            })
          : t('phone.media.none')}
      </p>
    </div>
  );
}
