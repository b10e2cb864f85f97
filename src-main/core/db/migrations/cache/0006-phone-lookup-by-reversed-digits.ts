import type { Migration } from '../migrate';

/**
 * One phone index instead of two (issue 17, the bulk loader's speed): an E.164 number is `+` and
 * its digits, so its reversed digits name it exactly, and the screen pop's and the search's exact
 * lookups (`reversed_digits = ?`) use the suffix search's index, `patient_phones_reversed`. The
 * E.164 index was a second sorted copy of every phone row: dropping it saves its build in every
 * bulk load (≈ 1.7 s of a million-card first sync) and its upkeep on every changed card. Dropping
 * an index rewrites nothing; the `e164` column stays (the number as the MIS gave it).
 */
export const migration0006PhoneLookupByReversedDigits: Migration = {
  version: 6,
  name: 'phone-lookup-by-reversed-digits',
  up(db) {
    db.exec('DROP INDEX IF EXISTS patient_phones_e164');
  },
};
