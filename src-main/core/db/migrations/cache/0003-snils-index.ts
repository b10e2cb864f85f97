import type { Migration } from '../migrate';

/**
 * СНИЛС becomes searchable: an index on `patients.snils`, so an 11-digit query is
 * an index search like the ОМС policy, never a scan. Partial, like the policy's: cards
 * without a СНИЛС (≈15%) take no entry. On an existing cache the index is built from the
 * rows already there (about a second at a million cards, once); the bulk loader recreates
 * it with the others from `sqlite_master`.
 */
export const migration0003SnilsIndex: Migration = {
  version: 3,
  name: 'snils-index',
  up(db) {
    db.exec('CREATE INDEX patients_snils ON patients (snils) WHERE snils IS NOT NULL');
  },
};
