import { useEffect, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import type { AgentStatusRequest } from '../../../src-shared/pbx/pbx-contract';
import type { AgentState } from '../../../src-shared/pbx/pbx-model';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { WarningIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import { useClock } from '../../ui/use-clock';
import { formatDuration } from '../phone';
import { ownAgentOf, useQueueStore } from '../queue';

/** What the bar shows: the board's state of this desk's agent, `unknown` while the board is not live. */
export type AgentStatusShown = AgentState | 'unknown';

/** States whose time is worth counting in the bar (after-call work above all: it has a limit). */
const TIMED: ReadonlySet<AgentStatusShown> = new Set(['paused', 'wrap-up', 'talking']);

/** The board now says what was asked: ready (free or already working a call), or paused with that reason. */
export function boardAgrees(request: AgentStatusRequest, state: AgentStatusShown, pauseReason: string | null): boolean {
  if (request.state === 'ready') return state === 'ready' || state === 'ringing' || state === 'talking';
  return state === 'paused' && (pauseReason === null || pauseReason === request.reason);
}

/**
 * This desk's agent on the PBX, in the status bar: ready, paused with its reason, after-call work
 * with its timer, talking, ringing, offline. Its menu asks the PBX for «Ready» or «Pause: reason»
 * (`agent.setStatus`); the shown state never changes on the click, only when the board says so
 * (a pending mark until then); a refusal is said beside it. Not shown to a cashier.
 */
export function AgentStatus(): ReactElement | null {
  const role = useAppStore((state) => state.settingsView?.settings.role);
  if (!role || role === 'cashier') return null;
  return <AgentStatusControl />;
}

function AgentStatusControl(): ReactElement {
  const { t } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const bridge = useAppStore((state) => state.bridge);
  const reasons = useAppStore((state) => state.settingsView?.settings.agentStatus.pauseReasons);
  // Plain values of this desk's agent only: the bar re-renders when its agent changes, not on every board event.
  const live = useQueueStore((state) => state.view?.live ?? false);
  const configured = useQueueStore((state) => state.view !== null && state.view.agentExtension !== null);
  const agentState = useQueueStore((state) => ownAgentOf(state.view)?.state ?? null);
  const since = useQueueStore((state) => ownAgentOf(state.view)?.since ?? null);
  const pauseReason = useQueueStore((state) => ownAgentOf(state.view)?.pauseReason ?? null);
  const [open, setOpen] = useState(false);
  const [pending, setPending] = useState<AgentStatusRequest | null>(null);
  const [error, setError] = useState<DeskErrorPayload | null>(null);
  const root = useRef<HTMLDivElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);

  const lost = bridge === 'reconnecting' || bridge === 'closed';
  const shown: AgentStatusShown = lost || !live ? 'unknown' : (agentState ?? 'offline');
  // The board caught up with the request: the pending mark goes (adjusting state during render).
  if (pending && boardAgrees(pending, shown, pauseReason)) setPending(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: MouseEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onPointer);
    root.current?.querySelector<HTMLElement>('[role="menuitemradio"]')?.focus();
    return () => document.removeEventListener('mousedown', onPointer);
  }, [open]);

  const choose = (request: AgentStatusRequest) => {
    setOpen(false);
    setError(null);
    setPending(request);
    toggle.current?.focus();
    desk.request('agent.setStatus', request).then(
      () => undefined,
      (failure: unknown) => {
        setPending((current) => (current === request ? null : current));
        setError(toDeskError(failure).toPayload());
      },
    );
  };

  const onMenuKey = (event: KeyboardEvent<HTMLUListElement>) => {
    const items = [...event.currentTarget.querySelectorAll<HTMLElement>('[role="menuitemradio"]')];
    const at = items.indexOf(document.activeElement as HTMLElement);
    const to = event.key === 'ArrowDown' ? at + 1 : event.key === 'ArrowUp' ? at - 1 : event.key === 'Home' ? 0 : event.key === 'End' ? items.length - 1 : null;
    if (event.key === 'Escape') {
      event.preventDefault();
      setOpen(false);
      toggle.current?.focus();
    } else if (to !== null && items.length > 0) {
      event.preventDefault();
      items[(to + items.length) % items.length]?.focus();
    }
  };

  const label = shown === 'paused' && pauseReason ? t('queue.pausedWith', { reason: pauseReason }) : t(`agentStatus.state.${shown}`);
  const pendingLabel = pending ? (pending.state === 'ready' ? t('agentStatus.ready') : t('queue.pausedWith', { reason: pending.reason })) : null;
  const title = live && !configured ? t('agentStatus.noExtension') : t('agentStatus.title', { state: label });
  return (
    <div className="agent-status" ref={root} data-testid="agent-status" data-state={shown} data-pending={pending ? pending.state : undefined}>
      <button
        ref={toggle}
        type="button"
        className="agent-status-toggle"
        data-testid="agent-status-menu"
        aria-haspopup="menu"
        aria-expanded={open}
        title={title}
        disabled={lost}
        onClick={() => {
          setError(null);
          setOpen((value) => !value);
        }}
      >
        <span className="agent-status-dot" aria-hidden="true" />
        <span className="agent-status-label" data-testid="agent-status-label">
          {shown === 'paused' && pauseReason ? (
            <>
              {t('agentStatus.paused')}: <Plain text={pauseReason} />
            </>
          ) : (
            label
          )}
        </span>
        {since !== null && TIMED.has(shown) ? <StateTimer since={since} /> : null}
        {pendingLabel ? (
          <span className="agent-status-pending" data-testid="agent-status-pending" title={t('agentStatus.pendingTitle')}>
            → <Plain text={pendingLabel} />…
          </span>
        ) : null}
      </button>
      {open ? (
        <ul className="agent-status-menu" role="menu" aria-label={t('agentStatus.menu')} data-testid="agent-status-options" onKeyDown={onMenuKey}>
          <li role="none">
            <button type="button" role="menuitemradio" aria-checked={shown === 'ready'} className="agent-status-item" data-state="ready" data-testid="agent-status-ready" onClick={() => choose({ state: 'ready' })}>
              <span className="agent-status-dot" aria-hidden="true" />
              {t('agentStatus.ready')}
            </button>
          </li>
          {(reasons ?? []).map((reason) => (
            <li role="none" key={reason}>
              <button
                type="button"
                role="menuitemradio"
                aria-checked={shown === 'paused' && pauseReason === reason}
                className="agent-status-item"
                data-state="paused"
                data-testid="agent-status-pause"
                data-reason={reason}
                onClick={() => choose({ state: 'paused', reason })}
              >
                <span className="agent-status-dot" aria-hidden="true" />
                <span>
                  {t('agentStatus.paused')}: <Plain text={reason} />
                </span>
              </button>
            </li>
          ))}
        </ul>
      ) : null}
      {error ? (
        <span className="agent-status-error" role="alert" data-testid="agent-status-error" data-code={error.code} title={errorText(error)}>
          <WarningIcon width={14} height={14} />
          {/* A refusal carries the PBX's own words ("Interface not found"): they say why. */}
          {error.code === 'PBX_REFUSED' ? t('errors.pbxRefusedBecause', { reason: error.message }) : t('agentStatus.refused', { reason: errorText(error) })}
        </span>
      ) : null}
    </div>
  );
}

/** A state's elapsed time, counting on the shared clock. */
function StateTimer({ since }: { since: number }): ReactElement {
  const now = useClock();
  return (
    <time className="agent-status-time mono" data-testid="agent-status-time">
      {formatDuration(now - since)}
    </time>
  );
}
