// @vitest-environment jsdom
import { act, cleanup, render } from '@testing-library/react';
import { afterEach, describe, expect, it } from 'vitest';
import { DeskContext } from '../../app/desk-context';
import { createFakeDesk } from '../../test-support/fake-desk';
import { FakePhone } from '../../test-support/fake-phone';
import { useAttentionOnRing } from './attention-on-ring';
import { newPop } from './call-work';
import { createPhoneStore, PhoneStoreContext } from './phone-store';

afterEach(cleanup);

function Attention(): null {
  useAttentionOnRing();
  return null;
}

function mount() {
  const desk = createFakeDesk();
  const phones = createPhoneStore();
  const phone = new FakePhone();
  phones.getState().setPhone(phone);
  render(
    <DeskContext.Provider value={desk}>
      <PhoneStoreContext.Provider value={phones}>
        <Attention />
      </PhoneStoreContext.Provider>
    </DeskContext.Provider>,
  );
  const sync = () => act(() => phones.getState().setCalls(phone.calls));
  return { desk, phones, phone, sync, asked: () => desk.callsTo('app.attention') };
}

describe('useAttentionOnRing', () => {
  it('asks main to bring the window forward once per incoming ring, however long it rings', () => {
    const { phone, sync, asked } = mount();
    expect(asked()).toEqual([]);
    const first = phone.ring({ number: '+79161234567' });
    sync();
    sync();
    expect(asked()).toEqual([{ reason: 'ringing' }]);
    phone.ring({ number: '101' });
    sync();
    expect(asked()).toHaveLength(2);
    void phone.answer(first);
    sync();
    expect(asked()).toHaveLength(2);
  });

  it('not for the operator’s own outgoing call', () => {
    const { phone, sync, asked } = mount();
    void phone.call('101');
    sync();
    expect(asked()).toEqual([]);
  });

  it('a ring held back for its card asks when it shows; a PBX ring on the desk phone (CTI) asks too', () => {
    const { phones, phone, sync, asked } = mount();
    const id = phone.ring({ number: '+79161234567' });
    act(() => phones.getState().addPop({ ...newPop(id, '+79161234567', 'sip', null), held: true }));
    sync();
    expect(asked()).toEqual([]);
    act(() => phones.getState().updatePop(id, () => ({ held: false })));
    expect(asked()).toHaveLength(1);
    act(() => phones.getState().setPbxCall({ callId: 'pbx-1', number: '101', extension: '1001', state: 'ringing', startedAt: 0, answeredAt: null }, 'pbx-1'));
    expect(asked()).toHaveLength(2);
  });
});
