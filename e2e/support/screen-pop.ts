import type { Page } from '@playwright/test';
import { syntheticPatient } from '../../src-main/core/demo/synthetic-patients';
import type { PatientCard } from '../../src-shared/patients/patient-card';
import { bridgeRequest } from './bridge';
import type { DeskHost } from './desk-host';
import { openRegisteredDesk } from './desk-phone';
import type { PatientPhoneHandle } from './patient-phone';
import { expect } from './sip';

// Helpers for the screen-pop specs: the patient phone calls with a P-Asserted-Identity that
// carries a clinic patient's number (as a PBX trunk would).

/** A seeded, still demo clinic: the test knows which numbers belong to whom without asking the desk. */
export const CLINIC = { patients: 1000, evolveIntervalMs: 0 };

/** Numbers of the seeded clinic: one that belongs to exactly one card, one a family shares. */
export function clinicNumbers(): { unique: { e164: string; card: PatientCard }; shared: { e164: string; cards: PatientCard[] } } {
  const byNumber = new Map<string, PatientCard[]>();
  for (let i = 0; i < CLINIC.patients; i++) {
    const card = syntheticPatient(i, 1);
    for (const phone of card.phones) {
      const list = byNumber.get(phone.e164) ?? [];
      if (!list.includes(card)) list.push(card);
      byNumber.set(phone.e164, list);
    }
  }
  const uniqueEntry = [...byNumber.entries()].find(([, cards]) => cards.length === 1 && cards[0]!.phones[0]!.kind === 'mobile')!;
  const sharedEntry = [...byNumber.entries()].find(([, cards]) => cards.length >= 2)!;
  return { unique: { e164: uniqueEntry[0], card: uniqueEntry[1][0]! }, shared: { e164: sharedEntry[0], cards: sharedEntry[1] } };
}

export const fullName = (card: PatientCard) => [card.surname, card.givenName, card.patronymic].filter(Boolean).join(' ');

export async function callAs(patient: PatientPhoneHandle, deskUser: string, e164: string): Promise<void> {
  await patient.page.evaluate(
    ({ target, pai }) => window.patientPhone.call(target, { extraHeaders: [`P-Asserted-Identity: <sip:${pai}@registratura.test>`] }),
    { target: deskUser, pai: e164 },
  );
}

export async function openSyncedDesk(page: Page, host: DeskHost): Promise<void> {
  await openRegisteredDesk(page, host);
  await expect(page.getByTestId('status-sync')).toHaveAttribute('data-state', 'idle', { timeout: 60_000 });
}

/** The renderer's own measure of INVITE received → card painted, for the call on screen. */
export async function popMs(page: Page, callId: string): Promise<number> {
  return await page.evaluate((id) => performance.getEntriesByName(`screen-pop:${id}`, 'measure').at(-1)?.duration ?? Number.NaN, callId);
}

export async function setMisOffline(host: DeskHost, offline: boolean): Promise<void> {
  await bridgeRequest(host, 'demo.simulate', { action: 'set-offline', offline });
}

