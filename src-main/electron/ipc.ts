import { IPC_EVENT_CHANNEL, IPC_REQUEST_CHANNEL } from '../../src-shared/ipc/contract';
import type { DeskResult } from '../../src-shared/ipc/errors';
import type { Core } from '../core/core';
import type { Logger } from '../core/log/logger';

/** The frame an IPC message came from (Electron's WebFrameMain, reduced). */
export interface SenderFrame {
  readonly url: string;
  readonly parent: unknown;
}

/** The WebContents an IPC message came from / events go to (reduced). */
export interface IpcWebContents {
  readonly id: number;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** The `invoke` event (Electron's IpcMainInvokeEvent, reduced). */
export interface IpcInvokeEvent {
  readonly sender: IpcWebContents;
  /** null once the frame navigated away or was destroyed. */
  readonly senderFrame: SenderFrame | null | undefined;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface SenderPolicy {
  /** Our own pages: app://desk (or the dev server in unpackaged runs). */
  isOwnOrigin(url: string): boolean;
  /** True when the WebContents belongs to one of the desk's own windows. */
  isTrustedSender(contents: IpcWebContents): boolean;
  /** Where push events go: the WebContents of every open desk window. */
  eventTargets(): Iterable<IpcWebContents>;
}

/**
 * Why a sender may not use the contract, or null when it may. Only the top frame of one of our
 * own windows showing our own origin qualifies: a sub-frame, a page that navigated elsewhere, a
 * destroyed frame or some other WebContents (devtools, a stray window) are all refused.
 */
export function senderRefusal(event: IpcInvokeEvent, policy: SenderPolicy): string | null {
  const frame = event.senderFrame;
  if (!frame) return 'the sending frame is gone';
  if (frame.parent !== null) return 'requests are accepted from the top frame only';
  if (!policy.isOwnOrigin(frame.url)) return 'the sending page is not the desk';
  if (!policy.isTrustedSender(event.sender)) return 'the sender is not a desk window';
  return null;
}

/**
 * Wires the contract to Electron IPC: one `invoke` channel for every request (the dispatcher
 * validates names and inputs), and every core event pushed to every open desk window.
 * Returns a function that removes both.
 */
export function registerIpc(ipcMain: IpcMainLike, core: Pick<Core, 'dispatcher' | 'events'>, policy: SenderPolicy, logger?: Logger): () => void {
  ipcMain.handle(IPC_REQUEST_CHANNEL, async (event, name, input): Promise<DeskResult<unknown>> => {
    const refusal = senderRefusal(event, policy);
    if (refusal !== null) {
      logger?.warn('ipc.forbidden-sender', { reason: refusal, request: typeof name === 'string' ? name.slice(0, 64) : typeof name });
      return { ok: false, error: { code: 'FORBIDDEN_SENDER', message: `Request refused: ${refusal}.` } };
    }
    return core.dispatcher.dispatch(name, input, { host: 'electron', client: String(event.sender.id) });
  });

  const unsubscribe = core.events.subscribe((name, payload) => {
    for (const contents of policy.eventTargets()) {
      if (contents.isDestroyed()) continue;
      try {
        contents.send(IPC_EVENT_CHANNEL, name, payload);
      } catch (error) {
        // A window closing mid-send must not keep the event from the others.
        logger?.warn('ipc.event-send-failed', { event: name, error });
      }
    }
  });

  return () => {
    unsubscribe();
    ipcMain.removeHandler(IPC_REQUEST_CHANNEL);
  };
}
