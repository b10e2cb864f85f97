import type { DeskApi } from '../../src-shared/ipc/contract';

declare global {
  interface Window {
    /** Exposed by the Electron preload through contextBridge; absent in the browser host. */
    desk?: DeskApi;
  }
}

export {};
