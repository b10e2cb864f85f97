import { useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeskErrorCode } from '../../../src-shared/ipc/errors';
import type { Settings, SettingsPatch, SettingsView } from '../../../src-shared/settings/settings-schema';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { SettingsField } from './settings-field';
import { isManaged } from './settings-form-model';
import { rebaseSection, sectionDraftFrom, validateSectionField, type SectionFieldErrors, type SectionSpec } from './settings-section-model';

/** Kept as an i18n key and translated when drawn (switching the language translates it). */
type Message = { tone: 'ok' | 'error' | 'info'; key: string; errorCode?: DeskErrorCode } | null;

/**
 * The state of a settings section saved on its own (agent and queue, schedule and call lists):
 * the draft of its single fields, their errors, following settings changed underneath for every
 * field not edited (`follow` for the section's other state), and one `settings.update` with the
 * "saved" / "nothing changed" / "failed" messages under `ns` (`settings.agentQueue` …).
 */
export function useSectionForm<P extends string>(view: SettingsView, spec: SectionSpec<P>, ns: string, follow?: (oldBase: Settings, newBase: Settings) => void) {
  const desk = useDesk();
  const setSettingsView = useAppStore((state) => state.setSettingsView);
  const settings = view.settings;
  const [base, setBase] = useState(settings);
  const [draft, setDraft] = useState(() => sectionDraftFrom(spec, settings));
  const [errors, setErrors] = useState<SectionFieldErrors<P>>({});
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);
  const managed = (path: string) => isManaged(path, view.managed);

  // Changed underneath (another window, provisioning, our own save): follow every field not edited.
  if (settings !== base) {
    setDraft(rebaseSection(spec, draft, base, settings));
    follow?.(base, settings);
    setBase(settings);
  }

  const setField = (path: P, text: string) => {
    setDraft({ ...draft, [path]: text });
    setMessage(null);
    // Once a field shows an error, re-check it as the operator fixes it.
    if (errors[path]) setErrors({ ...errors, [path]: validateSectionField(spec, path, text) ?? undefined });
  };

  /** What a text field needs: its value, error, lock, and handlers. */
  const fieldProps = (path: P) => ({
    value: draft[path],
    error: errors[path],
    managed: managed(path),
    disabled: managed(path) || busy,
    onChange: (text: string) => setField(path, text),
    onBlur: () => setErrors((current) => ({ ...current, [path]: validateSectionField(spec, path, draft[path]) ?? undefined })),
  });

  const refuse = (fieldErrors: SectionFieldErrors<P>) => {
    setErrors(fieldErrors);
    setMessage({ tone: 'error', key: 'settings.invalid' });
  };

  /** Sends the checked patch (nothing when empty); the form then shows what was stored, not what was typed. */
  const save = async (patch: SettingsPatch, onSaved?: (stored: Settings) => void) => {
    setErrors({});
    if (Object.keys(patch).length === 0) {
      setMessage({ tone: 'info', key: `${ns}.nothingChanged` });
      return;
    }
    setBusy(true);
    try {
      const saved = await desk.request('settings.update', patch);
      setSettingsView(saved);
      setBase(saved.settings);
      setDraft(sectionDraftFrom(spec, saved.settings));
      onSaved?.(saved.settings);
      setMessage({ tone: 'ok', key: `${ns}.saved` });
    } catch (error) {
      setMessage({ tone: 'error', key: `${ns}.failed`, errorCode: toDeskError(error).code });
    } finally {
      setBusy(false);
    }
  };

  return { settings, draft, errors, message, setMessage, busy, managed, fieldProps, refuse, save };
}

interface SectionTextFieldProps {
  id: string;
  label: string;
  hint: string;
  value: string;
  error?: string | undefined;
  managed: boolean;
  disabled: boolean;
  placeholder?: string | undefined;
  numeric?: boolean;
  /** The id of a `<datalist>` of suggestions. */
  list?: string;
  onChange: (text: string) => void;
  onBlur: () => void;
}

/** `SettingsField` with a one-line input (its id doubles as the test id). */
export function SectionTextField({ id, label, hint, value, error, managed, disabled, placeholder, numeric, list, onChange, onBlur }: SectionTextFieldProps): ReactElement {
  return (
    <SettingsField id={id} label={label} hint={hint} error={error} managed={managed}>
      {(describedBy) => (
        <input
          id={id}
          data-testid={id}
          type="text"
          className="input"
          value={value}
          placeholder={placeholder}
          inputMode={numeric ? 'numeric' : undefined}
          list={list}
          spellCheck={false}
          autoComplete="off"
          disabled={disabled}
          aria-invalid={error ? true : undefined}
          aria-describedby={describedBy}
          onChange={(event) => onChange(event.target.value)}
          onBlur={onBlur}
        />
      )}
    </SettingsField>
  );
}

/** The section's save button (`<testId>-save`) and its status line (`<testId>-message`), texts under `ns`. */
export function SectionActions({ ns, testId, busy, disabled, message }: { ns: string; testId: string; busy: boolean; disabled: boolean; message: Message }): ReactElement {
  const { t } = useTranslation();
  const errorText = useErrorText();
  return (
    <div className="settings-actions">
      <button type="submit" className="button primary" data-testid={`${testId}-save`} disabled={busy || disabled}>
        {busy ? t(`${ns}.saving`) : t(`${ns}.save`)}
      </button>
      <p className="settings-message" role="status" data-testid={`${testId}-message`} data-tone={message?.tone ?? ''}>
        {message ? t(message.key, message.errorCode ? { reason: errorText({ code: message.errorCode }) } : {}) : ''}
      </p>
    </div>
  );
}
