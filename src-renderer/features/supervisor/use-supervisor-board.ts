import { useEffect, useRef, useState } from 'react';
import type { DeskErrorPayload } from '../../../src-shared/ipc/errors';
import type { SupervisorBoard } from '../../../src-shared/supervisor/supervisor-model';
import { useDesk } from '../../app/desk-context';
import { followRequest } from '../../bridge/follow-request';

export interface SupervisorBoardState {
  /** The last `supervisor.board` answer or `supervisor:changed` event; null until the first. */
  board: SupervisorBoard | null;
  /** Why the last load failed (a board already shown stays). */
  error: DeskErrorPayload | null;
  /** Loads the board again (the pane's Retry). */
  reload(): void;
}

/**
 * The supervisor's board while the pane is on screen: `supervisor.board` once, then every
 * `supervisor:changed` (pushed, coalesced by main; no polling), and the board again when the
 * bridge is back after a drop. An answer an event overtook is dropped: the event is newer.
 */
export function useSupervisorBoard(): SupervisorBoardState {
  const desk = useDesk();
  const [board, setBoard] = useState<SupervisorBoard | null>(null);
  const [error, setError] = useState<DeskErrorPayload | null>(null);
  const follow = useRef<{ reload(): void } | null>(null);
  useEffect(() => {
    const following = followRequest(desk, {
      request: 'supervisor.board',
      event: 'supervisor:changed',
      onValue: (value) => {
        setBoard(value);
        setError(null);
      },
      onError: setError,
    });
    follow.current = following;
    return () => {
      following.stop();
      if (follow.current === following) follow.current = null;
    };
  }, [desk]);
  return {
    board,
    error,
    reload: () => {
      setError(null);
      follow.current?.reload();
    },
  };
}
