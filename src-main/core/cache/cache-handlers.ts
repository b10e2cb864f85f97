import type { HandlerTable } from '../ipc/dispatcher';
import type { PatientCacheService } from './patient-cache-service';

/** `cache.status`: whether the card cache is open, how many cards, how it was filled. */
export function createCacheHandlers(cache: PatientCacheService): Pick<HandlerTable, 'cache.status'> {
  return { 'cache.status': () => cache.status() };
}
