import { z } from 'zod';
// service-kit extends zod with `.openapi(...)` (examples, descriptions) when it loads: load it first.
import '@canaduck/service-kit';

/** The most rows a ranking answers (`limit`), and its default. */
export const MAX_LIMIT = 100;
export const DEFAULT_LIMIT = 10;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

// Query parameters, one schema each: every one answers its own error code when it fails.
export const limitParam = z.coerce
  .number()
  .int()
  .min(1)
  .max(MAX_LIMIT)
  .default(DEFAULT_LIMIT)
  .openapi({ description: `rows answered, 1 to ${MAX_LIMIT}` });

export const includePrivateParam = z
  .enum(['true', 'false'])
  .default('false')
  .openapi({ description: 'admins only; also counts private messages and private (i) or secret (s) channels' });

export const sinceParam = z
  .string()
  .regex(ISO_DATE)
  .refine((s) => !Number.isNaN(Date.parse(s)), 'not a date')
  .optional()
  .openapi({ format: 'date-time', description: 'ISO 8601 date; counts messages from the start of that UTC hour' });

export const hoursParam = z.coerce.number().int().min(1).max(168).default(24).openapi({ description: 'hours answered, 1 to 168' });

export const rankingQuery = z.object({ limit: limitParam, include_private: includePrivateParam });
export const activeChannelsQuery = rankingQuery.extend({ since: sinceParam });
export const hourlyActivityQuery = z.object({ hours: hoursParam, include_private: includePrivateParam });

// Answers (structures.md section 4). `as_of`: the time of the last feed event applied, null before the first.
const isoTime = z.string().openapi({ format: 'date-time', example: '2026-11-24T17:00:00.000Z' });
const asOf = isoTime.nullable();

export const activeChannelsAnswer = z
  .object({
    channels: z.array(z.object({ channel: z.string(), messages: z.number().int(), last_message_at: isoTime.nullable() }).strict()),
    limit: z.number().int(),
    since: isoTime.optional(),
    as_of: asOf,
  })
  .strict();

export const hourlyActivityAnswer = z
  .object({
    hours: z.array(z.object({ hour: isoTime, messages: z.number().int() }).strict()),
    as_of: asOf,
  })
  .strict();

export const messagesPerUserAnswer = z
  .object({
    users: z.array(z.object({ pseudo: z.string(), messages: z.number().int() }).strict()),
    limit: z.number().int(),
    as_of: asOf,
  })
  .strict();

export const topReactedMessagesAnswer = z
  .object({
    messages: z.array(
      z
        .object({
          id: z.number().int(),
          // null for a private message
          channel: z.string().nullable(),
          from: z.string(),
          // null for a private message: only its participants may read it, admins included
          text: z.string().nullable(),
          reactions_count: z.number().int(),
        })
        .strict(),
    ),
    limit: z.number().int(),
    as_of: asOf,
  })
  .strict();
