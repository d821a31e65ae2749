// The `data` of each event of channel-service's stream (GET /internal/events, NATS
// `canaduck.events.channel.<type>`), structures.md section 5 and asyncapi.yaml: one definition for
// the writer (channel-service) and every consumer.
import { z } from 'zod';

const modeLetter = z.enum(['i', 'n', 'r', 's', 't']);

/** What every channel event carries: the channel's name, its id (new at each creation) and who acted. */
const base = {
  channel: z.string(),
  channel_id: z.string(),
  /** The pseudo that made the change, or null for the system. */
  by: z.string().nullable(),
};

/** The channel's settings after the change: modes in `i n r s t` order, `private` is `i`, `secret` is `s`. */
const settings = {
  topic: z.string(),
  modes: z.array(modeLetter),
  private: z.boolean(),
  secret: z.boolean(),
};

const withPseudo = { ...base, pseudo: z.string() };

/**
 * Consumers parse with these: fields added later are dropped, never refused, so adding one breaks
 * no reader. channel-service's tests check its events strictly (`.strict()`).
 */
export const channelEventDataSchemas = {
  /** A channel was created; `by` is its owner. A `channel.member_joined` of the owner follows. */
  'channel.created': z.object({ ...base, owner: z.string(), ...settings }),
  /** A channel was deleted with its members, invitations and bans (no event per member). */
  'channel.deleted': z.object(base),
  'channel.topic_changed': z.object({ ...base, topic: z.string() }),
  /** The modes now set, and the letters this change set and unset. */
  'channel.modes_changed': z.object({
    ...base,
    modes: z.array(modeLetter),
    added: z.array(modeLetter),
    removed: z.array(modeLetter),
    private: z.boolean(),
    secret: z.boolean(),
  }),
  /** After any settings change (topic and/or modes): the settings as they now are. */
  'channel.config_changed': z.object({ ...base, ...settings }),
  /** `role` is `owner` for the creator, `member` otherwise; `invited`: an invitation was used up. */
  'channel.member_joined': z.object({ ...withPseudo, role: z.enum(['owner', 'member']), invited: z.boolean() }),
  /**
   * `role`: what they were (a moderator who parts loses the role). `reason`: their part message
   * (`""` when none, and in events written before it existed).
   */
  'channel.member_parted': z.object({ ...withPseudo, role: z.enum(['moderator', 'member']), reason: z.string().default('') }),
  'channel.member_kicked': z.object({ ...withPseudo, role: z.enum(['moderator', 'member']), reason: z.string() }),
  'channel.member_invited': z.object(withPseudo),
  /** `was_member`: the ban removed their membership (it also removes any invitation). */
  'channel.member_banned': z.object({ ...withPseudo, reason: z.string(), was_member: z.boolean() }),
  'channel.member_unbanned': z.object(withPseudo),
  'channel.moderator_added': z.object(withPseudo),
  'channel.moderator_removed': z.object(withPseudo),
  /**
   * The channel has a new owner: the owner's account was deleted and the longest-standing
   * moderator (else member) took over. `by` is null (the system).
   */
  'channel.owner_changed': z.object({ ...base, owner: z.string(), previous_owner: z.string() }),
};

export type ChannelEventName = keyof typeof channelEventDataSchemas;
export type ChannelEventData<T extends ChannelEventName = ChannelEventName> = z.infer<(typeof channelEventDataSchemas)[T]>;
