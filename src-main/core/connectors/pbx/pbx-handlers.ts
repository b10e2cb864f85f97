import type { HandlerTable } from '../../ipc/dispatcher';
import type { PbxHostService } from './pbx-host-service';

/** `queue.view` and `agent.setStatus`: the live board and this desk's agent on the PBX. */
export function createPbxHandlers(pbx: PbxHostService): Pick<HandlerTable, 'queue.view' | 'agent.setStatus'> {
  return {
    'queue.view': () => pbx.view(),
    'agent.setStatus': async (request) => {
      await pbx.setAgentStatus(request);
      return { ok: true as const };
    },
  };
}
