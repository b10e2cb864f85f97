import { useCallback, useEffect, useRef, useState } from 'react';
import type { PatientSearchResultView } from '../../../src-shared/patients/patients-contract';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import type { VisiblePatientCard } from '../../../src-shared/patients/patient-card';
import { clipQuery } from '../../../src-shared/patients/search-query';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';

/** Pause after the last keystroke before searching; Enter searches at once. */
export const SEARCH_DEBOUNCE_MS = 150;
/** Rows per request; more are fetched as the list is scrolled to its end. */
export const SEARCH_PAGE_SIZE = 50;
/** The contract's largest offset; deeper paging means the query should be narrowed. */
const MAX_OFFSET = 10_000;

export interface SearchResults {
  /** The query these results answer ('' when nothing has been searched). */
  query: string;
  status: 'idle' | 'loading' | 'ready' | 'error';
  /** As the role may see them: the fields its matrix hides are absent. */
  items: VisiblePatientCard[];
  total: number;
  complete: boolean;
  /** More cards than `total` match: the list was cut at the search's candidate bound. */
  moreThanTotal: boolean;
  understoodAs: PatientSearchResultView['understoodAs'];
  problem: string | null;
  /** Who answered: the cache, or (while a damaged cache is rebuilt) the MIS or the partial cache. */
  source: PatientSearchResultView['source'];
  error: DeskErrorPayload | null;
  loadingMore: boolean;
  /** A page came back with nothing new: stop paging whatever `total` said. */
  exhausted: boolean;
}

const IDLE: SearchResults = {
  query: '',
  status: 'idle',
  items: [],
  total: 0,
  complete: true,
  moreThanTotal: false,
  understoodAs: 'empty',
  problem: null,
  source: 'cache',
  error: null,
  loadingMore: false,
  exhausted: false,
};

export interface PatientSearch {
  /** What is in the box now. */
  text: string;
  /** The last edit (usually a paste) was longer than the query limit and was cut to it. */
  truncated: boolean;
  results: SearchResults;
  /** Typing: updates the box and searches after a short pause. */
  setText(text: string): void;
  /** Enter: searches what is in the box now. */
  searchNow(): void;
  /** Escape: empties the box and the list. */
  clear(): void;
  /** Fetches the next page of the current results, if there is one (`retry` after a failed page). */
  loadMore(options?: { retry?: boolean }): void;
  /** True while more rows exist and the last page did not fail. */
  canLoadMore: boolean;
}

/**
 * The search box's engine: debounced requests, a sequence number so a slow answer to an
 * older query never replaces a newer one, and offset paging for the list.
 */
export function usePatientSearch(): PatientSearch {
  const desk = useDesk();
  const [text, setTextState] = useState('');
  const [truncated, setTruncated] = useState(false);
  const [results, setResults] = useState<SearchResults>(IDLE);
  // Bumped by every new query (and by clearing); an answer carrying an older number is dropped.
  const sequence = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const cancelTimer = useCallback(() => {
    if (timer.current !== null) {
      clearTimeout(timer.current);
      timer.current = null;
    }
  }, []);

  const run = useCallback(
    (query: string) => {
      cancelTimer();
      const mine = ++sequence.current;
      if (query.trim() === '') {
        setResults(IDLE);
        return;
      }
      // Keep the previous rows on screen while the new ones come (no flicker while typing).
      setResults((previous) => ({ ...previous, query, status: 'loading', error: null }));
      desk.request('patients.search', { query, limit: SEARCH_PAGE_SIZE, offset: 0 }).then(
        (answer) => {
          if (mine !== sequence.current) return;
          setResults({ ...answer, query, status: 'ready', error: null, loadingMore: false, exhausted: false });
        },
        (error: unknown) => {
          if (mine !== sequence.current) return;
          setResults({ ...IDLE, query, status: 'error', error: toDeskError(error).toPayload() });
        },
      );
    },
    [desk, cancelTimer],
  );

  useEffect(() => {
    const pending = timer;
    const current = sequence;
    return () => {
      if (pending.current !== null) clearTimeout(pending.current);
      current.current += 1; // answers arriving after unmount are dropped
    };
  }, []);

  const setText = useCallback(
    (value: string) => {
      // Never cut silently: the box says so until the next edit fits.
      const clipped = clipQuery(value);
      setTextState(clipped.text);
      setTruncated(clipped.truncated);
      cancelTimer();
      timer.current = setTimeout(() => run(clipped.text), SEARCH_DEBOUNCE_MS);
    },
    [run, cancelTimer],
  );

  const searchNow = useCallback(() => run(text), [run, text]);

  const clear = useCallback(() => {
    setTextState('');
    setTruncated(false);
    run('');
  }, [run]);

  const hasMore =
    results.status === 'ready' &&
    !results.loadingMore &&
    !results.exhausted &&
    results.items.length < results.total &&
    results.items.length > 0 &&
    results.items.length < MAX_OFFSET;
  const canLoadMore = hasMore && results.error === null;

  const loadMore = useCallback(
    (options: { retry?: boolean } = {}) => {
    if (!(options.retry ? hasMore : canLoadMore)) return;
    // No new sequence number: a new query bumps it and so discards this page.
    const mine = sequence.current;
    const { query } = results;
    const offset = results.items.length;
    setResults((previous) => ({ ...previous, loadingMore: true, error: null }));
    desk.request('patients.search', { query, limit: SEARCH_PAGE_SIZE, offset }).then(
      (answer) => {
        if (mine !== sequence.current) return;
        setResults((previous) => {
          if (previous.query !== query || previous.items.length !== offset) return previous;
          // The cache may change between pages (sync); never list a card twice.
          const seen = new Set(previous.items.map((item) => item.misId));
          const fresh = answer.items.filter((item) => !seen.has(item.misId));
          return {
            ...previous,
            items: [...previous.items, ...fresh],
            total: answer.total,
            exhausted: fresh.length === 0,
            complete: answer.complete,
            moreThanTotal: answer.moreThanTotal,
            loadingMore: false,
          };
        });
      },
      (error: unknown) => {
        if (mine !== sequence.current) return;
        setResults((previous) => ({ ...previous, loadingMore: false, error: toDeskError(error).toPayload() }));
      },
    );
    },
    [canLoadMore, hasMore, desk, results],
  );

  return { text, truncated, results, setText, searchNow, clear, loadMore, canLoadMore };
}
