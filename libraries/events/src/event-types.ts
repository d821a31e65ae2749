/**
 * Every event type of the three streams. asyncapi.yaml (repo root) describes each one; a test
 * checks that the two lists agree.
 */
export const USER_EVENT_TYPES = [
  'user.registered',
  'user.deleted',
  'user.roles_changed',
  'user.password_changed',
  'user.logged_out',
  'user.status_changed',
  'user.avatar_changed',
] as const;

export const CHANNEL_EVENT_TYPES = [
  'channel.created',
  'channel.deleted',
  'channel.topic_changed',
  'channel.modes_changed',
  'channel.config_changed',
  'channel.member_joined',
  'channel.member_parted',
  'channel.member_kicked',
  'channel.member_invited',
  'channel.member_banned',
  'channel.member_unbanned',
  'channel.moderator_added',
  'channel.moderator_removed',
  'channel.owner_changed',
] as const;

export const MESSAGE_EVENT_TYPES = [
  'message.created',
  'message.edited',
  'message.deleted',
  'reaction.added',
  'reaction.removed',
  'message.pinned',
  'message.unpinned',
] as const;

export type UserEventType = (typeof USER_EVENT_TYPES)[number];
export type ChannelEventType = (typeof CHANNEL_EVENT_TYPES)[number];
export type MessageEventType = (typeof MESSAGE_EVENT_TYPES)[number];
export type EventType = UserEventType | ChannelEventType | MessageEventType;

export const EVENT_TYPES: readonly EventType[] = [...USER_EVENT_TYPES, ...CHANNEL_EVENT_TYPES, ...MESSAGE_EVENT_TYPES];

/** User events after which tokens issued before `data.revoked_before` are dead. */
export const REVOKING_EVENT_TYPES: readonly UserEventType[] = [
  'user.deleted',
  'user.roles_changed',
  'user.password_changed',
  'user.logged_out',
];

/** Payload of the revoking user events. */
export interface RevokingEventData {
  pseudo: string;
  /** ISO time: tokens issued (iat) before it are dead. */
  revoked_before: string;
  roles?: string[];
}
