// The supervisor feature's public API: the shell's pane (no required props; `headerExtra` takes
// the supervisor window's own header controls). Loaded on first use: an operator's or cashier's
// window never downloads the board and its chart libraries.
import { lazy } from 'react';

export type { SupervisorPaneProps } from './supervisor-pane';
export const SupervisorPane = lazy(() => import('./supervisor-pane').then((module) => ({ default: module.SupervisorPane })));
