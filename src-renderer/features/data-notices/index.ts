// The data notices' public API (shown by the shell on every pane).
export { DataNotices } from './data-notices';
