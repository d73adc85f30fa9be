import { z } from 'zod';

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** Parses durations such as `90s`, `15m`, `4h`, `3d` into seconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})\s*([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  return Number(match[1]) * UNIT_SECONDS[match[2] as keyof typeof UNIT_SECONDS];
}

export const durationSchema = z
  .string()
  .regex(/^\d{1,6}\s*[smhd]$/, {
    error: (issue) => `"${String(issue.input)}" is not a duration; write it like 90s, 15m, 4h or 3d`,
  })
  .transform((text) => parseDuration(text) ?? 0);

/** Formats seconds the way a responder reads them: `15 minutes`, `1 hour`, `24 hours`. */
export function formatDuration(seconds: number): string {
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;
  if (seconds % 3600 === 0 && seconds >= 3600) return plural(seconds / 3600, 'hour');
  if (seconds % 60 === 0 && seconds >= 60) return plural(seconds / 60, 'minute');
  return plural(seconds, 'second');
}
