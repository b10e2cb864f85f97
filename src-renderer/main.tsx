import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app/App';
import { isSupervisorWindow } from './app/window-kind';
import { connectDesk } from './bridge/desk-client';
import { applyLanguage, createI18n, DEFAULT_LANGUAGE } from './i18n/i18n';
// Every stylesheet is loaded here and nowhere else, in this order: the order is the cascade
// (README.md, "Styles"): tokens and base first, ui, the features, the shell last.
import './styles/tokens.css';
import './styles/base.css';
import './ui/pane.css';
import './ui/empty-state.css';
import './features/navigation/navigation.css';
import './features/status-bar/status-bar.css';
import './features/outbox/outbox.css';
import './features/settings/settings.css';
import './features/settings/settings-connectors.css';
import './features/patients/patients.css';
import './features/booking/booking.css';
import './features/data-notices/data-notices.css';
import './features/phone/phone.css';
import './features/phone/screen-pop.css';
import './features/phone/wrap-up.css';
import './features/call-journal/call-journal.css';
import './features/queue/queue.css';
import './features/callbacks/callbacks.css';
import './features/call-lists/call-lists.css';
import 'uplot/dist/uPlot.min.css';
import './features/supervisor/supervisor.css';
import './features/phone/call-bar.css';
import './features/phone/dial-link-confirm.css';
import './features/session/session.css';
import './features/settings/settings-access.css';
import './app/app.css';

// The CSP forbids eval; tell zod not to try its Function-based fast path (a CSP violation
// report on every first parse otherwise).
z.config({ jitless: true });

const i18n = createI18n(DEFAULT_LANGUAGE);
void applyLanguage(i18n, DEFAULT_LANGUAGE);

// The supervisor's own window: Electron opens it with `?window=supervisor`, the browser host
// serves it at `/supervisor` (to a supervisor desk only). It runs no phone.
const supervisorWindow = isSupervisorWindow(window.location);
const initialPane = supervisorWindow ? 'supervisor' : null;

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');

createRoot(container).render(
  <StrictMode>
    <App
      desk={connectDesk()}
      i18n={i18n}
      initialPane={initialPane}
      phoneFactory={supervisorWindow ? null : undefined}
      windowKind={supervisorWindow ? 'supervisor' : 'desk'}
    />
  </StrictMode>,
);
