// The supervisor feature's public API: the shell's pane (no required props; `headerExtra` takes
// the supervisor window's own header controls).
export { SupervisorPane, type SupervisorPaneProps } from './supervisor-pane';
