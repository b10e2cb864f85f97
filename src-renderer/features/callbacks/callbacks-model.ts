/** Pure rules of the worklist: the order of the rows, the SLA colour, what the badge counts. */
import type { CallbackTask } from '../../../src-shared/callbacks/callbacks-contract';

export type SlaState = 'ok' | 'warning' | 'overdue';

/**
 * Red once `dueAt` has passed, amber in the last third of the time the task was given (from its
 * first missed call to `dueAt`), green before.
 */
export function slaStateOf(task: Pick<CallbackTask, 'firstAt' | 'dueAt'>, now: number): SlaState {
  const left = task.dueAt - now;
  if (left <= 0) return 'overdue';
  return left <= (task.dueAt - task.firstAt) / 3 ? 'warning' : 'ok';
}

/** The moment the task turns amber (the last third of its time). */
export function warningAt(task: Pick<CallbackTask, 'firstAt' | 'dueAt'>): number {
  return task.dueAt - (task.dueAt - task.firstAt) / 3;
}

export interface OrderedTasks {
  /** Open and claimed: the soonest due first, so the overdue ones (due in the past) lead. */
  active: CallbackTask[];
  /** Closed (main sends today's only), the latest first. */
  done: CallbackTask[];
}

export function orderTasks(tasks: readonly CallbackTask[]): OrderedTasks {
  const active = tasks.filter((task) => task.state !== 'done').sort((a, b) => a.dueAt - b.dueAt || a.firstAt - b.firstAt || (a.id < b.id ? -1 : 1));
  const done = tasks
    .filter((task) => task.state === 'done')
    .sort((a, b) => (b.closedAt ?? 0) - (a.closedAt ?? 0));
  return { active, done };
}

/** What the navigation's badge shows: tasks still owed a call, and how many of them are late. */
export function countOwed(tasks: readonly CallbackTask[], now: number): { owed: number; overdue: number } {
  let owed = 0;
  let overdue = 0;
  for (const task of tasks) {
    if (task.state === 'done') continue;
    owed++;
    if (task.dueAt <= now) overdue++;
  }
  return { owed, overdue };
}
