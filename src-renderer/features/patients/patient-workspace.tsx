import { useEffect, useId, useMemo, useRef, useState, type KeyboardEvent, type ReactElement, type RefObject } from 'react';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { MIN_PHONE_DIGITS, parseSearchQuery, MAX_QUERY_LENGTH, MAX_QUERY_WORDS } from '../../../src-shared/patients/search-query';
import { isValidSnils } from '../../../src-shared/patients/snils';
import { useErrorText } from '../../ui/error-text';
import { EmptyState } from '../../ui/empty-state';
import { PatientsIcon } from '../../ui/icons';
import { PatientCardView } from './patient-card-view';
import { formatCount, queryPhoneDigits, understoodParts } from './patient-format';
import { optionId, PatientResults } from './patient-results';
import { useAppStore } from '../../app/app-store';
import { useOpenCard } from './use-open-card';
import { usePatientSearch, type SearchResults } from './use-patient-search';

export interface PatientWorkspaceProps {
  /** The search box, so the pane can focus it when opened. */
  searchRef: RefObject<HTMLInputElement | null>;
  today: Date;
}

/** Search box and results on the left, the open card on the right. */
export function PatientWorkspace({ searchRef, today }: PatientWorkspaceProps): ReactElement {
  const { t } = useTranslation();
  const search = usePatientSearch();
  const { open, openCard, closeCard } = useOpenCard();
  const patientRequest = useAppStore((state) => state.patientRequest);
  const clearPatientRequest = useAppStore((state) => state.clearPatientRequest);

  // A card asked for from the call journal or the pop: open it, audited with its call.
  useEffect(() => {
    if (!patientRequest) return;
    clearPatientRequest();
    openCard(patientRequest.misId, { reason: patientRequest.reason, callId: patientRequest.callId });
  }, [patientRequest, clearPatientRequest, openCard]);
  const { results } = search;
  // Results the MIS (or a half-refilled cache) gave while the cache was rebuilt are searched
  // again from the cache once it is whole, so the list never keeps saying "answered by the MIS".
  const cacheWhole = useAppStore((state) => state.cacheStatus?.fill?.state === 'complete');
  const { searchNow } = search;
  const answeredElsewhere = results.status === 'ready' && results.source !== 'cache';
  const rerunFor = useRef<string | null>(null);
  useEffect(() => {
    // Once per query: if the core still answers from the MIS, the list says so and stays.
    if (!cacheWhole || !answeredElsewhere || rerunFor.current === results.query) return;
    rerunFor.current = results.query;
    searchNow();
  }, [cacheWhole, answeredElsewhere, results.query, searchNow]);
  const listId = useId();
  const summaryId = useId();

  // The highlighted row (-1: none, the box itself). A new result set starts unhighlighted.
  const [active, setActive] = useState(-1);
  const [activeFor, setActiveFor] = useState(results.query);
  if (activeFor !== results.query) {
    setActiveFor(results.query);
    setActive(-1);
  }
  const activeIndex = Math.min(active, results.items.length - 1);

  // Focus the box when it appears (the pane opened, or the cache became usable) unless the
  // user is already somewhere else.
  useEffect(() => {
    const focused = document.activeElement;
    if (!focused || focused === document.body || focused.classList.contains('pane-title')) searchRef.current?.focus();
  }, [searchRef]);

  const parsed = useMemo(() => parseSearchQuery(results.query), [results.query]);
  const fresh = results.status === 'ready' && results.query === search.text;

  const openAt = (index: number) => {
    const card = results.items[index];
    if (!card) return;
    setActive(index);
    openCard(card.misId);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const count = results.items.length;
    switch (event.key) {
      case 'ArrowDown':
        if (count === 0) return;
        event.preventDefault();
        setActive(Math.min(activeIndex + 1, count - 1));
        return;
      case 'ArrowUp':
        if (count === 0) return;
        event.preventDefault();
        setActive(Math.max(activeIndex - 1, -1));
        return;
      case 'PageDown':
        if (count === 0) return;
        event.preventDefault();
        setActive(Math.min(activeIndex + 10, count - 1));
        return;
      case 'PageUp':
        if (count === 0) return;
        event.preventDefault();
        setActive(Math.max(activeIndex - 10, 0));
        return;
      case 'Enter':
        event.preventDefault();
        if (fresh && activeIndex >= 0) openAt(activeIndex);
        else search.searchNow();
        return;
      case 'Escape':
        event.preventDefault();
        if (search.text !== '') search.clear();
        else if (open) closeCard();
        return;
    }
  };

  return (
    <div className="patients-workspace">
      <div className="patients-search-column">
        <div className="patient-search-field">
          <input
            ref={searchRef}
            // The cashier types at once: the box has the focus when the pane opens (at start too).
            autoFocus
            type="search"
            className="input patient-search-input"
            data-testid="patient-search"
            role="combobox"
            aria-label={t('patients.search.label')}
            aria-describedby={summaryId}
            aria-controls={listId}
            aria-expanded={results.items.length > 0}
            aria-autocomplete="list"
            aria-activedescendant={activeIndex >= 0 ? optionId(activeIndex) : undefined}
            placeholder={t('patients.search.placeholder')}
            value={search.text}
            spellCheck={false}
            autoComplete="off"
            onChange={(event) => search.setText(event.target.value)}
            onKeyDown={onKeyDown}
          />
        </div>
        {search.truncated ? (
          <p className="patient-search-warning" data-testid="patient-search-truncated" role="status">
            {t('patients.search.truncated', { length: MAX_QUERY_LENGTH })}
          </p>
        ) : null}
        <SearchSummary id={summaryId} results={results} parsed={parsed} />
        {results.items.length > 0 ? (
          <PatientResults
            listId={listId}
            label={t('patients.results')}
            items={results.items}
            activeIndex={activeIndex}
            openMisId={open?.misId ?? null}
            queryDigits={queryPhoneDigits(parsed)}
            today={today}
            canLoadMore={search.canLoadMore}
            loadingMore={results.loadingMore}
            onLoadMore={search.loadMore}
            onOpen={openAt}
          />
        ) : (
          <div id={listId} role="listbox" aria-label={t('patients.results')} className="patient-results-empty" />
        )}
        {results.error && results.items.length > 0 ? (
          <p className="notice warn patient-results-failed">
            {t('patients.moreFailed')}{' '}
            <button type="button" className="button" onClick={() => search.loadMore({ retry: true })}>
              {t('errors.retry')}
            </button>
          </p>
        ) : null}
      </div>
      <div className="patients-card-column">
        {open ? (
          <PatientCardView open={open} today={today} onClose={closeCard} />
        ) : (
          <EmptyState icon={<PatientsIcon width={28} height={28} />} message={t('patients.card.none')} details={t('patients.card.noneHint')} testId="patient-card-none" />
        )}
      </div>
    </div>
  );
}

type Parsed = ReturnType<typeof parseSearchQuery>;

/** One line under the box: how the query was read, how many matched, or what is wrong with it. */
function SearchSummary({ id, results, parsed }: { id: string; results: SearchResults; parsed: Parsed }): ReactElement {
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();

  let content: ReactElement | string | null = null;
  let tone = 'info';
  if (results.status === 'error' && results.error) {
    tone = 'error';
    content = t('patients.search.failed', { reason: errorText(results.error) });
  } else if (results.status === 'loading' && results.items.length === 0) {
    content = t('patients.search.searching');
  } else if (results.status === 'ready' || (results.status === 'loading' && results.items.length > 0)) {
    if (results.understoodAs === 'invalid') {
      tone = 'error';
      content = problemText(parsed, results.problem, t);
    } else if (results.understoodAs !== 'empty') {
      const parts = understoodParts(parsed);
      const what = new Intl.ListFormat(i18n.language, { type: parsed.kind === 'identifier' ? 'disjunction' : 'conjunction' }).format(
        parts.map((part) => t(`patients.understood.${part}`)),
      );
      const count = formatCount(results.total, i18n.language);
      // A capped list never shows a bare count: "more than 300", or that not every card was checked.
      const found = results.moreThanTotal
        ? t('patients.search.foundMore', { count })
        : !results.complete
          ? t('patients.search.foundPartial', { count })
          : results.total === 0
            ? t('patients.search.nothing')
            : t('patients.search.found', { count });
      const ignored = parsed.kind === 'criteria' || parsed.kind === 'identifier' ? parsed.ignored : [];
      const snilsUnchecked = parsed.kind === 'identifier' && parsed.asSnils && !isValidSnils(parsed.digits);
      content = (
        <>
          <span
            className={results.complete ? undefined : 'patient-search-warning'}
            data-testid="patient-search-found"
            data-complete={results.complete ? 'true' : 'false'}
          >
            {found}
          </span>
          {parts.length > 0 ? (
            <span className="muted" data-testid="patient-search-understood">
              {' · '}
              {t('patients.search.understood', { what })}
            </span>
          ) : null}
          {snilsUnchecked ? (
            <span className="patient-search-note" data-testid="patient-search-snils-check">
              {t('patients.search.snilsCheck')}
            </span>
          ) : null}
          {ignored.length > 0 ? (
            <span className="patient-search-note" data-testid="patient-search-ignored">
              {t('patients.search.ignored', { chars: ignored.join(' ') })}
            </span>
          ) : null}
          {results.source !== 'cache' ? (
            <span className="patient-search-note patient-search-source" data-testid="patient-search-source" data-source={results.source}>
              {t(`patients.search.source.${results.source}`)}
            </span>
          ) : null}
        </>
      );
    }
  } else {
    content = t('patients.search.hint');
  }

  return (
    <div id={id} className="patient-search-summary" data-testid="patient-search-summary" data-tone={tone} role="status">
      {tone === 'error' && results.understoodAs === 'invalid' ? <span data-testid="patient-search-problem">{content}</span> : content}
    </div>
  );
}

/** The server says why the query cannot be used; say it in the UI language when we know the reason. */
function problemText(parsed: Parsed, serverProblem: string | null, t: TFunction): string {
  if (parsed.kind === 'invalid') {
    return t(`patients.problem.${parsed.problem}`, {
      min: MIN_PHONE_DIGITS,
      words: MAX_QUERY_WORDS,
      length: MAX_QUERY_LENGTH,
      chars: (parsed.characters ?? []).join(' '),
      defaultValue: serverProblem ?? t('patients.problem.generic'),
    });
  }
  return serverProblem ?? t('patients.problem.generic');
}
