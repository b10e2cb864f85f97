import { describe, expect, it } from 'vitest';
import { FakePhone } from '../test-support/fake-phone';
import type { PhoneCall } from './phone';

describe('FakePhone (scriptable Phone for UI tests)', () => {
  it('rings, answers with call waiting, swaps, records actions and reports outcomes', async () => {
    const phone = new FakePhone();
    const snapshots: number[] = [];
    const ended: PhoneCall[] = [];
    phone.subscribe((s) => snapshots.push(s.calls.length));
    phone.onCallEnded((c) => ended.push(c));

    const first = phone.ring({ number: '+79161234567', displayName: 'Иванов' });
    expect(phone.calls).toMatchObject([{ id: first, state: 'ringing', direction: 'incoming', remoteDisplayName: 'Иванов' }]);
    await phone.answer(first);
    const second = phone.ring({ id: 'second', number: '102' });
    await phone.answer(second);
    expect(phone.calls.map((c) => [c.id, c.state])).toEqual([
      [first, 'held'],
      ['second', 'active'],
    ]);
    await phone.swap(first);
    expect(phone.calls.map((c) => c.state)).toEqual(['active', 'held']);
    await phone.setMuted(first, true);
    expect(phone.calls[0]!.muted).toBe(true);
    await phone.hangup('second');
    expect(phone.calls.map((c) => c.id)).toEqual([first]);
    expect(ended).toMatchObject([{ id: 'second', outcome: 'answered' }]);
    expect(phone.actions.map((a) => a.method)).toEqual(['answer', 'answer', 'swap', 'setMuted', 'hangup']);
    expect(phone.actionsOf('setMuted')[0]!.args).toEqual([first, true]);
    expect(snapshots.length).toBeGreaterThan(0);
  });

  it('consultation and attended transfer end both legs answered', async () => {
    const phone = new FakePhone();
    const caller = phone.ring({ number: '200' });
    await phone.answer(caller);
    const consult = await phone.startConsultation(caller, '105');
    expect(phone.calls.find((c) => c.id === consult)).toMatchObject({ consultationFor: caller, state: 'connecting' });
    expect(phone.calls.find((c) => c.id === caller)!.state).toBe('held');
    await expect(phone.completeAttendedTransfer(caller, consult)).rejects.toThrow(/not connected/);
    phone.establish(consult);
    await phone.completeAttendedTransfer(caller, consult);
    expect(phone.calls).toEqual([]);
    expect(phone.ended.map((c) => c.outcome)).toEqual(['answered', 'answered']);
  });

  it('scripted failures, remote hangup, rejection and unknown ids', async () => {
    const phone = new FakePhone();
    const id = phone.ring({ number: '300' });
    phone.failNext('answer', new Error('boom'));
    await expect(phone.answer(id)).rejects.toThrow('boom');
    expect(phone.calls[0]!.state).toBe('ringing');
    phone.remoteHangup(id);
    expect(phone.ended.at(-1)).toMatchObject({ id, outcome: 'missed' });
    const other = phone.ring({ number: '301' });
    await phone.reject(other);
    expect(phone.ended.at(-1)).toMatchObject({ id: other, outcome: 'rejected' });
    await expect(phone.hold('nope')).rejects.toThrow(/no call/);
    await expect(phone.sendDtmf(await phone.call('400'), 'x')).rejects.toThrow(/DTMF/);
  });
});
