// @vitest-environment jsdom
import { act, cleanup, render, screen } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { useClock, useIsPast } from './use-clock';

afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

let renders = 0;
function Clock({ id }: { id: string }) {
  return <span data-testid={id}>{useClock()}</span>;
}
function Deadline({ at }: { at: number }) {
  renders++;
  return <span data-testid="past">{String(useIsPast(at))}</span>;
}

describe('useClock', () => {
  it('ticks every listener together on one interval, and stops it when nobody listens', () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(10_000);
    const view = render(
      <>
        <Clock id="a" />
        <Clock id="b" />
      </>,
    );
    expect(vi.getTimerCount()).toBe(1);
    act(() => vi.advanceTimersByTime(1_000));
    expect(screen.getByTestId('a').textContent).toBe('11000');
    expect(screen.getByTestId('b').textContent).toBe('11000');
    view.unmount();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('useIsPast re-renders only when the answer flips', () => {
    vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] });
    vi.setSystemTime(0);
    renders = 0;
    render(<Deadline at={3_000} />);
    expect(screen.getByTestId('past').textContent).toBe('false');
    const first = renders;
    act(() => vi.advanceTimersByTime(2_000));
    expect(renders).toBe(first);
    act(() => vi.advanceTimersByTime(1_000));
    expect(screen.getByTestId('past').textContent).toBe('true');
    expect(renders).toBe(first + 1);
  });
});
