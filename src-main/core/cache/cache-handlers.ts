import type { HandlerTable } from '../ipc/dispatcher';
import type { PatientCacheService } from './patient-cache-service';

/**
 * `cache.status`: whether the card cache is open, how many cards, how it was filled;
 * `cache.quarantine`: the records refused; `cache.cancelFirstSync`: stops a bulk first sync
 * (`cancelFirstSync` is the MIS link's).
 */
export function createCacheHandlers(cache: PatientCacheService, cancelFirstSync: () => Promise<boolean>): Pick<HandlerTable, 'cache.status' | 'cache.quarantine' | 'cache.cancelFirstSync'> {
  return {
    'cache.status': () => cache.status(),
    'cache.cancelFirstSync': async () => ({ cancelled: await cancelFirstSync() }),
    'cache.quarantine': ({ limit }) => {
      const { total, items } = cache.require().quarantined(limit);
      return { total, items: items.map((item) => ({ stream: item.stream, reason: item.reason, at: new Date(item.at).toISOString() })) };
    },
  };
}
