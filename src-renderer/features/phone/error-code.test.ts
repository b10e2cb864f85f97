import { describe, expect, it } from 'vitest';
import { DeskError } from '../../../src-shared/ipc/errors';
import { errorCodeOf } from './error-code';

describe('errorCodeOf', () => {
  it('gives the code or the class of an error, never its message (which may carry patient data)', () => {
    expect(errorCodeOf(new DeskError('NOT_AVAILABLE', 'card 1000123 of Иванова Анна not found'))).toBe('NOT_AVAILABLE');
    expect(errorCodeOf(new TypeError('+79161234567 is not a function'))).toBe('TypeError');
    expect(errorCodeOf('Иванова')).toBe('string');
  });
});
