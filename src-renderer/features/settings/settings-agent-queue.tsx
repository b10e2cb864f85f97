import { useState, type FormEvent, type ReactElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeskErrorCode } from '../../../src-shared/ipc/errors';
import { PAUSE_REASON_LENGTH, PAUSE_REASONS_MAX, type SettingsView } from '../../../src-shared/settings/settings-schema';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import {
  AGENT_QUEUE_PATHS,
  agentQueueDraftFrom,
  buildAgentQueuePatch,
  PAUSE_REASONS_PATH,
  reasonRowsFrom,
  rebaseAgentQueue,
  sipUriExtension,
  validateAgentQueueField,
  validateReasonCount,
  validateReasonRows,
  type AgentQueueDraft,
  type AgentQueuePath,
  type ReasonError,
  type ReasonListError,
  type ReasonRow,
} from './settings-agent-queue-model';
import { isManaged } from './settings-form-model';
import { TextRows } from './text-rows';

/** Element ids double as test ids; notes under a field add `-managed`, `-hint`, `-error`. */
const IDS: Record<AgentQueuePath, string> = {
  'agent.extension': 'settings-agent-extension',
  'agent.name': 'settings-agent-name',
  'queue.slaSeconds': 'settings-queue-sla',
  'callbacks.slaMinutes': 'settings-callbacks-sla',
  'callbacks.pauseAfterRingNoAnswer': 'settings-no-answer-pause',
};
const REASONS_ID = 'settings-pause-reasons';

/** Kept as an i18n key and translated when drawn (switching the language translates it). */
type Message = { tone: 'ok' | 'error' | 'info'; key: string; errorCode?: DeskErrorCode } | null;

/**
 * Settings → Agent and queue: this desk's agent on the PBX (extension, name), the queue's SLA,
 * the callback SLA, the ring-no-answer pause, and the pause reasons (add, edit, remove; 1..12,
 * unique). Saved on their own with one `settings.update`; main applies them without a restart.
 * A path IT manages is shown locked and never sent. Not shown to a cashier.
 */
export function AgentQueueSettings({ view }: { view: SettingsView }): ReactElement | null {
  if (view.settings.role === 'cashier') return null;
  return <AgentQueueForm view={view} />;
}

function AgentQueueForm({ view }: { view: SettingsView }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const setSettingsView = useAppStore((state) => state.setSettingsView);
  const settings = view.settings;
  const [base, setBase] = useState(settings);
  const [draft, setDraft] = useState<AgentQueueDraft>(() => agentQueueDraftFrom(settings));
  const [rows, setRows] = useState<readonly ReasonRow[]>(() => reasonRowsFrom(settings.agentStatus.pauseReasons));
  const [errors, setErrors] = useState<Partial<Record<AgentQueuePath, string>>>({});
  const [rowErrors, setRowErrors] = useState<Record<string, ReasonError>>({});
  const [listError, setListError] = useState<ReasonListError | null>(null);
  const [message, setMessage] = useState<Message>(null);
  const [busy, setBusy] = useState(false);
  const managed = (path: string) => isManaged(path, view.managed);
  const reasonsManaged = managed(PAUSE_REASONS_PATH);
  const allManaged = reasonsManaged && AGENT_QUEUE_PATHS.every(managed);

  // Changed underneath (another window, provisioning, our own save): follow every field not edited.
  if (settings !== base) {
    const next = rebaseAgentQueue(draft, rows, base, settings);
    setBase(settings);
    setDraft(next.draft);
    setRows(next.rows);
  }

  const setField = (path: AgentQueuePath, text: string) => {
    setDraft({ ...draft, [path]: text });
    setMessage(null);
    // Once a field shows an error, re-check it as the operator fixes it.
    if (errors[path]) setErrors({ ...errors, [path]: validateAgentQueueField(path, text) ?? undefined });
  };

  const editRows = (next: ReasonRow[]) => {
    setRows(next);
    setMessage(null);
    if (listError) setListError(validateReasonCount(next));
    if (Object.keys(rowErrors).length > 0) {
      const found = validateReasonRows(next);
      setRowErrors(Object.fromEntries(Object.entries(found).filter(([key]) => rowErrors[key])));
    }
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const result = buildAgentQueuePatch(draft, rows, settings, view.managed);
    if (!result.ok) {
      setErrors(result.fieldErrors);
      setRowErrors(result.rowErrors);
      setListError(result.listError);
      setMessage({ tone: 'error', key: 'settings.invalid' });
      return;
    }
    setErrors({});
    setRowErrors({});
    setListError(null);
    if (Object.keys(result.patch).length === 0) {
      setMessage({ tone: 'info', key: 'settings.agentQueue.nothingChanged' });
      return;
    }
    setBusy(true);
    try {
      const saved = await desk.request('settings.update', result.patch);
      setSettingsView(saved);
      // Show what was stored (trimmed), not what was typed.
      setBase(saved.settings);
      setDraft(agentQueueDraftFrom(saved.settings));
      setRows(reasonRowsFrom(saved.settings.agentStatus.pauseReasons));
      setMessage({ tone: 'ok', key: 'settings.agentQueue.saved' });
    } catch (error) {
      setMessage({ tone: 'error', key: 'settings.agentQueue.failed', errorCode: toDeskError(error).code });
    } finally {
      setBusy(false);
    }
  };

  const fallbackExtension = sipUriExtension(settings.sip.uri);
  const textField = (path: AgentQueuePath, label: string, hint: string, options: { placeholder?: string; numeric?: boolean } = {}) => (
    <Field id={IDS[path]} label={label} hint={hint} error={errors[path]} managed={managed(path)}>
      {(describedBy) => (
        <input
          id={IDS[path]}
          data-testid={IDS[path]}
          type="text"
          className="input"
          value={draft[path]}
          placeholder={options.placeholder}
          inputMode={options.numeric ? 'numeric' : undefined}
          spellCheck={false}
          autoComplete="off"
          disabled={managed(path) || busy}
          aria-invalid={errors[path] ? true : undefined}
          aria-describedby={describedBy}
          onChange={(event) => setField(path, event.target.value)}
          onBlur={() => setErrors((current) => ({ ...current, [path]: validateAgentQueueField(path, draft[path]) ?? undefined }))}
        />
      )}
    </Field>
  );

  return (
    <form className="settings-form settings-agent-queue" noValidate data-testid="settings-agent-queue" onSubmit={(event) => void onSubmit(event)}>
      <fieldset className="settings-section">
        <legend>{t('settings.agentQueue.title')}</legend>
        {textField(
          'agent.extension',
          t('settings.agentQueue.extension'),
          fallbackExtension ? t('settings.agentQueue.extensionHint', { extension: fallbackExtension }) : t('settings.agentQueue.extensionHintNoUri'),
          { placeholder: fallbackExtension || undefined },
        )}
        {textField('agent.name', t('settings.agentQueue.name'), t('settings.agentQueue.nameHint'), { placeholder: settings.sip.displayName || undefined })}
        {textField('queue.slaSeconds', t('settings.agentQueue.queueSla'), t('settings.agentQueue.queueSlaHint'), { numeric: true })}
        {textField('callbacks.slaMinutes', t('settings.agentQueue.callbackSla'), t('settings.agentQueue.callbackSlaHint'), { numeric: true })}
        {textField('callbacks.pauseAfterRingNoAnswer', t('settings.agentQueue.noAnswer'), t('settings.agentQueue.noAnswerHint'), { numeric: true })}
        <div className="field" data-managed={reasonsManaged ? 'true' : undefined} data-invalid={listError ? 'true' : undefined}>
          <span className="field-label" id={`${REASONS_ID}-label`}>
            {t('settings.agentQueue.pauseReasons')}
          </span>
          <div className="field-control">
            <TextRows
              rows={rows}
              errors={rowErrors}
              onChange={editRows}
              disabled={reasonsManaged || busy}
              max={PAUSE_REASONS_MAX}
              maxLength={PAUSE_REASON_LENGTH}
              labelledBy={`${REASONS_ID}-label`}
              idPrefix="settings-pause-reason"
              className="pause-reason-rows"
              rowClassName="pause-reason-row"
              testIds={{ row: 'settings-pause-reason', remove: 'settings-pause-reason-remove', error: 'settings-pause-reason-error', add: 'settings-pause-reason-add' }}
              text={{
                row: (n) => t('settings.agentQueue.pauseReason', { n }),
                remove: t('settings.agentQueue.remove'),
                removeLabel: (n) => t('settings.agentQueue.removeReason', { n }),
                add: t('settings.agentQueue.add'),
                error: (error) => t(`settings.agentQueue.errors.${error}`),
              }}
            />
            {reasonsManaged ? (
              <p className="field-note managed" data-testid={`${REASONS_ID}-managed`}>
                {t('settings.managed')}
              </p>
            ) : null}
            <p className="field-note">{rows.length >= PAUSE_REASONS_MAX ? t('settings.agentQueue.errors.tooMany') : t('settings.agentQueue.pauseReasonsHint')}</p>
            {listError ? (
              <p className="field-error" data-testid={`${REASONS_ID}-error`}>
                {t(`settings.agentQueue.errors.${listError}`)}
              </p>
            ) : null}
          </div>
        </div>
      </fieldset>
      <div className="settings-actions">
        <button type="submit" className="button primary" data-testid="settings-agent-queue-save" disabled={busy || allManaged}>
          {busy ? t('settings.agentQueue.saving') : t('settings.agentQueue.save')}
        </button>
        <p className="settings-message" role="status" data-testid="settings-agent-queue-message" data-tone={message?.tone ?? ''}>
          {message ? t(message.key, message.errorCode ? { reason: errorText({ code: message.errorCode }) } : {}) : ''}
        </p>
      </div>
    </form>
  );
}

interface FieldProps {
  id: string;
  label: string;
  hint: string;
  error?: string | undefined;
  managed: boolean;
  children: (describedBy: string) => ReactNode;
}

/** Label, control, and the notes under it (managed by IT, hint, validation error). */
function Field({ id, label, hint, error, managed, children }: FieldProps): ReactElement {
  const { t } = useTranslation();
  const notes = [managed ? `${id}-managed` : null, `${id}-hint`, error ? `${id}-error` : null].filter(Boolean);
  return (
    <div className="field" data-managed={managed ? 'true' : undefined} data-invalid={error ? 'true' : undefined}>
      <label htmlFor={id} className="field-label">
        {label}
      </label>
      <div className="field-control">
        {children(notes.join(' '))}
        {managed ? (
          <p id={`${id}-managed`} className="field-note managed" data-testid={`${id}-managed`}>
            {t('settings.managed')}
          </p>
        ) : null}
        <p id={`${id}-hint`} className="field-note">
          {hint}
        </p>
        {error ? (
          <p id={`${id}-error`} className="field-error" data-testid={`${id}-error`}>
            {t(error)}
          </p>
        ) : null}
      </div>
    </div>
  );
}
