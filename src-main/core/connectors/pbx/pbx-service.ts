import type { EventBus } from '../../events/event-bus';
import type { Service } from '../../services/service-registry';
import type { StatusService } from '../../status/status-service';
import { DemoPbx } from '../demo/demo-pbx';

/**
 * The desk's PBX as this build has it: the embedded demo PBX (CTI mode: its desk-phone calls,
 * driven by `demo.simulate`, reach the renderer as `pbx:call`), or none yet for any other PBX
 * connector. The status bar's PBX says which: `online` while the demo PBX delivers calls,
 * `disabled` / `connectorNotAvailable` otherwise.
 */
export class PbxService implements Service {
  readonly name = 'pbx';
  readonly demo: DemoPbx | null;

  constructor(
    pbxId: string,
    private readonly status: StatusService,
    events: EventBus,
  ) {
    this.demo = pbxId === 'demo' ? new DemoPbx((event) => events.emit('pbx:call', event)) : null;
  }

  start(): void {
    if (this.demo) this.status.report('pbx', 'online');
    else this.status.report('pbx', 'disabled', 'connectorNotAvailable');
  }

  stop(): void {}
}
