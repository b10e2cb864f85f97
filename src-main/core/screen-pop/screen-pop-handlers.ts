import type { PatientCard } from '../../../src-shared/patients/patient-card';
import type { AuditActor } from '../access/session-service';
import { DeskError } from '../../../src-shared/ipc/errors';
import { SCREEN_POP_MATCH_LIMIT, SCREEN_POP_WARM_UP_CALL_ID } from '../../../src-shared/screen-pop/screen-pop-contract';
import type { TransferContext } from '../../../src-shared/supervisor/supervisor-model';
import type { JournalService } from '../journal/journal-service';
import type { MisLinkService } from '../sync/mis-link-service';
import type { CallNumbers } from './call-numbers';
import type { PatientCacheService } from '../cache/patient-cache-service';
import { isMisError } from '../connectors/mis/mis-connector';
import type { EventBus } from '../events/event-bus';
import type { HandlerTable } from '../ipc/dispatcher';
import type { Logger } from '../log/logger';
import { normalizePhone } from '../patients/phone-normalisation';
import { lookupCached, validCards, withChoice, type PopMatches } from './screen-pop-lookup';

export interface ScreenPopHandlerOptions {
  cache: PatientCacheService;
  journal: JournalService;
  link: MisLinkService;
  callNumbers: CallNumbers;
  /** Who the audit log names: the signed-in person and their role. */
  auditActor: () => AuditActor;
  events: EventBus;
  logger: Logger;
  now?: () => number;
  /** How long `screenPop.refresh` waits for the MIS before answering `unreachable`. */
  refreshTimeoutMs?: number;
  /** A supervisor's transfer context sent to this desk's agent for the caller's number, or null. */
  transferFor?: (number: string) => TransferContext | null;
}

const REFRESH_TIMEOUT_MS = 5_000;

/**
 * The screen pop's requests: the caller's cached cards while it rings, the card on
 * screen (audited with the call), the MIS's refresh. Numbers and names are patient data: the
 * log gets call ids, counts, codes and timings only.
 */
export function createScreenPopHandlers(options: ScreenPopHandlerOptions): Pick<HandlerTable, 'screenPop.lookup' | 'screenPop.show' | 'screenPop.refresh'> {
  const { cache, journal, link, callNumbers, events, logger } = options;
  const now = options.now ?? Date.now;

  return {
    'screenPop.lookup': ({ callId, number, source }) => {
      const started = performance.now();
      // A real ring (not a warm-up): the cache's background check gives way to it.
      const ring = !callId.startsWith(SCREEN_POP_WARM_UP_CALL_ID);
      if (ring) cache.callRinging();
      const repository = cache.require();
      const looked = lookupCached(number, repository, journal.stores?.popChoices ?? null);
      // A supervisor sent this caller here with the card they had: that card first, and chosen.
      const transfer = ring ? (options.transferFor?.(number) ?? null) : null;
      const found = transfer?.misId ? withTransferCard(looked, transfer.misId, (misId) => repository.getCard(misId)) : looked;
      if (found.numberKey !== null) callNumbers.remember(callId, found.numberKey);
      const lookupMs = performance.now() - started;
      const dataAsOf = cache.dataAsOf();
      logger.debug('screen-pop.lookup', { callId, source, matches: found.matches.length, chosen: found.chosenMisId !== null, transfer: transfer !== null, ms: Math.round(lookupMs * 1000) / 1000 });
      // No match in a cache still being filled is not yet a new patient: the MIS's refresh decides.
      return { ...found, dataAsOf, lookupMs, transfer, ...(cache.incomplete ? { cacheIncomplete: true as const } : {}) };
    },

    'screenPop.show': ({ callId, misId, chosen, numberKey }) => {
      const { db, audit, popChoices } = journal.require('the card access was not recorded');
      const key = (numberKey === undefined ? null : normalizePhone(numberKey)?.e164) ?? callNumbers.of(callId);
      const at = now();
      // The access entry and the call's patient commit together.
      db.transaction(() => {
        audit.append({ ...options.auditActor(), action: 'card.open', misId, callId, reason: 'screen-pop' });
        popChoices.linkCall(callId, misId, key, at);
        if (chosen && key !== null) popChoices.remember(key, misId, at);
      }).immediate();
      journal.changed();
      // Opened: the card stays in the cache for the retention period from now.
      cache.markOpened(misId, at);
      logger.info('screen-pop.shown', { callId, chosen, remembered: chosen && key !== null });
      return { recorded: true as const };
    },

    'screenPop.refresh': async ({ callId, numberKey }) => {
      const phone = normalizePhone(numberKey);
      if (!phone) throw new DeskError('INVALID_INPUT', 'The number to refresh is not a phone number.');
      const e164 = phone.e164;
      const chosen = () => journal.stores?.popChoices.chosen(e164) ?? null;
      const cached = () => withChoice(e164, cache.require().byE164(e164), chosen()).matches;
      const at = () => new Date(now()).toISOString();
      const connector = link.mis;
      if (!connector || !connector.manifest.capabilities.includes('findByPhone')) {
        return { status: 'unreachable' as const, at: at(), matches: cached() };
      }
      let cards: PatientCard[];
      try {
        cards = validCards(await withTimeout(connector.findByPhone(e164), options.refreshTimeoutMs ?? REFRESH_TIMEOUT_MS));
      } catch (error) {
        logger.info('screen-pop.refresh-unreachable', { callId, kind: isMisError(error) ? error.kind : 'error' });
        return { status: 'unreachable' as const, at: at(), matches: cached() };
      }
      try {
        const applied = cache.require().applyCards(cards);
        if (applied.inserted + applied.updated > 0) for (const card of cards) events.emit('patient:updated', { misId: card.misId });
      } catch (error) {
        // The answer still stands; the next sync brings the cards.
        logger.warn('screen-pop.refresh-not-cached', { callId, error });
      }
      logger.debug('screen-pop.refreshed', { callId, matches: cards.length });
      return { status: 'updated' as const, at: at(), matches: withChoice(e164, cards, chosen()).matches };
    },
  };
}

/**
 * The pop with the transferred card first and chosen: moved up when the number's matches hold
 * it, else read from the cache by its id (a patient calling from another's phone). A card the
 * cache does not have leaves the matches as they were.
 */
function withTransferCard(found: PopMatches, misId: string, card: (misId: string) => PatientCard | null): PopMatches {
  const index = found.matches.findIndex((match) => match.misId === misId);
  if (index >= 0) return { ...found, matches: [found.matches[index]!, ...found.matches.filter((_, i) => i !== index)], chosenMisId: misId };
  const cached = card(misId);
  if (cached === null) return found;
  return { ...found, matches: [cached, ...found.matches].slice(0, SCREEN_POP_MATCH_LIMIT), chosenMisId: misId };
}

/** Rejects with a timeout MisError-like error when `promise` takes longer than `ms`. */
async function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      promise,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(Object.assign(new Error('The MIS did not answer in time.'), { name: 'MisError', kind: 'timeout', permanent: false })), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}
