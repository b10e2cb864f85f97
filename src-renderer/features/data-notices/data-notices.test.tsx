// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import type { CacheFill } from '../../../src-shared/cache/cache-contract';
import type { JournalStatus, KeptJournal } from '../../../src-shared/journal/journal-contract';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makeStatus, T0, type FakeDesk } from '../../test-support/fake-desk';
import { formatClockTime } from '../../ui/format-time';

afterEach(cleanup);

const spaces = (text: string | null | undefined) => (text ?? '').replace(/[\u00a0\u202f]/g, ' ');
const now = () => new Date().toISOString();
const SET_ASIDE = '/home/reception/.local/share/registratura/cache.db.damaged-2026-12-05T08-14-00-000Z';

function rebuilding(overrides: Partial<CacheFill> = {}): CacheFill {
  return { state: 'filling', reason: 'damaged', startedAt: now(), completedAt: null, setAside: SET_ASIDE, ...overrides };
}

function kept(overrides: Partial<KeptJournal> = {}): KeptJournal {
  return {
    id: 1,
    path: '/data/journal.db.key-lost-2026-12-05T08-00-00-000Z',
    reason: 'key-lost',
    keptAt: now(),
    undelivered: 3,
    auditEntries: 120,
    countedAt: T0,
    acknowledged: false,
    ...overrides,
  };
}

async function openDesk(init: Parameters<typeof createFakeDesk>[0] = {}): Promise<FakeDesk> {
  const desk = createFakeDesk(init);
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} />);
  await screen.findByTestId('app-info');
  return desk;
}

describe('data notices: a damaged cache', () => {
  it('says on every pane that the cache was damaged and is being rebuilt, how far, and where the old file is; then that the MIS is down; then that it is rebuilt', async () => {
    const desk = await openDesk({ cache: makeCacheStatus({ cards: 4_000, fill: rebuilding() }), status: makeStatus({ mis: { state: 'online', since: T0, detail: null } }) });
    const notice = await screen.findByTestId('cache-notice');
    expect(notice.dataset.state).toBe('rebuilding');
    expect(notice.textContent).toContain('Локальный кэш карточек оказался повреждён');
    expect(spaces(notice.textContent)).toContain('загружено 4 000');
    expect(notice.textContent).toContain('поиск спрашивает МИС напрямую');
    expect(screen.getByTestId('cache-notice-set-aside').textContent).toContain(SET_ASIDE);

    act(() => desk.emit('sync:progress', { phase: 'first-sync', applied: 6_000, total: 20_000, etaSeconds: 30, done: false }));
    act(() => desk.emit('cache:changed', makeCacheStatus({ cards: 6_000, fill: rebuilding() })));
    expect(spaces(screen.getByTestId('cache-notice').textContent)).toContain('загружено 6 000 из 20 000');

    fireEvent.click(screen.getByTestId('nav-patients'));
    expect(screen.getByTestId('cache-notice')).toBeTruthy();

    act(() => desk.emit('status:changed', makeStatus({ mis: { state: 'online', since: T0, detail: null }, sync: { state: 'syncing', since: T0, detail: 'cacheRebuilding' } })));
    expect(screen.getByTestId('status-sync').textContent).toContain('пересборка кэша');
    act(() => desk.emit('status:changed', makeStatus({ mis: { state: 'offline', since: T0, detail: 'misUnreachable' } })));
    const offline = screen.getByTestId('cache-notice');
    expect(offline.dataset.state).toBe('rebuilding-mis-offline');
    expect(offline.textContent).toContain('МИС сейчас недоступна');
    expect(offline.textContent).toContain('поиск найдёт только их');

    const completedAt = now();
    act(() => desk.emit('cache:changed', makeCacheStatus({ cards: 20_000, fill: rebuilding({ state: 'complete', completedAt }) })));
    const rebuilt = screen.getByTestId('cache-notice');
    expect(rebuilt.dataset.state).toBe('rebuilt');
    expect(rebuilt.textContent).toContain(`собран заново из МИС в ${formatClockTime(completedAt, 'ru')}`);
    fireEvent.click(screen.getByTestId('cache-notice-dismiss'));
    expect(screen.queryByTestId('cache-notice')).toBeNull();
  });

  it('a first sync of a new desk is not called damage, and a lost key says so', async () => {
    const desk = await openDesk({ cache: makeCacheStatus({ cards: 10, fill: rebuilding({ reason: 'new', setAside: null }) }) });
    expect(screen.queryByTestId('cache-notice')).toBeNull();
    act(() => desk.emit('cache:changed', makeCacheStatus({ cards: 10, fill: rebuilding({ reason: 'key-lost' }) })));
    expect(screen.getByTestId('cache-notice').textContent).toContain('Ключ шифрования рабочего места утерян');
  });

  it('while the damaged file is being replaced, says that searches go to the MIS', async () => {
    await openDesk({ cache: makeCacheStatus({ replacing: true }) });
    expect((await screen.findByTestId('cache-notice')).dataset.state).toBe('replacing');
  });
});

describe('data notices: a kept journal', () => {
  it('says the key was lost, where the old journal is kept and what it held, until acknowledged', async () => {
    const journalStatus: JournalStatus = { state: 'open', problem: null, kept: [kept()] };
    const desk = await openDesk({ journalStatus });
    const notice = await screen.findByTestId('journal-kept-notice');
    expect(notice.dataset.reason).toBe('key-lost');
    expect(notice.textContent).toContain('Ключ шифрования рабочего места утерян или заменён');
    expect(screen.getByTestId('journal-kept-path').textContent).toContain('/data/journal.db.key-lost-2026-12-05T08-00-00-000Z');
    expect(spaces(screen.getByTestId('journal-kept-counts').textContent)).toContain('не отправлено в МИС — 3, записей журнала доступа — 120');
    expect(notice.textContent).toContain('Сообщите в ИТ-отдел');

    fireEvent.click(screen.getByTestId('journal-kept-acknowledge'));
    await waitFor(() => expect(screen.queryByTestId('journal-kept-notice')).toBeNull());
    expect(desk.callsTo('journal.acknowledgeKept')).toEqual([{ id: 1 }]);
  });

  it('does not guess counts it does not have', async () => {
    await openDesk({ journalStatus: { state: 'open', problem: null, kept: [kept({ undelivered: null, auditEntries: null, countedAt: null, reason: 'damaged' })] } });
    expect((await screen.findByTestId('journal-kept-counts')).textContent).toContain('неизвестно');
    expect(screen.getByTestId('journal-kept-notice').textContent).toContain('оказался повреждён');
  });

  it('a journal:changed push shows a notice in an open window', async () => {
    const desk = await openDesk();
    expect(screen.queryByTestId('journal-kept-notice')).toBeNull();
    act(() => desk.emit('journal:changed', { state: 'open', problem: null, kept: [kept()] }));
    expect(screen.getByTestId('journal-kept-notice')).toBeTruthy();
  });
});
