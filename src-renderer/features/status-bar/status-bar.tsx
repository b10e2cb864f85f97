import type { ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import { useAppStore } from '../../app/app-store';
import { formatClockTime } from '../../ui/format-time';
import { OutboxStatus } from '../outbox';
import { PlugOffIcon } from '../../ui/icons';
import { AgentStatus } from './agent-status';

type Tone = 'ok' | 'busy' | 'warn' | 'bad' | 'off';

/** Details shown as the state's own text (`status.stateFor.*`). */
const STATE_TEXT_DETAILS = new Set(['cacheRebuilding', 'cacheRebuildingMisUnreachable']);
type System = 'sip' | 'pbx' | 'mis' | 'sync';

/** Colour of the dot per system and state; "off" is grey, not red: nothing is broken. */
export function toneOf(system: System, state: string): Tone {
  switch (state) {
    case 'registered':
    case 'online':
    case 'idle':
      return 'ok';
    case 'connecting':
    case 'registering':
    case 'reconnecting':
    case 'syncing':
      return 'busy';
    case 'degraded':
      return 'warn';
    case 'failed':
    case 'error':
      return 'bad';
    case 'offline':
      // A softphone that is not set up is simply off; a connector that lost its system is a fault.
      return system === 'sip' ? 'off' : 'bad';
    default:
      return 'off';
  }
}

interface IndicatorProps {
  system: System;
  state: string;
  since: string | null;
  detail: string | null;
}

function Indicator({ system, state, since, detail }: IndicatorProps): ReactElement {
  const { t, i18n } = useTranslation();
  const name = t(`status.systems.${system}`);
  // A few details change what the state means enough to say so in the bar itself (a cache
  // being rebuilt is not an ordinary sync); the others are in the tooltip.
  const stateText = detail && STATE_TEXT_DETAILS.has(detail) ? t(`status.stateFor.${detail}`) : t(`status.state.${state}`, { defaultValue: state });
  const time = since ? formatClockTime(since, i18n.language) : '—';
  const detailText = detail ? t(`status.detail.${detail}`, { defaultValue: t('status.detail.unknown', { key: detail }) }) : '';
  const summary = t('status.tooltip', { system: name, state: stateText, time });
  const tooltip = detailText ? `${summary}\n${detailText}` : summary;
  return (
    <li
      className="status-indicator"
      data-testid={`status-${system}`}
      data-state={state}
      data-tone={toneOf(system, state)}
      title={tooltip}
      aria-label={detailText ? `${summary}. ${detailText}` : summary}
    >
      <span className="status-dot" aria-hidden="true" />
      <span className="status-name">{name}</span>
      <span className="status-state">{stateText}</span>
      <time className="status-time" dateTime={since ?? undefined}>
        {time}
      </time>
    </li>
  );
}

/** The bridge to the desk service is gone (the browser host stopped or restarted). */
export function isBridgeLost(bridge: string): boolean {
  return bridge === 'reconnecting' || bridge === 'closed';
}

/**
 * Bottom bar: the true state of SIP, PBX, MIS and sync, the "not delivered" badge when writes
 * to the MIS are stuck, and a warning when the bridge is down. With the bridge gone nothing
 * here is known any more, so every indicator turns grey "unknown" instead of showing the last
 * state it heard. (A ringing call shows in the call bar at the top of the pane: phone/call-bar.tsx.)
 */
export function StatusBar(): ReactElement {
  const { t } = useTranslation();
  const core = useAppStore((state) => state.coreStatus);
  const sip = useAppStore((state) => state.sip);
  const bridge = useAppStore((state) => state.bridge);
  const waiting = { state: 'unknown', since: null, detail: 'waiting' } as const;
  const lost = isBridgeLost(bridge) ? ({ state: 'unknown', since: null, detail: 'hostStopped' } as const) : null;
  return (
    <footer className="status-bar" aria-label={t('status.label')}>
      <AgentStatus />
      <ul className="status-list">
        <Indicator system="sip" {...(lost ?? sip)} />
        <Indicator system="pbx" {...(lost ?? core?.pbx ?? waiting)} />
        <Indicator system="mis" {...(lost ?? core?.mis ?? waiting)} />
        <Indicator system="sync" {...(lost ?? core?.sync ?? waiting)} />
      </ul>
      <OutboxStatus />
      <div className="status-bridge-slot" role="status">
        {bridge === 'open' ? null : (
          <span className="status-bridge" data-testid="status-bridge" data-state={bridge}>
            <PlugOffIcon width={14} height={14} />
            {t(`status.bridge.${bridge}`)}
          </span>
        )}
      </div>
    </footer>
  );
}
