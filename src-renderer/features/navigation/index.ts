// The navigation's public API: the side bar and its Ctrl+N / Alt+N shortcuts (for the shell).
export { paneForShortcut, SideNav } from './side-nav';
