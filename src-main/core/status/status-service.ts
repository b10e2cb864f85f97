import type { CoreStatus, CoreSystem, StatusDetail } from '../../../src-shared/status/system-status';

type StateOf<S extends CoreSystem> = CoreStatus[S]['state'];

/**
 * The state of each outside system as main sees it. Connectors report here; the status bar
 * renders exactly this. `since` changes only when the state does.
 */
export class StatusService {
  private status: CoreStatus;
  private readonly listeners = new Set<(status: CoreStatus) => void>();

  constructor(now: () => Date = () => new Date()) {
    const since = now().toISOString();
    this.now = now;
    // Nothing is connected until a connector says so: honest defaults.
    this.status = {
      pbx: { state: 'disabled', since, detail: 'notConfigured' },
      mis: { state: 'disabled', since, detail: 'notConfigured' },
      sync: { state: 'disabled', since, detail: 'notConfigured' },
    };
  }

  private readonly now: () => Date;

  snapshot(): CoreStatus {
    return structuredClone(this.status);
  }

  report<S extends CoreSystem>(system: S, state: StateOf<S>, detail: StatusDetail | null = null): void {
    const current = this.status[system];
    if (current.state === state && current.detail === detail) return;
    const since = current.state === state ? current.since : this.now().toISOString();
    this.status = { ...this.status, [system]: { state, since, detail } };
    const snapshot = this.snapshot();
    for (const listener of this.listeners) listener(snapshot);
  }

  onChange(listener: (status: CoreStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
