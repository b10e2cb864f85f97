import type { DeskApi } from '../../src-shared/ipc/contract';

/**
 * State of the link between this window and the desk service.
 * `ipc` windows (Electron) are always `open`; the browser host's WebSocket may drop.
 */
export type BridgeState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** The contract plus what the shell needs to show the link's health. */
export interface DeskClient extends DeskApi {
  readonly kind: 'ipc' | 'websocket';
  bridgeState(): BridgeState;
  onBridgeState(listener: (state: BridgeState) => void): () => void;
  close(): void;
}
