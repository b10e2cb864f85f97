// The outbox's public API: its indicator, shown in the status bar.
export { OutboxStatus } from './outbox-status';
