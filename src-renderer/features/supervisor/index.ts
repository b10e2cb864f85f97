// The supervisor feature's public API: the shell's pane (no required props; `headerExtra` takes
// the supervisor window's own header controls). Loaded on first use: an operator's or cashier's
// window never downloads the board and its chart libraries.
import { lazy } from 'react';

export type { SupervisorPaneProps } from './supervisor-pane';

/** Loads the pane's module (and its chart libraries); the lazy pane below waits for the same load. */
export const loadSupervisorPane = () => import('./supervisor-pane');

export const SupervisorPane = lazy(() => loadSupervisorPane().then((module) => ({ default: module.SupervisorPane })));
