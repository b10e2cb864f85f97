import type { Migration } from '../migrate';

/**
 * The patient cache (docs/architecture.md, "Data"): one row per card with the full card as JSON plus the few
 * columns the lookups need, a phone table keyed for exact and suffix search, an FTS5 index
 * over folded names, the term list that lets long prefixes be expanded, sync cursors and the
 * quarantine of records a connector sent that could not be applied.
 *
 * Layout choices (measured, see db/README.md): the card is one JSON text rather than 25
 * columns because every read wants the whole card and every write replaces it; only keys
 * are columns, in a separate narrow table, because at a million cards every index build
 * and every search reads the key table, and the cards (≈1 GB) would make each such scan
 * ten times longer. Internal integer ids join patients, cards, phones and FTS (a small join
 * key instead of the MIS id text, and FTS5 needs an integer rowid anyway).
 */
export const migration0001Patients: Migration = {
  version: 1,
  name: 'patients',
  up(db) {
    db.exec(`
      -- The keys of each card: narrow on purpose, so building an index or reading search
      -- candidates scans ~100 bytes a row instead of the whole card.
      CREATE TABLE patients (
        id          INTEGER PRIMARY KEY,
        mis_id      TEXT    NOT NULL,
        version     INTEGER NOT NULL CHECK (version >= 0),
        -- folded 'surname|given|patronymic': the sort key and the text FTS indexes
        name_key    TEXT    NOT NULL,
        -- Cheap shape checks only (a GLOB per column cost ~0.5 µs a row at bulk load); cards
        -- are validated against PatientCardSchema where they enter the core.
        birth_date  TEXT    NOT NULL CHECK (length(birth_date) = 10 AND substr(birth_date, 5, 1) = '-'),
        oms_policy  TEXT    CHECK (oms_policy IS NULL OR length(oms_policy) = 16),
        snils       TEXT    CHECK (snils IS NULL OR length(snils) = 11)
      ) STRICT;
      -- The whole card in the compact form of card-codec.ts, read only when a card is shown.
      CREATE TABLE patient_cards (
        patient_id  INTEGER PRIMARY KEY REFERENCES patients (id),
        card        TEXT    NOT NULL
      ) STRICT;
      CREATE UNIQUE INDEX patients_mis_id ON patients (mis_id);
      CREATE INDEX patients_birth_date ON patients (birth_date);
      CREATE INDEX patients_oms_policy ON patients (oms_policy) WHERE oms_policy IS NOT NULL;
      -- No СНИЛС index: the search grammar does not look it up, and each index on a million
      -- random keys costs ~1.3 s of first sync. Add one (and the grammar rule) together.

      -- A plain rowid table: bulk inserts are pure appends (measured 1.9 µs a row against 3 µs
      -- for a WITHOUT ROWID table keyed by patient). Three sorted index builds follow: by
      -- patient (replace/delete a card's phones), by E.164 (screen pop; covering, with kind so
      -- "own phone" ranks above "relative") and by reversed digits ('last digits 4567' is the
      -- prefix '7654': an ordered range instead of a LIKE '%4567' scan).
      CREATE TABLE patient_phones (
        patient_id      INTEGER NOT NULL REFERENCES patients (id),
        e164            TEXT    NOT NULL CHECK (substr(e164, 1, 1) = '+' AND length(e164) BETWEEN 12 AND 16),
        reversed_digits TEXT    NOT NULL,
        kind            TEXT    NOT NULL CHECK (kind IN ('mobile', 'home', 'work', 'relative'))
      ) STRICT;
      CREATE UNIQUE INDEX patient_phones_patient ON patient_phones (patient_id, e164);
      CREATE INDEX patient_phones_e164 ON patient_phones (e164, patient_id, kind);
      CREATE INDEX patient_phones_reversed ON patient_phones (reversed_digits, patient_id);

      -- Contentless (names live in patients.name_key), rowid = patients.id. detail=none: we
      -- only ever ask "which rows have a token starting with …", never phrases or ranks.
      -- prefix='1 2 3' makes 1–3 letter prefixes lazy index reads instead of merging every
      -- term that starts with them; longer prefixes are expanded through name_terms.
      CREATE VIRTUAL TABLE patients_fts USING fts5 (
        name_key,
        content = '',
        contentless_delete = 1,
        detail = none,
        prefix = '1 2 3',
        tokenize = "unicode61 remove_diacritics 2"
      );

      -- Every token ever indexed (a superset of the FTS vocabulary: never pruned, a stale term
      -- only adds an empty OR branch).
      CREATE TABLE name_terms (
        term TEXT PRIMARY KEY
      ) STRICT, WITHOUT ROWID;

      CREATE TABLE sync_cursors (
        stream     TEXT    PRIMARY KEY,
        cursor     TEXT    NOT NULL,
        updated_at INTEGER NOT NULL
      ) STRICT;

      CREATE TABLE quarantine (
        id              INTEGER PRIMARY KEY,
        stream          TEXT    NOT NULL,
        reason          TEXT    NOT NULL,
        payload_excerpt TEXT    NOT NULL,
        at              INTEGER NOT NULL
      ) STRICT;
      CREATE INDEX quarantine_stream_at ON quarantine (stream, at);
    `);
  },
};
