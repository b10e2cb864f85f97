// @vitest-environment jsdom
import { act, cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../../src-shared/settings/settings-schema';
import { App } from '../../app/App';
import { createAppStore } from '../../app/app-store';
import { createI18n } from '../../i18n/i18n';
import { createFakeDesk, makeStatus, makeView, T0 } from '../../test-support/fake-desk';
import { fakePhoneFactory } from '../../test-support/fake-phone';

afterEach(cleanup);

const ACCOUNT = { ...DEFAULT_SETTINGS.sip, server: 'ws://127.0.0.1:5066', uri: 'sip:1001@registratura.test', authUser: '1001' };

describe('Status bar while a call rings', () => {
  it('carries nothing about the caller (the call bar at the top shows the call); the PBX indicator says online', async () => {
    const view = makeView({ settings: { sip: ACCOUNT, language: 'en' }, sipPasswordSet: true });
    const desk = createFakeDesk({ view, sipPassword: 'desk-secret', status: makeStatus({ pbx: { state: 'online', since: T0, detail: null } }) });
    const fake = fakePhoneFactory();
    render(<App desk={desk} i18n={createI18n('en')} store={createAppStore({ bridge: 'open' })} phoneFactory={fake.factory} />);
    await waitFor(() => expect(fake.phones[0]?.started).toHaveLength(1));
    const phone = fake.phones[0]!;
    act(() => phone.setRegistration({ state: 'registered', since: phone.now, reason: null }));
    fireEvent.click(screen.getByTestId('nav-patients'));
    await act(async () => void phone.ring({ id: 'c1', number: '+74951234567', displayName: 'Иванова Анна' }));

    await waitFor(() => expect(screen.getByTestId('call-bar').textContent).toContain('+7 (495) 123-45-67'));
    expect(screen.getByTestId('status-pbx').getAttribute('data-state')).toBe('online');
    expect(screen.getByTestId('status-pbx').getAttribute('data-tone')).toBe('ok');
    const bar = screen.getByTestId('status-pbx').closest('footer')!;
    for (const secret of ['4951234567', '123-45-67', 'Иванова', 'Анна']) expect(bar.outerHTML).not.toContain(secret);
  });
});
