import { z } from 'zod';

/**
 * A zod transform through a parser that answers null for what it refuses: the parsed value, or
 * one issue saying `message` (a setting's or a field's whole rule, in words).
 */
export function parsedWith<T>(parse: (value: string) => T | null, message: string) {
  return (value: string, ctx: z.RefinementCtx): T => {
    const parsed = parse(value);
    if (parsed === null) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message });
      return z.NEVER;
    }
    return parsed;
  };
}
