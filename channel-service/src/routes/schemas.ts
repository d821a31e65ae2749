import { z } from 'zod';
import {
  accessBatchAnswerSchema,
  charCount,
  isOneLine,
  MAX_REASON_CHARS,
  MAX_TOPIC_CHARS,
  channelAccessSchema,
  channelRoleSchema,
  channelVisibilityListSchema,
  publicChannelsOfUserSchema,
  userMembershipsSchema,
} from '@canaduck/contracts';
import { type ApiDocs, channelSchema, pseudoSchema } from '@canaduck/service-kit';
import { MODE_LETTERS } from '../domain/modes';

// The zod schemas of channel-service's bodies and answers (structures.md section 4): the routes
// validate with the request ones, and every schema describes its route in the OpenAPI document.

export const topicSchema = z
  .string()
  .refine((s) => charCount(s) <= MAX_TOPIC_CHARS, `a topic has at most ${MAX_TOPIC_CHARS} characters`)
  .refine(isOneLine, 'a topic is one line without control characters')
  .describe(`at most ${MAX_TOPIC_CHARS} characters, one line`);

export const reasonSchema = z
  .string()
  .refine((s) => charCount(s) <= MAX_REASON_CHARS, `a reason has at most ${MAX_REASON_CHARS} characters`)
  .refine(isOneLine, 'a reason is one line without control characters')
  .describe(`at most ${MAX_REASON_CHARS} characters, one line`);

// Path and query parameters.

export const channelNameParams = z.object({
  name: z.string().describe('channel name, case-insensitive; a leading `#` must be sent as `%23` or left out'),
});
export const channelPseudoParams = channelNameParams.extend({ pseudo: z.string().describe('a pseudo, case-insensitive') });

function pagingQuery(limit: number, maxLimit: number) {
  return z.object({
    offset: z.number().int().min(0).default(0),
    limit: z.number().int().min(1).max(maxLimit).default(limit),
  });
}

/** `GET /channel`: `q` is validated with this schema, paging with service-kit's parsePaging (same bounds). */
export const channelSearchSchema = z.string().max(100).optional().describe('substring of the name (% and _ match literally)');
export const listChannelsQuery = pagingQuery(50, 200).extend({ q: channelSearchSchema });
export const LIST_USERS_PAGING = { limit: 200, maxLimit: 1000 };
export const listUsersQuery = pagingQuery(LIST_USERS_PAGING.limit, LIST_USERS_PAGING.maxLimit);

// Request bodies.

export const createChannelBody = z.object({
  name: channelSchema.describe('1 to 50 of a-z, 0-9, _ and -, a leading # allowed'),
  private: z.boolean().default(false).describe('true sets mode i (invite-only)'),
  topic: topicSchema.optional(),
});
export const patchChannelBody = z.object({
  topic: topicSchema.optional(),
  mode: z.string().optional().describe('IRC mode string, e.g. "+r-i"'),
  private: z.boolean().optional().describe('same as +i / -i'),
});
export const topicBody = z.object({ topic: topicSchema });
export const modeBody = z.object({ mode: z.string().describe(`IRC mode string over the letters ${MODE_LETTERS.join(', ')}, e.g. "+r-i"`) });
export const pseudoBody = z.object({ pseudo: pseudoSchema });
export const pseudoReasonBody = z.object({ pseudo: pseudoSchema, reason: reasonSchema.default('') });
/** A part message is optional, and so is the whole body. */
export const partBody = z.object({ reason: reasonSchema.default('') }).default({});

// Answers.

export const resultSchema = z.object({ result: z.string().describe('what was done, e.g. "marcel joined #tech"') });

const modesSchema = z.array(z.enum(MODE_LETTERS)).describe('the modes set, in the order i, n, r, s, t');

export const channelConfigSchema = z.object({
  name: z.string(),
  private: z.boolean(),
  topic: z.string(),
  owner: z.string(),
  moderators: z.array(z.string()),
  invited: z.array(z.string()),
  banned: z.array(z.object({ pseudo: z.string(), reason: z.string(), by: z.string(), at: z.string().datetime() })),
  modes: modesSchema,
  members_count: z.number().int(),
  created_at: z.string().datetime(),
});

export const channelListSchema = z.object({
  channels: z.array(
    z.object({
      name: z.string(),
      topic: z.string(),
      private: z.boolean(),
      modes: modesSchema,
      members_count: z.number().int(),
      created_at: z.string().datetime(),
    }),
  ),
  offset: z.number().int(),
  limit: z.number().int(),
  next_offset: z.number().int().nullable(),
});

export const userListSchema = z.object({
  channel: z.string(),
  users: z.array(z.object({ pseudo: z.string(), role: channelRoleSchema })),
  offset: z.number().int(),
  limit: z.number().int(),
  next_offset: z.number().int().nullable(),
});

/** The answer schemas, named in one app's document (`#/components/schemas/<name>`). */
export function answerSchemas(docs: ApiDocs) {
  return {
    result: docs.schema('Result', resultSchema),
    channelConfig: docs.schema('ChannelConfig', channelConfigSchema),
    channelList: docs.schema('ChannelList', channelListSchema),
    userList: docs.schema('UserList', userListSchema),
    channelAccess: docs.schema('ChannelAccess', channelAccessSchema),
    publicChannelsOfUser: docs.schema('PublicChannelsOfUser', publicChannelsOfUserSchema),
    userMemberships: docs.schema('UserMemberships', userMembershipsSchema),
    channelVisibilityList: docs.schema('ChannelVisibilityList', channelVisibilityListSchema),
    accessBatch: docs.schema('AccessBatchAnswer', accessBatchAnswerSchema),
  };
}

export type AnswerSchemas = ReturnType<typeof answerSchemas>;

/** What every route module gets to describe itself: the app's document and its named answers. */
export interface RouteDocs {
  docs: ApiDocs;
  answers: AnswerSchemas;
}
