import { describe, expect, it } from 'vitest';
import { emptyCounters, queueFigures } from './pbx-model';
import { countAbandoned, countAnswered, countOffered, countTalk } from './queue-counting';

describe('queue counting', () => {
  it('counts a call answered at exactly the SLA as in time and one a second later as late; SLA % is over answered + abandoned', () => {
    const c = emptyCounters('zapis');
    for (let i = 0; i < 4; i++) countOffered(c);
    countAnswered(c, 20, 20);
    countAnswered(c, 21, 20);
    countAbandoned(c, 95);
    countTalk(c, 120);
    countTalk(c, 60);
    expect(c).toMatchObject({ offered: 4, answered: 2, answeredWithinSla: 1, abandoned: 1, longestWaitSec: 95, waitSecTotal: 41 });
    expect(queueFigures(c)).toMatchObject({ avgWaitSec: 20.5, avgTalkSec: 90, longestWaitSec: 95 });
    expect(queueFigures(c).slaPercent).toBeCloseTo(100 / 3);
  });

  it('says nothing (null) about averages and SLA before the first call', () => {
    expect(queueFigures(emptyCounters('spravka'))).toMatchObject({ avgWaitSec: null, avgTalkSec: null, slaPercent: null, offered: 0 });
  });
});
