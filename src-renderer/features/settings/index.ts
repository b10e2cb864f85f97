// The settings feature's public API (the shell's pane).
export { SettingsPane } from './settings-pane';
