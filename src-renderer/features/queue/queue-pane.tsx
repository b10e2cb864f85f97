import { memo, useMemo, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { QueueView } from '../../../src-shared/pbx/pbx-contract';
import type { AgentState, QueueAgent, QueueCaller } from '../../../src-shared/pbx/pbx-model';
import { formatPhoneNumber } from '../../../src-shared/phone/display-number';
import { useAppStore } from '../../app/app-store';
import { EmptyState } from '../../ui/empty-state';
import { useErrorText } from '../../ui/error-text';
import { QueueIcon, WarningIcon } from '../../ui/icons';
import { numberFormat } from '../../ui/intl-formats';
import { Pane } from '../../ui/pane';
import { Plain } from '../../ui/plain';
import { useClock, useIsPast } from '../../ui/use-clock';
import { formatDuration } from '../phone';
import { countAgents, AGENT_STATES, queueBlocks, sortAgents, sortCallers, type QueueBlock } from './queue-model';
import { useQueueStore } from './queue-store';
import { VirtualRows } from './virtual-rows';

/** Fixed row heights (px) of the two lists; the virtual lists need no measuring. */
export const CALLER_ROW_HEIGHT = 34;
export const AGENT_ROW_HEIGHT = 34;

type Shown = 'not-configured' | 'loading' | 'error' | 'connecting' | 'live';

/**
 * The live queue: who waits (longest first, red past the SLA), what every agent is doing, and
 * today's numbers per queue. Drawn from the queue store (`queue.view`, then `queue:changed`);
 * nothing here polls. Before the PBX's first snapshot it says it is connecting instead of
 * showing an empty board that would read as "nobody waits".
 */
export function QueuePane(): ReactElement {
  const { t } = useTranslation();
  const view = useQueueStore((state) => state.view);
  const error = useQueueStore((state) => state.error);
  const pbx = useAppStore((state) => state.coreStatus?.pbx);
  const shown: Shown = pbx?.state === 'disabled' ? 'not-configured' : view ? (view.live ? 'live' : 'connecting') : error ? 'error' : 'loading';
  return (
    <Pane id="queue" title={t('panes.queue.title')} className="pane-fill">
      <div className="queue-view" data-testid="queue-view" data-state={shown}>
        {shown === 'not-configured' ? (
          <EmptyState
            testId="queue-not-configured"
            icon={<QueueIcon width={32} height={32} />}
            message={t('queue.notConfigured')}
            details={pbx?.detail ? t(`status.detail.${pbx.detail}`) : undefined}
          />
        ) : shown === 'loading' ? (
          <p className="muted" data-testid="queue-loading">
            {t('queue.loading')}
          </p>
        ) : shown === 'error' ? (
          <QueueLoadError />
        ) : shown === 'connecting' ? (
          <EmptyState testId="queue-connecting" state="connecting" icon={<QueueIcon width={32} height={32} />} message={t('queue.connecting')} details={t('queue.connectingMore')} />
        ) : (
          <LiveBoard view={view!} />
        )}
      </div>
    </Pane>
  );
}

function QueueLoadError(): ReactElement {
  const { t } = useTranslation();
  const errorText = useErrorText();
  const error = useQueueStore((state) => state.error);
  const reload = useQueueStore((state) => state.reload);
  return (
    <p className="notice warn" role="alert" data-testid="queue-error" data-code={error?.code}>
      <WarningIcon width={16} height={16} />
      <span>
        {t('queue.loadFailed', { reason: error ? errorText(error) : '' })}{' '}
        <button type="button" className="button ghost" onClick={reload}>
          {t('errors.retry')}
        </button>
      </span>
    </p>
  );
}

function LiveBoard({ view }: { view: QueueView }): ReactElement {
  return (
    <>
      <QueueStats view={view} />
      <div className="queue-columns">
        <CallersTable view={view} />
        <AgentsTable view={view} />
      </div>
    </>
  );
}

// ---------- waiting callers ----------

function CallersTable({ view }: { view: QueueView }): ReactElement {
  const { t } = useTranslation();
  const { callers, queues } = view.board;
  const sorted = useMemo(() => sortCallers(callers), [callers]);
  const queueNames = useMemo(() => new Map(queues.map((queue) => [queue.id, queue.name])), [queues]);
  const slaMs = view.slaSeconds * 1000;
  return (
    <section className="queue-section queue-callers" aria-labelledby="queue-callers-title">
      <header className="queue-section-header">
        <h2 id="queue-callers-title" className="queue-section-title">
          {t('queue.callers.title')}
        </h2>
        <span className="count-pill" data-testid="queue-callers-count">
          {sorted.length}
        </span>
        <LongestWait callers={callers} slaMs={slaMs} />
      </header>
      {sorted.length === 0 ? (
        <p className="queue-nobody muted" data-testid="queue-callers-empty">
          {t('queue.callers.empty')}
        </p>
      ) : (
        <VirtualRows
          items={sorted}
          rowHeight={CALLER_ROW_HEIGHT}
          keyOf={(caller) => caller.callId}
          label={t('queue.callers.title')}
          className="queue-callers-table"
          header={
            <div className="queue-row queue-caller-row queue-head" role="row">
              <span role="columnheader">{t('queue.col.position')}</span>
              <span role="columnheader">{t('queue.col.number')}</span>
              <span role="columnheader">{t('queue.col.patient')}</span>
              <span role="columnheader">{t('queue.col.queue')}</span>
              <span role="columnheader" className="queue-num">
                {t('queue.col.wait')}
              </span>
            </div>
          }
          row={(caller) => (
            <CallerRow
              callId={caller.callId}
              number={caller.number}
              name={view.patientNames[caller.number] ?? null}
              queueName={queueNames.get(caller.queue) || caller.queue}
              position={caller.position}
              joinedAt={caller.joinedAt}
              slaMs={slaMs}
            />
          )}
        />
      )}
    </section>
  );
}

/** The longest wait now, counting: the header's one figure a supervisor reads from across the room. */
function LongestWait({ callers, slaMs }: { callers: readonly QueueCaller[]; slaMs: number }): ReactElement | null {
  const { t } = useTranslation();
  const oldest = callers.reduce((min, caller) => Math.min(min, caller.joinedAt), Number.POSITIVE_INFINITY);
  if (!Number.isFinite(oldest)) return null;
  return (
    <span className="queue-longest" data-testid="queue-longest-wait">
      {t('queue.callers.longest')} <Since at={oldest} deadline={oldest + slaMs} />
    </span>
  );
}

interface CallerRowProps {
  callId: string;
  number: string;
  name: string | null;
  queueName: string;
  position: number;
  joinedAt: number;
  slaMs: number;
}

/** One waiting caller; props are plain values, so an update that did not touch it skips it. */
const CallerRow = memo(function CallerRow({ callId, number, name, queueName, position, joinedAt, slaMs }: CallerRowProps): ReactElement {
  const overSla = useIsPast(joinedAt + slaMs);
  return (
    <div
      className="queue-row queue-caller-row"
      role="row"
      data-testid="queue-caller"
      data-call-id={callId}
      data-number={number}
      data-over-sla={overSla ? 'true' : 'false'}
    >
      <span role="cell" className="queue-position mono">
        {position}
      </span>
      <span role="cell" className="mono nowrap" dir="ltr">
        {formatPhoneNumber(number)}
      </span>
      <span role="cell" className="truncate" data-testid="queue-caller-name">
        {name ? <Plain text={name} /> : <span className="muted">—</span>}
      </span>
      <span role="cell" className="truncate muted">
        <Plain text={queueName} />
      </span>
      <span role="cell" className="queue-num mono" data-testid="queue-caller-wait">
        <Since at={joinedAt} />
      </span>
    </div>
  );
});

/** Time since `at`, counting on the shared clock; amber-free: past `deadline` the row itself turns red. */
function Since({ at, deadline }: { at: number; deadline?: number }): ReactElement {
  const now = useClock();
  const late = deadline !== undefined && now >= deadline;
  return (
    <time className={late ? 'queue-late' : undefined} data-late={late ? 'true' : undefined}>
      {formatDuration(now - at)}
    </time>
  );
}

// ---------- agents ----------

function AgentsTable({ view }: { view: QueueView }): ReactElement {
  const { t, i18n } = useTranslation();
  const { agents } = view.board;
  const own = view.agentExtension;
  const sorted = useMemo(() => sortAgents(agents, own, i18n.language), [agents, own, i18n.language]);
  const counts = useMemo(() => countAgents(agents), [agents]);
  return (
    <section className="queue-section queue-agents" aria-labelledby="queue-agents-title">
      <header className="queue-section-header">
        <h2 id="queue-agents-title" className="queue-section-title">
          {t('queue.agents.title')}
        </h2>
        <span className="count-pill" data-testid="queue-agents-count">
          {agents.length}
        </span>
        <ul className="queue-agent-summary" aria-label={t('queue.agents.summary')}>
          {AGENT_STATES.filter((state) => counts[state] > 0).map((state) => (
            <li key={state} className="queue-agent-summary-item" data-state={state} data-testid={`queue-agents-${state}`}>
              <span className="queue-state-dot" aria-hidden="true" />
              {t(`queue.agentState.${state}`)} {counts[state]}
            </li>
          ))}
        </ul>
      </header>
      {sorted.length === 0 ? (
        <p className="queue-nobody muted" data-testid="queue-agents-empty">
          {t('queue.agents.empty')}
        </p>
      ) : (
        <VirtualRows
          items={sorted}
          rowHeight={AGENT_ROW_HEIGHT}
          keyOf={(agent) => agent.extension}
          label={t('queue.agents.title')}
          className="queue-agents-table"
          header={
            <div className="queue-row queue-agent-row queue-head" role="row">
              <span role="columnheader">{t('queue.col.state')}</span>
              <span role="columnheader">{t('queue.col.agent')}</span>
              <span role="columnheader">{t('queue.col.extension')}</span>
              <span role="columnheader" className="queue-num">
                {t('queue.col.inState')}
              </span>
              <span role="columnheader">{t('queue.col.caller')}</span>
            </div>
          }
          row={(agent) => <AgentRowOf agent={agent} me={agent.extension === own} names={view.patientNames} />}
        />
      )}
    </section>
  );
}

/** Unpacks an agent into plain props, so the memoised row compares values, not fresh objects. */
function AgentRowOf({ agent, me, names }: { agent: QueueAgent; me: boolean; names: Record<string, string> }): ReactElement {
  const number = agent.call?.number ?? null;
  return (
    <AgentRow
      extension={agent.extension}
      name={agent.name}
      state={agent.state}
      since={agent.since}
      pauseReason={agent.pauseReason}
      callNumber={number}
      callName={number !== null ? (names[number] ?? null) : null}
      me={me}
    />
  );
}

interface AgentRowProps {
  extension: string;
  name: string;
  state: AgentState;
  since: number;
  pauseReason: string | null;
  callNumber: string | null;
  callName: string | null;
  me: boolean;
}

const AgentRow = memo(function AgentRow({ extension, name, state, since, pauseReason, callNumber, callName, me }: AgentRowProps): ReactElement {
  const { t } = useTranslation();
  return (
    <div
      className={me ? 'queue-row queue-agent-row is-me' : 'queue-row queue-agent-row'}
      role="row"
      data-testid="queue-agent"
      data-state={state}
      data-extension={extension}
      data-me={me ? 'true' : undefined}
    >
      <span role="cell" className="queue-agent-state" data-testid="queue-agent-state">
        <span className="queue-state-dot" aria-hidden="true" />
        <span className="truncate">{state === 'paused' && pauseReason ? t('queue.pausedWith', { reason: pauseReason }) : t(`queue.agentState.${state}`)}</span>
      </span>
      <span role="cell" className="truncate queue-agent-name">
        <Plain text={name || extension} />
        {me ? <span className="queue-me">{t('queue.me')}</span> : null}
      </span>
      <span role="cell" className="mono">
        {extension}
      </span>
      <span role="cell" className="queue-num mono" data-testid="queue-agent-time">
        {state === 'offline' ? <span className="muted">—</span> : <Since at={since} />}
      </span>
      <span role="cell" className="queue-agent-call" data-testid="queue-agent-call">
        {callNumber !== null ? (
          <>
            <span className="mono nowrap" dir="ltr">
              {formatPhoneNumber(callNumber)}
            </span>
            {callName ? (
              <span className="truncate muted">
                <Plain text={callName} />
              </span>
            ) : null}
          </>
        ) : null}
      </span>
    </div>
  );
});

// ---------- today's numbers ----------

function QueueStats({ view }: { view: QueueView }): ReactElement {
  const { t } = useTranslation();
  const blocks = useMemo(() => queueBlocks(view.board), [view.board]);
  return (
    <section className="queue-stats-list" aria-label={t('queue.stats.title')}>
      {blocks.length === 0 ? (
        <p className="muted">{t('queue.stats.none')}</p>
      ) : (
        blocks.map((block) => <StatsBlockOf key={block.id} block={block} slaSeconds={view.slaSeconds} />)
      )}
    </section>
  );
}

function StatsBlockOf({ block, slaSeconds }: { block: QueueBlock; slaSeconds: number }): ReactElement {
  const { figures } = block;
  return (
    <StatsBlock
      id={block.id}
      name={block.name}
      waiting={block.waiting}
      offered={figures.offered}
      answered={figures.answered}
      abandoned={figures.abandoned}
      avgWaitSec={figures.avgWaitSec}
      longestWaitSec={figures.longestWaitSec}
      avgTalkSec={figures.avgTalkSec}
      slaPercent={figures.slaPercent}
      slaSeconds={slaSeconds}
    />
  );
}

interface StatsBlockProps {
  id: string;
  name: string;
  waiting: number;
  offered: number;
  answered: number;
  abandoned: number;
  avgWaitSec: number | null;
  longestWaitSec: number;
  avgTalkSec: number | null;
  slaPercent: number | null;
  slaSeconds: number;
}

/** Share of `part` in `whole`, as a CSS width. */
const share = (part: number, whole: number) => `${whole > 0 ? Math.min(100, (100 * part) / whole) : 0}%`;
const seconds = (value: number | null) => (value === null ? '—' : formatDuration(value * 1000));

const StatsBlock = memo(function StatsBlock(props: StatsBlockProps): ReactElement {
  const { t, i18n } = useTranslation();
  const { id, name, waiting, offered, answered, abandoned, avgWaitSec, longestWaitSec, avgTalkSec, slaPercent, slaSeconds } = props;
  const percent = slaPercent === null ? '—' : `${numberFormat(i18n.language, { maximumFractionDigits: 0 }).format(slaPercent)} %`;
  const other = Math.max(0, offered - answered - abandoned);
  return (
    <article className="queue-stats" data-testid="queue-stats" data-queue={id} aria-label={name}>
      <header className="queue-stats-header">
        <h3 className="queue-stats-name truncate">
          <Plain text={name} />
        </h3>
        <span className="queue-stats-waiting" data-figure="waiting" data-value={waiting}>
          {t('queue.stats.waiting', { count: waiting })}
        </span>
      </header>
      <div className="queue-bar" aria-hidden="true" title={t('queue.stats.barTitle')}>
        <span className="queue-bar-part answered" style={{ width: share(answered, offered) }} />
        <span className="queue-bar-part abandoned" style={{ width: share(abandoned, offered) }} />
        <span className="queue-bar-part other" style={{ width: share(other, offered) }} />
      </div>
      <dl className="queue-figures">
        <Figure name="offered" label={t('queue.stats.offered')} value={String(offered)} raw={offered} />
        <Figure name="answered" label={t('queue.stats.answered')} value={String(answered)} raw={answered} />
        <Figure name="abandoned" label={t('queue.stats.abandoned')} value={String(abandoned)} raw={abandoned} />
        <Figure name="avgWait" label={t('queue.stats.avgWait')} value={seconds(avgWaitSec)} raw={avgWaitSec} />
        <Figure name="longestWait" label={t('queue.stats.longestWait')} value={seconds(longestWaitSec)} raw={longestWaitSec} />
        <Figure name="avgTalk" label={t('queue.stats.avgTalk')} value={seconds(avgTalkSec)} raw={avgTalkSec} />
      </dl>
      <div className="queue-sla" data-figure="sla" data-value={slaPercent === null ? '' : Math.round(slaPercent)}>
        <span className="queue-sla-label">{t('queue.stats.sla', { seconds: slaSeconds })}</span>
        <span className="queue-sla-bar" aria-hidden="true">
          <span className="queue-sla-fill" style={{ width: slaPercent === null ? 0 : `${slaPercent}%` }} />
        </span>
        <strong className="queue-sla-value mono">{percent}</strong>
      </div>
    </article>
  );
});

function Figure({ name, label, value, raw }: { name: string; label: string; value: string; raw: number | null }): ReactElement {
  return (
    <div className="queue-figure" data-figure={name} data-value={raw === null ? '' : raw}>
      <dt title={label}>{label}</dt>
      <dd className="mono">{value}</dd>
    </div>
  );
}
