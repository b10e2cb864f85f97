import type { Migration } from '../migrate';
import { migration0001Patients } from './0001-patients';
import { migration0002CacheMeta } from './0002-cache-meta';
import { migration0003SnilsIndex } from './0003-snils-index';
import { migration0004Schedule } from './0004-schedule';
import { migration0005CardRetention } from './0005-card-retention';
import { migration0006PhoneLookupByReversedDigits } from './0006-phone-lookup-by-reversed-digits';

/** Every cache.db schema step, oldest first. Append only. */
export const CACHE_MIGRATIONS: readonly Migration[] = [
  migration0001Patients, migration0002CacheMeta, migration0003SnilsIndex, migration0004Schedule, migration0005CardRetention,
  migration0006PhoneLookupByReversedDigits,
];
