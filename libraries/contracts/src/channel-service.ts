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

// GET /internal/users/<pseudo>/channels

export const publicChannelsOfUserParamsSchema = z.object({ pseudo: z.string() });

/** The public, non-secret channels a user is a member of (whois), by name. */
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
