import { syntheticPatient } from '../../src-main/core/demo/synthetic-patients';
import type { PatientCard } from '../../src-shared/patients/patient-card';
import { CLINIC } from './screen-pop';
import type { TrunkInvite } from './sipp';

// The caller-id forms real trunks and SBCs deliver (issue 10, item 6): RFC 3261 lets `From` and
// `P-Asserted-Identity` carry any URI — sip:, sips:, tel: (RFC 3966, with or without visual
// separators) — and a number in national or international form; an anonymous From may carry the
// number only in P-Asserted-Identity (RFC 3325 §9.1). Each entry is sent by SIPp, as a trunk would.

/** The trunk's host in URIs: a name under the reserved `.test`. */
const TRUNK = 'trunk.registratura.test';

export interface CorpusEntry {
  label: string;
  invite: TrunkInvite;
  /** The card the pop must show, or the new-patient draft with this national number in it. */
  expect: { card: PatientCard } | { draftNational10: string };
  /** What the ringing panel must never show (text the caller supplied in the name). */
  hostileName?: boolean;
}

/** A number of the seeded clinic that belongs to exactly one card, of the given kind. */
function uniqueNumber(kind: 'mobile' | 'home'): { national10: string; card: PatientCard } {
  const byNumber = new Map<string, PatientCard[]>();
  for (let i = 0; i < CLINIC.patients; i++) {
    const card = syntheticPatient(i, 1);
    for (const phone of card.phones) {
      const list = byNumber.get(phone.national10) ?? [];
      if (!list.includes(card)) list.push(card);
      byNumber.set(phone.national10, list);
    }
  }
  for (const [national10, cards] of byNumber) {
    if (cards.length === 1 && cards[0]!.phones.some((p) => p.national10 === national10 && p.kind === kind && p.e164 === `+7${national10}`)) {
      return { national10, card: cards[0]! };
    }
  }
  throw new Error(`the seeded clinic has no unique ${kind} number`);
}

/** `9161234567` → `916-123-45-67` (RFC 3966 visual separators). */
const dashed = (n10: string) => `${n10.slice(0, 3)}-${n10.slice(3, 6)}-${n10.slice(6, 8)}-${n10.slice(8)}`;

/** A national number nobody in the seeded clinic has (the new-patient draft). */
export const UNKNOWN_NATIONAL10 = '9990000001';

export function callerIdCorpus(): CorpusEntry[] {
  const mobile = uniqueNumber('mobile');
  const home = uniqueNumber('home');
  const m = mobile.national10;
  const card = { card: mobile.card };
  const anonymous = '"Anonymous" <sip:anonymous@anonymous.invalid>';
  return [
    { label: 'sip: national 8…', invite: { from: `<sip:8${m}@${TRUNK}>` }, expect: card },
    { label: 'sip: 7… without +', invite: { from: `<sip:7${m}@${TRUNK}>` }, expect: card },
    { label: 'sip: ten digits', invite: { from: `"Caller" <sip:${m}@${TRUNK}>` }, expect: card },
    { label: 'sip: +7 with user=phone', invite: { from: `<sip:+7${m}@${TRUNK};user=phone>` }, expect: card },
    { label: 'sips: +7', invite: { from: `<sips:+7${m}@${TRUNK}>` }, expect: card },
    { label: 'sip: landline 8 (495…) with separators in the user part', invite: { from: `<sip:8-${dashed(home.national10)}@${TRUNK};user=phone>` }, expect: { card: home.card } },
    { label: 'tel: +7 with separators', invite: { from: `<tel:+7-${dashed(m)}>` }, expect: card },
    { label: 'tel: +7 without separators, no angle brackets', invite: { from: `tel:+7${m}` }, expect: card },
    { label: 'tel: +7 with ( ) and .', invite: { from: `"Caller" <tel:+7(${m.slice(0, 3)})${m.slice(3, 6)}.${m.slice(6, 8)}.${m.slice(8)}>` }, expect: card },
    { label: 'tel: national 8… with phone-context', invite: { from: `<tel:8${m};phone-context=+7>` }, expect: card },
    {
      label: 'anonymous From, P-Asserted-Identity sip:',
      invite: { from: anonymous, assertedIdentity: [`<sip:+7${m}@${TRUNK};user=phone>`], extraHeaders: ['Privacy: id'] },
      expect: card,
    },
    { label: 'anonymous From, P-Asserted-Identity tel:', invite: { from: anonymous, assertedIdentity: [`<tel:+7-${dashed(m)}>`], extraHeaders: ['Privacy: id'] }, expect: card },
    {
      label: 'anonymous From (no name), P-Asserted-Identity sip: and tel: in one header',
      invite: { from: '<sip:anonymous@anonymous.invalid>', assertedIdentity: [`"Caller" <sip:8${m}@${TRUNK}>, <tel:+7${m}>`] },
      expect: card,
    },
    {
      label: 'hostile display name (bidi override, quotes, markup)',
      invite: { from: `"\u202eИванова\u202c \\"Мама\\" <img src=x onerror=alert(1)>" <tel:+7${m}>` },
      expect: card,
      hostileName: true,
    },
    { label: 'unquoted UTF-8 display name', invite: { from: `Иванова Мария <sip:8${m}@${TRUNK}>` }, expect: card },
    { label: '10 KB display name', invite: { from: `"${'Я'.repeat(5_000)}" <tel:+7-${dashed(m)}>` }, expect: card, hostileName: true },
    { label: 'unknown number, tel:', invite: { from: `<tel:+7-${dashed(UNKNOWN_NATIONAL10)}>` }, expect: { draftNational10: UNKNOWN_NATIONAL10 } },
    { label: 'unknown number, sip: 8…', invite: { from: `<sip:8${UNKNOWN_NATIONAL10}@${TRUNK}>` }, expect: { draftNational10: UNKNOWN_NATIONAL10 } },
  ];
}

/** Every digit string of the corpus that is patient data: none may reach the console. */
export function corpusNumbers(): string[] {
  return [uniqueNumber('mobile').national10, uniqueNumber('home').national10, UNKNOWN_NATIONAL10];
}
