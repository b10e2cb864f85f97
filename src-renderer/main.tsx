import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { z } from 'zod';
import { App } from './app/App';
import { connectDesk } from './bridge/desk-client';
import { applyLanguage, createI18n, DEFAULT_LANGUAGE } from './i18n/i18n';
import './styles/app.css';

// The CSP forbids eval; tell zod not to try its Function-based fast path (a CSP violation
// report on every first parse otherwise).
z.config({ jitless: true });

const i18n = createI18n(DEFAULT_LANGUAGE);
void applyLanguage(i18n, DEFAULT_LANGUAGE);

// Electron opens the supervisor's own window with `?window=supervisor`.
const initialPane = new URLSearchParams(window.location.search).get('window') === 'supervisor' ? 'supervisor' : null;

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');

createRoot(container).render(
  <StrictMode>
    <App desk={connectDesk()} i18n={i18n} initialPane={initialPane} phoneFactory={initialPane === 'supervisor' ? null : undefined} />
  </StrictMode>,
);
