// The phone feature's public API. For the shell: the pane, the call bar, the alerts, the hotkeys,
// the hooks that run the softphone and the screen pop, and the phone store it provides. For the
// call journal: the store and its phone actions (a number is called back), and call durations.
export { CallBar } from './call-bar';
export { DialLinkConfirm } from './dial-link-confirm';
export { PhoneAlerts } from './phone-alerts';
export { usePhoneHotkeys } from './phone-hotkeys';
export { PhonePane } from './phone-pane';
export { createPhoneStore, PhoneStoreContext, runPhoneAction, usePhoneStore, usePhoneStoreApi } from './phone-store';
export { formatDuration } from './use-now';
export { useMonitorSession } from './use-monitor-session';
export { useScreenPop } from './use-screen-pop';
export { useSoftphone, type PhoneFactory } from './use-softphone';
export { useTaskRowRequests, type TaskRowProblem, type TaskRowRequests } from './use-task-row-requests';
