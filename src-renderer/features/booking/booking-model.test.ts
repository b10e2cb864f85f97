import { describe, expect, it } from 'vitest';
import { clinicDate } from '../../../src-shared/schedule/clinic-time';
import { buildGrid, defaultServiceId, earliestOfDay, formatRub, formatVisitTime, matchWhat, moveInGrid, NO_FILTERS, pageDays, pageStartFor, servicesFor } from './booking-model';
import { roomText } from '../../ui/room-text';
import { makeCatalog, makeSlots, MSK } from './booking-test-support';

const catalog = makeCatalog();
const labels = (text: string, filters = NO_FILTERS) => matchWhat(catalog, filters, text).map((option) => `${option.kind}:${option.label}`);

describe('the "what" match', () => {
  it('finds specialties, services and doctors by the start of any word, specialties first', () => {
    expect(labels('тер')).toEqual([
      'specialty:терапевт',
      'service:Терапевтический массаж',
      'service:Приём терапевта',
      'service:Приём терапевта платный',
    ]);
    expect(labels('кардио')).toEqual(['specialty:кардиолог', 'service:Консультация кардиолога']);
  });

  it('folds case and ё/е the way the patient search does', () => {
    expect(labels('иван')).toEqual(['doctor:Иванова Ольга Петровна', 'doctor:Петров Иван Сергеевич']);
    expect(labels('СЕМЕНОВ')).toEqual(['doctor:Семёнов Пётр Ильич']);
    expect(labels('семён пётр')).toEqual(['doctor:Семёнов Пётр Ильич']);
    expect(labels('елкина')).toEqual(['doctor:Ёлкина Мария Андреевна']);
    expect(labels('  ЛОР ')).toEqual(['specialty:ЛОР']);
    expect(labels('иван сидор')).toEqual([]);
  });

  it('narrows by payment kind and branch', () => {
    expect(labels('тер', { branchId: '', kind: 'paid' })).toEqual(['specialty:терапевт', 'service:Терапевтический массаж', 'service:Приём терапевта платный']);
    // No ДМС service for a therapist: neither the specialty nor its doctors are offered.
    expect(labels('тер', { branchId: '', kind: 'dms' })).toEqual([]);
    expect(labels('', { branchId: '', kind: 'dms' })).toEqual(['specialty:кардиолог']);
    // Branch «Север» has the therapist Семёнов and the ЛОР, no cardiologist.
    expect(labels('', { branchId: 'B2', kind: '' })).toEqual(['specialty:ЛОР', 'specialty:терапевт']);
    expect(labels('иван', { branchId: 'B2', kind: '' })).toEqual([]);
    expect(servicesFor(catalog, 'терапевт', 'paid').map((service) => service.id)).toEqual(['S2', 'S6']);
  });
});

describe('the slot grid', () => {
  const doctors = new Map(catalog.doctors.map((doctor) => [doctor.id, doctor]));
  const days = pageDays('2026-12-07', '2026-12-20');

  it('puts each slot in its clinic day, whatever the machine zone, and a row per doctor by name', () => {
    expect(days).toEqual(['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11']);
    const rows = buildGrid(makeSlots(), days, doctors, MSK);
    expect(rows.map((row) => row.doctorId)).toEqual(['D1', 'D3', 'D2']);
    const semenov = rows[2]!;
    expect(semenov.cells.map((cell) => cell.map((slot) => slot.id))).toEqual([['s3'], ['s5'], [], ['s8'], []]);
    // s7 (the 15th) is on the next page.
    expect(rows.flatMap((row) => row.cells.flat()).some((slot) => slot.id === 's7')).toBe(false);
    expect(pageStartFor('2026-12-07', '2026-12-15')).toBe('2026-12-12');
    expect(pageStartFor('2026-12-07', '2026-12-11')).toBe('2026-12-07');
    expect(pageDays('2026-12-17', '2026-12-20')).toEqual(['2026-12-17', '2026-12-18', '2026-12-19', '2026-12-20']);
  });

  it('arrows walk a doctor\'s times across days and jump between doctors at the nearest time', () => {
    const rows = buildGrid(makeSlots(), days, doctors, MSK);
    expect(moveInGrid(rows, 's1', 'ArrowRight')?.id).toBe('s2');
    expect(moveInGrid(rows, 's2', 'ArrowRight')?.id).toBe('s4');
    expect(moveInGrid(rows, 's1', 'ArrowLeft')).toBeNull();
    expect(moveInGrid(rows, 's4', 'End')?.id).toBe('s4');
    expect(moveInGrid(rows, 's4', 'Home')?.id).toBe('s1');
    // Иванова 8 Dec 9:00 → Петров (the 9th, his only time) → Семёнов nearest to the 9th 14:00: the 10th 0:30.
    expect(moveInGrid(rows, 's4', 'ArrowDown')?.id).toBe('s6');
    expect(moveInGrid(rows, 's6', 'ArrowDown')?.id).toBe('s8');
    expect(moveInGrid(rows, 's6', 'ArrowUp')?.id).toBe('s4');
    expect(moveInGrid(rows, 's1', 'ArrowUp')).toBeNull();
  });

  it('a digit key finds the earliest free time of that day column across every doctor, and nothing on an empty day', () => {
    const rows = buildGrid(makeSlots(), days, doctors, MSK);
    const all = rows.flatMap((row) => row.cells[1]!);
    const earliest = earliestOfDay(rows, 1)!;
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((slot) => Date.parse(slot.startsAt) >= Date.parse(earliest.startsAt))).toBe(true);
    expect(clinicDate(earliest.startsAt, MSK)).toBe(days[1]);
    expect(earliestOfDay(rows, 9)).toBeNull();
  });
});

describe('read-back figures', () => {
  it('says roubles with no-break spaces and visit times on the clinic clock', () => {
    expect(formatRub(1800)).toBe('1\u00a0800\u00a0₽');
    expect(formatRub(900)).toBe('900\u00a0₽');
    expect(formatRub(125000)).toBe('125\u00a0000\u00a0₽');
    expect(formatVisitTime('2026-12-08T11:00:00+03:00', MSK)).toBe('08.12.2026, 11:00');
    expect(formatVisitTime('2026-12-08T06:00:00Z', 'Asia/Yekaterinburg')).toBe('08.12.2026, 11:00');
  });
});

describe('defaults a receptionist expects', () => {
  it('a specialty books its everyday ОМС visit unless a kind is chosen; a check-up programme never comes first', () => {
    const withCheckUpFirst = { ...catalog, services: [{ id: 'C1', name: 'Check-Up «Базовый»: консультация терапевта', specialty: 'терапевт', durationMin: 30, kind: 'checkup' as const, priceRub: 7500, prepare: null }, ...catalog.services] };
    expect(defaultServiceId(withCheckUpFirst, 'терапевт', '')).toBe('S1');
    expect(defaultServiceId(withCheckUpFirst, 'терапевт', 'paid')).toBe('S2');
    expect(defaultServiceId(withCheckUpFirst, 'терапевт', 'checkup')).toBe('C1');
    expect(defaultServiceId(withCheckUpFirst, 'кардиолог', 'oms')).toBeNull();
  });

  it('labels a bare room number and leaves a named room as the MIS wrote it', () => {
    const label = (room: string) => `каб. ${room}`;
    expect(roomText('214', label)).toBe('каб. 214');
    expect(roomText('каб. 214', label)).toBe('каб. 214');
    expect(roomText('Процедурная', label)).toBe('Процедурная');
  });
});
