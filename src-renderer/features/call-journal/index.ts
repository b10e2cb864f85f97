// The call journal's public API: the list the shell puts under the phone pane.
export { CallJournal } from './call-journal';
