// The queue feature's public API (the shell's pane).
export { QueuePane } from './queue-pane';
