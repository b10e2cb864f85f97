import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import type { PatientCard } from '../../src-shared/patients/patient-card';
import { DEFAULT_SETTINGS } from '../../src-shared/settings/settings-schema';
import { bridgeRequest } from './bridge';
import { writeConfig, type DeskHost } from './desk-host';
import { expect, openDesk } from './fixtures';

type Launch = (options?: { dataDir?: string; args?: string[] }) => Promise<DeskHost>;

/**
 * A desk on a real MIS connector (FHIR, 1C, a spreadsheet, a plugin) and the demo PBX in CTI
 * mode (`demo.simulate` pbx-ringing rings extension 101), provisioned by `--config` as IT would.
 */
export async function openMisDesk(page: Page, launch: Launch, mis: { id: string; config: Record<string, unknown> }, dataDir?: string): Promise<DeskHost> {
  const config = writeConfig({ language: 'ru', connectors: { mis } });
  const desk = await launch({ args: ['--config', config], ...(dataDir && { dataDir }) });
  await openDesk(page, desk.url);
  return desk;
}

/**
 * The same desk set up by its own Settings (saved in the data folder, not provisioned), so the
 * connector stays the user's to change: the settings file is written before the first start.
 */
export async function openSelfConfiguredDesk(page: Page, launch: Launch, mis: { id: string; config: Record<string, unknown> }, dataDir: string): Promise<DeskHost> {
  const settings = { ...DEFAULT_SETTINGS, language: 'ru', connectors: { ...DEFAULT_SETTINGS.connectors, mis } };
  writeFileSync(join(dataDir, 'settings.json'), JSON.stringify(settings, null, 2));
  const desk = await launch({ dataDir });
  await openDesk(page, desk.url);
  return desk;
}

export async function cachedCards(desk: DeskHost): Promise<number> {
  return ((await bridgeRequest(desk, 'cache.status', {})) as { cards: number }).cards;
}

/** The cache's answer to a search, as «Фамилия Имя Отчество» (what the cashier sees). */
export async function searchNames(desk: DeskHost, query: string): Promise<string[]> {
  const result = (await bridgeRequest(desk, 'patients.search', { query, limit: 50, offset: 0 })) as { items: PatientCard[] };
  return result.items.map(fullName);
}

export const fullName = (card: Pick<PatientCard, 'surname' | 'givenName' | 'patronymic'>): string => [card.surname, card.givenName, card.patronymic].filter(Boolean).join(' ');

export const ring = (desk: DeskHost, number: string) => bridgeRequest(desk, 'demo.simulate', { action: 'pbx-ringing', number, extension: '101' }) as Promise<{ callId: string }>;
export const pbxCall = (desk: DeskHost, action: 'pbx-answered' | 'pbx-ended', callId: string) => bridgeRequest(desk, 'demo.simulate', { action, callId });

/** A CTI call rings with `number`: the call bar names the patient from the cache; answered, ended and wrapped up with `note`. */
export async function takeCallWithNote(page: Page, desk: DeskHost, number: string, name: string, note: string): Promise<string> {
  // From the Patients pane the ring shows in the call bar (the Phone pane shows the full pop instead).
  await page.getByTestId('nav-patients').click();
  const { callId } = await ring(desk, number);
  const item = page.locator(`[data-testid="call-bar-item"][data-call-id="${callId}"]`);
  await expect(item.getByTestId('call-bar-name')).toHaveText(name);
  await pbxCall(desk, 'pbx-answered', callId);
  await expect(item).toHaveAttribute('data-kind', 'line');
  await pbxCall(desk, 'pbx-ended', callId);
  await expect(item).toHaveAttribute('data-kind', 'wrap-up');
  await item.getByTestId('call-bar-wrap-up').click();
  await expect(page.getByTestId('wrap-up')).toHaveAttribute('data-call-id', callId);
  await page.getByTestId('wrap-up-category').selectOption({ index: 1 });
  await page.getByTestId('wrap-up-outcome').selectOption('booked');
  await page.getByTestId('wrap-up-note').fill(note);
  await page.getByTestId('wrap-up-save').click();
  await expect(page.getByTestId('wrap-up')).toHaveCount(0);
  return callId;
}

/** The desk's log lines (JSON) with `event`, read from its data folder. */
export function logLines(desk: DeskHost, event: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(join(desk.dataDir, 'logs', 'desk.log'), 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.includes(`"${event}"`))
    .map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    });
}
