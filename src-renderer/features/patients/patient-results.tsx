import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useRef, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { VisiblePatientCard } from '../../../src-shared/patients/patient-card';
import { ageOn, formatAge, formatIsoDate, formatPhone, fullName, phoneToShow } from './patient-format';
import { Plain } from '../../ui/plain';

/** Fixed row height (px): two dense lines; keeps the virtual list exact without measuring. */
export const RESULT_ROW_HEIGHT = 52;
/** Fetch the next page this many rows before the end. */
const LOAD_AHEAD_ROWS = 10;

export const optionId = (index: number) => `patient-option-${index}`;

export interface PatientResultsProps {
  listId: string;
  label: string;
  items: readonly VisiblePatientCard[];
  activeIndex: number;
  openMisId: string | null;
  queryDigits: string | null;
  today: Date;
  canLoadMore: boolean;
  loadingMore: boolean;
  onLoadMore(): void;
  onOpen(index: number): void;
}

/** The result list: only the visible rows are in the DOM, so 10 000 matches scroll smoothly. */
export function PatientResults(props: PatientResultsProps): ReactElement {
  const { items, activeIndex, canLoadMore, onLoadMore } = props;
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  // eslint-disable-next-line react-hooks/incompatible-library -- the virtualizer is read only in this component's render, never memoised across it
  const virtualizer = useVirtualizer({
    count: items.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => RESULT_ROW_HEIGHT,
    overscan: 8,
  });
  const rows = virtualizer.getVirtualItems();
  const lastVisible = rows.length > 0 ? rows[rows.length - 1]!.index : -1;

  useEffect(() => {
    if (canLoadMore && lastVisible >= items.length - LOAD_AHEAD_ROWS) onLoadMore();
  }, [canLoadMore, lastVisible, items.length, onLoadMore]);

  useEffect(() => {
    if (activeIndex >= 0) virtualizer.scrollToIndex(activeIndex, { align: 'auto' });
  }, [activeIndex, virtualizer]);

  return (
    <div ref={scroller} className="patient-results" data-testid="patient-results">
      <div
        id={props.listId}
        role="listbox"
        aria-label={props.label}
        className="patient-results-inner"
        style={{ height: virtualizer.getTotalSize() }}
      >
        {rows.map((row) => {
          const card = items[row.index]!;
          return (
            <ResultRow
              key={card.misId}
              index={row.index}
              top={row.start}
              card={card}
              active={row.index === activeIndex}
              open={card.misId === props.openMisId}
              queryDigits={props.queryDigits}
              today={props.today}
              onOpen={props.onOpen}
            />
          );
        })}
      </div>
      {props.loadingMore ? (
        <p className="patient-results-more muted" role="status">
          {t('patients.loadingMore')}
        </p>
      ) : null}
    </div>
  );
}

interface ResultRowProps {
  index: number;
  top: number;
  card: VisiblePatientCard;
  active: boolean;
  open: boolean;
  queryDigits: string | null;
  today: Date;
  onOpen(index: number): void;
}

function ResultRow({ index, top, card, active, open, queryDigits, today, onOpen }: ResultRowProps): ReactElement {
  const { t, i18n } = useTranslation();
  const age = ageOn(card.birthDate, today);
  // A role that may not see phones gets cards without them: the row then shows none.
  const phone = card.phones ? phoneToShow(card.phones, queryDigits) : null;
  return (
    <div
      id={optionId(index)}
      role="option"
      aria-selected={active}
      aria-current={open ? 'true' : undefined}
      data-testid="patient-result"
      data-mis-id={card.misId}
      data-active={active ? 'true' : undefined}
      className="patient-row"
      style={{ transform: `translateY(${top}px)`, height: RESULT_ROW_HEIGHT }}
      // Keep focus in the search box: the list is driven from there (aria-activedescendant).
      onMouseDown={(event) => event.preventDefault()}
      onClick={() => onOpen(index)}
    >
      <div className="patient-row-line">
        <span className="patient-row-name">
          <Plain text={fullName(card)} />
        </span>
        {card.flags.vip ? (
          <span className="pill pill-vip" data-testid="patient-result-vip">
            {t('patients.vip')}
          </span>
        ) : null}
        {card.flags.allergies ? (
          <span className="pill pill-allergy" data-testid="patient-result-allergy" title={card.flags.allergies}>
            {t('patients.allergy')}
          </span>
        ) : null}
      </div>
      <div className="patient-row-line patient-row-meta">
        <span className="mono">{formatIsoDate(card.birthDate)}</span>
        {age !== null ? <span>{formatAge(age, i18n.language)}</span> : null}
        {card.phones ? <span className="mono patient-row-phone">{phone ? formatPhone(phone.e164) : t('patients.noPhone')}</span> : null}
      </div>
    </div>
  );
}
