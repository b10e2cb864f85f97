import { useCallback, useEffect, useRef, useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { ConnectorChoiceView, ConnectorDescriptor, ConnectorKind, ConnectorsView, DiagnosticsResult } from '../../../src-shared/connectors/connector-model';
import { ConnectorsViewSchema } from '../../../src-shared/connectors/connector-model';
import type { DeskErrorCode } from '../../../src-shared/ipc/errors';
import type { SettingsView } from '../../../src-shared/settings/settings-schema';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { ConnectorQuarantine } from './connector-quarantine';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { ConnectorDiagnostics } from './connector-diagnostics';
import { ConnectorForm, connectorFieldId } from './connector-form';
import {
  buildConfig,
  configsEqual,
  initialValues,
  mappingOf,
  validateField,
  validateForm,
  withMapping,
  withoutSecrets,
  type ConnectorConfig,
  type FieldErrors,
  type FieldValue,
  type FormValues,
  type MappableCardField,
} from './connector-form-model';
import { ConnectorPreviewPanel } from './connector-preview';
import { isManaged } from './settings-form-model';

/** Kept as an i18n key (plus values) and translated when drawn. */
type Message = { tone: 'ok' | 'error' | 'info'; key: string; values?: Record<string, string | number>; errorCode?: DeskErrorCode } | null;

/**
 * Settings → Connections: the MIS and the PBX connector of this desk, each chosen from the
 * connectors of this build and the plugins found, with its form drawn from its config schema,
 * "test connection" (numbered diagnostics of the unsaved form) and, for a file source, the first
 * rows and the column mapping. Saving is `settings.update({ connectors: { <kind>: { id, config } } })`;
 * a secret goes only when typed (main moves it to the secret store). Locked when IT manages it.
 */
export function ConnectorSettings({ view }: { view: SettingsView }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const [connectors, setConnectors] = useState<ConnectorsView | null>(null);
  const [failure, setFailure] = useState<DeskErrorCode | null>(null);

  /** Takes `connectors.list`'s answer; one that is not a connectors view (an older desk service) is "not available". */
  const take = useCallback((answer: unknown) => {
    const parsed = ConnectorsViewSchema.safeParse(answer);
    if (parsed.success) {
      setConnectors(parsed.data);
      setFailure(null);
    } else setFailure('NOT_AVAILABLE');
  }, []);
  const refuse = useCallback((error: unknown) => setFailure(toDeskError(error).code), []);
  const load = useCallback(() => desk.request('connectors.list', {}).then(take, refuse), [desk, take, refuse]);

  useEffect(() => {
    let live = true;
    desk.request('connectors.list', {}).then(
      (answer) => live && take(answer),
      (error: unknown) => live && refuse(error),
    );
    return () => {
      live = false;
    };
  }, [desk, take, refuse]);

  return (
    <section className="settings-form settings-connectors" data-testid="settings-connectors" aria-labelledby="settings-connectors-title">
      <h3 className="settings-connectors-title" id="settings-connectors-title">
        {t('connectors.title')}
      </h3>
      {connectors === null ? (
        failure ? (
          <p className="notice bad" data-testid="connectors-unavailable">
            {t('connectors.unavailable', { reason: errorText({ code: failure }) })}{' '}
            <button type="button" className="button" onClick={() => void load()}>
              {t('errors.retry')}
            </button>
          </p>
        ) : (
          <p className="muted">{t('connectors.loading')}</p>
        )
      ) : (
        <>
          {connectors.pluginProblems.length > 0 ? (
            <div className="notice warn connector-plugin-problems" data-testid="connector-plugin-problems">
              <div>
                <p className="connector-plugin-problems-title">{t('connectors.pluginProblems')}</p>
                <ul>
                  {connectors.pluginProblems.map((problem) => (
                    <li key={problem.folder} data-testid="connector-plugin-problem">
                      <code>{problem.folder}</code>: {problem.problem}
                    </li>
                  ))}
                </ul>
              </div>
            </div>
          ) : null}
          {(['mis', 'pbx'] as const).map((kind) => (
            <ConnectorBlock key={kind} kind={kind} descriptors={connectors[kind]} current={connectors.current[kind]} view={view} onSaved={load} />
          ))}
        </>
      )}
    </section>
  );
}

interface ConnectorBlockProps {
  kind: ConnectorKind;
  descriptors: readonly ConnectorDescriptor[];
  current: ConnectorChoiceView;
  view: SettingsView;
  /** Reads the connectors again (the stored choice and its secrets) after a save. */
  onSaved: () => Promise<void>;
}

interface Draft {
  id: string;
  values: FormValues;
  /** The config the form started from: what it does not edit (a column mapping) is kept. */
  base: ConnectorConfig;
}

function draftFor(id: string, descriptors: readonly ConnectorDescriptor[], current: ConnectorChoiceView): Draft {
  const base = id === current.id ? current.config : {};
  const fields = descriptors.find((descriptor) => descriptor.id === id)?.fields ?? [];
  return { id, values: initialValues(fields, base), base };
}

function ConnectorBlock({ kind, descriptors, current, view, onSaved }: ConnectorBlockProps): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const setSettingsView = useAppStore((state) => state.setSettingsView);
  const status = useAppStore((state) => state.coreStatus?.[kind] ?? null);
  const [draft, setDraft] = useState<Draft>(() => draftFor(current.id, descriptors, current));
  const [shownCurrent, setShownCurrent] = useState(current);
  const [edited, setEdited] = useState(false);
  const [errors, setErrors] = useState<FieldErrors>({});
  const [message, setMessage] = useState<Message>(null);
  const [saving, setSaving] = useState(false);
  const [testing, setTesting] = useState(false);
  const [diagnostics, setDiagnostics] = useState<DiagnosticsResult | null>(null);
  const [savedOnce, setSavedOnce] = useState(false);
  const form = useRef<HTMLFormElement>(null);

  // The stored choice changed (our own save, another window): show it unless the form is being edited.
  if (current !== shownCurrent) {
    setShownCurrent(current);
    if (!edited) setDraft(draftFor(current.id, descriptors, current));
  }

  const managed = isManaged(`connectors.${kind}`, view.managed);
  const descriptor = descriptors.find((candidate) => candidate.id === draft.id) ?? null;
  const fields = descriptor?.fields ?? [];
  const secretsSet = draft.id === current.id ? current.secretsSet : [];
  const busy = saving || testing;
  const configNow = () => buildConfig(fields, draft.values, draft.base);

  const change = (next: Draft) => {
    setDraft(next);
    setEdited(true);
    setMessage(null);
  };

  const onSelect = (id: string) => {
    change(draftFor(id, descriptors, current));
    setErrors({});
    setDiagnostics(null);
  };

  const onFieldChange = (path: string, value: FieldValue) => {
    const values = { ...draft.values, [path]: value };
    change({ ...draft, values });
    // Once a field shows an error, re-check it as it is fixed.
    const field = fields.find((candidate) => candidate.path === path);
    if (field && errors[path]) {
      const error = validateField(field, value, secretsSet.includes(path));
      const { [path]: _old, ...rest } = errors;
      setErrors(error ? { ...rest, [path]: error } : rest);
    }
  };

  const onFieldBlur = (path: string) => {
    const field = fields.find((candidate) => candidate.path === path);
    if (!field) return;
    const error = validateField(field, draft.values[path], secretsSet.includes(path));
    const { [path]: _old, ...rest } = errors;
    setErrors(error ? { ...rest, [path]: error } : rest);
  };

  const onMap = (field: MappableCardField, column: string) => {
    change({ ...draft, ...withMapping(fields, draft.values, draft.base, field, column) });
  };

  /** Checks the form; on a problem names the first field, focuses it and answers false. */
  const check = (): boolean => {
    const found = validateForm(fields, draft.values, secretsSet);
    setErrors(found);
    const first = Object.keys(found)[0];
    if (first === undefined) return true;
    const label = fields.find((field) => field.path === first)?.label ?? first;
    setMessage({ tone: 'error', key: 'connectors.invalid', values: { field: label } });
    document.getElementById(connectorFieldId(kind, first))?.focus();
    return false;
  };

  const onTest = async () => {
    if (busy || descriptor === null || !check()) return;
    setTesting(true);
    setDiagnostics(null);
    setMessage(null);
    try {
      setDiagnostics(await desk.request('connectors.diagnose', { kind, id: draft.id, config: configNow() }));
    } catch (error) {
      setMessage({ tone: 'error', key: 'connectors.testFailed', errorCode: toDeskError(error).code });
    } finally {
      setTesting(false);
    }
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy || managed || descriptor === null || !check()) return;
    const config = configNow();
    const typedSecret = fields.some((field) => field.type === 'secret' && draft.values[field.path] !== '');
    const untouched = buildConfig(fields, initialValues(fields, current.config), current.config);
    if (draft.id === current.id && !typedSecret && configsEqual(config, untouched)) {
      setMessage({ tone: 'info', key: 'connectors.nothingChanged' });
      return;
    }
    setSaving(true);
    setMessage({ tone: 'info', key: 'connectors.saving' });
    try {
      const choice = { id: draft.id, config };
      const saved = await desk.request('settings.update', { connectors: kind === 'mis' ? { mis: choice } : { pbx: choice } });
      setSettingsView(saved);
      setEdited(false);
      setSavedOnce(true);
      // The secrets typed are gone from the page; the form shows what is stored now.
      setDraft(draftFor(draft.id, descriptors, { id: draft.id, config: withoutSecrets(fields, config), secretsSet }));
      setMessage({ tone: 'ok', key: `connectors.saved.${kind}` });
      await onSaved();
    } catch (error) {
      setMessage({ tone: 'error', key: 'connectors.saveFailed', errorCode: toDeskError(error).code });
    } finally {
      setSaving(false);
    }
  };

  const optionText = (candidate: ConnectorDescriptor) =>
    [candidate.title, candidate.version, candidate.source === 'plugin' ? t('connectors.plugin') : null].filter(Boolean).join(' · ');

  return (
    <form ref={form} className="connector-block" data-testid={`connector-block-${kind}`} data-managed={managed ? 'true' : undefined} noValidate onSubmit={(event) => void onSubmit(event)}>
      <fieldset className="settings-section">
        <legend>{t(`connectors.kind.${kind}`)}</legend>
        {managed ? (
          <p className="field-note managed" data-testid={`connector-managed-${kind}`}>
            {t('settings.managed')}
          </p>
        ) : null}
        <div className="field">
          <label htmlFor={`connector-select-${kind}`} className="field-label">
            {t('connectors.connector')}
          </label>
          <div className="field-control">
            <select
              id={`connector-select-${kind}`}
              data-testid={`connector-select-${kind}`}
              className="input"
              value={draft.id}
              disabled={managed || busy}
              onChange={(event) => onSelect(event.target.value)}
            >
              {descriptor === null ? <option value={draft.id}>{t('connectors.notInBuild', { id: draft.id })}</option> : null}
              {descriptors.map((candidate) => (
                <option key={candidate.id} value={candidate.id}>
                  {optionText(candidate)}
                </option>
              ))}
            </select>
            {descriptor ? (
              <p className="field-note connector-about" data-testid={`connector-about-${kind}`}>
                {descriptor.source === 'plugin' ? (
                  <span className="pill pill-note" data-testid={`connector-plugin-badge-${kind}`}>
                    {t('connectors.plugin')}
                  </span>
                ) : null}
                {t('connectors.about', { version: descriptor.version, source: t(`connectors.source.${descriptor.source}`) })}
              </p>
            ) : (
              <p className="field-error" data-testid={`connector-missing-${kind}`}>
                {t('connectors.notInBuildHint')}
              </p>
            )}
          </div>
        </div>
        {descriptor ? (
          <ConnectorForm
            kind={kind}
            fields={fields}
            values={draft.values}
            errors={errors}
            secretsSet={secretsSet}
            disabled={managed || busy}
            onChange={onFieldChange}
            onBlur={onFieldBlur}
          />
        ) : null}
        {descriptor?.preview ? (
          <ConnectorPreviewPanel
            kind={kind}
            id={draft.id}
            config={configNow}
            mapping={mappingOf(fields, draft.values, draft.base)}
            onMap={onMap}
            disabled={managed || busy}
          />
        ) : null}
        <ConnectorDiagnostics result={diagnostics} running={testing} />
        {kind === 'mis' ? <ConnectorQuarantine /> : null}
      </fieldset>
      <div className="settings-actions connector-actions">
        <button type="button" className="button" data-testid={`connector-test-${kind}`} disabled={busy || descriptor === null} aria-busy={testing || undefined} onClick={() => void onTest()}>
          {testing ? t('connectors.testing') : t('connectors.test')}
        </button>
        <button type="submit" className="button primary" data-testid={`connector-save-${kind}`} disabled={busy || managed || descriptor === null}>
          {saving ? t('connectors.saving') : t('connectors.save')}
        </button>
        <p className="settings-message" role="status" data-testid={`connector-message-${kind}`} data-tone={message?.tone ?? ''}>
          {message ? t(message.key, { ...message.values, ...(message.errorCode ? { reason: errorText({ code: message.errorCode }) } : {}) }) : ''}
        </p>
      </div>
      {status ? (
        <p className="field-note connector-status" data-testid={`connector-status-${kind}`} data-state={status.state} data-after-save={savedOnce ? 'true' : undefined}>
          {t('connectors.statusNow', {
            system: t(`status.systems.${kind}`),
            state: t(`status.state.${status.state}`, { defaultValue: status.state }),
          })}
          {status.detail ? ` — ${t(`status.detail.${status.detail}`, { defaultValue: '' })}` : ''}
        </p>
      ) : null}
    </form>
  );
}
