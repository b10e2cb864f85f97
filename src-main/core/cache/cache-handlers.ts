import type { HandlerTable } from '../ipc/dispatcher';
import type { PatientCacheService } from './patient-cache-service';

/** `cache.status`: whether the card cache is open, how many cards, how it was filled; `cache.quarantine`: the records refused. */
export function createCacheHandlers(cache: PatientCacheService): Pick<HandlerTable, 'cache.status' | 'cache.quarantine'> {
  return {
    'cache.status': () => cache.status(),
    'cache.quarantine': ({ limit }) => {
      const { total, items } = cache.require().quarantined(limit);
      return { total, items: items.map((item) => ({ stream: item.stream, reason: item.reason, at: new Date(item.at).toISOString() })) };
    },
  };
}
