import { memo, useMemo, type ReactElement } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import type { CallbackOutcome, CallbackTask } from '../../../src-shared/callbacks/callbacks-contract';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';
import { useDesk } from '../../app/desk-context';
import { EmptyState } from '../../ui/empty-state';
import { useErrorText } from '../../ui/error-text';
import { CallbacksIcon, PhoneIcon, WarningIcon } from '../../ui/icons';
import { dateTimeFormat } from '../../ui/intl-formats';
import { Pane } from '../../ui/pane';
import { Plain } from '../../ui/plain';
import { useClock, useIsPast } from '../../ui/use-clock';
import { formatDuration, useTaskRowRequests } from '../phone';
import { countOwed, orderTasks, slaStateOf, warningAt } from './callbacks-model';
import { useCallbacksStore, useCallbacksStoreApi } from './callbacks-store';

export const CALLBACK_OUTCOMES: readonly CallbackOutcome[] = ['reached', 'noAnswer', 'wrongNumber', 'notNeeded'];

/**
 * The missed-call worklist: one row per number owed a call back, the soonest due (the overdue)
 * first, each with its SLA countdown; claim, release, call back in one click (claims it when
 * open), then the outcome. Today's closed tasks sit greyed at the bottom, saying how they closed.
 * Follows `callbacks:changed` through the callbacks store; nothing here polls.
 */
export function CallbacksPane(): ReactElement {
  const { t } = useTranslation();
  const list = useCallbacksStore((state) => state.list);
  const error = useCallbacksStore((state) => state.error);
  const reload = useCallbacksStore((state) => state.reload);
  const errorText = useErrorText();
  const ordered = useMemo(() => (list ? orderTasks(list.tasks) : null), [list]);
  return (
    <Pane id="callbacks" title={t('panes.callbacks.title')} headerExtra={list ? <OwedSummary tasks={list.tasks} /> : undefined}>
      <div className="callbacks" data-testid="callbacks" data-state={list ? 'ready' : error ? 'error' : 'loading'}>
        {error ? (
          <p className="notice warn" role="alert" data-testid="callbacks-error" data-code={error.code}>
            <WarningIcon width={16} height={16} />
            <span>
              {t('callbacks.loadFailed', { reason: errorText(error) })}{' '}
              <button type="button" className="button ghost" onClick={reload}>
                {t('errors.retry')}
              </button>
            </span>
          </p>
        ) : null}
        {list && !list.shared ? (
          <p className="notice warn" data-testid="callbacks-local-note">
            <WarningIcon width={16} height={16} />
            <span>{t('callbacks.localOnly')}</span>
          </p>
        ) : null}
        {!list || !ordered ? (
          error ? null : (
            <p className="muted" data-testid="callbacks-loading">
              {t('callbacks.loading')}
            </p>
          )
        ) : ordered.active.length === 0 && ordered.done.length === 0 ? (
          <EmptyState testId="callbacks-none" icon={<CallbacksIcon width={32} height={32} />} message={t('callbacks.none')} details={t('callbacks.noneMore', { minutes: list.slaMinutes })} />
        ) : (
          <div className="callbacks-table" role="table" aria-label={t('panes.callbacks.title')}>
            <div className="callback-row callbacks-head" role="row">
              <span role="columnheader">{t('callbacks.col.sla')}</span>
              <span role="columnheader">{t('callbacks.col.caller')}</span>
              <span role="columnheader">{t('callbacks.col.reasons')}</span>
              <span role="columnheader">{t('callbacks.col.times')}</span>
              <span role="columnheader">{t('callbacks.col.who')}</span>
              <span role="columnheader" className="visually-hidden">
                {t('callbacks.col.actions')}
              </span>
            </div>
            <div role="rowgroup" data-testid="callbacks-active">
              {ordered.active.length === 0 ? (
                <p className="callbacks-all-done muted" data-testid="callbacks-all-done">
                  {t('callbacks.allDone')}
                </p>
              ) : (
                ordered.active.map((task) => <TaskRow key={task.id} task={task} />)
              )}
              {list.openNotListed ? (
                <p className="callbacks-not-listed notice warn" data-testid="callbacks-not-listed">
                  {t('callbacks.notListed', { count: list.openNotListed })}
                </p>
              ) : null}
            </div>
            {ordered.done.length > 0 ? (
              <div role="rowgroup" className="callbacks-done" data-testid="callbacks-done">
                <div className="callbacks-done-title" role="row">
                  <span role="columnheader">{t('callbacks.doneToday', { count: ordered.done.length })}</span>
                </div>
                {ordered.done.map((task) => (
                  <TaskRow key={task.id} task={task} />
                ))}
              </div>
            ) : null}
          </div>
        )}
      </div>
    </Pane>
  );
}

/** "N to call back · M overdue" in the pane's header, counting on the shared clock. */
function OwedSummary({ tasks }: { tasks: readonly CallbackTask[] }): ReactElement {
  const { t } = useTranslation();
  const now = useClock();
  const { owed, overdue } = countOwed(tasks, now);
  return (
    <span className="callbacks-summary" data-testid="callbacks-summary" data-owed={owed} data-overdue={overdue}>
      {t('callbacks.owed', { count: owed })}
      {overdue > 0 ? <span className="callbacks-summary-overdue">{t('callbacks.overdue', { count: overdue })}</span> : null}
    </span>
  );
}

/** A refusal that means the row is out of date: the list is loaded again to say who has it now. */
const RELOAD_ON = ['CALLBACK_TAKEN', 'CALLBACK_NOT_FOUND'] as const;

const TaskRow = memo(function TaskRow({ task }: { task: CallbackTask }): ReactElement {
  const { t, i18n } = useTranslation();
  const desk = useDesk();
  const store = useCallbacksStoreApi();
  const errorText = useErrorText();
  const { busy, problem, viaPbx, run, dial } = useTaskRowRequests({ reloadOn: RELOAD_ON, reload: () => store.getState().reload() });
  const overdue = useIsPast(task.dueAt);
  const amber = useIsPast(warningAt(task));
  const done = task.state === 'done';
  const sla = done ? null : overdue ? 'overdue' : amber ? 'warning' : 'ok';
  const takenByOther = task.state === 'claimed' && !task.mine;

  const change = (send: () => Promise<CallbackTask>) =>
    void run(send).then((answer) => {
      if (answer) store.getState().applyTask(answer);
    });

  const callBack = () =>
    void run(async () => {
      await dial(await desk.request('callbacks.callBack', { id: task.id }));
    });

  const problemText = !problem
    ? null
    : 'local' in problem
      ? t(`callbacks.${problem.local}`)
      : problem.error.code === 'CALLBACK_TAKEN' && task.claimedBy && !task.mine
        ? t('callbacks.takenBy', { name: agentName(task.claimedBy) })
        : problem.error.code === 'PBX_REFUSED'
          ? t('errors.pbxRefusedBecause', { reason: problem.error.message })
          : errorText(problem.error);

  const number = formatPhoneNumber(task.number);
  return (
    <div
      className="callback-row"
      role="row"
      data-testid="callback-task"
      data-id={task.id}
      data-state={task.state}
      data-number={task.number}
      data-mine={task.mine ? 'true' : undefined}
      data-sla={sla ?? undefined}
    >
      <span role="cell" className="callback-sla-cell">
        {sla ? <SlaCountdown dueAt={task.dueAt} firstAt={task.firstAt} /> : <span className="callback-done-mark">{t('callbacks.doneMark')}</span>}
      </span>
      <span role="cell" className="callback-caller">
        <span className="mono nowrap callback-number" dir="ltr">
          {number}
        </span>
        {task.patientName ? (
          <span className="truncate callback-patient" data-testid="callback-patient">
            <Plain text={task.patientName} />
          </span>
        ) : (
          <span className="muted callback-patient">{t('callbacks.unknownPatient')}</span>
        )}
      </span>
      <span role="cell" className="callback-reasons">
        <span className="callback-count" data-testid="callback-count" data-count={task.count} title={t('callbacks.countTitle', { count: task.count })}>
          ×{task.count}
        </span>
        {task.reasons.map((reason) => (
          <span key={reason} className={`pill callback-reason ${reason}`} data-reason={reason}>
            {t(`callbacks.reason.${reason}`)}
          </span>
        ))}
        {task.attempts > 0 ? <span className="callback-attempts muted">{t('callbacks.attempts', { count: task.attempts })}</span> : null}
      </span>
      <span role="cell" className="callback-times mono" data-testid="callback-times">
        {task.count > 1 ? `${clock(task.firstAt, i18n.language)} – ${clock(task.lastAt, i18n.language)}` : clock(task.firstAt, i18n.language)}
      </span>
      <span role="cell" className="callback-who">
        {done ? (
          <span className="callback-closed" data-testid="callback-closed" data-closed-by={task.closedBy ?? ''}>
            {closedText(task, t)}
          </span>
        ) : task.claimedBy ? (
          <span className={task.mine ? 'callback-claimed-by mine' : 'callback-claimed-by'} data-testid="callback-claimed-by" data-mine={task.mine ? 'true' : 'false'}>
            {task.mine ? t('callbacks.claimedByMe') : t('callbacks.claimedBy', { name: agentName(task.claimedBy) })}
          </span>
        ) : (
          <span className="muted">{t('callbacks.unclaimed')}</span>
        )}
      </span>
      <span role="cell" className="callback-actions">
        {done ? null : (
          <>
            <button
              type="button"
              className="button primary callback-call"
              data-testid="callback-call"
              disabled={busy || takenByOther}
              title={t('callbacks.callTitle', { number })}
              onClick={callBack}
            >
              <PhoneIcon width={14} height={14} />
              {t('callbacks.call')}
            </button>
            {task.state === 'open' ? (
              <button type="button" className="button" data-testid="callback-claim" disabled={busy} onClick={() => change(() => desk.request('callbacks.claim', { id: task.id }))}>
                {t('callbacks.claim')}
              </button>
            ) : null}
            {task.state === 'claimed' && task.mine ? (
              <button type="button" className="button ghost" data-testid="callback-release" disabled={busy} onClick={() => change(() => desk.request('callbacks.release', { id: task.id }))}>
                {t('callbacks.release')}
              </button>
            ) : null}
          </>
        )}
      </span>
      {task.state === 'claimed' && task.mine ? (
        <div className="callback-outcomes" role="group" aria-label={t('callbacks.outcomeLabel')} data-testid="callback-outcomes">
          <span className="callback-outcomes-label">{t('callbacks.outcomeLabel')}</span>
          {CALLBACK_OUTCOMES.map((outcome) => (
            <button
              key={outcome}
              type="button"
              className="button chip"
              data-testid="callback-outcome"
              data-outcome={outcome}
              disabled={busy}
              onClick={() => change(() => desk.request('callbacks.complete', { id: task.id, outcome }))}
            >
              {t(`callbacks.outcome.${outcome}`)}
            </button>
          ))}
        </div>
      ) : null}
      {viaPbx ? (
        <p className="callback-note" role="status" data-testid="callback-calling" data-via="pbx">
          {t('callbacks.viaPbx')}
        </p>
      ) : null}
      {problemText ? (
        <p className="callback-error" role="alert" data-testid="callback-error" data-code={problem && 'error' in problem ? problem.error.code : problem?.local}>
          <WarningIcon width={14} height={14} />
          {problemText}
        </p>
      ) : null}
    </div>
  );
});

/** Time left to `dueAt` (or past it), counting on the shared clock; `data-sla` ok / warning / overdue. */
function SlaCountdown({ dueAt, firstAt }: { dueAt: number; firstAt: number }): ReactElement {
  const { t } = useTranslation();
  const now = useClock();
  const state = slaStateOf({ dueAt, firstAt }, now);
  const text = state === 'overdue' ? t('callbacks.slaOverdue', { time: formatDuration(now - dueAt) }) : t('callbacks.slaLeft', { time: formatDuration(dueAt - now) });
  return (
    <span className="callback-sla" data-testid="callback-sla" data-sla={state}>
      {text}
    </span>
  );
}

const agentName = (agent: { name: string; extension: string }) => (agent.name ? `${agent.name} (${agent.extension})` : agent.extension);

function closedText(task: CallbackTask, t: TFunction): string {
  switch (task.closedBy) {
    case 'patientGotThrough':
      return task.closedByAgent ? t('callbacks.closed.patientGotThroughTo', { name: agentName(task.closedByAgent) }) : t('callbacks.closed.patientGotThrough');
    case 'operatorReached':
      return task.closedByAgent ? t('callbacks.closed.operatorReachedBy', { name: agentName(task.closedByAgent) }) : t('callbacks.closed.operatorReached');
    default: {
      const why = task.outcome && task.outcome !== 'reached' && task.outcome !== 'noAnswer' ? ` (${t(`callbacks.outcome.${task.outcome}`)})` : '';
      return `${t('callbacks.closed.operatorClosed')}${why}`;
    }
  }
}

/** HH:MM (24 h) of a time in ms. */
function clock(ms: number, language: string): string {
  return dateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}
