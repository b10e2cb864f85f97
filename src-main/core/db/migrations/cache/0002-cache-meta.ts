import type { Migration } from '../migrate';

/**
 * Facts about the cache file itself, one row per key: above all `fill`, the state
 * of the fill that made this file — a first sync, or a rebuild after the previous file was
 * damaged or could not be opened (with when, why and where that file was set aside). It
 * lives in the file it describes, so it survives restarts and disappears with the file.
 * Values are JSON written by `CacheRepository`; no patient data.
 */
export const migration0002CacheMeta: Migration = {
  version: 2,
  name: 'cache-meta',
  up(db) {
    db.exec(`
      CREATE TABLE cache_meta (
        key    TEXT NOT NULL PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 64),
        value  TEXT NOT NULL CHECK (length(value) <= 4000)
      ) STRICT;
    `);
  },
};
