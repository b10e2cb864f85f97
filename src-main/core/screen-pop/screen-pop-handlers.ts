import type { PatientCard } from '../../../src-shared/patients/patient-card';
import type { Settings } from '../../../src-shared/settings/settings-schema';
import { DeskError } from '../../../src-shared/ipc/errors';
import { SCREEN_POP_WARM_UP_CALL_ID } from '../../../src-shared/ipc/contract';
import type { ClinicLinkService } from '../cache/clinic-link-service';
import type { PatientCacheService } from '../cache/patient-cache-service';
import { isMisError } from '../connectors/mis/mis-connector';
import type { EventBus } from '../events/event-bus';
import type { HandlerTable } from '../ipc/dispatcher';
import type { Logger } from '../log/logger';
import { normalizePhone } from '../patients/phone-normalisation';
import { lookupCached, validCards, withChoice } from './screen-pop-lookup';

export interface ScreenPopHandlerOptions {
  cache: PatientCacheService;
  link: ClinicLinkService;
  settings: () => Settings;
  events: EventBus;
  logger: Logger;
  now?: () => number;
  /** How long `screenPop.refresh` waits for the MIS before answering `unreachable`. */
  refreshTimeoutMs?: number;
}

/** Calls whose looked-up number the core remembers for `screenPop.show` and `calls.wrapUp`. */
const REMEMBERED_CALLS = 500;
const REFRESH_TIMEOUT_MS = 5_000;

type Handled = 'screenPop.lookup' | 'screenPop.show' | 'screenPop.refresh' | 'calls.wrapUp' | 'patients.createDraft' | 'patients.history';

/**
 * The screen pop and wrap-up requests (issue 5). Numbers, names and notes are patient data:
 * the log gets call ids, counts, codes and timings only.
 */
export function createScreenPopHandlers(options: ScreenPopHandlerOptions): Pick<HandlerTable, Handled> {
  const { cache, link, events, logger } = options;
  const now = options.now ?? Date.now;
  const actor = () => `role:${options.settings().role}`;
  /** callId → E.164 of the number looked up for it (bounded; oldest forgotten first). */
  const lookedUp = new Map<string, string>();
  const rememberLookup = (callId: string, numberKey: string) => {
    lookedUp.delete(callId);
    lookedUp.set(callId, numberKey);
    if (lookedUp.size > REMEMBERED_CALLS) lookedUp.delete(lookedUp.keys().next().value!);
  };
  const journalClosed = (what: string) => new DeskError('JOURNAL_UNAVAILABLE', `The journal of this desk is not open (see the status bar); ${what}.`);
  const numberOf = (callId: string) => lookedUp.get(callId) ?? link.popChoices?.numberOfCall(callId) ?? null;

  return {
    'screenPop.lookup': ({ callId, number, source }) => {
      const started = performance.now();
      // A real ring (not a warm-up): the cache's background check gives way to it.
      if (!callId.startsWith(SCREEN_POP_WARM_UP_CALL_ID)) cache.callRinging();
      const repository = cache.require();
      const found = lookupCached(number, repository, link.popChoices);
      if (found.numberKey !== null) rememberLookup(callId, found.numberKey);
      const lookupMs = performance.now() - started;
      const dataAsOf = cache.dataAsOf();
      logger.debug('screen-pop.lookup', { callId, source, matches: found.matches.length, chosen: found.chosenMisId !== null, ms: Math.round(lookupMs * 1000) / 1000 });
      return { ...found, dataAsOf, lookupMs };
    },

    'screenPop.show': ({ callId, misId, chosen, numberKey }) => {
      const db = link.journalDb;
      const choices = link.popChoices;
      const audits = link.audits;
      if (!db || !choices || !audits) throw journalClosed('the card access was not recorded');
      const key = (numberKey === undefined ? null : normalizePhone(numberKey)?.e164) ?? numberOf(callId);
      const at = now();
      // The access entry and the call's patient commit together.
      db.transaction(() => {
        audits.append({ actor: actor(), action: 'card.open', misId, callId, reason: 'screen-pop' });
        choices.linkCall(callId, misId, key, at);
        if (chosen && key !== null) choices.remember(key, misId, at);
      }).immediate();
      logger.info('screen-pop.shown', { callId, chosen, remembered: chosen && key !== null });
      return { recorded: true as const };
    },

    'screenPop.refresh': async ({ callId, numberKey }) => {
      const phone = normalizePhone(numberKey);
      if (!phone) throw new DeskError('INVALID_INPUT', 'The number to refresh is not a phone number.');
      const e164 = phone.e164;
      const chosen = () => link.popChoices?.chosen(e164) ?? null;
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

    'calls.wrapUp': (input) => {
      const categories = options.settings().wrapUp.categories;
      if (!categories.includes(input.category)) {
        throw new DeskError('INVALID_INPUT', `The wrap-up category "${input.category}" is not one of the ${categories.length} categories in this desk's settings; choose one of them.`);
      }
      const store = link.wrapUps;
      if (!store) throw journalClosed('the wrap-up was not saved');
      const result = store.save(input, numberOf(input.callId));
      if (result.saved) link.wakeOutbox();
      logger.info(result.saved ? 'calls.wrapped-up' : 'calls.already-wrapped-up', { callId: input.callId, outcome: input.outcome, outboxId: result.outboxId });
      return result;
    },

    'patients.createDraft': (input) => {
      const phone = normalizePhone(input.phone);
      if (!phone) throw new DeskError('INVALID_INPUT', 'The caller\'s number is not a phone number, so a new-patient draft cannot carry it.');
      const store = link.wrapUps;
      if (!store) throw journalClosed('the draft was not saved');
      const { draftId, outboxId } = store.createDraft(input, phone.e164);
      link.wakeOutbox();
      logger.info('patients.draft-created', { callId: input.callId, draftId, outboxId });
      return { draftId };
    },

    'patients.history': ({ misId }) => {
      const store = link.wrapUps;
      if (!store) throw journalClosed('the history is not available');
      return { items: store.history(misId) };
    },
  };
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
