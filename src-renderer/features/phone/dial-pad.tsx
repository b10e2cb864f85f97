import { useState, type ClipboardEvent, type ReactElement, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { checkDialString, normaliseDialString, type DialProblem } from '../../../src-shared/phone/dial-string';
import { PhoneIcon } from '../../ui/icons';
import { HOTKEY_LABELS } from './phone-hotkeys';
import { requestNotificationPermission } from './phone-alerts';
import { prepareMicrophone, runPhoneAction, usePhoneStoreApi } from './phone-store';

export const KEYPAD_KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '0', '#'] as const;

/**
 * The number box and keypad. Takes what operators paste ("+7 (495) 123-45-67", `tel:` links),
 * dials on Enter or the Call button, and says exactly why a string cannot be dialled.
 */
export function DialPad({ inputRef }: { inputRef: RefObject<HTMLInputElement | null> }): ReactElement {
  const { t } = useTranslation();
  const store = usePhoneStoreApi();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<DialProblem | null>(null);
  const [busy, setBusy] = useState(false);
  const normalised = normaliseDialString(text);

  const update = (next: string) => {
    setText(next);
    // A number is being typed: a call is coming, open the microphone ahead of it.
    if (next) prepareMicrophone(store);
    // Letters are wrong the moment they are typed; "empty" only matters when dialling.
    const check = checkDialString(next);
    setProblem(!check.ok && check.problem === 'letters' ? 'letters' : null);
  };

  const dial = async () => {
    if (busy) return;
    const check = checkDialString(text);
    if (!check.ok) {
      setProblem(check.problem);
      inputRef.current?.focus();
      return;
    }
    requestNotificationPermission();
    setBusy(true);
    try {
      const id = await runPhoneAction(store, 'dial', (phone) => phone.call(check.number));
      if (id !== null) update('');
    } finally {
      setBusy(false);
    }
  };

  const onPaste = (event: ClipboardEvent<HTMLInputElement>) => {
    const pasted = event.clipboardData.getData('text');
    const number = normaliseDialString(pasted);
    if (number === null) return; // let it in as typed; the error under the box explains
    event.preventDefault();
    const input = event.currentTarget;
    const start = input.selectionStart ?? text.length;
    const end = input.selectionEnd ?? text.length;
    update(text.slice(0, start) + number + text.slice(end));
  };

  const press = (key: string) => {
    update(text + key);
    inputRef.current?.focus();
  };

  return (
    <section className="dialpad" data-testid="dialpad" aria-labelledby="dialpad-title">
      <h2 id="dialpad-title" className="phone-section-title">
        {t('phone.dial.title')}
      </h2>
      <form
        className="dialpad-form"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void dial();
        }}
      >
        <label htmlFor="dial-input" className="visually-hidden">
          {t('phone.dial.label')}
        </label>
        <input
          id="dial-input"
          ref={inputRef}
          data-testid="dial-input"
          className="input dial-input mono"
          type="tel"
          inputMode="tel"
          autoComplete="off"
          spellCheck={false}
          maxLength={200}
          value={text}
          placeholder={t('phone.dial.placeholder')}
          title={t('phone.hint', { action: t('phone.dial.label'), key: HOTKEY_LABELS.focusDialer })}
          aria-invalid={problem ? true : undefined}
          aria-describedby={problem ? 'dial-error' : normalised && normalised !== text ? 'dial-normalised' : undefined}
          onFocus={() => prepareMicrophone(store)}
          onChange={(event) => update(event.target.value)}
          onPaste={onPaste}
        />
        {problem ? (
          <p id="dial-error" className="field-error" role="alert" data-testid="dial-error" data-problem={problem}>
            {t(`phone.dial.errors.${problem}`)}
          </p>
        ) : normalised && normalised !== text ? (
          <p id="dial-normalised" className="field-note" data-testid="dial-normalised">
            {t('phone.dial.willDial', { number: normalised })}
          </p>
        ) : null}
        <div className="keypad" role="group" aria-label={t('phone.dial.keypad')}>
          {KEYPAD_KEYS.map((key) => (
            <button key={key} type="button" className="button keypad-key" data-testid={`dialpad-key-${key}`} onClick={() => press(key)}>
              {key}
            </button>
          ))}
        </div>
        <button type="submit" className="button dial-button" data-testid="dial-button" disabled={busy}>
          <PhoneIcon />
          {t('phone.dial.call')}
        </button>
      </form>
    </section>
  );
}
