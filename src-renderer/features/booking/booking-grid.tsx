import type { KeyboardEvent, ReactElement, RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import type { FreeSlot } from '../../../src-shared/booking/booking-contract';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import { addDays, clinicTimeOfDay } from '../../../src-shared/schedule/clinic-time';
import { useErrorText } from '../../ui/error-text';
import { dateTimeFormat } from '../../ui/intl-formats';
import { Plain } from '../../ui/plain';
import { earliestOfDay, type GridKey, type GridRow, moveInGrid } from './booking-model';
import { roomText } from '../../ui/room-text';

/** `пн, 7 дек.` of a clinic date (formatted at noon UTC, so no zone can shift the day). */
export function dayLabel(day: string, language: string): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return dateTimeFormat(language, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(Date.UTC(y, m - 1, d, 12));
}

export interface SlotGridProps {
  gridRef: RefObject<HTMLDivElement | null>;
  rows: readonly GridRow[];
  days: readonly string[];
  today: string;
  timeZone: string;
  status: 'idle' | 'loading' | 'ready' | 'error';
  error: DeskErrorPayload | null;
  truncated: boolean;
  /** The slot that takes Tab into the grid (the last one focused). */
  focusSlotId: string | null;
  onFocusSlot(slotId: string): void;
  onPick(slot: FreeSlot): void;
  onPage(delta: 1 | -1): void;
  onFirstFree(): void;
  onRetry(): void;
}

const GRID_KEYS = new Set<string>(['ArrowLeft', 'ArrowRight', 'ArrowUp', 'ArrowDown', 'Home', 'End']);

/** Focuses a slot's button inside the grid; false when it is not on screen. */
export function focusSlot(grid: HTMLElement | null, slotId: string | null): boolean {
  if (!grid || slotId === null) return false;
  for (const button of grid.querySelectorAll<HTMLButtonElement>('button[data-slot-id]')) {
    if (button.dataset.slotId === slotId) {
      button.focus();
      return true;
    }
  }
  return false;
}

/**
 * The free slots of one page: a row per doctor, a column per clinic day, a button per slot
 * (`slot`, `data-start`, `data-doctor`). Arrows walk it (left / right along the doctor's times,
 * up / down to the neighbour doctor at the nearest time), Home / End, PageUp / PageDown page the
 * days, Enter picks, F takes the first free time of the specialty.
 */
export function SlotGrid(props: SlotGridProps): ReactElement {
  const { gridRef, rows, days, today, timeZone, status, error, truncated, focusSlotId, onFocusSlot, onPick, onPage, onFirstFree, onRetry } = props;
  const { t, i18n } = useTranslation();
  const errorText = useErrorText();
  const tomorrow = addDays(today, 1);
  const labels = days.map((day) => dayLabel(day, i18n.language));
  const slotCount = rows.reduce((sum, row) => sum + row.cells.reduce((n, cell) => n + cell.length, 0), 0);
  const tabStop = rows.some((row) => row.cells.some((cell) => cell.some((slot) => slot.id === focusSlotId))) ? focusSlotId : (rows[0]?.cells.flat()[0]?.id ?? null);

  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const slotId = (event.target as HTMLElement).dataset?.slotId;
    if (GRID_KEYS.has(event.key)) {
      event.preventDefault();
      if (!slotId) return;
      const next = moveInGrid(rows, slotId, event.key as GridKey);
      if (next) focusSlot(gridRef.current, next.id);
      return;
    }
    // 1…5: the earliest free time of that day column, whichever doctor (the key's place, any layout).
    const digit = /^Digit([1-9])$/.exec(event.code);
    if (digit && !event.shiftKey) {
      event.preventDefault();
      const earliest = earliestOfDay(rows, Number(digit[1]) - 1);
      if (earliest) focusSlot(gridRef.current, earliest.id);
      return;
    }
    if (event.key === 'PageDown' || event.key === 'PageUp') {
      event.preventDefault();
      onPage(event.key === 'PageDown' ? 1 : -1);
      return;
    }
    // F, whatever the keyboard layout (the key's place, not its letter: «А» on a Russian one).
    if (event.code === 'KeyF' && !event.shiftKey) {
      event.preventDefault();
      onFirstFree();
      return;
    }
    if ((event.key === 'Enter' || event.key === ' ') && slotId) {
      event.preventDefault();
      const slot = rows.flatMap((row) => row.cells.flat()).find((candidate) => candidate.id === slotId);
      if (slot) onPick(slot);
    }
  };

  let message: ReactElement | null = null;
  if (status === 'error' && error) {
    message = (
      <p className="notice bad booking-grid-message" data-testid="booking-grid-error" role="alert">
        {t('booking.grid.failed', { reason: errorText(error) })}{' '}
        <button type="button" className="button" onClick={onRetry}>
          {t('errors.retry')}
        </button>
      </p>
    );
  } else if (status === 'loading' && slotCount === 0) {
    message = (
      <p className="muted booking-grid-message" data-testid="booking-grid-loading" role="status">
        {t('booking.grid.loading')}
      </p>
    );
  } else if (status === 'ready' && slotCount === 0) {
    message = (
      <p className="muted booking-grid-message" data-testid="booking-grid-empty" role="status">
        {t('booking.grid.empty')}
      </p>
    );
  }

  return (
    <div
      ref={gridRef}
      className="booking-grid"
      data-testid="booking-grid"
      data-state={status}
      role="group"
      aria-label={t('booking.grid.label')}
      aria-keyshortcuts="F 1 2 3 4 5 PageUp PageDown"
      tabIndex={-1}
      onKeyDown={onKeyDown}
    >
      {message}
      {slotCount > 0 ? (
        <div className="booking-grid-scroll">
          <table className="booking-grid-table">
            <thead>
              <tr>
                <th scope="col" className="booking-grid-doctor-head">
                  {t('booking.grid.doctor')}
                </th>
                {days.map((day, index) => (
                  <th key={day} scope="col" className="booking-grid-day" data-day={day} data-today={day === today ? 'true' : undefined}>
                    <kbd className="booking-grid-day-key" aria-hidden="true">
                      {index + 1}
                    </kbd>
                    <span className="booking-grid-day-name">{labels[index]}</span>
                    {day === today || day === tomorrow ? <span className="booking-grid-day-rel">{t(day === today ? 'booking.today' : 'booking.tomorrow')}</span> : null}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => (
                <tr key={row.doctorId} data-testid="booking-grid-row" data-doctor={row.doctorId}>
                  <th scope="row" className="booking-grid-doctor">
                    <span className="booking-grid-doctor-name">
                      <Plain text={row.doctor?.name ?? row.doctorId} />
                    </span>
                    {row.doctor ? (
                      <span className="booking-grid-doctor-room muted">
                        {roomText(row.doctor.room, (room) => t('booking.room', { room }))}
                      </span>
                    ) : null}
                  </th>
                  {row.cells.map((cell, index) => (
                    <td key={days[index]} className="booking-grid-cell">
                      {cell.map((slot) => {
                        const time = clinicTimeOfDay(slot.startsAt, timeZone);
                        return (
                          <button
                            key={slot.id}
                            type="button"
                            className="booking-slot"
                            data-testid="slot"
                            data-slot-id={slot.id}
                            data-start={slot.startsAt}
                            data-doctor={slot.doctorId}
                            tabIndex={slot.id === tabStop ? 0 : -1}
                            aria-label={t('booking.grid.slotLabel', { time, day: labels[index], doctor: row.doctor?.name ?? row.doctorId })}
                            onFocus={() => onFocusSlot(slot.id)}
                            onClick={() => onPick(slot)}
                          >
                            {time}
                          </button>
                        );
                      })}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {truncated ? (
        <p className="muted booking-grid-note" data-testid="booking-grid-truncated">
          {t('booking.grid.truncated')}
        </p>
      ) : null}
    </div>
  );
}
