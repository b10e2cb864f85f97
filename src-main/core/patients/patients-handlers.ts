import type { AuditActor } from '../access/session-service';
import { DeskError } from '../../../src-shared/ipc/errors';
import type { PatientCacheService } from '../cache/patient-cache-service';
import type { HandlerTable } from '../ipc/dispatcher';
import type { JournalService } from '../journal/journal-service';
import type { Logger } from '../log/logger';
import type { MisLinkService } from '../sync/mis-link-service';
import { createPatientSearch } from './patient-search';
import { normalizePhone } from './phone-normalisation';

export interface PatientsHandlerOptions {
  cache: PatientCacheService;
  journal: JournalService;
  link: MisLinkService;
  /** Who the audit log names: the signed-in person and their role. */
  auditActor: () => AuditActor;
  logger: Logger;
}

/**
 * `patients.*`: the cashier's search (the cache, or the MIS while a damaged cache is rebuilt),
 * one card (every access audited with its reason and call), a new-patient draft (journal.db and
 * the outbox, one transaction) and a patient's local history. Names and notes are patient data:
 * the log gets ids and counts only.
 */
export function createPatientsHandlers(options: PatientsHandlerOptions): Pick<HandlerTable, 'patients.search' | 'patients.get' | 'patients.createDraft' | 'patients.history'> {
  const { cache, journal, link, logger } = options;
  return {
    'patients.search': createPatientSearch({ cache, mis: () => link.mis, logger }),
    'patients.get': ({ misId, reason, callId }) => {
      const card = cache.getCard(misId);
      if (card) {
        journal.audit({ ...options.auditActor(), action: 'card.open', misId, callId, reason });
        cache.markOpened(misId);
      }
      return { card };
    },
    'patients.createDraft': (input) => {
      const phone = normalizePhone(input.phone);
      if (!phone) throw new DeskError('INVALID_INPUT', "The caller's number is not a phone number, so a new-patient draft cannot carry it.");
      const { draftId, outboxId } = journal.require('the draft was not saved').wrapUps.createDraft(input, phone.e164);
      link.wakeOutbox();
      logger.info('patients.draft-created', { callId: input.callId, draftId, outboxId });
      return { draftId };
    },
    'patients.history': ({ misId }) => ({ items: journal.require('the history is not available').wrapUps.history(misId) }),
  };
}
