// The status bar's public API: the bar, and whether the bridge to main is lost (the shell's banner).
export { isBridgeLost, StatusBar } from './status-bar';
