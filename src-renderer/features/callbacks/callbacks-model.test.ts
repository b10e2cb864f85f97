import { describe, expect, it } from 'vitest';
import { makeCallbackTask } from '../../test-support/fake-desk';
import { countOwed, orderTasks, slaStateOf, warningAt } from './callbacks-model';

describe('callbacks model', () => {
  it('is green, amber in the last third of the task time, red from dueAt on', () => {
    const task = { firstAt: 0, dueAt: 900_000 };
    expect(slaStateOf(task, 0)).toBe('ok');
    expect(slaStateOf(task, 599_999)).toBe('ok');
    expect(warningAt(task)).toBe(600_000);
    expect(slaStateOf(task, 600_000)).toBe('warning');
    expect(slaStateOf(task, 899_999)).toBe('warning');
    expect(slaStateOf(task, 900_000)).toBe('overdue');
  });

  it('orders the owed by due time (the overdue lead), the closed after them, latest closed first', () => {
    const tasks = [
      makeCallbackTask({ id: 'b', dueAt: 300 }),
      makeCallbackTask({ id: 'done-old', state: 'done', closedAt: 10, dueAt: 1 }),
      makeCallbackTask({ id: 'a', dueAt: 100, state: 'claimed' }),
      makeCallbackTask({ id: 'done-new', state: 'done', closedAt: 20, dueAt: 2 }),
      makeCallbackTask({ id: 'c', dueAt: 200 }),
    ];
    const { active, done } = orderTasks(tasks);
    expect(active.map((task) => task.id)).toEqual(['a', 'c', 'b']);
    expect(done.map((task) => task.id)).toEqual(['done-new', 'done-old']);
    expect(countOwed(tasks, 250)).toEqual({ owed: 3, overdue: 2 });
  });
});
