// @vitest-environment jsdom
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { I18nextProvider } from 'react-i18next';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createI18n } from '../i18n/i18n';
import { ErrorBoundary } from './error-boundary';

afterEach(cleanup);

function Broken(): never {
  throw new Error('secret stack detail: patient 4711');
}

describe('ErrorBoundary', () => {
  it('shows a friendly message and a reload button, never the error itself', () => {
    const consoleError = vi.spyOn(console, 'error').mockImplementation(() => {});
    const onReload = vi.fn();
    render(
      <I18nextProvider i18n={createI18n('en')}>
        <ErrorBoundary onReload={onReload}>
          <Broken />
        </ErrorBoundary>
      </I18nextProvider>,
    );
    const screenText = screen.getByTestId('crash-screen').textContent ?? '';
    expect(screenText).toContain('Something went wrong in this window');
    expect(screenText).not.toContain('secret stack detail');
    expect(screenText).not.toContain('4711');
    fireEvent.click(screen.getByTestId('crash-reload'));
    expect(onReload).toHaveBeenCalledOnce();
    consoleError.mockRestore();
  });
});
