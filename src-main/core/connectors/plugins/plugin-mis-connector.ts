import { z } from 'zod';
import { ConnectorPreviewSchema, DiagnosticStepIdSchema, type ConnectorPreview, type DiagnosticStepId } from '../../../../src-shared/connectors/connector-model';
import type { ScheduleStream } from '../../../../src-shared/schedule/schedule-model';
import {
  DiagnosticFailure,
  MisError,
  type DiagnosticCheck,
  type MisChangesPage,
  type MisConnector,
  type MisConnectorManifest,
  type MisHealth,
  type MisStreamOptions,
  type MisStreamPage,
  type MisSubmission,
  type MisSubmitResult,
} from '../mis/mis-connector';
import { misErrorFromRemote, PluginRemoteError, remoteHint, type PluginControlMethod } from './plugin-rpc';
import type { PluginSupervisor } from './plugin-supervisor';

/** How long each kind of call may take before the plugin counts as hung (docs/connector-sdk.md, "Timeouts"). */
export interface PluginCallTimeouts {
  /** health, getCard, findByPhone, search. */
  readMs: number;
  /** changesSince, streamChangesSince, preview. */
  pullMs: number;
  submitMs: number;
  /** One `diagnose(step)`. */
  diagnoseMs: number;
}

export const DEFAULT_PLUGIN_CALL_TIMEOUTS: PluginCallTimeouts = { readMs: 10_000, pullMs: 30_000, submitMs: 30_000, diagnoseMs: 15_000 };

/** Most records one answer may carry (a page, a search); more is a broken plugin, not a big clinic. */
const MAX_RECORDS = 10_000;

const HealthSchema = z.object({ state: z.enum(['online', 'degraded']), latencyMs: z.number().nonnegative() });
const ChangesPageSchema = z.object({
  cards: z.array(z.unknown()).max(MAX_RECORDS),
  deletions: z.array(z.string().max(64)).max(MAX_RECORDS),
  merges: z.array(z.object({ from: z.string().max(64), into: z.string().max(64) })).max(MAX_RECORDS),
  nextCursor: z.string().min(1).max(4_096),
  hasMore: z.boolean(),
  total: z.number().int().nonnegative().optional(),
  origins: z.array(z.string().max(300).nullable()).max(MAX_RECORDS).optional(),
});
const StreamPageSchema = z.object({
  records: z.array(z.unknown()).max(MAX_RECORDS),
  removed: z.array(z.string().max(160)).max(MAX_RECORDS),
  nextCursor: z.string().min(1).max(4_096),
  hasMore: z.boolean(),
  total: z.number().int().nonnegative().optional(),
});
const CardListSchema = z.array(z.unknown()).max(1_000);
const SubmitResultSchema = z.object({ status: z.enum(['applied', 'duplicate']), ref: z.string().min(1).max(200), appointmentId: z.string().min(1).max(64).optional() });
const DiagnoseResultSchema = z.union([z.string().max(1_000), z.object({ detail: z.string().max(1_000), warning: z.literal(true) })]);

/** The steps a plugin may declare for `diagnose(step)`: all but the two the host runs itself. */
export const PLUGIN_DIAGNOSTIC_STEPS = DiagnosticStepIdSchema.exclude(['config', 'start-plugin']);

/**
 * A plugin as the desk uses a MIS: each {@link MisConnector} method is a call into the
 * plugin's isolated worker through its {@link PluginSupervisor}, with a timeout per kind of call,
 * and each answer validated before the desk sees it (cards stay `unknown`: the core validates
 * them with `PatientCardSchema` as it does a built-in's). Errors the plugin throws become
 * {@link MisError}; a submit that times out is `timeout`, which the outbox treats as ambiguous and
 * retries with the same idempotency key.
 */
export class PluginMisConnector implements MisConnector {
  readonly streamChangesSince?: (stream: ScheduleStream, cursor: string | null, limit: number, options: MisStreamOptions) => Promise<MisStreamPage>;
  readonly preview?: () => Promise<ConnectorPreview>;

  constructor(
    readonly manifest: MisConnectorManifest,
    private readonly supervisor: PluginSupervisor,
    private readonly diagnosticSteps: readonly DiagnosticStepId[],
    private readonly timeouts: PluginCallTimeouts = DEFAULT_PLUGIN_CALL_TIMEOUTS,
  ) {
    if (manifest.capabilities.includes('schedule') || manifest.capabilities.includes('callLists')) {
      this.streamChangesSince = async (stream, cursor, limit, options) =>
        this.answer('streamChangesSince', StreamPageSchema, await this.call('streamChangesSince', [stream, cursor, limit, options], this.timeouts.pullMs));
    }
    if (manifest.preview) this.preview = async () => this.answer('preview', ConnectorPreviewSchema, await this.call('preview', [], this.timeouts.pullMs));
    supervisor.start();
  }

  /** Which connector made from the plugin this is: its state events carry it (the running one and a settings trial differ). */
  get instance(): number {
    return this.supervisor.instance;
  }

  async health(): Promise<MisHealth> {
    return this.answer('health', HealthSchema, await this.call('health', [], this.timeouts.readMs));
  }

  async changesSince(cursor: string | null, limit: number): Promise<MisChangesPage> {
    return this.answer('changesSince', ChangesPageSchema, await this.call('changesSince', [cursor, limit], this.timeouts.pullMs));
  }

  async getCard(misId: string): Promise<unknown> {
    return this.call('getCard', [misId], this.timeouts.readMs);
  }

  async findByPhone(raw: string): Promise<unknown[]> {
    return this.answer('findByPhone', CardListSchema, await this.call('findByPhone', [raw], this.timeouts.readMs));
  }

  async search(query: string): Promise<unknown[]> {
    return this.answer('search', CardListSchema, await this.call('search', [query], this.timeouts.readMs));
  }

  async submit(submission: MisSubmission): Promise<MisSubmitResult> {
    const { idempotencyKey, kind, payload } = submission;
    const result = this.answer('submit', SubmitResultSchema, await this.call('submit', [{ idempotencyKey, kind, payload }], this.timeouts.submitMs));
    return result.appointmentId === undefined ? { status: result.status, ref: result.ref } : { status: result.status, ref: result.ref, appointmentId: result.appointmentId };
  }

  /**
   * "Test connection": `start-plugin` (the plugin loads and accepts its config; a config it
   * refuses fails with `fixConfig` and its own words), then each step the plugin declares in
   * `plugin.json` (`diagnostics`) through its `diagnose(step)`; without any, `read-patient` via `health`.
   */
  diagnostics(): DiagnosticCheck[] {
    const checks: DiagnosticCheck[] = [
      {
        step: 'start-plugin',
        run: async () => {
          const outcome = await this.supervisor.startOutcome();
          if (outcome.ok) return `Plugin ${this.manifest.id} ${this.manifest.version} (SDK apiVersion ${this.manifest.apiVersion}) is running in its own worker.`;
          throw new DiagnosticFailure(outcome.stage === 'config' ? 'fixConfig' : 'checkPlugin', `The plugin "${this.manifest.id}" could not start: ${outcome.message}.`);
        },
      },
    ];
    if (this.diagnosticSteps.length === 0) {
      checks.push({ step: 'read-patient', run: async () => `Health: ${JSON.stringify(await this.health())}` });
      return checks;
    }
    for (const step of this.diagnosticSteps) {
      checks.push({
        step,
        run: async () => {
          try {
            return this.answer('diagnose', DiagnoseResultSchema, await this.supervisor.call('diagnose', [step], this.timeouts.diagnoseMs));
          } catch (error) {
            if (error instanceof PluginRemoteError) {
              const hint = remoteHint(error.remote);
              if (hint !== null) throw new DiagnosticFailure(hint, error.message);
              throw misErrorFromRemote(this.manifest.id, error.remote);
            }
            throw error;
          }
        },
      });
    }
    return checks;
  }

  /**
   * Calls a plugin-defined `control…` method (the example plugin's `controlEdit`): hooks for the
   * plugin's own tests and demos, outside the SDK contract; errors as from any other call.
   */
  async control(method: PluginControlMethod, args: unknown[] = []): Promise<unknown> {
    return this.call(method, args, this.timeouts.readMs);
  }

  /** Terminates the worker and stops its restarts. */
  async release(): Promise<void> {
    await this.supervisor.release();
  }

  private async call(method: string, args: unknown[], timeoutMs: number): Promise<unknown> {
    try {
      return await this.supervisor.call(method, args, timeoutMs);
    } catch (error) {
      if (error instanceof PluginRemoteError) throw misErrorFromRemote(this.manifest.id, error.remote);
      throw error;
    }
  }

  private answer<T>(method: string, schema: z.ZodType<T>, value: unknown): T {
    const parsed = schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issue = parsed.error.issues[0];
    throw new MisError('protocol', `The plugin "${this.manifest.id}" answered ${method} with something the SDK does not allow (${issue?.path.join('.') || 'answer'}: ${issue?.message ?? 'invalid'}).`);
  }
}
