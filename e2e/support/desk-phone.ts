import type { Locator, Page } from '@playwright/test';
import { bridgeRequest } from './bridge';
import type { DeskHost } from './desk-host';
import { writeConfig } from './desk-host';
import { expect, openDesk } from './fixtures';
import type { SipInfra } from './sip';

// Helpers for driving the real desk's softphone (the Phone pane) in e2e specs. The desk is
// provisioned with `--config` as the Kamailio user 1001, the way IT rolls out a desk.

export interface DeskSipOptions {
  password?: string;
  dtmfMode?: 'rfc4733' | 'info';
  autoAnswerIntercom?: boolean;
  /** The demo clinic's MIS settings (size, latency, whether it keeps changing cards). */
  clinic?: { patients: number; latencyMs?: number; evolveIntervalMs?: number };
  /** The UI language (English unless a spec reads the Russian desk). */
  language?: 'ru' | 'en';
}

export function deskSipConfig(sip: Pick<SipInfra, 'wsUrl' | 'domain' | 'users'>, options: DeskSipOptions = {}): string {
  const user = sip.users.desk.user;
  return writeConfig({
    language: options.language ?? 'en',
    sip: {
      server: sip.wsUrl,
      uri: `sip:${user}@${sip.domain}`,
      authUser: user,
      password: options.password ?? sip.users.desk.password,
      displayName: 'Reception 1',
      iceServers: [],
      iceGatheringTimeoutMs: 500,
      ...(options.dtmfMode ? { dtmfMode: options.dtmfMode } : {}),
      ...(options.autoAnswerIntercom !== undefined ? { autoAnswerIntercom: options.autoAnswerIntercom } : {}),
    },
    ...(options.clinic ? { connectors: { mis: { id: 'demo', config: options.clinic } } } : {}),
  });
}

/**
 * Host arguments for a softphone spec: the provisioned account and a small demo clinic (1,000
 * cards), so the first sync of the default 20,000 does not compete for the two cores with the
 * calls being measured (the cache has its own specs).
 */
export function deskSipArgs(sip: Pick<SipInfra, 'wsUrl' | 'domain' | 'users'>, options: DeskSipOptions = {}): string[] {
  return ['--config', deskSipConfig(sip, options), '--demo-patients', String(options.clinic?.patients ?? 1000)];
}

/** Opens the provisioned desk and waits until its softphone is registered. */
export async function openRegisteredDesk(page: Page, host: DeskHost): Promise<void> {
  await openDesk(page, host.url);
  await expect(page.getByTestId('status-sip')).toHaveAttribute('data-state', 'registered');
}

/** The desk's media figures for one call line, as its `call-media` readout shows them. */
export interface DeskMedia {
  packetsReceived: number;
  packetsSent: number;
  audioEnergy: number;
}

export async function deskMedia(line: Locator): Promise<DeskMedia> {
  const media = line.getByTestId('call-media');
  const read = async (name: string) => Number((await media.getAttribute(name)) ?? Number.NaN);
  return {
    packetsReceived: await read('data-packets-received'),
    packetsSent: await read('data-packets-sent'),
    audioEnergy: await read('data-audio-energy'),
  };
}

/** Inbound RTP on the desk keeps arriving: packetsReceived rises by more than 10. */
export async function expectDeskPacketsRising(line: Locator, label: string): Promise<void> {
  const first = (await deskMedia(line)).packetsReceived;
  await expect
    .poll(async () => (await deskMedia(line)).packetsReceived, { message: `${label}: desk inbound RTP rising`, timeout: 8_000 })
    .toBeGreaterThan((Number.isNaN(first) ? 0 : first) + 10);
}

/** Inbound RTP on the desk has stopped: two readouts 1.2 s apart (the readout refreshes each second) are equal. */
export async function expectDeskPacketsStopped(line: Locator, label: string): Promise<void> {
  let previous: number | null = null;
  await expect
    .poll(
      async () => {
        const now = (await deskMedia(line)).packetsReceived;
        const delta = previous === null ? Number.NaN : now - previous;
        previous = now;
        return delta;
      },
      { message: `${label}: desk inbound RTP stopped`, timeout: 10_000, intervals: [1_200] },
    )
    .toBe(0);
}

/** One row of the call journal, as `calls.recent` returns it. */
export interface JournalRow {
  id: string;
  direction: 'incoming' | 'outgoing';
  number: string;
  outcome: string;
  answeredAt: string | null;
}

export async function journal(host: DeskHost): Promise<JournalRow[]> {
  const result = (await bridgeRequest(host, 'calls.recent', { limit: 50 })) as { items: JournalRow[] };
  return result.items;
}
