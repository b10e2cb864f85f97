import type { Migration } from '../migrate';
import { migration0001OutboxAndAudit } from './0001-outbox-and-audit';
import { migration0002Calls } from './0002-calls';
import { migration0003WrapUps } from './0003-wrap-ups';
import { migration0004PopChoices } from './0004-pop-choices';
import { migration0005CallbackRequests } from './0005-callback-requests';
import { migration0006PatientDrafts } from './0006-patient-drafts';
import { migration0007KeptJournals } from './0007-kept-journals';
import { migration0008CallbackTasks } from './0008-callback-tasks';
import { migration0009Bookings } from './0009-bookings';
import { migration0010CallListTasks } from './0010-call-list-tasks';
import { migration0011SupervisorFigures } from './0011-supervisor-figures';
import { migration0012AuditPersonAndAnchor } from './0012-audit-person-and-anchor';

/** Every journal.db schema step, oldest first. Append only. */
export const JOURNAL_MIGRATIONS: readonly Migration[] = [
  migration0001OutboxAndAudit,
  migration0002Calls,
  migration0003WrapUps,
  migration0004PopChoices,
  migration0005CallbackRequests,
  migration0006PatientDrafts,
  migration0007KeptJournals,
  migration0008CallbackTasks,
  migration0009Bookings,
  migration0010CallListTasks,
  migration0011SupervisorFigures,
  migration0012AuditPersonAndAnchor,
];
