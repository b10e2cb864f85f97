import { useEffect, useRef, useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeskErrorCode } from '../../../src-shared/ipc/errors';
import type { SettingsView } from '../../../src-shared/settings/settings-schema';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { useAudioDevices, type AudioDeviceOption } from './use-audio-devices';
import { ICE_GROUP_ID, IceServersEditor, type IceField } from './settings-ice-servers';
import { WrapUpSettings } from './settings-wrap-up';
import { AgentQueueSettings } from './settings-agent-queue';
import { SettingsField, type SettingsFieldProps } from './settings-field';
import { ScheduleCallListsSettings } from './settings-schedule-call-lists';
import { ConnectorSettings } from './settings-connectors';
import { SettingsDiagnostics } from './settings-diagnostics';
import { AccessSettings } from './settings-access';
import { DesktopAppSettings } from './settings-desktop';
import { WarningIcon } from '../../ui/icons';
import { Pane } from '../../ui/pane';
import {
  buildRawPatch,
  draftFrom,
  isManaged,
  rebaseDraft,
  validateField,
  validatePassword,
  validateIceRow,
  validateIceRows,
  validatePatch,
  type Draft,
  type ErrorPath,
  type FieldErrors,
  type IceRowErrors,
  type IceServerDraft,
  type TextPath,
} from './settings-form-model';

export function SettingsPane(): ReactElement {
  const { t } = useTranslation();
  const view = useAppStore((state) => state.settingsView);
  return (
    <Pane id="settings" title={t('settings.title')}>
      {view ? (
        <>
          <SettingsForm view={view} />
          <WrapUpSettings view={view} />
          <AgentQueueSettings view={view} />
          <ScheduleCallListsSettings view={view} />
          <ConnectorSettings view={view} />
          <AccessSettings view={view} />
          <SettingsDiagnostics />
          <DesktopAppSettings view={view} />
        </>
      ) : (
        <p className="muted">{t('settings.loading')}</p>
      )}
    </Pane>
  );
}

/**
 * Kept as an i18n key (plus values) and translated when drawn, so "Saved" after switching the
 * language appears in the new language.
 */
type Message = { tone: 'ok' | 'error' | 'info'; key: string; errorCode?: DeskErrorCode } | null;

/** Element ids double as test ids; notes under a field add `-managed`, `-hint`, `-error`. */
const TEST_IDS: Record<ErrorPath, string> = {
  role: 'settings-role',
  language: 'settings-language',
  'sip.server': 'settings-sip-server',
  'sip.uri': 'settings-sip-uri',
  'sip.authUser': 'settings-sip-auth-user',
  'sip.displayName': 'settings-sip-display-name',
  'sip.iceGatheringTimeoutMs': 'settings-sip-ice-timeout',
  'sip.iceServers': ICE_GROUP_ID,
  'sip.password': 'settings-sip-password',
  'sip.autoAnswerIntercom': 'settings-sip-auto-answer',
  'sip.dtmfMode': 'settings-sip-dtmf-mode',
  'audio.microphoneId': 'settings-audio-microphone',
  'audio.speakerId': 'settings-audio-speaker',
  'audio.ringerId': 'settings-audio-ringer',
};

const inputId = (path: ErrorPath) => TEST_IDS[path];

function SettingsForm({ view }: { view: SettingsView }): ReactElement {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const desk = useDesk();
  const setSettingsView = useAppStore((state) => state.setSettingsView);

  const [draft, setDraft] = useState<Draft>(() => draftFrom(view.settings));
  const [base, setBase] = useState(view.settings);
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<FieldErrors>({});
  /** Errors under the ICE server rows, by row key. */
  const [iceErrors, setIceErrors] = useState<Record<string, IceRowErrors>>({});
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  const focusIceError = useRef(false);
  const { devices, askForNames } = useAudioDevices();

  // Settings changed underneath (another window, provisioning, our own save): follow them
  // for every field the user has not touched.
  if (view.settings !== base) {
    setBase(view.settings);
    setDraft(rebaseDraft(draft, base, view.settings));
  }

  const managed = (path: string) => isManaged(path, view.managed);
  // With a staff list the role is the signed-in person's: no desk role to choose.
  const personRole = useAppStore((state) => state.session?.person?.role) ?? view.settings.role;
  const canStorePasswords = view.secretStorage !== 'unavailable';

  const setField = (path: TextPath, value: string) => {
    const next = { ...draft, [path]: value } as Draft;
    setDraft(next);
    setMessage(null);
    // Once a field shows an error, re-check it as the user fixes it.
    if (errors[path]) setErrors({ ...errors, [path]: validateField(next, path) ?? undefined });
  };

  const checkField = (path: TextPath) => {
    setErrors((current) => ({ ...current, [path]: validateField(draft, path) ?? undefined }));
  };

  const setIceRows = (rows: IceServerDraft[]) => {
    setDraft({ ...draft, 'sip.iceServers': rows });
    setMessage(null);
    if (errors['sip.iceServers']) setErrors({ ...errors, 'sip.iceServers': undefined });
    // Like the other fields: an input that shows an error is re-checked as the user fixes it.
    const next: Record<string, IceRowErrors> = {};
    for (const row of rows) {
      const shown = iceErrors[row.key];
      if (!shown) continue;
      const found = validateIceRow(row) ?? {};
      const kept: IceRowErrors = {};
      for (const field of Object.keys(shown) as IceField[]) if (found[field]) kept[field] = found[field];
      if (Object.keys(kept).length > 0) next[row.key] = kept;
    }
    setIceErrors(next);
  };

  const checkIceField = (key: string, field: IceField) => {
    const row = draft['sip.iceServers'].find((candidate) => candidate.key === key);
    if (!row) return;
    const error = validateIceRow(row)?.[field];
    setIceErrors((current) => {
      const { [field]: _old, ...others } = current[key] ?? {};
      const merged: IceRowErrors = error ? { ...others, [field]: error } : others;
      const { [key]: _row, ...rest } = current;
      return Object.keys(merged).length > 0 ? { ...rest, [key]: merged } : rest;
    });
  };

  const focusFirstError = (found: FieldErrors, iceInvalid: boolean) => {
    const first = (Object.keys(found) as ErrorPath[]).find((path) => found[path]);
    if (first) form.current?.querySelector<HTMLElement>(`#${inputId(first)}`)?.focus();
    // Row errors render with this update; the effect below focuses the first invalid box then.
    else if (iceInvalid) focusIceError.current = true;
  };

  useEffect(() => {
    if (!focusIceError.current) return;
    focusIceError.current = false;
    form.current?.querySelector<HTMLElement>(`#${ICE_GROUP_ID} [aria-invalid="true"]`)?.focus();
  }, [iceErrors]);

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const raw = buildRawPatch(draft, view.settings, view.managed);
    const hasPatch = Object.keys(raw).length > 0;
    const hasPassword = password !== '' && canStorePasswords;
    const validation = validatePatch(raw);
    const passwordError = hasPassword ? validatePassword(password) : null;
    const found: FieldErrors = validation.ok ? {} : { ...validation.errors };
    if (passwordError) found['sip.password'] = passwordError;
    // The ICE list is checked more strictly than the schema does, row by row, when it changed.
    const iceChanged = (raw.sip as Record<string, unknown> | undefined)?.iceServers !== undefined;
    const rowErrors = iceChanged ? validateIceRows(draft['sip.iceServers']) : {};
    const iceInvalid = Object.keys(rowErrors).length > 0;
    if (iceInvalid) delete found['sip.iceServers']; // the rows say it better
    setErrors(found);
    setIceErrors(rowErrors);
    if (Object.values(found).some(Boolean) || iceInvalid) {
      setMessage({ tone: 'error', key: 'settings.invalid' });
      focusFirstError(found, iceInvalid);
      return;
    }
    if (!hasPatch && !hasPassword) {
      setMessage({ tone: 'info', key: 'settings.nothingChanged' });
      return;
    }
    setBusy(true);
    setMessage({ tone: 'info', key: 'settings.saving' });
    try {
      if (hasPatch && validation.ok) {
        try {
          const saved = await desk.request('settings.update', validation.patch);
          setSettingsView(saved);
          // Show what was stored (trimmed, normalised), not what was typed.
          setDraft(draftFrom(saved.settings));
        } catch (error) {
          setMessage({ tone: 'error', key: `errors.${toDeskError(error).code}` });
          return;
        }
      }
      if (hasPassword) {
        const typed = password;
        setPassword(''); // never keep a secret in the page longer than needed
        try {
          setSettingsView(await desk.request('settings.setSipPassword', { password: typed }));
        } catch (error) {
          const { code } = toDeskError(error);
          setMessage(
            hasPatch
              ? { tone: 'error', key: 'settings.savedPasswordFailed', errorCode: code }
              : { tone: 'error', key: `errors.${code}` },
          );
          return;
        }
      }
      setMessage({ tone: 'ok', key: 'settings.saved' });
    } finally {
      setBusy(false);
    }
  };

  const onClearPassword = async () => {
    if (busy) return;
    setBusy(true);
    setPassword('');
    try {
      setSettingsView(await desk.request('settings.setSipPassword', { password: null }));
      setMessage({ tone: 'ok', key: 'settings.passwordCleared' });
    } catch (error) {
      setMessage({ tone: 'error', key: `errors.${toDeskError(error).code}` });
    } finally {
      setBusy(false);
    }
  };

  const textField = (path: TextPath, label: string, options: { placeholder?: string; hint?: string; inputMode?: 'numeric' } = {}) => (
    <Field path={path} label={label} hint={options.hint} error={errors[path]} managed={managed(path)}>
      {(describedBy) => (
        <input
          id={inputId(path)}
          data-testid={TEST_IDS[path]}
          type="text"
          className="input"
          value={draft[path]}
          placeholder={options.placeholder}
          inputMode={options.inputMode}
          spellCheck={false}
          autoComplete="off"
          disabled={managed(path) || busy}
          aria-invalid={errors[path] ? true : undefined}
          aria-describedby={describedBy}
          onChange={(event) => setField(path, event.target.value)}
          onBlur={() => checkField(path)}
        />
      )}
    </Field>
  );

  const deviceField = (path: 'audio.microphoneId' | 'audio.speakerId' | 'audio.ringerId', label: string, options: readonly AudioDeviceOption[], fallback: string) => {
    const value = draft[path];
    const known = value === '' || options.some((device) => device.deviceId === value);
    return (
      <Field path={path} label={label} managed={managed(path)} error={errors[path]}>
        {(describedBy) => (
          <select
            id={inputId(path)}
            data-testid={TEST_IDS[path]}
            className="input"
            value={value}
            disabled={managed(path) || busy}
            aria-describedby={describedBy}
            onChange={(event) => setField(path, event.target.value)}
          >
            <option value="">{t('settings.audio.systemDefault')}</option>
            {options.map((device, index) => (
              <option key={device.deviceId} value={device.deviceId}>
                {device.label || t(fallback, { n: index + 1 })}
              </option>
            ))}
            {known ? null : <option value={value}>{t('settings.audio.missing')}</option>}
          </select>
        )}
      </Field>
    );
  };

  return (
    <form ref={form} className="settings-form" noValidate onSubmit={(event) => void onSubmit(event)} data-testid="settings-form">
      {view.recoveredFrom ? (
        <p className="notice warn" role="note" data-testid="settings-recovered">
          <WarningIcon />
          {t('settings.recovered', { path: view.recoveredFrom })}
        </p>
      ) : null}

      <fieldset className="settings-section">
        <legend>{t('settings.sections.workstation')}</legend>
        {view.settings.access.people.length > 0 ? (
          <p className="field-note" data-testid="settings-role-by-person">
            {t('settings.access.roleByPerson', { role: t(`settings.role.${personRole}`) })}
          </p>
        ) : (
          <Field path="role" label={t('settings.role.label')} managed={managed('role')} error={errors.role}>
            {(describedBy) => (
              <select
                id={inputId('role')}
                data-testid={TEST_IDS.role}
                className="input"
                value={draft.role}
                disabled={managed('role') || busy}
                aria-describedby={describedBy}
                onChange={(event) => setField('role', event.target.value)}
              >
                <option value="operator">{t('settings.role.operator')}</option>
                <option value="supervisor">{t('settings.role.supervisor')}</option>
                <option value="cashier">{t('settings.role.cashier')}</option>
              </select>
            )}
          </Field>
        )}
        <Field path="language" label={t('settings.language.label')} managed={managed('language')} error={errors.language}>
          {(describedBy) => (
            <select
              id={inputId('language')}
              data-testid={TEST_IDS.language}
              className="input"
              value={draft.language}
              disabled={managed('language') || busy}
              aria-describedby={describedBy}
              onChange={(event) => setField('language', event.target.value)}
            >
              <option value="ru" lang="ru">
                {t('settings.language.ru')}
              </option>
              <option value="en" lang="en">
                {t('settings.language.en')}
              </option>
            </select>
          )}
        </Field>
      </fieldset>

      <fieldset className="settings-section">
        <legend>{t('settings.sections.sip')}</legend>
        {textField('sip.server', t('settings.sip.server'), { placeholder: t('settings.sip.serverPlaceholder') })}
        {textField('sip.uri', t('settings.sip.uri'), { placeholder: t('settings.sip.uriPlaceholder') })}
        {textField('sip.authUser', t('settings.sip.authUser'))}
        {textField('sip.displayName', t('settings.sip.displayName'))}
        {textField('sip.iceGatheringTimeoutMs', t('settings.sip.iceTimeout'), {
          hint: t('settings.sip.iceTimeoutHint'),
          inputMode: 'numeric',
        })}
        <IceServersEditor
          rows={draft['sip.iceServers']}
          errors={iceErrors}
          groupError={errors['sip.iceServers']}
          managed={managed('sip.iceServers')}
          busy={busy}
          onRowsChange={setIceRows}
          onFieldBlur={checkIceField}
        />
        <Field path="sip.dtmfMode" label={t('settings.sip.dtmfMode')} managed={managed('sip.dtmfMode')} error={errors['sip.dtmfMode']} hint={t('settings.sip.dtmfModeHint')}>
          {(describedBy) => (
            <select
              id={inputId('sip.dtmfMode')}
              data-testid={TEST_IDS['sip.dtmfMode']}
              className="input"
              value={draft['sip.dtmfMode']}
              disabled={managed('sip.dtmfMode') || busy}
              aria-describedby={describedBy}
              onChange={(event) => setField('sip.dtmfMode', event.target.value)}
            >
              <option value="rfc4733">{t('settings.sip.dtmfRfc4733')}</option>
              <option value="info">{t('settings.sip.dtmfInfo')}</option>
            </select>
          )}
        </Field>
        <Field
          path="sip.autoAnswerIntercom"
          label={t('settings.sip.autoAnswer')}
          managed={managed('sip.autoAnswerIntercom')}
          error={errors['sip.autoAnswerIntercom']}
          hint={t('settings.sip.autoAnswerHint')}
        >
          {(describedBy) => (
            <input
              id={inputId('sip.autoAnswerIntercom')}
              data-testid={TEST_IDS['sip.autoAnswerIntercom']}
              type="checkbox"
              className="checkbox"
              checked={draft['sip.autoAnswerIntercom'] === 'true'}
              disabled={managed('sip.autoAnswerIntercom') || busy}
              aria-describedby={describedBy}
              onChange={(event) => setField('sip.autoAnswerIntercom', String(event.target.checked))}
            />
          )}
        </Field>
        <Field path="sip.password" label={t('settings.sip.password')} error={errors['sip.password']} managed={false}>
          {(describedBy) => (
            <div className="password-row">
              <input
                id={inputId('sip.password')}
                data-testid={TEST_IDS['sip.password']}
                type="password"
                className="input"
                value={password}
                placeholder={view.sipPasswordSet ? t('settings.sip.passwordPlaceholder') : undefined}
                autoComplete="off"
                disabled={!canStorePasswords || busy}
                aria-invalid={errors['sip.password'] ? true : undefined}
                aria-describedby={[describedBy, 'settings-sip-password-state'].filter(Boolean).join(' ')}
                onChange={(event) => {
                  setPassword(event.target.value);
                  setMessage(null);
                  if (errors['sip.password']) setErrors({ ...errors, 'sip.password': validatePassword(event.target.value) ?? undefined });
                }}
              />
              <span
                id="settings-sip-password-state"
                className={`pill ${view.sipPasswordSet ? 'pill-ok' : 'pill-muted'}`}
                data-testid="settings-sip-password-state"
                data-state={view.sipPasswordSet ? 'stored' : 'not-set'}
              >
                {view.sipPasswordSet ? t('settings.sip.passwordStored') : t('settings.sip.passwordNotSet')}
              </span>
              <button
                type="button"
                className="button"
                data-testid="settings-sip-password-clear"
                disabled={!view.sipPasswordSet || busy}
                onClick={() => void onClearPassword()}
              >
                {t('settings.sip.passwordClear')}
              </button>
            </div>
          )}
        </Field>
      </fieldset>

      <fieldset className="settings-section" data-testid="settings-audio">
        <legend>{t('settings.sections.audio')}</legend>
        {deviceField('audio.microphoneId', t('settings.audio.microphone'), devices.inputs, 'settings.audio.unnamedInput')}
        {deviceField('audio.speakerId', t('settings.audio.speaker'), devices.outputs, 'settings.audio.unnamedOutput')}
        {deviceField('audio.ringerId', t('settings.audio.ringer'), devices.outputs, 'settings.audio.unnamedOutput')}
        <p className="field-note settings-audio-note" data-testid="settings-audio-note">
          {!devices.supported ? t('settings.audio.unsupported') : devices.failed ? t('settings.audio.failed') : t('settings.audio.hint')}
        </p>
        {devices.supported && devices.unnamed ? (
          <button type="button" className="button" data-testid="settings-audio-names" onClick={askForNames}>
            {t('settings.audio.showNames')}
          </button>
        ) : null}
      </fieldset>

      <fieldset className="settings-section">
        <legend>{t('settings.sections.security')}</legend>
        <p
          className={`notice ${view.secretStorage === 'os-keychain' ? 'ok' : 'warn'}`}
          data-testid="settings-secret-storage"
          data-kind={view.secretStorage}
        >
          {view.secretStorage === 'os-keychain' ? null : <WarningIcon />}
          {t(`settings.storage.${view.secretStorage}`)}
        </p>
      </fieldset>

      <div className="settings-actions">
        <button type="submit" className="button primary" data-testid="settings-save" disabled={busy}>
          {busy ? t('settings.saving') : t('settings.save')}
        </button>
        <p className="settings-message" role="status" data-testid="settings-message" data-tone={message?.tone ?? ''}>
          {message ? t(message.key, message.errorCode ? { reason: errorText({ code: message.errorCode }) } : {}) : ''}
        </p>
      </div>
    </form>
  );
}

interface FieldProps extends Omit<SettingsFieldProps, 'id'> {
  path: ErrorPath;
}

/** A field of the main form: `SettingsField` with the path's id. */
function Field({ path, ...rest }: FieldProps): ReactElement {
  return <SettingsField id={inputId(path)} {...rest} />;
}
