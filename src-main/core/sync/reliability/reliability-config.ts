/** Shared by the reliability child process and the test that kills it. */
export interface ReliabilityChildConfig {
  cachePath: string;
  journalPath: string;
  ledgerPath: string;
  keyHex: string;
  patients: number;
  seed: number;
  /** Changes the clinic makes before the first sync (same in every run: the log is deterministic). */
  evolveSteps: number;
  items: number;
  pageSize: number;
  errorRate: number;
  timeoutRate: number;
  faultSeed: number;
  /**
   * Die (SIGKILL to itself) the `occurrence`-th time execution reaches `point`, i.e. inside a
   * transaction or between the MIS applying a write and the desk recording it: the moments a
   * kill from outside only rarely hits.
   */
  selfKill: { point: SelfKillPoint; occurrence: number } | null;
}

/** Local table of the test's "local changes"; stands in for wrap-ups and notes. */
export const NOTES_TABLE = 'reliability_notes';

/** Points inside the desk's critical sections where the child can SIGKILL itself. */
export const SELF_KILL_POINTS = ['page-after-cards', 'enqueue-after-note', 'submit-before-mark'] as const;
export type SelfKillPoint = (typeof SELF_KILL_POINTS)[number];

/** Where the bulk first sync's child can SIGKILL itself: after a page the worker wrote, during the index phase, around the swap. */
export const BULK_KILL_POINTS = ['bulk-page', 'bulk-indexing', 'install-before', 'install-after'] as const;
export type BulkKillPoint = (typeof BULK_KILL_POINTS)[number];

/** The bulk first sync's child (`bulk-first-sync-child.ts`). */
export interface BulkChildConfig {
  dataDir: string;
  patients: number;
  seed: number;
  /** Die the `occurrence`-th time `point` is reached, `delayMs` later (0: at once). */
  selfKill: { point: BulkKillPoint; occurrence: number; delayMs: number } | null;
  /** Where the load runs: a worker thread (Electron) or a child process (the browser host). */
  loader: 'thread' | 'process';
}
