import { useContext, useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type ReactElement } from 'react';
import { useTranslation } from 'react-i18next';
import type { Alternatives, FreeSlot, FreeSlotsQuery } from '../../../src-shared/booking/booking-contract';
import { clinicDate, clinicTimeOfDay, DEFAULT_CLINIC_TIME_ZONE, addDays } from '../../../src-shared/schedule/clinic-time';
import { DEFAULT_SCHEDULE_HORIZON_DAYS, type ServiceKind } from '../../../src-shared/schedule/schedule-model';
import { useAppStore } from '../../app/app-store';
import { useDesk } from '../../app/desk-context';
import { toDeskError } from '../../bridge/desk-error';
import { useErrorText } from '../../ui/error-text';
import { formatClockTime, formatDate } from '../../ui/format-time';
import { WarningIcon } from '../../ui/icons';
import { Plain } from '../../ui/plain';
import { ReadBack, SlotTaken } from './booking-confirm';
import { BookingCallContext, type BookingDone, type BookingMode, type BookingPatient } from './booking-context';
import { useCatalog, useFreeSlots } from './booking-data';
import { dayLabel, focusSlot, SlotGrid } from './booking-grid';
import {
  buildGrid,
  defaultServiceId,
  filteredCatalog,
  formatClinicDate,
  horizonEnd,
  matchWhat,
  NO_FILTERS,
  PAGE_DAYS,
  pageDays,
  pageStartFor,
  serviceByName,
  SERVICE_KINDS,
  servicesFor,
  type BookingFilters,
  type CatalogDoctor,
  type WhatOption,
} from './booking-model';

export interface BookingPaneProps {
  patient: BookingPatient;
  mode: BookingMode;
  onClose(): void;
  onDone(done: BookingDone): void;
}

/** What the grid shows: a specialty's doctors, or one doctor; with the service it books. */
interface Target {
  specialty: string;
  doctorId: string | null;
  serviceId: string | null;
}

type Step =
  | { name: 'what' }
  | { name: 'grid' }
  | { name: 'confirm'; slot: FreeSlot }
  | { name: 'taken'; slot: FreeSlot; code: 'SLOT_TAKEN' | 'SLOT_NOT_FOUND' };

type AlternativesState = { slotId: string; status: 'loading' | 'ready' | 'error'; value: Alternatives | null };

/**
 * The booking pane (`booking`), keyboard first: type what is needed (a specialty, a service or
 * a doctor) → arrows and Enter in the grid of free slots (or F / Alt+F: the first free time) →
 * the read-back, Enter books. Escape goes back a step, and from the first step closes.
 * `SLOT_TAKEN` is said as such, with the alternatives to pick from.
 */
export function BookingPane({ patient, mode, onClose, onDone }: BookingPaneProps): ReactElement {
  const { t, i18n } = useTranslation();
  const desk = useDesk();
  const errorText = useErrorText();
  const callIdFor = useContext(BookingCallContext);
  const settingsZone = useAppStore((state) => state.settingsView?.settings.schedule?.timeZone);
  const { catalog, error: catalogError, reload: reloadCatalog } = useCatalog();
  const timeZone = catalog?.timeZone ?? settingsZone ?? DEFAULT_CLINIC_TIME_ZONE;
  const [now] = useState(() => Date.now());
  const today = clinicDate(now, timeZone);
  const lastDay = horizonEnd(today, catalog?.horizonDays ?? DEFAULT_SCHEDULE_HORIZON_DAYS);
  const language = i18n.language.startsWith('en') ? 'en' : 'ru';
  const visit = mode.kind === 'new' ? null : mode.visit;

  const [step, setStep] = useState<Step>(mode.kind === 'new' ? { name: 'what' } : { name: 'grid' });
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const [filters, setFilters] = useState<BookingFilters>(NO_FILTERS);
  const [target, setTarget] = useState<Target | null>(null);
  const [pageStart, setPageStart] = useState<string | null>(null);
  const [focusSlotId, setFocusSlotId] = useState<string | null>(null);
  const [dataAsOf, setDataAsOf] = useState<number | null | undefined>(undefined);
  const [firstFreeNone, setFirstFreeNone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<{ code: string; text: string } | null>(null);
  const [alternatives, setAlternatives] = useState<AlternativesState | null>(null);

  const inputRef = useRef<HTMLInputElement>(null);
  const gridRef = useRef<HTMLDivElement>(null);
  const confirmRef = useRef<HTMLButtonElement>(null);
  const alternativeRef = useRef<HTMLButtonElement>(null);
  const rootRef = useRef<HTMLElement>(null);
  /** The grid takes the focus at its next answer (a step or a page changed), not on a background reload. */
  const focusGrid = useRef(false);
  const sequence = useRef(0);

  const doctors = useMemo(() => new Map((catalog?.doctors ?? []).map((doctor) => [doctor.id, doctor])), [catalog]);
  const branches = useMemo(() => new Map((catalog?.branches ?? []).map((branch) => [branch.id, branch])), [catalog]);

  // Moving or booking a rejected visit again: the grid of its specialty, with its service
  // (found by name), or straight to the read-back of an alternative already picked.
  if (catalog && visit && target === null) {
    const service = serviceByName(catalog, visit.specialty, visit.service);
    setTarget({ specialty: visit.specialty, doctorId: null, serviceId: service?.id ?? (mode.kind === 'rebook' ? defaultServiceId(catalog, visit.specialty, '') : null) });
    const slot = mode.kind === 'new' ? null : mode.slot;
    if (slot) {
      setPageStart(pageStartFor(today, clinicDate(slot.startsAt, timeZone)));
      setFocusSlotId(slot.id);
      setStep({ name: 'confirm', slot });
    }
  }

  const options = useMemo(() => (catalog ? matchWhat(catalog, filters, text) : []), [catalog, filters, text]);
  const activeIndex = Math.min(active, options.length - 1);

  const pageFrom = pageStart ?? today;
  const days = useMemo(() => pageDays(pageFrom, lastDay), [pageFrom, lastDay]);
  const query: FreeSlotsQuery | null =
    step.name !== 'what' && target && catalog && days.length > 0
      ? {
          specialty: target.specialty,
          ...(target.doctorId ? { doctorId: target.doctorId } : {}),
          ...(target.serviceId ? { serviceId: target.serviceId } : {}),
          ...(filters.branchId ? { branchId: filters.branchId } : {}),
          from: days[0]!,
          to: days[days.length - 1]!,
          limit: 500,
        }
      : null;
  const slots = useFreeSlots(query, setDataAsOf);
  const queryKey = query ? JSON.stringify(query) : null;
  const current = slots.key === queryKey;
  const rows = useMemo(() => (current ? buildGrid(slots.slots, days, doctors, timeZone) : []), [current, slots.slots, days, doctors, timeZone]);

  // Focus: the "what" box on its step, the read-back's button, the first alternative, and the
  // grid's slot once its answer is in (the one focused before, else the first).
  // Layout effects: the focus is there in the same frame as the step, so no key is lost.
  useLayoutEffect(() => {
    if (step.name === 'what') inputRef.current?.focus();
    if (step.name === 'confirm') confirmRef.current?.focus();
  }, [step]);
  useLayoutEffect(() => {
    if (step.name === 'taken' && alternatives?.status !== 'loading') (alternativeRef.current ?? rootRef.current?.querySelector<HTMLButtonElement>('[data-testid="booking-back"]'))?.focus();
  }, [step, alternatives?.status]);
  useLayoutEffect(() => {
    if (step.name !== 'grid' || !current || slots.status === 'loading') return;
    const lost = document.activeElement === document.body || document.activeElement === null;
    if (!focusGrid.current && !lost) return;
    focusGrid.current = false;
    if (!focusSlot(gridRef.current, focusSlotId)) {
      const first = rows.find((row) => row.cells.some((cell) => cell.length > 0))?.cells.flat()[0];
      if (!focusSlot(gridRef.current, first?.id ?? null)) gridRef.current?.focus();
    }
  }, [step, current, slots.status, slots.version, rows, focusSlotId]);

  const toGrid = (next: Target) => {
    setTarget(next);
    setFirstFreeNone(false);
    setFailure(null);
    setPageStart(null);
    setFocusSlotId(null);
    focusGrid.current = true;
    setStep({ name: 'grid' });
  };

  const targetOf = (option: WhatOption): Target | null => {
    if (!catalog) return null;
    if (option.kind === 'service') return { specialty: option.specialty, doctorId: null, serviceId: option.value };
    return { specialty: option.specialty, doctorId: option.kind === 'doctor' ? option.value : null, serviceId: defaultServiceId(catalog, option.specialty, filters.kind) };
  };

  const pickOption = (option: WhatOption | undefined) => {
    const next = option ? targetOf(option) : null;
    if (next) toGrid(next);
  };

  /** The earliest free time of the whole specialty (every doctor) over the whole horizon. */
  const firstFree = async (base: Target | null) => {
    if (!base || !catalog) return;
    const mine = ++sequence.current;
    const next: Target = { ...base, doctorId: null };
    try {
      const answer = await desk.request('schedule.freeSlots', {
        specialty: next.specialty,
        ...(next.serviceId ? { serviceId: next.serviceId } : {}),
        ...(filters.branchId ? { branchId: filters.branchId } : {}),
        from: today,
        to: lastDay,
        limit: 1,
      });
      if (mine !== sequence.current) return;
      setDataAsOf(answer.dataAsOf);
      const slot = answer.slots[0];
      setTarget(next);
      setFailure(null);
      if (!slot) {
        setFirstFreeNone(true);
        focusGrid.current = true;
        setStep({ name: 'grid' });
        return;
      }
      setFirstFreeNone(false);
      setPageStart(pageStartFor(today, clinicDate(slot.startsAt, timeZone)));
      setFocusSlotId(slot.id);
      setStep({ name: 'confirm', slot });
    } catch (error) {
      if (mine !== sequence.current) return;
      const deskError = toDeskError(error);
      setTarget(next);
      setFailure({ code: deskError.code, text: t('booking.grid.failed', { reason: errorText(deskError) }) });
      focusGrid.current = true;
      setStep({ name: 'grid' });
    }
  };

  const pick = (slot: FreeSlot) => {
    setFocusSlotId(slot.id);
    setFailure(null);
    setStep({ name: 'confirm', slot });
  };

  const page = (delta: 1 | -1) => {
    const start = addDays(pageStart ?? today, delta * PAGE_DAYS);
    if (start < today || start > lastDay) return;
    setPageStart(start);
    setFocusSlotId(null);
    focusGrid.current = true;
  };

  const loadAlternatives = (slotId: string) => {
    setAlternatives({ slotId, status: 'loading', value: null });
    desk.request('booking.alternatives', { slotId }).then(
      (value) => setAlternatives((previous) => (previous?.slotId === slotId ? { slotId, status: value && Array.isArray(value.sameDoctor) ? 'ready' : 'error', value: value ?? null } : previous)),
      () => setAlternatives((previous) => (previous?.slotId === slotId ? { slotId, status: 'error', value: null } : previous)),
    );
  };

  const taken = (slot: FreeSlot, code: 'SLOT_TAKEN' | 'SLOT_NOT_FOUND') => {
    setStep({ name: 'taken', slot, code });
    loadAlternatives(slot.id);
    slots.reload();
  };

  const service = catalog && target?.serviceId ? (catalog.services.find((candidate) => candidate.id === target.serviceId) ?? null) : null;

  const book = async (slot: FreeSlot) => {
    if (busy) return;
    setBusy(true);
    setFailure(null);
    const callId = callIdFor(patient.misId);
    try {
      const result =
        mode.kind === 'move'
          ? await desk.request('booking.move', { visitId: mode.visit.id, slotId: slot.id, callId, patientMisId: patient.misId })
          : await desk.request('booking.create', { patientMisId: patient.misId, slotId: slot.id, serviceId: service!.id, callId });
      const booked = result.visit;
      if (booked.state === 'rejected') {
        if (booked.rejection === 'slot-taken' || booked.rejection === 'slot-gone') taken(slot, booked.rejection === 'slot-taken' ? 'SLOT_TAKEN' : 'SLOT_NOT_FOUND');
        else setFailure({ code: booked.rejection ?? 'refused', text: t(`booking.rejection.${booked.rejection ?? 'refused'}`) });
        return;
      }
      onDone({ kind: mode.kind === 'move' ? 'moved' : 'created', visit: booked });
    } catch (error) {
      const deskError = toDeskError(error);
      if (deskError.code === 'SLOT_TAKEN' || deskError.code === 'SLOT_NOT_FOUND') taken(slot, deskError.code);
      else setFailure({ code: deskError.code, text: t('booking.failed', { reason: errorText(deskError) }) });
    } finally {
      setBusy(false);
    }
  };

  const back = () => {
    setFailure(null);
    if (step.name === 'confirm' || step.name === 'taken') {
      focusGrid.current = true;
      setStep({ name: 'grid' });
    } else if (step.name === 'grid') {
      sequence.current++;
      setStep({ name: 'what' });
    } else if (text !== '') {
      setText('');
      setActive(0);
    } else {
      onClose();
    }
  };

  const onRootKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (event.key === 'Escape' && !event.ctrlKey && !event.altKey && !event.metaKey) {
      event.preventDefault();
      if (!busy) back();
      return;
    }
    // Alt+F: the first free time, from the "what" box (of the highlighted line) or the grid.
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === 'KeyF') {
      event.preventDefault();
      if (step.name === 'what') {
        const option = options[Math.max(activeIndex, 0)];
        if (option) void firstFree(targetOf(option));
      } else if (step.name === 'grid') void firstFree(target);
    }
  };

  const onWhatKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    switch (event.key) {
      case 'ArrowDown':
        event.preventDefault();
        setActive(Math.min(activeIndex + 1, options.length - 1));
        return;
      case 'ArrowUp':
        event.preventDefault();
        setActive(Math.max(activeIndex - 1, 0));
        return;
      case 'Enter':
        event.preventDefault();
        pickOption(options[Math.max(activeIndex, 0)]);
        return;
    }
  };

  const setKind = (kind: ServiceKind | '') => {
    setFilters((previous) => ({ ...previous, kind }));
    setActive(0);
    // A service of another kind gives way to the first of the new kind.
    if (catalog && target && service && kind !== '' && service.kind !== kind) {
      setTarget({ ...target, serviceId: defaultServiceId(catalog, target.specialty, kind) });
      focusGrid.current = true;
    }
  };

  const dataTime = dataAsOf !== undefined ? dataAsOf : (catalog?.dataAsOf ?? null);
  const listId = useId();
  const optionId = (index: number) => `${listId}-option-${index}`;
  const stepSlot = step.name === 'confirm' || step.name === 'taken' ? step.slot : null;
  const slotDoctor: CatalogDoctor | null = stepSlot ? (doctors.get(stepSlot.doctorId) ?? null) : null;
  const targetDoctor = target?.doctorId ? (doctors.get(target.doctorId) ?? null) : null;
  const serviceChoices = catalog && target ? servicesFor(catalog, target.specialty, filters.kind) : [];
  const { specialties: offeredSpecialties } = catalog ? filteredCatalog(catalog, filters) : { specialties: [] };
  const canPrev = (pageStart ?? today) > today;
  const canNext = addDays(pageStart ?? today, PAGE_DAYS) <= lastDay;

  return (
    <section
      ref={rootRef}
      className="booking-pane"
      data-testid="booking"
      data-step={step.name}
      data-mode={mode.kind}
      aria-labelledby={`${listId}-title`}
      onKeyDown={onRootKeyDown}
    >
      <header className="booking-header">
        <div className="booking-heading">
          <h2 id={`${listId}-title`} className="booking-title">
            {t(mode.kind === 'move' ? 'booking.titleMove' : 'booking.title')}
          </h2>
          <p className="booking-patient" data-testid="booking-patient">
            <Plain text={patient.name} />
            {visit ? (
              <span className="muted">
                {' · '}
                {t('booking.visitWas', { when: `${formatClinicDate(clinicDate(visit.startsAt, timeZone))}, ${clinicTimeOfDay(visit.startsAt, timeZone)}` })}
              </span>
            ) : null}
          </p>
        </div>
        <span className="booking-data-as-of muted" data-testid="booking-data-as-of" data-at={dataTime ?? undefined}>
          {/* When this desk last synced: the desk's own clock, like every other "data as of". */}
          {dataTime === null
            ? t('booking.dataNone')
            : new Date(dataTime).toDateString() === new Date().toDateString()
              ? t('booking.dataAsOf', { time: formatClockTime(new Date(dataTime).toISOString(), i18n.language) })
              : t('booking.dataAsOfDate', {
                  date: formatDate(new Date(dataTime).toISOString(), i18n.language),
                  time: formatClockTime(new Date(dataTime).toISOString(), i18n.language),
                })}
        </span>
        <button type="button" className="button ghost" data-testid="booking-close" onClick={onClose} title={t('booking.closeHint')}>
          {t('booking.close')}
        </button>
      </header>

      {catalogError && !catalog ? (
        <p className="notice bad" role="alert" data-testid="booking-catalog-error" data-code={catalogError.code}>
          <WarningIcon />
          {t('booking.catalogFailed', { reason: errorText(catalogError) })}{' '}
          <button type="button" className="button" onClick={reloadCatalog}>
            {t('errors.retry')}
          </button>
        </p>
      ) : null}

      <div className="booking-filters">
        <label className="booking-filter">
          <span className="field-label">{t('booking.branch')}</span>
          <select
            className="input"
            data-testid="booking-branch"
            value={filters.branchId}
            disabled={step.name === 'confirm' || step.name === 'taken'}
            onChange={(event) => {
              setFilters((previous) => ({ ...previous, branchId: event.target.value }));
              setActive(0);
              focusGrid.current = step.name === 'grid';
            }}
          >
            <option value="">{t('booking.allBranches')}</option>
            {(catalog?.branches ?? []).map((branch) => (
              <option key={branch.id} value={branch.id}>
                {branch.name}
              </option>
            ))}
          </select>
        </label>
        <label className="booking-filter">
          <span className="field-label">{t('booking.kind')}</span>
          <select
            className="input"
            data-testid="booking-kind"
            value={filters.kind}
            disabled={step.name === 'confirm' || step.name === 'taken'}
            onChange={(event) => setKind(event.target.value as ServiceKind | '')}
          >
            <option value="">{t('booking.anyKind')}</option>
            {SERVICE_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`booking.kinds.${kind}`)}
              </option>
            ))}
          </select>
        </label>
      </div>

      {step.name === 'what' ? (
        <div className="booking-what">
          <label className="field-label" htmlFor={`${listId}-what`}>
            {t('booking.what')}
          </label>
          <input
            ref={inputRef}
            id={`${listId}-what`}
            type="search"
            className="input booking-what-input"
            data-testid="booking-what"
            role="combobox"
            aria-controls={listId}
            aria-expanded={options.length > 0}
            aria-autocomplete="list"
            aria-activedescendant={options.length > 0 ? optionId(Math.max(activeIndex, 0)) : undefined}
            aria-keyshortcuts="Alt+F"
            placeholder={t('booking.whatPlaceholder')}
            value={text}
            spellCheck={false}
            autoComplete="off"
            onChange={(event) => {
              setText(event.target.value);
              setActive(0);
            }}
            onKeyDown={onWhatKeyDown}
          />
          <p className="field-note">{t('booking.whatHint')}</p>
          <ul id={listId} role="listbox" className="booking-options" data-testid="booking-options" aria-label={t('booking.what')}>
            {options.map((option, index) => (
              <li
                key={`${option.kind}-${option.value}`}
                id={optionId(index)}
                role="option"
                aria-selected={index === Math.max(activeIndex, 0)}
                className="booking-option"
                data-testid="booking-option"
                data-kind={option.kind}
                data-value={option.value}
                onMouseDown={(event) => {
                  event.preventDefault();
                  pickOption(option);
                }}
              >
                <span className="booking-option-label">
                  <Plain text={option.label} />
                </span>
                <span className="booking-option-kind muted">
                  {t(`booking.optionKind.${option.kind}`)}
                  {option.kind !== 'specialty' ? (
                    <>
                      {' · '}
                      <Plain text={option.specialty} />
                    </>
                  ) : null}
                  {option.kind === 'doctor' && doctors.get(option.value) ? ` · ${branches.get(doctors.get(option.value)!.branchId)?.name ?? ''}` : ''}
                </span>
              </li>
            ))}
          </ul>
          {catalog && options.length === 0 ? (
            <p className="muted" data-testid="booking-no-match" role="status">
              {offeredSpecialties.length === 0 ? t('booking.nothingToBook') : t('booking.noMatch')}
            </p>
          ) : null}
          {!catalog && !catalogError ? (
            <p className="muted" role="status" data-testid="booking-catalog-loading">
              {t('booking.catalogLoading')}
            </p>
          ) : null}
        </div>
      ) : null}

      {step.name !== 'what' && target ? (
        <div className="booking-target-bar">
          <p className="booking-target" data-testid="booking-target" data-specialty={target.specialty} data-doctor={target.doctorId ?? undefined}>
            <strong>
              <Plain text={target.specialty} />
            </strong>
            {targetDoctor ? (
              <>
                {' · '}
                <Plain text={targetDoctor.name} />
              </>
            ) : null}
          </p>
          {mode.kind !== 'move' && step.name === 'grid' ? (
            <label className="booking-filter">
              <span className="field-label">{t('booking.service')}</span>
              <select
                className="input"
                data-testid="booking-service"
                value={target.serviceId ?? ''}
                onChange={(event) => {
                  setTarget({ ...target, serviceId: event.target.value || null });
                  focusGrid.current = true;
                }}
              >
                {target.serviceId === null ? <option value="">{t('booking.summary.noService')}</option> : null}
                {serviceChoices.map((choice) => (
                  <option key={choice.id} value={choice.id}>
                    {choice.name}
                  </option>
                ))}
              </select>
            </label>
          ) : null}
          {step.name === 'grid' ? (
            <div className="booking-paging">
              <button type="button" className="button" data-testid="booking-first-free" onClick={() => void firstFree(target)} aria-keyshortcuts="F Alt+F" title={t('booking.firstFreeHint')}>
                {t('booking.firstFree')} <span className="kbd">F</span>
              </button>
              <button type="button" className="button ghost" data-testid="booking-prev-days" disabled={!canPrev} onClick={() => page(-1)} aria-keyshortcuts="PageUp">
                {t('booking.prevDays')}
              </button>
              <span className="booking-range" data-testid="booking-range" data-from={days[0]} data-to={days[days.length - 1]}>
                {days.length > 0 ? `${dayLabel(days[0]!, i18n.language)} — ${dayLabel(days[days.length - 1]!, i18n.language)}` : ''}
              </span>
              <button type="button" className="button ghost" data-testid="booking-next-days" disabled={!canNext} onClick={() => page(1)} aria-keyshortcuts="PageDown">
                {t('booking.nextDays')}
              </button>
            </div>
          ) : null}
        </div>
      ) : null}

      {step.name === 'grid' && target ? (
        <>
          {firstFreeNone ? (
            <p className="notice warn" role="status" data-testid="booking-first-free-none">
              {t('booking.firstFreeNone', { date: formatClinicDate(lastDay) })}
            </p>
          ) : null}
          {failure ? (
            <p className="notice bad" role="alert" data-testid="booking-error" data-code={failure.code}>
              {failure.text}
            </p>
          ) : null}
          <SlotGrid
            gridRef={gridRef}
            rows={rows}
            days={days}
            today={today}
            timeZone={timeZone}
            status={current ? slots.status : 'loading'}
            error={slots.error}
            truncated={current && slots.truncated}
            focusSlotId={focusSlotId}
            onFocusSlot={setFocusSlotId}
            onPick={pick}
            onPage={page}
            onFirstFree={() => void firstFree(target)}
            onRetry={slots.reload}
          />
          <p className="field-note booking-keys">{t('booking.grid.keys')}</p>
        </>
      ) : null}
      {step.name === 'grid' && !target ? (
        <p className="muted" role="status">
          {t('booking.catalogLoading')}
        </p>
      ) : null}

      {step.name === 'confirm' && target ? (
        <ReadBack
          confirmRef={confirmRef}
          mode={mode.kind}
          patientName={patient.name}
          slot={step.slot}
          doctor={slotDoctor}
          branch={slotDoctor ? (branches.get(slotDoctor.branchId) ?? null) : null}
          service={service}
          serviceName={visit?.service ?? null}
          specialty={target.specialty}
          was={mode.kind === 'move' ? mode.visit : null}
          timeZone={timeZone}
          now={now}
          language={language}
          busy={busy}
          failure={failure}
          onConfirm={() => void book(step.slot)}
          onBack={back}
        />
      ) : null}

      {step.name === 'taken' && target ? (
        <SlotTaken
          firstRef={alternativeRef}
          code={step.code}
          specialty={target.specialty}
          alternatives={alternatives?.slotId === step.slot.id ? alternatives : { status: 'loading', value: null }}
          doctors={doctors}
          timeZone={timeZone}
          language={i18n.language}
          onPick={pick}
          onBack={back}
        />
      ) : null}
    </section>
  );
}
