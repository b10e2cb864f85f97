import { PatientCardSchema, type PatientCard } from '../../../src-shared/patients/patient-card';
import { SCREEN_POP_MATCH_LIMIT } from '../../../src-shared/screen-pop/screen-pop-contract';
import type { MisConnector } from '../connectors/mis/mis-connector';
import { normalizePhone } from '../patients/phone-normalisation';

/** What the pop needs from the cache: one indexed lookup by E.164. */
export interface PopCache {
  byE164(e164: string): PatientCard[];
}

/** What the pop needs from its memory: the last choice for a number. */
export interface PopMemory {
  chosen(numberKey: string): string | null;
}

export interface PopMatches {
  numberKey: string | null;
  matches: PatientCard[];
  chosenMisId: string | null;
}

/**
 * The screen pop's hot path, shared by `screenPop.lookup` and the bench: normalise the raw
 * caller id once, one cache lookup by E.164, one probe of the choice table. Never throws for
 * a hostile caller id (it is simply not a number).
 */
export function lookupCached(raw: string, cache: PopCache, memory: PopMemory | null): PopMatches {
  const phone = normalizePhone(raw);
  if (!phone) return { numberKey: null, matches: [], chosenMisId: null };
  const cards = cache.byE164(phone.e164);
  return withChoice(phone.e164, cards, cards.length > 0 ? (memory?.chosen(phone.e164) ?? null) : null);
}

/**
 * The same question asked of the MIS online (`findByPhone`), what the pop would cost without
 * the cache. Everything a connector returns is validated; invalid cards are left out.
 *
 * @throws whatever the connector throws (MisError when the MIS is down).
 */
export async function lookupOnline(raw: string, connector: Pick<MisConnector, 'findByPhone'>, memory: PopMemory | null): Promise<PopMatches> {
  const phone = normalizePhone(raw);
  if (!phone) return { numberKey: null, matches: [], chosenMisId: null };
  const cards = validCards(await connector.findByPhone(phone.e164));
  return withChoice(phone.e164, cards, cards.length > 0 ? (memory?.chosen(phone.e164) ?? null) : null);
}

/** The connector's raw answer, each card checked by `PatientCardSchema`; the invalid ones dropped. */
export function validCards(raw: unknown): PatientCard[] {
  if (!Array.isArray(raw)) return [];
  const cards: PatientCard[] = [];
  for (const item of raw) {
    const parsed = PatientCardSchema.safeParse(item);
    if (parsed.success) cards.push(parsed.data);
  }
  return cards;
}

/** The remembered choice first (when it is among the cards), then the cache's order; at most 20. */
export function withChoice(numberKey: string, cards: readonly PatientCard[], chosen: string | null): PopMatches {
  const index = chosen === null ? -1 : cards.findIndex((card) => card.misId === chosen);
  const ordered = index <= 0 ? [...cards] : [cards[index]!, ...cards.slice(0, index), ...cards.slice(index + 1)];
  return { numberKey, matches: ordered.slice(0, SCREEN_POP_MATCH_LIMIT), chosenMisId: index >= 0 ? chosen : null };
}
