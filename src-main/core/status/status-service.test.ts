import { describe, expect, it } from 'vitest';
import { StatusService } from './status-service';

describe('StatusService', () => {
  it('starts honest: nothing connected', () => {
    const status = new StatusService().snapshot();
    expect([status.pbx.state, status.mis.state, status.sync.state]).toEqual(['disabled', 'disabled', 'disabled']);
  });

  it('moves `since` only when the state changes and notifies once per change', () => {
    let clock = Date.parse('2026-11-24T10:00:00Z');
    const service = new StatusService(() => new Date(clock));
    const seen: string[] = [];
    service.onChange((s) => seen.push(`${s.mis.state}@${s.mis.since}`));
    clock += 60_000;
    service.report('mis', 'online');
    clock += 60_000;
    service.report('mis', 'online');
    service.report('mis', 'online', 'misTimeout');
    expect(seen).toEqual(['online@2026-11-24T10:01:00.000Z', 'online@2026-11-24T10:01:00.000Z']);
  });
});
