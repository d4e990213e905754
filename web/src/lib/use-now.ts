import { useEffect, useState } from 'react';

/** The current time, updated every `everyMs` (a minute by default), for screens that sort work
 * into "due today" and "overdue" and must not go stale while left open. */
export function useNow(everyMs = 60_000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(id);
  }, [everyMs]);
  return now;
}
