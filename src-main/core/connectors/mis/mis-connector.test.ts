import { describe, expect, it } from 'vitest';
import { isMisError, MisError } from './mis-connector';

describe('MisError', () => {
  it('treats a rejection as permanent so the outbox stops retrying and shows the reason', () => {
    expect(new MisError('rejected', 'unknown patient').permanent).toBe(true);
  });

  it('treats unreachable and timeout as transient so the outbox retries them', () => {
    expect(new MisError('unreachable', 'down').permanent).toBe(false);
    expect(new MisError('timeout', 'slow').permanent).toBe(false);
  });

  it('is recognised by shape, so an error from an isolated plugin still classifies', () => {
    const fromPlugin = Object.assign(new Error('x'), { name: 'MisError', kind: 'timeout', permanent: false });
    expect(isMisError(fromPlugin)).toBe(true);
    expect(isMisError(new Error('x'))).toBe(false);
  });
});
