import { reportDiagnostic } from '../diagnostics/report';
import { Component, type ErrorInfo, type ReactElement, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';

interface Props {
  children: ReactNode;
  /** Defaults to reloading the window. */
  onReload?: () => void;
}

interface State {
  failed: boolean;
}

/**
 * Last line of defence: a render error anywhere below shows a calm message and a reload
 * button. The error goes to the console (for IT), never to the screen.
 */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { failed: false };

  static getDerivedStateFromError(): State {
    return { failed: true };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    // The error's kind and where it happened (component names), never its message: a message
    // built from rendered data may carry a patient's name.
    const kind = error instanceof Error ? error.name : typeof error;
    console.error(`renderer.crash: ${kind}`, info.componentStack);
    reportDiagnostic('app.crash', { kind: kind.slice(0, 64) }, `renderer.crash reported: ${kind}`);
  }

  override render(): ReactNode {
    if (!this.state.failed) return this.props.children;
    return <CrashScreen onReload={this.props.onReload ?? (() => window.location.reload())} />;
  }
}

function CrashScreen({ onReload }: { onReload: () => void }): ReactElement {
  const { t } = useTranslation();
  return (
    <div className="crash" role="alert" data-testid="crash-screen">
      <h1>{t('crash.title')}</h1>
      <p>{t('crash.body')}</p>
      <button type="button" className="button primary" data-testid="crash-reload" onClick={onReload}>
        {t('crash.reload')}
      </button>
    </div>
  );
}
