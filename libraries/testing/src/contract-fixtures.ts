import type { ChannelAccess } from '@canaduck/contracts';

/** The yes/no fields of channel-service's access answer (@canaduck/contracts' channelAccessSchema). */
const ACCESS_FLAGS = ['exists', 'private', 'secret', 'member', 'banned', 'can_read', 'can_post', 'can_moderate'] as const;

export type AccessFlag = (typeof ACCESS_FLAGS)[number] & keyof ChannelAccess;

/**
 * channel-service's access answer for a channel that does not exist (or cannot, by its name):
 * every flag false, no id, no role. The contract both sides test against: channel-service checks
 * it gives this answer, message-service's fake of channel-service gives it.
 */
export function missingChannelAccess(channel: string): ChannelAccess {
  const flags = Object.fromEntries(ACCESS_FLAGS.map((f) => [f, false])) as Record<AccessFlag, boolean>;
  return { channel, channel_id: null, role: null, ...flags };
}
