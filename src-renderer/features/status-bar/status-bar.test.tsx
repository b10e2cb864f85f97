// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeView } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';

afterEach(cleanup);

const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001' };

/** The desk with a registered fake phone, on the given pane. */
async function renderDesk(language: 'ru' | 'en' = 'en', pane: 'patients' | 'queue' = 'patients') {
  const view = makeView({ settings: { sip: ACCOUNT, language }, sipPasswordSet: true });
  const desk = createFakeDesk({ view, sipPassword: 'desk-secret' });
  const fake = fakePhoneFactory();
  render(<App desk={desk} i18n={createI18n(language)} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
  await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
  const phone = fake.phones[0]!;
  act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));
  fireEvent.click(screen.getByTestId(`nav-${pane}`));
  await waitFor(() => expect(screen.getByTestId('app-shell').getAttribute('data-pane')).toBe(pane));
  return { phone };
}

const badge = () => screen.queryByTestId('status-ringing');
const pane = () => screen.getByTestId('app-shell').getAttribute('data-pane');

describe('Status bar: a ringing call from any pane', () => {
  it('shows "Incoming call" on another pane, with no number or name, and opens the Phone pane on click', async () => {
    const { phone } = await renderDesk();
    expect(badge()).toBeNull();
    await act(async () => void phone.ring({ id: 'c1', number: '+74951234567', displayName: 'Иванова Анна' }));

    const button = badge()!;
    expect(button.tagName).toBe('BUTTON');
    expect(button.textContent).toBe('Incoming call');
    expect(button.getAttribute('data-count')).toBe('1');
    // Nothing about the caller anywhere in the bar: not in the text, the tooltip or an attribute.
    const bar = button.closest('footer')!;
    for (const secret of ['74951234567', '1234567', 'Иванова', 'Анна']) expect(bar.outerHTML).not.toContain(secret);

    fireEvent.click(button);
    expect(pane()).toBe('phone');
    expect(screen.getByTestId('incoming-call').getAttribute('data-call-id')).toBe('c1');
    // On the Phone pane the call shows itself; the bar does not repeat it.
    expect(badge()).toBeNull();
  });

  it('counts several ringing calls, in Russian too', async () => {
    const { phone } = await renderDesk('ru', 'queue');
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    expect(badge()!.textContent).toBe('Входящий звонок');
    await act(async () => void phone.ring({ id: 'c2', number: '102' }));
    expect(badge()!.textContent).toBe('Входящие звонки: 2');
    expect(badge()!.getAttribute('data-count')).toBe('2');
    expect(badge()!.getAttribute('title')).toContain('Телефон');
    act(() => phone.remoteHangup('c1'));
    expect(badge()!.textContent).toBe('Входящий звонок');
  });

  it('disappears when the call is answered (F6 from this pane) and does not come back for the call in progress', async () => {
    const { phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    expect(badge()).not.toBeNull();
    fireEvent.keyDown(document, { key: 'F6' });
    await waitFor(() => expect(phone.actionsOf('answer')).toEqual([{ method: 'answer', args: ['c1'] }]));
    await waitFor(() => expect(badge()).toBeNull());
    expect(phone.calls.map((call) => call.state)).toEqual(['active']);
    expect(pane()).toBe('patients');
  });

  it('disappears when the caller hangs up or the call ends otherwise', async () => {
    const { phone } = await renderDesk();
    await act(async () => void phone.ring({ id: 'c1', number: '101' }));
    expect(badge()).not.toBeNull();
    act(() => phone.remoteHangup('c1'));
    expect(badge()).toBeNull();

    await act(async () => void phone.ring({ id: 'c2', number: '102' }));
    expect(badge()).not.toBeNull();
    act(() => phone.endCall('c2', 'lost'));
    expect(badge()).toBeNull();
  });

  it('an outgoing call that rings is not an incoming call', async () => {
    const { phone } = await renderDesk();
    await act(async () => {
      const id = await phone.call('102');
      phone.progress(id);
    });
    expect(phone.calls[0]?.state).toBe('ringing');
    expect(badge()).toBeNull();
  });
});
