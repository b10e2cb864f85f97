import { useEffect, useState } from 'react';
import type { CallMediaStats, Phone } from '../../softphone/phone';

/**
 * `phone.mediaStats(callId)` now and every second while mounted. A failed read keeps the last
 * figures (the call may be ending); nothing is thrown.
 */
export function useMediaStats(phone: Phone | null, callId: string, intervalMs = 1000): CallMediaStats | null {
  const [stats, setStats] = useState<{ callId: string; stats: CallMediaStats | null }>({ callId, stats: null });
  useEffect(() => {
    if (!phone) return;
    let alive = true;
    let inFlight = false;
    const read = () => {
      if (inFlight) return;
      inFlight = true;
      phone
        .mediaStats(callId)
        .then((next) => {
          if (alive) setStats({ callId, stats: next });
        })
        .catch(() => undefined)
        .finally(() => {
          inFlight = false;
        });
    };
    read();
    const timer = setInterval(read, intervalMs);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [phone, callId, intervalMs]);
  return stats.callId === callId ? stats.stats : null;
}
