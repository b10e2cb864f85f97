// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeOutboxItem, type FakeDesk } from '../../test-support/fake-desk';
import { outboxAttention, STALE_PENDING_MS } from './outbox-model';

afterEach(cleanup);

async function renderDesk(init: Parameters<typeof createFakeDesk>[0] = {}): Promise<FakeDesk> {
  const desk = createFakeDesk(init);
  render(<App desk={desk} i18n={createI18n('ru')} store={createAppStore({ bridge: 'open' })} />);
  await screen.findByTestId('app-info');
  await waitFor(() => expect(desk.callsTo('outbox.undelivered').length).toBeGreaterThan(0));
  return desk;
}

const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();

describe('the "not delivered" badge and panel', () => {
  it('shows no badge while everything is delivered or only seconds old', async () => {
    await renderDesk({ outbox: [makeOutboxItem({ id: 7, state: 'pending', lastError: null, attempts: 0, createdAt: new Date().toISOString(), nextAttemptAt: new Date().toISOString() })] });
    // Let the list answer land before asserting the badge stays away.
    await act(async () => {});
    expect(screen.queryByTestId('outbox-badge')).toBeNull();
  });

  it('opens a panel listing each write with its kind, attempts, created time and reason, and retry only for refused ones', async () => {
    await renderDesk({
      outbox: [
        makeOutboxItem({ id: 1, kind: 'note', attempts: 3, lastError: 'rejected: Пациент не найден в МИС', createdAt: '2025-03-14T09:05:00.000Z' }),
        makeOutboxItem({ id: 2, kind: 'lab-order', state: 'pending', attempts: 2, lastError: 'unreachable: connect ECONNREFUSED', createdAt: minutesAgo(5), nextAttemptAt: minutesAgo(-1) }),
      ],
    });
    const badge = await screen.findByTestId('outbox-badge');
    expect(badge).toHaveProperty('textContent', 'Не доставлено в МИС: 2');
    expect(badge.dataset.state).toBe('failed');
    fireEvent.click(badge);
    const panel = screen.getByTestId('outbox-panel');
    const [failed, pending] = within(panel).getAllByTestId('outbox-item');
    expect(failed!.dataset.state).toBe('failed');
    expect(failed!.textContent).toContain('Заметка');
    expect(failed!.textContent).toContain('попыток: 3');
    // Date and time (a write can wait for days); exact digits depend on the machine's time zone.
    expect(failed!.textContent).toMatch(/создано \d\d\.\d\d,? \d\d:\d\d/);
    expect(within(failed!).getByTestId('outbox-reason').textContent).toBe('rejected: Пациент не найден в МИС');
    expect(within(failed!).getByTestId('outbox-retry')).toBeTruthy();
    // An unknown kind is shown as its code; a pending write is retried by the desk itself.
    expect(pending!.textContent).toContain('lab-order');
    expect(pending!.textContent).toContain('ожидает отправки');
    expect(within(pending!).queryByTestId('outbox-retry')).toBeNull();
    fireEvent.click(within(panel).getByTestId('outbox-close'));
    expect(screen.queryByTestId('outbox-panel')).toBeNull();
  });

  it('shows the badge for a write still pending after a minute', async () => {
    await renderDesk({ outbox: [makeOutboxItem({ state: 'pending', createdAt: minutesAgo(2), nextAttemptAt: minutesAgo(-1) })] });
    const badge = await screen.findByTestId('outbox-badge');
    expect(badge.dataset.state).toBe('pending');
  });

  it('retry sends the id, reloads the list and the item is back to pending', async () => {
    const desk = await renderDesk({ outbox: [makeOutboxItem({ id: 42 })] });
    fireEvent.click(await screen.findByTestId('outbox-badge'));
    fireEvent.click(screen.getByTestId('outbox-retry'));
    await waitFor(() => expect(screen.getByTestId('outbox-item').dataset.state).toBe('pending'));
    expect(desk.callsTo('outbox.retry')).toEqual([{ id: 42 }]);
    expect(screen.queryByTestId('outbox-retry')).toBeNull();
  });

  it('says when the retry could not be made', async () => {
    const desk = await renderDesk({ outbox: [makeOutboxItem()] });
    desk.fail('outbox.retry', new DeskError('BRIDGE_DISCONNECTED', 'down'));
    fireEvent.click(await screen.findByTestId('outbox-badge'));
    fireEvent.click(screen.getByTestId('outbox-retry'));
    const error = await screen.findByTestId('outbox-retry-error');
    expect(error.textContent).toContain('Нет связи со службой рабочего места');
    expect((screen.getByTestId('outbox-retry') as HTMLButtonElement).disabled).toBe(false);
  });

  it('reloads on outbox:changed: the badge appears when a write fails and goes when all is delivered', async () => {
    const desk = await renderDesk();
    expect(screen.queryByTestId('outbox-badge')).toBeNull();
    desk.outbox = [makeOutboxItem()];
    act(() => desk.emit('outbox:changed', { pending: 0, failed: 1 }));
    await screen.findByTestId('outbox-badge');
    fireEvent.click(screen.getByTestId('outbox-badge'));
    desk.outbox = [];
    act(() => desk.emit('outbox:changed', { pending: 0, failed: 0 }));
    await screen.findByTestId('outbox-empty');
    expect(screen.queryByTestId('outbox-badge')).toBeNull();
  });
});

describe('outboxAttention', () => {
  const now = Date.parse('2025-03-14T10:00:00.000Z');
  const at = (msAgo: number) => new Date(now - msAgo).toISOString();

  it('flags failed writes and pending ones older than a minute, counting every undelivered write', () => {
    expect(outboxAttention([], now)).toEqual({ show: false, count: 0, failed: 0 });
    expect(outboxAttention([makeOutboxItem({ state: 'pending', createdAt: at(STALE_PENDING_MS - 1) })], now).show).toBe(false);
    expect(outboxAttention([makeOutboxItem({ state: 'inflight', createdAt: at(STALE_PENDING_MS) })], now).show).toBe(true);
    expect(outboxAttention([makeOutboxItem({ createdAt: at(0) }), makeOutboxItem({ id: 2, state: 'pending', createdAt: at(0) })], now)).toEqual({ show: true, count: 2, failed: 1 });
  });
});
