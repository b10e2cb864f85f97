// The call-lists feature's public API. For the shell: the pane. For the navigation: its icon.
export { CallListsIcon, CallListsPane } from './call-lists-pane';
