// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { ReactElement } from 'react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { SessionView } from '../../../src-shared/access/access-model';
import { AppStoreContext, createAppStore, type AppStore } from '../../app/app-store';
import { DeskContext } from '../../app/desk-context';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, type FakeDesk } from '../../test-support/fake-desk';
import { FakePhone } from '../../test-support/fake-phone';
import { DialLinkConfirm, takeDialQueryParameter } from './dial-link-confirm';
import { createPhoneStore, PhoneStoreContext, type PhoneStore } from './phone-store';

const session = (state: SessionView['state']): SessionView => ({ state, role: 'operator', person: null, idleLockMinutes: 5, retryAfter: null });

interface Harness {
  desk: FakeDesk;
  store: AppStore;
  phones: PhoneStore;
  phone: FakePhone;
  /** Links main holds for the page (`app.takeDialRequest` takes the first). */
  waiting: string[];
}

function mount({ state = 'open', withPhone = true, enabled = true }: { state?: SessionView['state']; withPhone?: boolean; enabled?: boolean } = {}): Harness {
  const desk = createFakeDesk();
  const waiting: string[] = [];
  desk.handle('app.takeDialRequest', () => {
    const number = waiting.shift();
    return { request: number === undefined ? null : { number, source: 'link' } };
  });
  const store = createAppStore({ bridge: 'open' });
  store.getState().setSession(session(state));
  const phones = createPhoneStore();
  const phone = new FakePhone();
  if (withPhone) phones.getState().setPhone(phone);
  const tree = (): ReactElement => (
    <I18nextProvider i18n={createI18n('ru')}>
      <DeskContext.Provider value={desk}>
        <AppStoreContext.Provider value={store}>
          <PhoneStoreContext.Provider value={phones}>
            <DialLinkConfirm enabled={enabled} />
          </PhoneStoreContext.Provider>
        </AppStoreContext.Provider>
      </DeskContext.Provider>
    </I18nextProvider>
  );
  render(tree());
  return { desk, store, phones, phone, waiting };
}

/** A link arrives in main while the page runs: main keeps it and says so. */
function linkArrives(h: Harness, number: string) {
  h.waiting.push(number);
  act(() => h.desk.emit('app:dial-request', { number, source: 'link' }));
}

const calls = (phone: FakePhone) => phone.actions.filter((action) => action.method === 'call').map((action) => action.args[0]);

beforeEach(() => window.history.replaceState(null, '', '/'));
afterEach(cleanup);

describe('DialLinkConfirm', () => {
  it('asks «Позвонить на …?» for a link, and dials only on the click', async () => {
    const h = mount();
    linkArrives(h, '+79161234567');
    const dialog = await screen.findByTestId('dial-link');
    expect(dialog.getAttribute('role')).toBe('alertdialog');
    expect(screen.getByRole('heading').textContent).toBe('Позвонить на +7 (916) 123-45-67?');
    expect(document.activeElement).toBe(dialog);
    expect(calls(h.phone)).toEqual([]);
    fireEvent.click(screen.getByTestId('dial-link-call'));
    await waitFor(() => expect(screen.queryByTestId('dial-link')).toBeNull());
    expect(calls(h.phone)).toEqual(['+79161234567']);
  });

  it('Cancel, or Escape, closes it without dialling', async () => {
    const h = mount();
    linkArrives(h, '101');
    fireEvent.click(await screen.findByTestId('dial-link-cancel'));
    expect(screen.queryByTestId('dial-link')).toBeNull();
    linkArrives(h, '102');
    fireEvent.keyDown(await screen.findByTestId('dial-link'), { key: 'Escape' });
    expect(screen.queryByTestId('dial-link')).toBeNull();
    fireEvent.keyDown(document.body, { key: 'Enter' });
    expect(calls(h.phone)).toEqual([]);
  });

  it('takes a link that was waiting before the page was up (the desk started with it)', async () => {
    const desk = createFakeDesk();
    desk.handle('app.takeDialRequest', () => ({ request: { number: '+74951234567', source: 'link' } }));
    const store = createAppStore({ bridge: 'open' });
    store.getState().setSession(session('signed-in'));
    render(
      <I18nextProvider i18n={createI18n('ru')}>
        <DeskContext.Provider value={desk}>
          <AppStoreContext.Provider value={store}>
            <PhoneStoreContext.Provider value={createPhoneStore()}>
              <DialLinkConfirm />
            </PhoneStoreContext.Provider>
          </AppStoreContext.Provider>
        </DeskContext.Provider>
      </I18nextProvider>,
    );
    expect((await screen.findByRole('heading')).textContent).toBe('Позвонить на +7 (495) 123-45-67?');
  });

  it('offers nothing while the desk is locked or signed out: the link waits until it is unlocked', async () => {
    const h = mount({ state: 'locked' });
    linkArrives(h, '+79161234567');
    expect(h.desk.callsTo('app.takeDialRequest')).toEqual([]);
    expect(screen.queryByTestId('dial-link')).toBeNull();
    act(() => h.store.getState().setSession(session('signed-in')));
    expect((await screen.findByRole('heading')).textContent).toBe('Позвонить на +7 (916) 123-45-67?');
  });

  it('a window without the phone (the supervisor’s) never takes a link', async () => {
    const h = mount({ enabled: false });
    linkArrives(h, '101');
    await Promise.resolve();
    expect(h.desk.callsTo('app.takeDialRequest')).toEqual([]);
    expect(screen.queryByTestId('dial-link')).toBeNull();
  });

  it('no softphone on this desk: it says to dial on the phone, and dials nothing', async () => {
    const h = mount({ withPhone: false });
    linkArrives(h, '+79161234567');
    fireEvent.click(await screen.findByTestId('dial-link-call'));
    expect(screen.getByTestId('dial-link-problem').textContent).toBe('Софтфон на этом рабочем месте не работает — наберите +7 (916) 123-45-67 на телефоне.');
    expect(calls(h.phone)).toEqual([]);
  });

  it('a failed dial is said in the dialog, which stays open', async () => {
    const h = mount();
    h.phone.failNext('call', new Error('no microphone'));
    linkArrives(h, '101');
    fireEvent.click(await screen.findByTestId('dial-link-call'));
    await waitFor(() => expect(screen.getByTestId('dial-link-problem').getAttribute('data-problem')).toBe('dialFailed'));
    expect(screen.getByTestId('dial-link')).toBeTruthy();
  });

  describe('the browser host’s ?dial=', () => {
    it('offers the number once and takes it out of the address', async () => {
      window.history.replaceState(null, '', '/?view=1&dial=tel%3A%2B7-916-123-45-67#x');
      const h = mount();
      expect((await screen.findByRole('heading')).textContent).toBe('Позвонить на +7 (916) 123-45-67?');
      expect(`${window.location.pathname}${window.location.search}${window.location.hash}`).toBe('/?view=1#x');
      fireEvent.click(screen.getByTestId('dial-link-call'));
      await waitFor(() => expect(calls(h.phone)).toEqual(['+79161234567']));
    });

    it('read at start even on the sign-in screen, offered once someone signs in', async () => {
      window.history.replaceState(null, '', '/?dial=101');
      const h = mount({ state: 'signed-out' });
      expect(window.location.search).toBe('');
      expect(screen.queryByTestId('dial-link')).toBeNull();
      act(() => h.store.getState().setSession(session('signed-in')));
      expect((await screen.findByRole('heading')).textContent).toBe('Позвонить на 101?');
      expect(document.activeElement).toBe(screen.getByTestId('dial-link'));
    });

    it('a bare number reads as tel:', () => {
      window.history.replaceState(null, '', '/?dial=%2B79161234567');
      expect(takeDialQueryParameter(window)).toBe('tel:+79161234567');
      expect(takeDialQueryParameter(window)).toBeNull();
    });

    it.each(['javascript:alert(1)', 'tel:+7916<script>', 'sip:1001:secret@pbx.example', 'tel:%0A101'])('refuses a hostile link (%s): no Call button, nothing dialled', async (link) => {
      window.history.replaceState(null, '', `/?dial=${encodeURIComponent(link)}`);
      const h = mount();
      expect((await screen.findByTestId('dial-link')).getAttribute('data-state')).toBe('refused');
      expect(screen.queryByTestId('dial-link-call')).toBeNull();
      expect(screen.getByTestId('dial-link').textContent).not.toContain('script');
      fireEvent.click(screen.getByTestId('dial-link-cancel'));
      expect(screen.queryByTestId('dial-link')).toBeNull();
      expect(calls(h.phone)).toEqual([]);
    });
  });
});
