import { useState } from 'react';
import type { DeskErrorCode, DeskErrorPayload } from '../../../src-shared/ipc/errors';
import { toDeskError } from '../../bridge/desk-error';
import { runPhoneAction, usePhoneStoreApi } from './phone-store';

/** A worklist row's own failure: the code's sentence, or the desk's (no softphone to dial on, the dial failed). */
export type TaskRowProblem = { error: DeskErrorPayload } | { local: 'noSoftphone' | 'dialFailed' };

export interface TaskRowRequests {
  busy: boolean;
  problem: TaskRowProblem | null;
  /** The PBX is ringing the desk phone for this row's call (CTI mode). */
  viaPbx: boolean;
  /** One request for the row: busy while it runs; a refusal is kept as the row's problem (null returned). */
  run<T>(send: () => Promise<T>): Promise<T | null>;
  /**
   * Dials what a `…call` / `…callBack` request answered: nothing more when the PBX rings the
   * desk phone (`via: 'pbx'`), else the softphone dials the number (a problem when there is none
   * or the dial fails).
   */
  dial(answer: { via: 'pbx' | 'softphone'; number: string }): Promise<void>;
}

/**
 * The request handling every shared-worklist row has (callbacks, outbound call lists): one
 * request at a time, its refusal said on the row, a list reloaded when the task was taken or is
 * gone (`reloadOn`), and the call placed the same way (PBX originate in CTI mode, else the softphone).
 */
export function useTaskRowRequests(options: { reloadOn: readonly DeskErrorCode[]; reload(): void }): TaskRowRequests {
  const phoneStore = usePhoneStoreApi();
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<TaskRowProblem | null>(null);
  const [viaPbx, setViaPbx] = useState(false);
  const run = async <T>(send: () => Promise<T>): Promise<T | null> => {
    setBusy(true);
    setProblem(null);
    setViaPbx(false);
    try {
      return await send();
    } catch (error) {
      const payload = toDeskError(error).toPayload();
      setProblem({ error: payload });
      // Someone else has it (or it is gone): the list says who now.
      if (options.reloadOn.includes(payload.code)) options.reload();
      return null;
    } finally {
      setBusy(false);
    }
  };
  const dial = async (answer: { via: 'pbx' | 'softphone'; number: string }): Promise<void> => {
    if (answer.via === 'pbx') {
      setViaPbx(true);
      return;
    }
    if (!phoneStore.getState().phone) {
      setProblem({ local: 'noSoftphone' });
      return;
    }
    const callId = await runPhoneAction(phoneStore, 'dial', (phone) => phone.call(answer.number));
    if (callId === null) setProblem({ local: 'dialFailed' });
  };
  return { busy, problem, viaPbx, run, dial };
}
