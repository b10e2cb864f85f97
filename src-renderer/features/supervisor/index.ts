// The supervisor feature's public API (the shell's pane).
export { SupervisorPane } from './supervisor-pane';
