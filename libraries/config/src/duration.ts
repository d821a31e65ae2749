import ms from 'ms';
import { z } from 'zod';
import { parsedWith } from './parsed-with';

/**
 * Parses a duration setting into whole seconds with `ms`: "45s", "30m", "1h", "7d", "2 weeks"...
 * A bare number stays seconds (not `ms`'s milliseconds), as the settings have always read it.
 * Null for anything else, zero, a negative or a fraction of a second.
 */
export function parseDurationSeconds(value: string): number | null {
  const text = value.trim();
  // ms() throws on an empty string (and on one over 100 characters) instead of answering undefined.
  if (text === '' || text.length > 100) return null;
  const millis = /^\d+$/.test(text) ? Number(text) * 1000 : (ms(text as ms.StringValue) as number | undefined);
  if (typeof millis !== 'number' || !Number.isFinite(millis)) return null;
  const seconds = millis / 1000;
  return Number.isSafeInteger(seconds) && seconds > 0 ? seconds : null;
}

/** A duration setting, in whole seconds: `duration('1h')` reads "3600", "45s", "30m", "1h", "7d". */
export const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform(parsedWith(parseDurationSeconds, 'expected a positive duration in whole seconds: "3600" or "45s", "30m", "1h", "7d"'));
