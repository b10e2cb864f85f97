import { useState, type FormEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { PAUSE_REASON_LENGTH, PAUSE_REASONS_MAX, type SettingsView } from '../../../src-shared/settings/settings-schema';
import {
  AGENT_QUEUE_PATHS,
  AGENT_QUEUE_SPEC,
  buildAgentQueuePatch,
  PAUSE_REASONS_PATH,
  reasonRowsFrom,
  rebaseReasonRows,
  sipUriExtension,
  validateReasonCount,
  validateReasonRows,
  type AgentQueuePath,
  type ReasonError,
  type ReasonListError,
  type ReasonRow,
} from './settings-agent-queue-model';
import { SectionActions, SectionTextField, useSectionForm } from './settings-section';
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
  const [rows, setRows] = useState<readonly ReasonRow[]>(() => reasonRowsFrom(view.settings.agentStatus.pauseReasons));
  const [rowErrors, setRowErrors] = useState<Record<string, ReasonError>>({});
  const [listError, setListError] = useState<ReasonListError | null>(null);
  const form = useSectionForm(view, AGENT_QUEUE_SPEC, 'settings.agentQueue', (oldBase, newBase) => setRows(rebaseReasonRows(rows, oldBase, newBase)));
  const { settings, busy, managed } = form;
  const reasonsManaged = managed(PAUSE_REASONS_PATH);
  const allManaged = reasonsManaged && AGENT_QUEUE_PATHS.every(managed);

  const editRows = (next: ReasonRow[]) => {
    setRows(next);
    form.setMessage(null);
    if (listError) setListError(validateReasonCount(next));
    if (Object.keys(rowErrors).length > 0) {
      const found = validateReasonRows(next);
      setRowErrors(Object.fromEntries(Object.entries(found).filter(([key]) => rowErrors[key])));
    }
  };

  const onSubmit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (busy) return;
    const result = buildAgentQueuePatch(form.draft, rows, settings, view.managed);
    setRowErrors(result.ok ? {} : result.rowErrors);
    setListError(result.ok ? null : result.listError);
    if (!result.ok) {
      form.refuse(result.fieldErrors);
      return;
    }
    // Show what was stored (trimmed), not what was typed.
    await form.save(result.patch, (stored) => setRows(reasonRowsFrom(stored.agentStatus.pauseReasons)));
  };

  const fallbackExtension = sipUriExtension(settings.sip.uri);
  const textField = (path: AgentQueuePath, label: string, hint: string, options: { placeholder?: string; numeric?: boolean } = {}) => (
    <SectionTextField id={IDS[path]} label={label} hint={hint} {...options} {...form.fieldProps(path)} />
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
      <SectionActions ns="settings.agentQueue" testId="settings-agent-queue" busy={busy} disabled={allManaged} message={form.message} />
    </form>
  );
}
