import { useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { DiagnosticsBundle } from '../../../src-shared/diagnostics/diagnostics-contract';
import type { DeskErrorCode } from '../../../src-shared/ipc/errors';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';

type SaveState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; bundle: DiagnosticsBundle } | { kind: 'failed'; code: DeskErrorCode };

/** `1.4 MB`, `380 kB` in the UI's language. */
export function formatBundleSize(bytes: number, language: string): string {
  const mb = bytes >= 1024 * 1024;
  return new Intl.NumberFormat(language, {
    style: 'unit',
    unit: mb ? 'megabyte' : 'kilobyte',
    maximumFractionDigits: mb ? 1 : 0,
  }).format(mb ? bytes / (1024 * 1024) : Math.max(1, Math.round(bytes / 1024)));
}

/**
 * «Сохранить диагностику»: main writes a zip for support (`diagnostics.saveBundle`: the redacted
 * logs, versions, settings without secrets, connector health, SIP registration history, database
 * checks — no patient data) into the desk's data folder; this shows where it is and its size, or
 * why it could not be written. Under Electron main also opens the folder with the file selected.
 */
export function SettingsDiagnostics(): ReactElement {
  const { t, i18n } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const [state, setState] = useState<SaveState>({ kind: 'idle' });
  const saving = state.kind === 'saving';

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (saving) return;
    setState({ kind: 'saving' });
    try {
      setState({ kind: 'saved', bundle: await desk.request('diagnostics.saveBundle', {}) });
    } catch (error) {
      setState({ kind: 'failed', code: toDeskError(error).code });
    }
  };

  return (
    <form className="settings-form settings-diagnostics" noValidate data-testid="settings-diagnostics" onSubmit={(event) => void onSubmit(event)}>
      <fieldset className="settings-section">
        <legend>{t('settings.diagnosticsBundle.title')}</legend>
        <p className="field-note">{t('settings.diagnosticsBundle.note')}</p>
      </fieldset>
      <div className="settings-actions">
        <button type="submit" className="button" data-testid="settings-diagnostics-save" disabled={saving}>
          {saving ? t('settings.diagnosticsBundle.saving') : t('settings.diagnosticsBundle.save')}
        </button>
        <p className="settings-message" role="status" data-testid="settings-diagnostics-message" data-tone={state.kind === 'saved' ? 'ok' : state.kind === 'failed' ? 'error' : ''}>
          {state.kind === 'saved' ? (
            <>
              {t('settings.diagnosticsBundle.saved', { size: formatBundleSize(state.bundle.bytes, i18n.language), count: state.bundle.files.length })}{' '}
              <code className="settings-diagnostics-path" data-testid="settings-diagnostics-path">
                {state.bundle.path}
              </code>
            </>
          ) : state.kind === 'failed' ? (
            state.code === 'NOT_AVAILABLE' ? (
              t('settings.diagnosticsBundle.failedWrite')
            ) : (
              t('settings.diagnosticsBundle.failed', { reason: errorText({ code: state.code }) })
            )
          ) : (
            ''
          )}
        </p>
      </div>
    </form>
  );
}
