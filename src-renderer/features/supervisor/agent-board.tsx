import { memo, useCallback, useMemo, useState, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { AgentState } from '../../../src-shared/pbx/pbx-model';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';
import type { MonitorMode, OverrunLevel, SupervisorAgent, SupervisorBoard } from '../../../src-shared/supervisor/supervisor-model';
import { Plain } from '../../ui/plain';
import { AgentDetail } from './agent-detail';
import { Since } from './supervisor-parts';
import { AGENT_SORTS, AGENT_STATES, countAgents, filterAgents, formatSeconds, queueChoices, sortAgents, type AgentFilter, type AgentSort } from './supervisor-model';

/**
 * The live agent board: totals per state, the queue / state filters and the sort, then one small
 * tile per agent (a CSS grid: 60+ agents read at a glance). A click selects a tile and opens its
 * detail bar with the supervisor's actions.
 */
export function AgentBoard({ board, pauseReasons }: { board: SupervisorBoard; pauseReasons: readonly string[] }): ReactElement {
  const { t, i18n } = useTranslation();
  const [filter, setFilter] = useState<AgentFilter>({ queue: '', state: '' });
  const [sort, setSort] = useState<AgentSort>('name');
  const [selected, setSelected] = useState<string | null>(null);
  const { agents } = board;
  const counts = useMemo(() => countAgents(agents), [agents]);
  const queues = useMemo(() => queueChoices(board), [board]);
  const queueNames = useMemo(() => new Map(queues.map((queue) => [queue.id, queue.name])), [queues]);
  const shown = useMemo(() => sortAgents(filterAgents(agents, filter), sort, i18n.language), [agents, filter, sort, i18n.language]);
  const select = useCallback((extension: string) => setSelected((current) => (current === extension ? null : extension)), []);
  const selectedAgent = selected === null ? null : (agents.find((agent) => agent.extension === selected) ?? null);

  return (
    <section className="sv-section sv-board" aria-labelledby="sv-board-title" data-testid="sv-board">
      <header className="sv-section-header sv-board-header">
        <h2 id="sv-board-title" className="sv-section-title">
          {t('supervisor.board.title')}
        </h2>
        <span className="count-pill" data-testid="sv-agents-count" data-value={agents.length}>
          {agents.length}
        </span>
        <ul className="sv-totals" aria-label={t('supervisor.board.totals')}>
          {AGENT_STATES.map((state) => (
            <li key={state} className="sv-total" data-testid="sv-total" data-state={state} data-value={counts[state]}>
              <span className="sv-dot" aria-hidden="true" />
              <span className="sv-total-label">{t(`supervisor.state.${state}`)}</span>
              <strong className="sv-total-value">{counts[state]}</strong>
            </li>
          ))}
        </ul>
      </header>
      <div className="sv-board-tools">
        <label className="sv-tool">
          <span className="sv-tool-label">{t('supervisor.board.queue')}</span>
          <select className="input sv-select" data-testid="sv-filter-queue" value={filter.queue} onChange={(event) => setFilter({ ...filter, queue: event.target.value })}>
            <option value="">{t('supervisor.board.allQueues')}</option>
            {queues.map((queue) => (
              <option key={queue.id} value={queue.id}>
                {queue.name}
              </option>
            ))}
          </select>
        </label>
        <label className="sv-tool">
          <span className="sv-tool-label">{t('supervisor.board.state')}</span>
          <select
            className="input sv-select"
            data-testid="sv-filter-state"
            value={filter.state}
            onChange={(event) => setFilter({ ...filter, state: event.target.value as AgentState | '' })}
          >
            <option value="">{t('supervisor.board.allStates')}</option>
            {AGENT_STATES.map((state) => (
              <option key={state} value={state}>
                {t(`supervisor.state.${state}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="sv-tool">
          <span className="sv-tool-label">{t('supervisor.board.sort')}</span>
          <select className="input sv-select" data-testid="sv-sort" value={sort} onChange={(event) => setSort(event.target.value as AgentSort)}>
            {AGENT_SORTS.map((option) => (
              <option key={option} value={option}>
                {t(`supervisor.sort.${option}`)}
              </option>
            ))}
          </select>
        </label>
        {shown.length !== agents.length ? (
          <span className="sv-shown muted" data-testid="sv-shown">
            {t('supervisor.board.shown', { shown: shown.length, total: agents.length })}
          </span>
        ) : null}
      </div>
      {agents.length === 0 ? (
        <p className="sv-nobody muted" data-testid="sv-agents-empty">
          {t('supervisor.board.empty')}
        </p>
      ) : shown.length === 0 ? (
        <p className="sv-nobody muted" data-testid="sv-agents-none">
          {t('supervisor.board.noneMatch')}
        </p>
      ) : (
        <ul className="sv-tiles" aria-label={t('supervisor.board.title')}>
          {shown.map((agent) => (
            <li key={agent.extension} className="sv-tile-slot">
              <TileOf agent={agent} queueNames={queueNames} selected={agent.extension === selected} onSelect={select} />
            </li>
          ))}
        </ul>
      )}
      {selectedAgent ? <AgentDetail key={selectedAgent.extension} board={board} agent={selectedAgent} pauseReasons={pauseReasons} queueNames={queueNames} onClose={() => setSelected(null)} /> : null}
    </section>
  );
}

/** Unpacks an agent into plain props, so the memoised tile compares values, not fresh objects. */
function TileOf({ agent, queueNames, selected, onSelect }: { agent: SupervisorAgent; queueNames: Map<string, string>; selected: boolean; onSelect(extension: string): void }): ReactElement {
  const call = agent.call;
  return (
    <AgentTile
      extension={agent.extension}
      name={agent.name}
      state={agent.state}
      since={agent.since}
      pauseReason={agent.pauseReason}
      level={agent.level}
      callNumber={call?.number ?? null}
      callName={call?.patientName ?? null}
      callQueue={call?.queue ? (queueNames.get(call.queue) ?? call.queue) : null}
      callSince={call?.since ?? null}
      handledToday={agent.handledToday}
      avgHandleSec={agent.avgHandleSec}
      overdueCallbacks={agent.overdueCallbacks}
      monitoredMode={agent.monitoredBy?.mode ?? null}
      selected={selected}
      onSelect={onSelect}
    />
  );
}

interface AgentTileProps {
  extension: string;
  name: string;
  state: AgentState;
  since: number;
  pauseReason: string | null;
  level: OverrunLevel;
  callNumber: string | null;
  callName: string | null;
  callQueue: string | null;
  callSince: number | null;
  handledToday: number;
  avgHandleSec: number | null;
  overdueCallbacks: number;
  monitoredMode: MonitorMode | null;
  selected: boolean;
  onSelect(extension: string): void;
}

const AgentTile = memo(function AgentTile(props: AgentTileProps): ReactElement {
  const { t } = useTranslation();
  const { extension, name, state, since, pauseReason, level, callNumber, callName, callQueue, callSince, handledToday, avgHandleSec, overdueCallbacks, monitoredMode, selected, onSelect } = props;
  const talkSince = state === 'talking' ? callSince : null;
  const stateText = state === 'paused' && pauseReason ? t('supervisor.pausedWith', { reason: pauseReason }) : t(`supervisor.state.${state}`);
  return (
    <button
      type="button"
      className="sv-tile"
      data-testid="sv-agent"
      data-state={state}
      data-extension={extension}
      data-level={level}
      data-selected={selected ? 'true' : undefined}
      aria-pressed={selected}
      onClick={() => onSelect(extension)}
    >
      <span className="sv-tile-top">
        <span className="sv-dot" aria-hidden="true" />
        <span className="sv-tile-name truncate">
          <Plain text={name || extension} />
        </span>
      </span>
      <span className="sv-tile-state">
        <span className="sv-tile-state-text truncate" data-testid="sv-agent-state">
          {stateText}
        </span>
        {talkSince !== null ? (
          // On a call the time that counts is the talk's (the state began with it).
          <span className="sv-tile-time sv-tile-talk mono" data-testid="sv-agent-talk" title={t('supervisor.tile.talkTime')}>
            <Since at={talkSince} />
          </span>
        ) : (
          <span className="sv-tile-time mono" data-testid="sv-agent-time" title={t('supervisor.tile.timeInState')}>
            <Since at={since} />
          </span>
        )}
      </span>
      <span className="sv-tile-call" data-testid="sv-agent-call">
        {callNumber !== null ? (
          <>
            <span className="sv-tile-number mono" dir="ltr">
              {formatPhoneNumber(callNumber)}
            </span>
            {callName ? (
              <span className="sv-tile-patient truncate">
                <Plain text={callName} />
              </span>
            ) : null}
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </span>
      <span className="sv-tile-meta">
        <span className="sv-tile-queue truncate">{callQueue ? <Plain text={callQueue} /> : null}</span>
        {overdueCallbacks > 0 ? (
          <span className="sv-badge sv-badge-overdue" data-testid="sv-agent-overdue" data-value={overdueCallbacks} title={t('supervisor.tile.overdueTitle', { count: overdueCallbacks })}>
            {t('supervisor.tile.overdue', { count: overdueCallbacks })}
          </span>
        ) : null}
        {monitoredMode ? (
          <span className="sv-badge sv-badge-monitored" data-testid="sv-agent-monitored" data-mode={monitoredMode}>
            {t(`supervisor.monitoredAs.${monitoredMode}`)}
          </span>
        ) : null}
        <span className="sv-tile-ext mono" title={t('supervisor.tile.extension')}>
          {extension}
        </span>
      </span>
      <span className="sv-tile-bottom">
        <span className="sv-tile-handled" title={t('supervisor.tile.handledTitle')} data-testid="sv-agent-handled" data-value={handledToday}>
          {t('supervisor.tile.handled', { count: handledToday })}
        </span>
        <span className="sv-tile-aht" title={t('supervisor.tile.ahtTitle')} data-testid="sv-agent-aht" data-value={avgHandleSec ?? ''}>
          {t('supervisor.tile.aht', { value: avgHandleSec === null ? '—' : formatSeconds(avgHandleSec) })}
        </span>
      </span>
    </button>
  );
});
