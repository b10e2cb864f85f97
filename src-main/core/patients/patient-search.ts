import type { PatientSearchResultView } from '../../../src-shared/patients/patients-contract';
import { DeskError } from '../../../src-shared/ipc/errors';
import { parseSearchQuery, type PatientSearchQuery } from '../../../src-shared/patients/search-query';
import type { MisConnector } from '../connectors/mis/mis-connector';
import type { PatientSearchResult } from '../db/cache-search';
import { DatabaseError } from '../db/database-error';
import type { Logger } from '../log/logger';
import { normalizePhone } from './phone-normalisation';
import { validCards } from '../screen-pop/screen-pop-lookup';
import type { PatientCacheService } from '../cache/patient-cache-service';

/** Longest wait for the MIS's own search while the cache is filled or rebuilt; then the partial cache answers. */
export const ONLINE_SEARCH_TIMEOUT_MS = 5_000;

export interface PatientSearchDeps {
  cache: PatientCacheService;
  /** The MIS connector while the link runs; null when none is configured. */
  mis: () => MisConnector | null;
  logger: Logger;
  timeoutMs?: number;
}

export interface PatientSearchRequest {
  query: string;
  limit: number;
  offset: number;
}

/**
 * The cashier's search (`patients.search`). Normally the local cache answers. While the cache
 * lacks cards the MIS has — its first fill (paged, or a bulk load writing the next file) or a
 * rebuild after damage (found by this very query, or earlier) — the MIS is asked online and the
 * answer says so; when the MIS finds nothing (its own search may not understand the form, e.g.
 * the last four digits of a phone) or cannot answer at all, the part of the cache filled so far
 * answers and says it may miss patients — and with no cache at all, the error says exactly that. A search never fails silently.
 */
export function createPatientSearch(deps: PatientSearchDeps): (request: PatientSearchRequest) => Promise<PatientSearchResultView> {
  const { cache, logger } = deps;
  return async (request) => {
    if (!cache.incomplete) {
      try {
        return view(cache.search(request.query, request.limit, request.offset), 'cache');
      } catch (error) {
        // A damaged file: the cache has already been told (and is being replaced); ask the MIS.
        if (!(error instanceof DatabaseError && (error.code === 'CORRUPT' || error.code === 'WRONG_KEY_OR_NOT_A_DATABASE'))) throw error;
      }
    }
    const query = parseSearchQuery(request.query);
    if (query.kind === 'empty' || query.kind === 'invalid') return view({ query, items: [], total: 0, complete: true, moreThanTotal: false }, 'mis');
    const online = await searchOnline(deps, request, query);
    // The MIS found it, or there is no cache to ask. An empty answer may be a form the MIS's own
    // search does not understand (the last four digits of a phone): the cards arrived so far may.
    if (online && (online.total > 0 || !cache.isOpen)) return online;
    try {
      const partial = view(cache.search(request.query, request.limit, request.offset), 'cache-incomplete');
      return online && partial.total === 0 ? online : partial;
    } catch (error) {
      if (online) return online;
      logger.warn('patients.search-unavailable', { code: (error as { code?: unknown }).code ?? 'unknown' });
      throw new DeskError(
        'CACHE_UNAVAILABLE',
        'The local patient cache is still being filled (or rebuilt after damage) and the MIS is unreachable, so patients cannot be searched right now. Try again when the MIS is back.',
      );
    }
  };
}

/** The MIS's own answer, or null when it cannot give one (unreachable, timed out, no search). */
async function searchOnline(deps: PatientSearchDeps, request: PatientSearchRequest, query: Exclude<PatientSearchQuery, { kind: 'empty' | 'invalid' }>): Promise<PatientSearchResultView | null> {
  const connector = deps.mis();
  if (!connector) return null;
  // A full phone number is the MIS's phone lookup; anything else its free-text search.
  const phone = query.kind === 'identifier' && query.asPhone ? normalizePhone(query.digits) : null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    const raw = await Promise.race([
      phone ? connector.findByPhone(phone.e164) : connector.search(request.query),
      new Promise<never>((_resolve, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), deps.timeoutMs ?? ONLINE_SEARCH_TIMEOUT_MS);
      }),
    ]);
    const cards = validCards(raw);
    const items = cards.slice(request.offset, request.offset + request.limit);
    return view({ query, items, total: cards.length, complete: true, moreThanTotal: false }, 'mis');
  } catch (error) {
    deps.logger.info('patients.search-online-failed', { kind: (error as { kind?: unknown }).kind ?? 'timeout' });
    return null;
  } finally {
    clearTimeout(timer);
  }
}

function view(result: PatientSearchResult, source: PatientSearchResultView['source']): PatientSearchResultView {
  return {
    items: result.items,
    total: result.total,
    complete: result.complete,
    moreThanTotal: result.moreThanTotal,
    understoodAs: result.query.kind,
    problem: result.query.kind === 'invalid' ? result.query.message : null,
    source,
  };
}
