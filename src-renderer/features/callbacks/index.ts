// The callbacks feature's public API. For the shell: the pane, the worklist's store (one per
// window) and the hook that keeps it current. For the navigation: the badge of tasks owed a call.
export { CallbacksBadge } from './callbacks-badge';
export { CallbacksPane } from './callbacks-pane';
export { CallbacksStoreContext, createCallbacksStore, useCallbacksSync, type CallbacksStore } from './callbacks-store';
