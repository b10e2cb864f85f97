import type { Logger } from '../log/logger';

/** A long-lived part of the core (sync engine, connector host, sender …). */
export interface Service {
  readonly name: string;
  start(): Promise<void> | void;
  stop(): Promise<void> | void;
}

/**
 * Starts services in registration order and stops them in reverse. A service that fails to
 * start stops the ones already started, so a failed start leaves nothing running.
 */
export class ServiceRegistry {
  private readonly services: Service[] = [];
  private readonly started: Service[] = [];

  constructor(private readonly logger: Logger) {}

  register(service: Service): void {
    if (this.services.some((s) => s.name === service.name)) {
      throw new Error(`service "${service.name}" is registered twice`);
    }
    this.services.push(service);
  }

  get names(): string[] {
    return this.services.map((s) => s.name);
  }

  async startAll(): Promise<void> {
    for (const service of this.services) {
      try {
        await service.start();
        this.started.push(service);
      } catch (error) {
        this.logger.error('service.start-failed', { service: service.name, error });
        await this.stopAll();
        throw new Error(`service "${service.name}" failed to start: ${(error as Error).message}`, { cause: error });
      }
    }
  }

  /** Stops every started service even if some fail; each is given `timeoutMs` to finish. */
  async stopAll(timeoutMs = 1500): Promise<void> {
    while (this.started.length > 0) {
      const service = this.started.pop()!;
      try {
        await withTimeout(Promise.resolve(service.stop()), timeoutMs);
      } catch (error) {
        this.logger.warn('service.stop-failed', { service: service.name, error });
      }
    }
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
