// @vitest-environment jsdom
import { act, cleanup, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeCacheStatus, makeView, T0 } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';
import { resetScreenPopRehearsal } from './screen-pop-rehearsal';

// The rehearsal's call line (the first call's line drawn off screen once the desk registered);
// the ringing panel and card of the same rehearsal are covered in screen-pop.test.tsx.

afterEach(() => {
  cleanup();
  performance.clearMarks();
});

const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001', displayName: 'Desk 1' };

describe('the ring rehearsal: the first call line', () => {
  it('draws a made-up call line off screen, dialled, ringing, then talking, with its controls — nothing findable, nothing asked of the phone', async () => {
    resetScreenPopRehearsal();
    const view = makeView({ settings: { sip: ACCOUNT }, sipPasswordSet: true });
    const desk = createFakeDesk({ view: { ...view, settings: { ...view.settings, language: 'en' } }, sipPassword: 'desk-secret', cache: makeCacheStatus({ cards: 0, dataAsOf: T0 }) });
    const fake = fakePhoneFactory();
    // Every state a rehearsal line takes, as the browser gets the frame (ids and test ids already gone).
    const states: string[] = [];
    const observer = new MutationObserver(() => {
      for (const line of document.querySelectorAll('.screen-pop-rehearsal .call-line')) {
        const state = line.getAttribute('data-state') ?? '';
        if (states.at(-1) !== state) states.push(state);
        expect(line.hasAttribute('data-testid')).toBe(false);
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
    render(<App desk={desk} i18n={createI18n('en')} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
    await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
    const phone = fake.phones[0]!;
    act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));

    const rehearsal = await waitFor(() => {
      const element = document.querySelector<HTMLElement>('.screen-pop-rehearsal');
      expect(element?.querySelector('.call-line .call-controls')).toBeTruthy();
      return element!;
    });
    expect(rehearsal.querySelectorAll('[id], [data-testid]')).toHaveLength(0);
    expect(screen.queryByTestId('call-line')).toBeNull();
    await waitFor(() => expect(document.querySelector('.screen-pop-rehearsal')).toBeNull(), { timeout: 5_000 });
    observer.disconnect();
    expect(states.slice(0, 3)).toEqual(['connecting', 'ringing', 'active']);
    // Its line is no call: the phone was asked nothing about it (no media figures, no action).
    expect(phone.actions.map((a) => a.method).filter((m) => m !== 'start')).toEqual([]);
    expect(screen.getByTestId('phone-idle')).toBeTruthy();
  });
});
