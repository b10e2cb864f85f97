// Test support (not used by the app): server bytes → parser → the client's routing (list items
// of an `EventList` answer are not events) → switchboard → domain events.
import type { PbxEvent } from '../pbx/pbx-connector';
import { AmiSwitchboard, type AmiMapperOptions } from './ami-mapper';
import { AmiParser, type AmiMessage } from './ami-parser';

export const REPLAY_OPTIONS: AmiMapperOptions = { queues: [], queueNames: {}, interfacePatterns: ['PJSIP/{extension}'], slaSeconds: 20 };

export class Replay {
  readonly parser = new AmiParser();
  readonly board: AmiSwitchboard;
  readonly events: PbxEvent[] = [];
  /** List items per ActionID. */
  readonly lists = new Map<string, AmiMessage[]>();
  private readonly open = new Set<string>();

  constructor(
    options: AmiMapperOptions = REPLAY_OPTIONS,
    private readonly now: () => number = () => 1_796_489_600_000,
  ) {
    this.board = new AmiSwitchboard(options);
  }

  feed(chunk: Buffer | string): void {
    for (const message of this.parser.feed(chunk)) this.route(message);
  }

  route(message: AmiMessage): void {
    const id = message.actionId;
    if (message.event === undefined) {
      if (id !== undefined && (message.get('EventList') ?? '').toLowerCase() === 'start') this.open.add(id);
      return;
    }
    if (id !== undefined && this.open.has(id)) {
      if ((message.get('EventList') ?? '').toLowerCase() === 'complete') this.open.delete(id);
      else this.lists.set(id, [...(this.lists.get(id) ?? []), message]);
      return;
    }
    this.events.push(...this.board.handle(message, this.now()));
  }
}

/** Feeds `bytes` cut at `cuts` (byte offsets, any order) and returns the replay. */
export function replaySplit(bytes: Buffer, cuts: readonly number[], options?: AmiMapperOptions): Replay {
  const replay = new Replay(options);
  const points = [...new Set(cuts.map((c) => Math.max(0, Math.min(bytes.length, c))))].sort((a, b) => a - b);
  let start = 0;
  for (const point of [...points, bytes.length]) {
    replay.feed(bytes.subarray(start, point));
    start = point;
  }
  return replay;
}
