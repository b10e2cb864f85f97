import type { Migration } from '../migrate';
import { migration0001OutboxAndAudit } from './0001-outbox-and-audit';
import { migration0002Calls } from './0002-calls';

/** Every journal.db schema step, oldest first. Append only. */
export const JOURNAL_MIGRATIONS: readonly Migration[] = [migration0001OutboxAndAudit, migration0002Calls];
