// Internal routes served by channel-service (structures.md section 5): request and answer shapes, one definition for callee and callers.
import { z } from 'zod';

/** A member's role in a channel. */
export const channelRoleSchema = z.enum(['owner', 'moderator', 'member']);
export type ChannelRole = z.infer<typeof channelRoleSchema>;

// GET /internal/channels/<name>/access/<pseudo>?admin=true|false

export const channelAccessParamsSchema = z.object({
  name: z.string().describe('channel name, case-insensitive; a leading `#` must be sent as `%23` or left out'),
  pseudo: z.string(),
});

/** `admin` is set by the caller from the verified JWT; anything but `true`/`false` is a 400. */
export const channelAccessQuerySchema = z.object({
  admin: z.enum(['true', 'false']).default('false').describe("the caller's JWT has the admin role"),
});
export type ChannelAccessQuery = z.infer<typeof channelAccessQuerySchema>;

/**
 * What a pseudo may do in a channel. An unknown channel is `exists: false`, `channel_id: null`,
 * `role: null` and every other flag false. Callers may cache it for at most ACCESS_CACHE_MS.
 */
export const channelAccessSchema = z.object({
  channel: z.string(),
  /** New at every creation: a channel deleted and created again under its name gets another one. */
  channel_id: z.string().nullable(),
  exists: z.boolean(),
  private: z.boolean(),
  secret: z.boolean(),
  member: z.boolean(),
  banned: z.boolean(),
  role: channelRoleSchema.nullable(),
  can_read: z.boolean(),
  can_post: z.boolean(),
  can_moderate: z.boolean(),
});
export type ChannelAccess = z.infer<typeof channelAccessSchema>;

/** The decision part of the access answer: ChannelAccess without the channel's name and id. */
export type AccessDecision = Omit<ChannelAccess, 'channel' | 'channel_id'>;

/** The channel modes the access policy reads: invite-only, no outside messages, moderated, secret. */
export type AccessModes = Record<'i' | 'n' | 'r' | 's', boolean>;

/**
 * The access policy of structures.md section 5 for an existing channel, in one place:
 * channel-service decides with it, and other services' tests answer with it when they stand in
 * for channel-service (so a fake never drifts from the rules).
 */
export function decideChannelAccess(modes: AccessModes, role: ChannelRole | null, banned: boolean, admin: boolean): AccessDecision {
  const isPublic = !modes.i && !modes.s;
  const member = role !== null;
  const staff = role === 'owner' || role === 'moderator' || admin;
  const canRead = !banned && (isPublic || member || admin);
  const mayPostFromOutside = !modes.n && isPublic;
  const canPost = canRead && (member || mayPostFromOutside || admin) && (!modes.r || staff);
  return {
    exists: true,
    private: modes.i,
    secret: modes.s,
    member,
    banned,
    role,
    can_read: canRead,
    can_post: canPost,
    can_moderate: staff,
  };
}

// POST /internal/access/batch

/** channel-service answers at most this many pseudos per batch. */
export const MAX_ACCESS_BATCH = 1000;

/**
 * The access question of many pseudos about one channel at once (a reconnect storm asks one
 * batch, not one call per client). `admin` is set by the caller from each verified JWT.
 */
export const accessBatchRequestSchema = z
  .object({
    channel: z.string().min(1).max(200),
    asks: z
      .array(z.object({ pseudo: z.string().min(1).max(100), admin: z.boolean() }).strict())
      .min(1)
      .max(MAX_ACCESS_BATCH),
  })
  .strict();
export type AccessBatchRequest = z.infer<typeof accessBatchRequestSchema>;

/** One answer per ask, in the order asked; each `access` is what the single route answers. */
export const accessBatchAnswerSchema = z.object({
  channel: z.string(),
  answers: z.array(z.object({ pseudo: z.string(), admin: z.boolean(), access: channelAccessSchema })),
});
export type AccessBatchAnswer = z.infer<typeof accessBatchAnswerSchema>;

// GET /internal/users/<pseudo>/channels?scope=public|all

export const publicChannelsOfUserParamsSchema = z.object({ pseudo: z.string() });

/**
 * `public` (the default): whois, public non-secret channels only. `all`: every membership,
 * private and secret ones included, for a service that then checks access per event (realtime).
 */
export const userChannelsQuerySchema = z.object({
  scope: z.enum(['public', 'all']).default('public').describe('`all` includes private and secret memberships'),
});
export type UserChannelsQuery = z.infer<typeof userChannelsQuerySchema>;

/** The channels a user is a member of, by name: public non-secret ones (whois) or all of them (`scope=all`). */
export const publicChannelsOfUserSchema = z.object({
  pseudo: z.string(),
  channels: z.array(z.string()),
});
export type PublicChannelsOfUser = z.infer<typeof publicChannelsOfUserSchema>;

// GET /internal/users/<pseudo>/memberships

/**
 * Every channel a user is a member of, secret and invite-only ones included, with their role: the
 * IRC door makes a guest whose door died leave them (the owner's channel is deleted instead).
 */
export const userMembershipsSchema = z.object({
  pseudo: z.string(),
  channels: z.array(z.object({ name: z.string(), role: z.enum(['owner', 'moderator', 'member']) })),
});
export type UserMemberships = z.infer<typeof userMembershipsSchema>;

// GET /internal/channels?names=tech,secretroom

/** channel-service accepts at most this many names per call. */
export const MAX_CHANNEL_NAMES = 500;

export const channelVisibilityQuerySchema = z.object({
  names: z.string().describe(`comma-separated channel names, at most ${MAX_CHANNEL_NAMES}`),
});
export type ChannelVisibilityQuery = z.infer<typeof channelVisibilityQuerySchema>;

export const channelVisibilitySchema = z.object({
  name: z.string(),
  channel_id: z.string(),
  private: z.boolean(),
  secret: z.boolean(),
});
export type ChannelVisibility = z.infer<typeof channelVisibilitySchema>;

/** The existing channels among the names asked; unknown names are left out. */
export const channelVisibilityListSchema = z.object({ channels: z.array(channelVisibilitySchema) });
export type ChannelVisibilityList = z.infer<typeof channelVisibilityListSchema>;
