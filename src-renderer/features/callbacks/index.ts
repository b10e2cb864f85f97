// The callbacks feature's public API (the shell's pane); the rest of this folder is its own.
export { CallbacksPane } from './callbacks-pane';
