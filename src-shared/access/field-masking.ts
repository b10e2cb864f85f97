/**
 * The field-visibility matrix applied to what leaves the core (docs/architecture.md, "Privacy
 * and security"): a card without the fields a role may not see, and a phone number with its
 * middle digits starred for the supervisor's board. Pure: main's output masking
 * (src-main/core/access/output-masking.ts) is the only caller that sends the result anywhere;
 * the renderer only draws what it was given.
 */
import type { PatientCard, PatientFlags, VisiblePatientCard, VisiblePatientFlags } from '../patients/patient-card';
import { formatPhoneNumber } from '../phone/display-number';
import { MASKABLE_FIELDS, type FieldVisibility, type MaskableField, type Role } from './access-model';

/**
 * Which maskable field covers each key of a card: `always` keys are never hidden (they tell
 * two patients apart), `flags` is split by {@link FLAG_FIELD_GROUPS}. Typed over every key,
 * so a new card field does not compile until someone decides who may see it.
 */
export const CARD_FIELD_GROUPS: { readonly [K in keyof PatientCard]-?: MaskableField | 'always' | 'flags' } = {
  misId: 'always',
  version: 'always',
  surname: 'always',
  givenName: 'always',
  patronymic: 'always',
  birthDate: 'always',
  sex: 'always',
  phones: 'phones',
  email: 'email',
  address: 'address',
  omsPolicy: 'omsPolicy',
  dms: 'dms',
  snils: 'snils',
  flags: 'flags',
  lastVisit: 'lastVisit',
  appointments: 'appointments',
};

/** Which maskable field covers each of the card's flags (the "contact preferences" are four of them). */
export const FLAG_FIELD_GROUPS: { readonly [K in keyof PatientFlags]-?: MaskableField } = {
  allergies: 'allergies',
  vip: 'contactPreferences',
  preferredChannel: 'contactPreferences',
  consentSms: 'contactPreferences',
  consentCalls: 'contactPreferences',
};

/**
 * The fields `role` does not receive: the matrix's list for a patient role; every maskable
 * field for `admin` (which is refused patient data before it gets here — this is the second lock).
 */
export function hiddenFieldsFor(role: Role, matrix: FieldVisibility): ReadonlySet<MaskableField> {
  if (role === 'admin') return new Set(MASKABLE_FIELDS);
  return new Set(matrix[role]);
}

/**
 * `card` without the fields in `hidden`: a new object whose hidden keys are absent (not null,
 * not empty), so they are absent from the JSON too. The card itself is not changed; a card
 * already masked can be masked again. Built by copying what may be seen, key by key (an
 * allow-list), so a key this module does not know never leaves.
 */
export function visibleCard(card: VisiblePatientCard, hidden: ReadonlySet<MaskableField>): VisiblePatientCard {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(CARD_FIELD_GROUPS) as (keyof PatientCard)[]) {
    const group = CARD_FIELD_GROUPS[key];
    if (group === 'flags') out.flags = visibleFlags(card.flags, hidden);
    else if (group === 'always' || !hidden.has(group)) {
      if (Object.hasOwn(card, key)) out[key] = card[key];
    }
  }
  return out as VisiblePatientCard;
}

function visibleFlags(flags: VisiblePatientFlags, hidden: ReadonlySet<MaskableField>): VisiblePatientFlags {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(FLAG_FIELD_GROUPS) as (keyof PatientFlags)[]) {
    if (!hidden.has(FLAG_FIELD_GROUPS[key]) && Object.hasOwn(flags, key)) out[key] = flags[key];
  }
  return out as VisiblePatientFlags;
}

/**
 * A phone number with what identifies its owner starred, for screens a passer-by can read
 * (the supervisor's board): a +7 number in any form the desk writes as `+7 (916) 123-45-67`
 * (`+79161234567`, `89161234567`, `9161234567`, `8 (916) 123-45-67`: `formatPhoneNumber`'s
 * rule) keeps its country code, its operator or area code and its last two digits —
 * `+7 916 ***-**-67`; any other number keeps its leading `+` and its last two letters or
 * digits, the rest starred (`+4930123456` → `+********56`, `1001` → `**01`). The empty string
 * stays empty. Never throws; the result holds only `+`, digits, letters, `*`, `-` and spaces.
 */
export function maskPhone(raw: string): string {
  const russian = /^\+7 \((\d{3})\) \d{3}-\d{2}-(\d{2})$/.exec(formatPhoneNumber(raw));
  if (russian) return `+7 ${russian[1]} ***-**-${russian[2]}`;
  const text = raw.trim();
  const plus = text.startsWith('+') ? '+' : '';
  const chars = Array.from(text).filter((char) => /^[0-9A-Za-z]$/.test(char));
  return `${plus}${'*'.repeat(Math.max(0, chars.length - 2))}${chars.slice(-2).join('')}`;
}
