// The session's public API: the sign-in and lock screens, the signed-in person's bar, the window's input half of the idle lock.
export { LockScreen } from './lock-screen';
export { SessionBar } from './session-bar';
export { isLockShortcut, useSessionInput } from './session-actions';
export { SignInScreen } from './sign-in-screen';
