import { useContext, useMemo, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useStore } from 'zustand';
import type { CallbackList, CallbackTask } from '../../../src-shared/callbacks/callbacks-contract';
import { maskPhone } from '../../../src-shared/access/field-masking';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';
import type { SupervisorAgent } from '../../../src-shared/supervisor/supervisor-model';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { Plain } from '../../ui/plain';
import { useClock } from '../../ui/use-clock';
import { formatDuration } from '../phone';
import { CallbacksStoreContext, createCallbacksStore, useCallbacksSync, type CallbacksStore } from '../callbacks';
import { ActionError } from './supervisor-parts';
import { owedCallbacks, reassignTargets } from './supervisor-model';
import { useRefusalText, useSupervisorAction } from './use-supervisor-action';

/**
 * The callback worklist from the supervisor's side: every task still owed a call (overdue first),
 * who has it, and a hand-over to another operator (`supervisor.reassignCallback`). The list is the
 * window's worklist store (the shell keeps it current); without one the section follows
 * `callbacks.list` + `callbacks:changed` itself.
 */
export function CallbackReassign({ agents }: { agents: readonly SupervisorAgent[] }): ReactElement {
  const shared = useContext(CallbacksStoreContext);
  const [own] = useState<CallbacksStore | null>(() => (shared ? null : createCallbacksStore()));
  const store = shared ?? own!;
  return (
    <CallbacksStoreContext.Provider value={store}>
      {own ? <OwnCallbacksSync /> : null}
      <CallbackSection store={store} agents={agents} />
    </CallbacksStoreContext.Provider>
  );
}

function OwnCallbacksSync(): null {
  useCallbacksSync(true);
  return null;
}

function CallbackSection({ store, agents }: { store: CallbacksStore; agents: readonly SupervisorAgent[] }): ReactElement {
  const { t, i18n } = useTranslation();
  const list = useStore(store, (state) => state.list);
  const error = useStore(store, (state) => state.error);
  const tasks = useMemo(() => owedCallbacks(list?.tasks ?? []), [list]);
  const targets = useMemo(() => reassignTargets(agents, i18n.language), [agents, i18n.language]);
  return (
    <section className="sv-section sv-callbacks" aria-labelledby="sv-callbacks-title" data-testid="sv-callbacks" data-state={list ? 'ready' : error ? 'error' : 'loading'}>
      <header className="sv-section-header">
        <h2 id="sv-callbacks-title" className="sv-section-title">
          {t('supervisor.callbacks.title')}
        </h2>
        <span className="count-pill" data-testid="sv-callbacks-count">
          {tasks.length}
        </span>
        {list && !list.shared ? <span className="sv-section-note muted">{t('supervisor.callbacks.notShared')}</span> : null}
      </header>
      <CallbackRows list={list} error={error !== null} tasks={tasks} targets={targets} />
    </section>
  );
}

function CallbackRows({ list, error, tasks, targets }: { list: CallbackList | null; error: boolean; tasks: CallbackTask[]; targets: SupervisorAgent[] }): ReactElement {
  const { t } = useTranslation();
  if (!list) return <p className="sv-nobody muted">{error ? t('supervisor.callbacks.loadFailed') : t('supervisor.callbacks.loading')}</p>;
  if (tasks.length === 0)
    return (
      <p className="sv-nobody muted" data-testid="sv-callbacks-empty">
        {t('supervisor.callbacks.none')}
      </p>
    );
  return (
    <div className="sv-callback-scroll">
      <table className="sv-callback-table">
        <thead>
          <tr>
            <th scope="col">{t('supervisor.callbacks.col.due')}</th>
            <th scope="col">{t('supervisor.callbacks.col.number')}</th>
            <th scope="col">{t('supervisor.callbacks.col.claimedBy')}</th>
            <th scope="col">{t('supervisor.callbacks.col.reassign')}</th>
          </tr>
        </thead>
        <tbody>
          {tasks.map((task) => (
            <CallbackRow key={task.id} task={task} targets={targets} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CallbackRow({ task, targets }: { task: CallbackTask; targets: SupervisorAgent[] }): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const action = useSupervisorAction();
  const refusal = useRefusalText();
  const now = useClock();
  const offered = targets.filter((agent) => agent.extension !== task.claimedBy?.extension);
  const [target, setTarget] = useState('');
  const chosen = offered.some((agent) => agent.extension === target) ? target : (offered[0]?.extension ?? '');
  const overdue = task.dueAt <= now;
  // The supervisor's pane is read across the room, like the board: numbers as the board shows them.
  const boardPhones = useAppStore((state) => state.settingsView?.settings.privacy.boardPhones ?? 'masked');
  const reassign = () => {
    if (chosen !== '') void action.run(() => desk.request('supervisor.reassignCallback', { id: task.id, extension: chosen }));
  };
  return (
    <>
      <tr className="sv-callback" data-testid="sv-callback" data-id={task.id} data-state={task.state} data-overdue={overdue ? 'true' : 'false'}>
        <td className="mono sv-callback-due">{overdue ? t('supervisor.callbacks.overdueBy', { time: formatDuration(now - task.dueAt) }) : t('supervisor.callbacks.dueIn', { time: formatDuration(task.dueAt - now) })}</td>
        <td className="sv-callback-who">
          <span className="mono" dir="ltr">
            {boardPhones === 'masked' ? maskPhone(task.number) : formatPhoneNumber(task.number)}
          </span>
          {task.count > 1 ? (
            <span className="sv-badge" title={t('supervisor.callbacks.missedTimes', { count: task.count })}>
              ×{task.count}
            </span>
          ) : null}
          {task.patientName ? (
            <span className="truncate muted">
              <Plain text={task.patientName} />
            </span>
          ) : null}
        </td>
        <td className="sv-callback-claimed" data-testid="sv-callback-claimed" data-extension={task.claimedBy?.extension ?? ''}>
          {task.claimedBy ? (
            <Plain text={t('supervisor.agentOption', { name: task.claimedBy.name || task.claimedBy.extension, extension: task.claimedBy.extension })} />
          ) : (
            <span className="muted">{t('supervisor.callbacks.unclaimed')}</span>
          )}
        </td>
        <td>
          <div className="sv-callback-actions">
            <select
              className="input sv-select"
              data-testid="sv-reassign-target"
              aria-label={t('supervisor.callbacks.target')}
              value={chosen}
              disabled={offered.length === 0}
              onChange={(event) => setTarget(event.target.value)}
            >
              {offered.map((agent) => (
                <option key={agent.extension} value={agent.extension}>
                  {t('supervisor.agentOption', { name: agent.name || agent.extension, extension: agent.extension })}
                </option>
              ))}
            </select>
            <button type="button" className="button" data-testid="sv-reassign" disabled={chosen === '' || action.busy} onClick={reassign}>
              {t('supervisor.callbacks.reassign')}
            </button>
          </div>
        </td>
      </tr>
      {action.error ? (
        <tr className="sv-callback-error-row">
          <td colSpan={4}>
            <ActionError action={action} testId="sv-callback-error" refusal={refusal} />
          </td>
        </tr>
      ) : null}
    </>
  );
}
