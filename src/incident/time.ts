/**
 * Reads the time given to /impact-start: an ISO UTC time, `HH:MM` (UTC, today, or yesterday when
 * that would be in the future), or `-25m` / `-2h` before now. Undefined when it is in the future.
 */
export function parseImpactStart(text: string, now: Date): Date | undefined {
  const relative = /^-(\d{1,4})([mh])$/.exec(text);
  if (relative) {
    return new Date(now.getTime() - Number(relative[1]) * (relative[2] === 'h' ? 3_600_000 : 60_000));
  }
  const clock = /^(\d{2}):(\d{2})$/.exec(text);
  if (clock) {
    const at = new Date(now);
    at.setUTCHours(Number(clock[1]), Number(clock[2]), 0, 0);
    if (Number(clock[1]) > 23 || Number(clock[2]) > 59) return undefined;
    return at > now ? new Date(at.getTime() - 86_400_000) : at;
  }
  const at = new Date(text);
  return Number.isNaN(at.getTime()) || at > now ? undefined : at;
}
