// The queue feature's public API. For the shell: the pane, the board's store (one per window) and
// the hook that keeps it current. For the status bar: the store's hook and this desk's own agent.
export { QueuePane } from './queue-pane';
export { createQueueStore, ownAgentOf, QueueStoreContext, useQueueStore, useQueueSync, type QueueStore } from './queue-store';
