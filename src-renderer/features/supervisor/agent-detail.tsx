import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';
import { MonitorModeSchema, type MonitorMode, type SupervisorAgent, type SupervisorBoard } from '../../../src-shared/supervisor/supervisor-model';
import { useDesk } from '../../app/desk-context';
import { Plain } from '../../ui/plain';
import { ActionError, Since } from './supervisor-parts';
import { transferTargets } from './supervisor-model';
import { useRefusalText, useSupervisorAction } from './use-supervisor-action';

/** The note a transfer carries to the next operator's screen pop (TransferNoteSchema: one line, 200). */
export const TRANSFER_NOTE_MAX = 200;

interface AgentDetailProps {
  board: SupervisorBoard;
  agent: SupervisorAgent;
  pauseReasons: readonly string[];
  queueNames: Map<string, string>;
  onClose(): void;
}

/**
 * The selected agent's bar: who, what they are doing, and the supervisor's actions — listen,
 * whisper, barge (on a talking agent, when the PBX can), stop (the session is on this agent),
 * transfer the call with a note, pause with a reason or unpause. Each sends one request; the
 * board changes only when main says so. A refusal is said here in plain words.
 */
export function AgentDetail({ board, agent, pauseReasons, queueNames, onClose }: AgentDetailProps): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const action = useSupervisorAction();
  const refusal = useRefusalText();
  const [transferring, setTransferring] = useState(false);
  const transferButton = useRef<HTMLButtonElement>(null);
  const closeTransfer = () => {
    setTransferring(false);
    transferButton.current?.focus();
  };
  const [reason, setReason] = useState(pauseReasons[0] ?? '');
  const { extension } = agent;
  const talking = agent.state === 'talking' && agent.call !== null;
  const canMonitor = board.can.monitor && talking;
  const session = board.monitor?.agent.extension === extension ? board.monitor : null;
  const chosenReason = pauseReasons.includes(reason) ? reason : (pauseReasons[0] ?? '');

  const monitor = (mode: MonitorMode) => void action.run(() => desk.request('supervisor.monitor', { extension, mode }));
  const stop = () => void action.run(() => desk.request('supervisor.stopMonitor', {}));
  const pause = () => void action.run(() => desk.request('supervisor.setAgentStatus', { extension, state: 'paused', reason: chosenReason }));
  const unpause = () => void action.run(() => desk.request('supervisor.setAgentStatus', { extension, state: 'ready' }));

  const call = agent.call;
  return (
    <div className="sv-detail" data-testid="sv-agent-detail" data-extension={extension} data-state={agent.state} role="region" aria-label={t('supervisor.detail.label', { name: agent.name || extension })}>
      <div className="sv-detail-who">
        <span className="sv-dot" data-state={agent.state} aria-hidden="true" />
        <strong className="truncate">
          <Plain text={agent.name || extension} />
        </strong>
        <span className="mono muted">{extension}</span>
        <span className="sv-detail-state" data-state={agent.state}>
          {agent.state === 'paused' && agent.pauseReason ? t('supervisor.pausedWith', { reason: agent.pauseReason }) : t(`supervisor.state.${agent.state}`)}{' '}
          <span className="mono">
            <Since at={agent.since} />
          </span>
        </span>
        {call ? (
          <span className="sv-detail-call">
            <span className="mono" dir="ltr">
              {formatPhoneNumber(call.number)}
            </span>
            {call.patientName ? (
              <span className="truncate">
                <Plain text={call.patientName} />
              </span>
            ) : null}
            {call.queue ? (
              <span className="muted truncate">
                <Plain text={queueNames.get(call.queue) ?? call.queue} />
              </span>
            ) : null}
          </span>
        ) : null}
        <button type="button" className="button ghost sv-detail-close" data-testid="sv-detail-close" onClick={onClose} aria-label={t('supervisor.detail.close')}>
          ×
        </button>
      </div>
      <div className="sv-detail-actions">
        <div className="sv-action-group" role="group" aria-label={t('supervisor.detail.monitorGroup')}>
          {MonitorModeSchema.options.map((mode) => (
            <button
              key={mode}
              type="button"
              className={session?.mode === mode ? 'button sv-mode selected' : 'button sv-mode'}
              data-testid={`sv-${mode}`}
              data-mode={mode}
              aria-pressed={session ? session.mode === mode : undefined}
              disabled={!canMonitor || action.busy}
              title={t(`supervisor.modeHint.${mode}`)}
              onClick={() => monitor(mode)}
            >
              {t(`supervisor.mode.${mode}`)}
            </button>
          ))}
          {session ? (
            <button type="button" className="button danger" data-testid="sv-stop" disabled={action.busy} onClick={stop}>
              {t('supervisor.detail.stop')}
            </button>
          ) : null}
        </div>
        <div className="sv-action-group" role="group" aria-label={t('supervisor.detail.transferGroup')}>
          <button ref={transferButton} type="button" className="button" data-testid="sv-transfer" disabled={!talking || !board.can.transfer || action.busy} onClick={() => setTransferring(true)}>
            {t('supervisor.detail.transfer')}
          </button>
        </div>
        <div className="sv-action-group" role="group" aria-label={t('supervisor.detail.statusGroup')}>
          <select
            className="input sv-select"
            data-testid="sv-pause-reason"
            aria-label={t('supervisor.detail.pauseReason')}
            value={chosenReason}
            disabled={!board.can.pause || pauseReasons.length === 0}
            onChange={(event) => setReason(event.target.value)}
          >
            {pauseReasons.map((option) => (
              <option key={option} value={option}>
                {option}
              </option>
            ))}
          </select>
          <button
            type="button"
            className="button"
            data-testid="sv-pause"
            disabled={!board.can.pause || agent.state === 'offline' || chosenReason === '' || action.busy}
            onClick={pause}
          >
            {t('supervisor.detail.pause')}
          </button>
          <button type="button" className="button" data-testid="sv-unpause" disabled={!board.can.pause || agent.state !== 'paused' || action.busy} onClick={unpause}>
            {t('supervisor.detail.unpause')}
          </button>
        </div>
      </div>
      <DetailNotes board={board} talking={talking} />
      <ActionError action={action} testId="sv-action-error" refusal={refusal} />
      {transferring ? <TransferDialog board={board} agent={agent} onClose={closeTransfer} /> : null}
    </div>
  );
}

/** Why an action is greyed out, said once under the buttons (not a tooltip only). */
function DetailNotes({ board, talking }: { board: SupervisorBoard; talking: boolean }): ReactElement | null {
  const { t } = useTranslation();
  const notes: string[] = [];
  if (!board.can.monitor || !board.can.transfer || !board.can.pause) notes.push(t('supervisor.detail.pbxCannot'));
  else if (!talking) notes.push(t('supervisor.detail.notTalking'));
  if (board.can.monitor && board.supervisorExtension === null) notes.push(t('supervisor.detail.noOwnExtension'));
  if (notes.length === 0) return null;
  return (
    <p className="sv-detail-note muted" data-testid="sv-detail-note">
      {notes.join(' ')}
    </p>
  );
}

/**
 * Sends the agent's call to a ready operator with a one-line note for their screen pop. Only
 * ready operators other than this agent are offered (option values are extensions).
 */
function TransferDialog({ board, agent, onClose }: { board: SupervisorBoard; agent: SupervisorAgent; onClose(): void }): ReactElement {
  const { t, i18n } = useTranslation();
  const desk = useDesk();
  const action = useSupervisorAction();
  const refusal = useRefusalText();
  const titleId = useId();
  const targets = useMemo(() => transferTargets(board.agents, agent.extension, i18n.language), [board.agents, agent.extension, i18n.language]);
  const [target, setTarget] = useState('');
  const [note, setNote] = useState('');
  const first = useRef<HTMLSelectElement>(null);
  const chosen = targets.some((candidate) => candidate.extension === target) ? target : (targets[0]?.extension ?? '');
  const callGone = agent.call === null;

  useEffect(() => {
    first.current?.focus();
  }, []);

  const confirm = () => {
    if (chosen === '' || callGone) return;
    void action
      .run(() => desk.request('supervisor.transfer', { extension: agent.extension, target: chosen, misId: null, note: note.trim() }))
      .then((done) => {
        if (done) onClose();
      });
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.stopPropagation();
      onClose();
    }
  };

  return (
    <div className="sv-dialog-backdrop">
      <div className="sv-dialog" role="dialog" aria-modal="true" aria-labelledby={titleId} data-testid="sv-transfer-dialog" onKeyDown={onKeyDown}>
        <h3 id={titleId} className="sv-dialog-title">
          {t('supervisor.transfer.title', { name: agent.name || agent.extension })}
        </h3>
        {agent.call ? (
          <p className="sv-dialog-call">
            <span className="mono" dir="ltr">
              {formatPhoneNumber(agent.call.number)}
            </span>
            {agent.call.patientName ? (
              <>
                {' · '}
                <Plain text={agent.call.patientName} />
              </>
            ) : null}
          </p>
        ) : (
          <p className="notice warn" data-testid="sv-transfer-call-gone">
            {t('supervisor.transfer.callGone')}
          </p>
        )}
        <label className="sv-dialog-field">
          <span>{t('supervisor.transfer.target')}</span>
          <select ref={first} className="input" data-testid="sv-transfer-target" value={chosen} disabled={targets.length === 0} onChange={(event) => setTarget(event.target.value)}>
            {targets.map((candidate) => (
              <option key={candidate.extension} value={candidate.extension}>
                {t('supervisor.agentOption', { name: candidate.name || candidate.extension, extension: candidate.extension })}
              </option>
            ))}
          </select>
        </label>
        {targets.length === 0 ? (
          <p className="muted" data-testid="sv-transfer-nobody">
            {t('supervisor.transfer.nobodyReady')}
          </p>
        ) : null}
        <label className="sv-dialog-field">
          <span>{t('supervisor.transfer.note')}</span>
          <input
            className="input"
            type="text"
            data-testid="sv-transfer-note"
            maxLength={TRANSFER_NOTE_MAX}
            value={note}
            placeholder={t('supervisor.transfer.notePlaceholder')}
            onChange={(event) => setNote(event.target.value.replace(/[\r\n]+/g, ' ').slice(0, TRANSFER_NOTE_MAX))}
            onKeyDown={(event) => {
              if (event.key === 'Enter') confirm();
            }}
          />
          <span className="sv-dialog-hint muted">{t('supervisor.transfer.noteHint', { count: TRANSFER_NOTE_MAX - note.length })}</span>
        </label>
        <ActionError action={action} testId="sv-transfer-error" refusal={refusal} />
        <div className="sv-dialog-buttons">
          <button type="button" className="button" data-testid="sv-transfer-cancel" onClick={onClose}>
            {t('supervisor.transfer.cancel')}
          </button>
          <button type="button" className="button primary" data-testid="sv-transfer-confirm" disabled={chosen === '' || callGone || action.busy} onClick={confirm}>
            {t('supervisor.transfer.confirm')}
          </button>
        </div>
      </div>
    </div>
  );
}
