import { memo, useState, type ReactElement, type SVGProps } from 'react';
import { useTranslation } from 'react-i18next';
import { CALL_LIST_OUTCOMES } from '../../../src-shared/call-lists/call-list-outcomes';
import type { CallListCounters, CallListKind, CallListOverview, CallListSummary, CallListTask } from '../../../src-shared/call-lists/call-lists-contract';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';
import { clinicTimeOfDay } from '../../../src-shared/schedule/clinic-time';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { EmptyState } from '../../ui/empty-state';
import { useErrorText } from '../../ui/error-text';
import { PhoneIcon, WarningIcon } from '../../ui/icons';
import { dateTimeFormat } from '../../ui/intl-formats';
import { Pane } from '../../ui/pane';
import { Plain } from '../../ui/plain';
import { useTaskRowRequests } from '../phone';
import { callListsStoreOf, useCallListsStore, useCallListsSync, type CallListsStore } from './call-lists-store';
import { roomText } from '../../ui/room-text';

/** The codes a call-list request is refused with that the pane words itself. */
const OWN_ERRORS = new Set(['CALL_LIST_TASK_TAKEN', 'CALL_LIST_TASK_NOT_FOUND', 'OUTSIDE_CALLING_WINDOW', 'NO_CALL_CONSENT']);

/** The navigation's icon of the pane: a list with a handset. */
export function CallListsIcon(props: SVGProps<SVGSVGElement>): ReactElement {
  return (
    <svg viewBox="0 0 20 20" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false" {...props}>
      <path d="M3 4.5h8M3 9h8M3 13.5h5" />
      <path d="M13.6 10.6h1.5l.8 2-1 .7a5 5 0 0 0 2.4 2.4l.7-1 2 .8v1.5a1 1 0 0 1-1 1A7.5 7.5 0 0 1 12.6 11.6a1 1 0 0 1 1-1z" />
    </svg>
  );
}

/**
 * The outbound call lists: confirm tomorrow's visits, recalls, results ready. Each list with its
 * progress; the picked one's patients, this desk's claim first; "Next patient" claims the next
 * and opens their card; call in one click, then the outcome. Follows `callLists:changed`.
 */
export function CallListsPane(): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const [store] = useState(() => callListsStoreOf(desk));
  useCallListsSync(desk, store);
  const overview = useCallListsStore(store, (state) => state.overview);
  const selected = useCallListsStore(store, (state) => state.selected);
  const tasks = useCallListsStore(store, (state) => state.tasks);
  const error = useCallListsStore(store, (state) => state.error);
  const errorText = useErrorText();
  const list = overview?.lists.find((candidate) => candidate.id === selected) ?? null;
  const shown = tasks && list && tasks.listId === list.id ? tasks : null;
  return (
    <Pane id="call-lists" title={t('callLists.title')} headerExtra={overview ? <WindowState window={overview.window} /> : undefined}>
      <div className="call-lists" data-testid="call-lists" data-state={overview ? 'ready' : error ? 'error' : 'loading'}>
        {error ? (
          <p className="notice warn" role="alert" data-testid="call-lists-error" data-code={error.code}>
            <WarningIcon width={16} height={16} />
            <span>
              {t('callLists.loadFailed', { reason: errorText(error) })}{' '}
              <button type="button" className="button ghost" onClick={() => store.getState().reload()}>
                {t('errors.retry')}
              </button>
            </span>
          </p>
        ) : null}
        {overview && !overview.shared ? (
          <p className="notice warn" data-testid="call-lists-local-note">
            <WarningIcon width={16} height={16} />
            <span>{t('callLists.localOnly')}</span>
          </p>
        ) : null}
        {overview && !overview.window.open ? (
          <p className="notice warn" data-testid="call-lists-window-closed">
            <WarningIcon width={16} height={16} />
            <span>{t('callLists.windowClosed', { from: overview.window.from, to: overview.window.to })}</span>
          </p>
        ) : null}
        {!overview ? (
          error ? null : (
            <p className="muted" data-testid="call-lists-loading">
              {t('callLists.loading')}
            </p>
          )
        ) : (
          <>
            <div className="call-lists-tabs" role="tablist" aria-label={t('callLists.title')}>
              {overview.lists.map((summary) => (
                <ListTab key={summary.id} summary={summary} selected={summary.id === selected} onSelect={() => store.getState().select(summary.id)} />
              ))}
            </div>
            {list ? <ListPanel store={store} list={list} overview={overview} shown={shown} /> : null}
          </>
        )}
      </div>
    </Pane>
  );
}

/** "Звоним 09:00–21:00" in the header; `data-open` says whether calls may be placed now. */
function WindowState({ window }: { window: CallListOverview['window'] }): ReactElement {
  const { t } = useTranslation();
  return (
    <span className="call-lists-window" data-testid="call-lists-window" data-open={window.open ? 'true' : 'false'} title={window.timeZone}>
      {t(window.open ? 'callLists.windowOpen' : 'callLists.windowShut', { from: window.from, to: window.to })}
    </span>
  );
}

function ListTab({ summary, selected, onSelect }: { summary: CallListSummary; selected: boolean; onSelect: () => void }): ReactElement {
  const { t, i18n } = useTranslation();
  return (
    <button
      type="button"
      role="tab"
      className="call-list-tab"
      data-testid="call-list-tab"
      data-list-id={summary.id}
      data-kind={summary.kind}
      aria-selected={selected}
      onClick={onSelect}
    >
      <span className="call-list-tab-title">{t(`callLists.kind.${summary.kind}`)}</span>
      <span className="call-list-tab-day muted">{dayText(summary.day, i18n.language)}</span>
      <Progress counters={summary.counters} kind={summary.kind} />
    </button>
  );
}

/** done / total, and how the calls ended: confirmed · cancelled · no answer (the first two on visit lists). */
function Progress({ counters, kind }: { counters: CallListCounters; kind: CallListKind }): ReactElement {
  const { t } = useTranslation();
  const share = counters.total === 0 ? 0 : Math.round((counters.done / counters.total) * 100);
  return (
    <span
      className="call-list-progress"
      data-testid="call-list-progress"
      data-done={counters.done}
      data-total={counters.total}
      data-confirmed={counters.confirmed}
      data-cancelled={counters.cancelled}
      data-no-answer={counters.noAnswer}
    >
      <span className="call-list-progress-count">{t('callLists.progress', { done: counters.done, total: counters.total })}</span>
      <span className="call-list-progress-bar" aria-hidden="true">
        <span style={{ width: `${share}%` }} />
      </span>
      <span className="call-list-progress-detail muted">
        {kind === 'confirm-tomorrow'
          ? t('callLists.progressVisits', { confirmed: counters.confirmed, cancelled: counters.cancelled, noAnswer: counters.noAnswer })
          : t('callLists.progressOther', { noAnswer: counters.noAnswer })}
      </span>
    </span>
  );
}

type NextWhy = 'empty' | 'outsideWindow' | 'allClaimed' | 'allWaiting';

function ListPanel({ store, list, overview, shown }: { store: CallListsStore; list: CallListSummary; overview: CallListOverview; shown: { tasks: CallListTask[] } | null }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const openPatient = useAppStore((state) => state.openPatient);
  const [busy, setBusy] = useState(false);
  const [why, setWhy] = useState<NextWhy | null>(null);
  const [problem, setProblem] = useState<DeskErrorPayload | null>(null);
  const errorText = useErrorText();
  const ownError = useOwnErrorText();

  const next = async () => {
    setBusy(true);
    setWhy(null);
    setProblem(null);
    try {
      const answer = await desk.request('callLists.next', { listId: list.id });
      if (!answer.task) {
        setWhy(answer.why ?? 'empty');
        return;
      }
      store.getState().applyTask(answer.task);
      // The patient's card, as from the call journal: the operator sees who they are calling.
      openPatient({ misId: answer.task.patientMisId, reason: 'call', callId: null });
    } catch (error) {
      setProblem(toDeskError(error).toPayload());
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="call-list-panel" role="tabpanel" data-testid="call-list" data-list-id={list.id} data-kind={list.kind}>
      <div className="call-list-toolbar">
        <button type="button" className="button primary" data-testid="call-list-next" disabled={busy || !overview.window.open} onClick={() => void next()}>
          {t('callLists.next')}
        </button>
        {why ? (
          <span className="call-list-why muted" role="status" data-testid="call-list-next-why" data-why={why}>
            {t(`callLists.why.${why}`)}
          </span>
        ) : null}
        {problem ? (
          <span className="call-list-error" role="alert" data-testid="call-list-next-error" data-code={problem.code}>
            <WarningIcon width={14} height={14} />
            {ownError(problem) ?? errorText(problem)}
          </span>
        ) : null}
      </div>
      {!shown ? (
        <p className="muted" data-testid="call-list-loading">
          {t('callLists.loading')}
        </p>
      ) : shown.tasks.length === 0 ? (
        <EmptyState testId="call-list-empty" icon={<CallListsIcon width={32} height={32} />} message={t('callLists.empty')} />
      ) : (
        <div className="call-list-rows" role="list">
          {shown.tasks.map((task) => (
            <TaskRow key={task.id} store={store} task={task} kind={list.kind} windowOpen={overview.window.open} timeZone={overview.window.timeZone} />
          ))}
        </div>
      )}
    </div>
  );
}

/** The pane's own sentence for a call-list refusal (null: the shared `errors.<CODE>` one). */
function useOwnErrorText(): (error: DeskErrorPayload) => string | null {
  const { t } = useTranslation();
  return (error) => (OWN_ERRORS.has(error.code) ? t(`callLists.errors.${error.code}`) : null);
}

/** A refusal that means the row is out of date: the list is loaded again. */
const RELOAD_ON = ['CALL_LIST_TASK_TAKEN', 'CALL_LIST_TASK_NOT_FOUND'] as const;

const TaskRow = memo(function TaskRow({
  store,
  task,
  kind,
  windowOpen,
  timeZone,
}: {
  store: CallListsStore;
  task: CallListTask;
  kind: CallListKind;
  windowOpen: boolean;
  timeZone: string;
}): ReactElement {
  const { t, i18n } = useTranslation();
  const desk = useDesk();
  const openPatient = useAppStore((state) => state.openPatient);
  const errorText = useErrorText();
  const ownError = useOwnErrorText();
  const { busy, problem, viaPbx, run, dial } = useTaskRowRequests({ reloadOn: RELOAD_ON, reload: () => store.getState().reload() });
  const takenByOther = task.state === 'claimed' && !task.mine;
  const callable = task.state !== 'done' && task.state !== 'blocked' && !takenByOther;

  const change = (send: () => Promise<CallListTask>) =>
    void run(send).then((answer) => {
      if (answer) store.getState().applyTask(answer);
    });

  const call = () =>
    void run(async () => {
      const answer = await desk.request('callLists.call', { id: task.id });
      // The call claimed it: the row shows the outcome buttons at once (the push confirms).
      store.getState().applyTask({ ...task, state: 'claimed', mine: true, claimedBy: task.claimedBy });
      await dial(answer);
    });

  const problemText = !problem
    ? null
    : 'local' in problem
      ? t(`callLists.${problem.local}`)
      : problem.error.code === 'CALL_LIST_TASK_TAKEN' && task.claimedBy && !task.mine
        ? t('callLists.takenBy', { name: agentName(task.claimedBy) })
        : problem.error.code === 'PBX_REFUSED'
          ? t('errors.pbxRefusedBecause', { reason: problem.error.message })
          : (ownError(problem.error) ?? errorText(problem.error));

  return (
    <div
      className="call-list-task"
      role="listitem"
      data-testid="call-list-task"
      data-id={task.id}
      data-state={task.state}
      data-mine={task.mine ? 'true' : undefined}
      data-blocked-by={task.blockedBy ?? undefined}
    >
      <span className="call-list-when">
        {task.visit ? (
          <span className="mono call-list-visit-time" data-testid="call-list-visit-time">
            {clinicTimeOfDay(task.visit.startsAt, timeZone)}
          </span>
        ) : null}
      </span>
      <span className="call-list-patient">
        {task.patientName ? (
          <button type="button" className="link-button truncate" data-testid="call-list-open-card" onClick={() => openPatient({ misId: task.patientMisId, reason: 'call', callId: null })}>
            <Plain text={task.patientName} />
          </button>
        ) : (
          <span className="muted">{t('callLists.unknownPatient')}</span>
        )}
        <span className="mono nowrap call-list-number muted" dir="ltr">
          {task.number ? formatPhoneNumber(task.number) : t('callLists.noNumber')}
        </span>
      </span>
      <span className="call-list-reason">
        <Plain text={task.reason} />
        {task.visit ? (
          <span className="muted call-list-doctor">
            {' '}
            · <Plain text={task.visit.doctor} />
            {task.visit.room ? ` · ${roomText(task.visit.room, (room) => t('callLists.room', { room }))}` : ''}
          </span>
        ) : null}
      </span>
      <span className="call-list-status" data-testid="call-list-status">
        {statusText(task, t, i18n.language)}
        {task.attempts > 0 && task.state !== 'done' ? <span className="muted call-list-attempts">{` · ${t('callLists.attempts', { count: task.attempts })}`}</span> : null}
      </span>
      <span className="call-list-actions">
        {callable ? (
          <button
            type="button"
            className="button primary"
            data-testid="call-list-call"
            disabled={busy || !windowOpen || task.number === null}
            title={task.number ? t('callLists.callTitle', { number: formatPhoneNumber(task.number) }) : undefined}
            onClick={call}
          >
            <PhoneIcon width={14} height={14} />
            {t('callLists.call')}
          </button>
        ) : null}
        {task.state === 'claimed' && task.mine ? (
          <button type="button" className="button ghost" data-testid="call-list-release" disabled={busy} onClick={() => change(() => desk.request('callLists.release', { id: task.id }))}>
            {t('callLists.release')}
          </button>
        ) : null}
      </span>
      {task.state === 'claimed' && task.mine ? (
        <div className="call-list-outcomes" role="group" aria-label={t('callLists.outcomeLabel')} data-testid="call-list-outcomes">
          <span className="call-list-outcomes-label">{t('callLists.outcomeLabel')}</span>
          {CALL_LIST_OUTCOMES[kind].map((outcome) => (
            <button
              key={outcome}
              type="button"
              className="button chip"
              data-testid={`call-list-outcome-${outcome}`}
              disabled={busy}
              onClick={() => change(() => desk.request('callLists.complete', { id: task.id, outcome }))}
            >
              {t(`callLists.outcome.${outcome}`)}
            </button>
          ))}
        </div>
      ) : null}
      {viaPbx ? (
        <p className="call-list-note" role="status" data-testid="call-list-calling" data-via="pbx">
          {t('callLists.viaPbx')}
        </p>
      ) : null}
      {problemText ? (
        <p className="call-list-error" role="alert" data-testid="call-list-error" data-code={problem && 'error' in problem ? problem.error.code : problem?.local}>
          <WarningIcon width={14} height={14} />
          {problemText}
        </p>
      ) : null}
    </div>
  );
});

const agentName = (agent: { name: string; extension: string }) => (agent.name ? `${agent.name} (${agent.extension})` : agent.extension);

function statusText(task: CallListTask, t: ReturnType<typeof useTranslation>['t'], language: string): string {
  switch (task.state) {
    case 'blocked':
      return t(`callLists.blocked.${task.blockedBy ?? 'noPhone'}`);
    case 'claimed':
      return task.mine ? t('callLists.claimedByMe') : t('callLists.claimedBy', { name: task.claimedBy ? agentName(task.claimedBy) : '' });
    case 'waiting':
      return task.nextAttemptAt ? t('callLists.waitingUntil', { time: clock(task.nextAttemptAt, language) }) : t('callLists.waiting');
    case 'done':
      return task.outcome ? t(`callLists.done.${task.outcome}`) : t('callLists.doneMark');
    default:
      return task.attempts > 0 ? t('callLists.again') : t('callLists.toCall');
  }
}

/** HH:MM (24 h) of a time in ms, on this computer's clock. */
function clock(ms: number, language: string): string {
  return dateTimeFormat(language, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(ms));
}

/** "7 декабря" of a list's day. */
function dayText(day: string, language: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return dateTimeFormat(language, { day: 'numeric', month: 'long', timeZone: 'UTC' }).format(new Date(Date.UTC(y, m - 1, d)));
}
