import type { Migration } from '../migrate';

/**
 * The supervisor's figures of a clinic day (docs/architecture.md, "Supervisor"), so a desk that
 * restarts shows the day it had: one row per (clinic day, kind, key), `value` JSON.
 *
 * - `queue`: a queue's counters (key: the queue id; value: offered, answered … as `QueueCounters`);
 * - `hour`: one clinic hour's answered and abandoned calls (key `00` … `23`);
 * - `sample`: callers waiting in all queues at one minute (key: the minute's epoch ms);
 * - `agent`: an agent's calls answered and handle totals (key: the extension);
 * - `wrapup`: one desk's wrap-up, counted once (key: its shared key `wu/…`; value: the category).
 *
 * `day` is the clinic's calendar date (`YYYY-MM-DD`, `settings.schedule.timeZone`); the primary
 * key serves "today's rows" and "days before" without another index (WITHOUT ROWID).
 */
export const migration0011SupervisorFigures: Migration = {
  version: 11,
  name: 'supervisor-figures',
  up(db) {
    db.exec(`
      CREATE TABLE supervisor_figures (
        day        TEXT    NOT NULL CHECK (length(day) = 10 AND day GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
        kind       TEXT    NOT NULL CHECK (kind IN ('queue', 'hour', 'sample', 'agent', 'wrapup')),
        key        TEXT    NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
        value      TEXT    NOT NULL CHECK (json_valid(value) AND length(value) <= 2000),
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (day, kind, key)
      ) STRICT, WITHOUT ROWID;
    `);
  },
};
