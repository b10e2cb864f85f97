import type { Migration } from '../migrate';
import { migration0001Patients } from './0001-patients';

/** Every cache.db schema step, oldest first. Append only. */
export const CACHE_MIGRATIONS: readonly Migration[] = [migration0001Patients];
