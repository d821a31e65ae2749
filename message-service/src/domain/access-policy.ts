import { ForbiddenError, NotFoundError } from '@canaduck/errors';
import { pseudoKey } from '@canaduck/service-kit';
import type { ChannelAccess, ChannelClient } from '../clients';
import type { MessageRecord } from './message';

/** The caller, from the verified JWT. */
export interface Actor {
  pseudo: string;
  admin: boolean;
  requestId?: string;
}

export const channelNotFound = (channel: string) => new NotFoundError(`channel ${channel} not found`, 'channel_not_found');

export const messageNotFound = (id: number) => new NotFoundError(`message ${id} not found`, 'message_not_found');

/** Who may read, post and moderate where: channel-service decides for channels, the pair for private messages. */
export interface AccessPolicyDeps {
  channels: ChannelClient;
}

export class AccessPolicy {
  constructor(private readonly deps: AccessPolicyDeps) {}

  channelAccess(actor: Actor, channel: string): Promise<ChannelAccess> {
    return this.deps.channels.access(channel, actor.pseudo, actor.admin, actor.requestId);
  }

  /**
   * The channel's current access; 404 when it does not exist, and the same 404 (same body) for a
   * secret channel the caller may not read: a `+s` channel never reveals that it exists.
   */
  async existingChannel(actor: Actor, channel: string): Promise<ChannelAccess & { channel_id: string }> {
    const access = await this.channelAccess(actor, channel);
    if (!access.exists || !access.channel_id || hidden(access)) throw channelNotFound(channel);
    return access as ChannelAccess & { channel_id: string };
  }

  async readableChannel(actor: Actor, channel: string): Promise<ChannelAccess & { channel_id: string }> {
    const access = await this.existingChannel(actor, channel);
    if (!access.can_read) throw new ForbiddenError(readRefusal(access), 'channel_read_forbidden');
    return access;
  }

  async postableChannel(actor: Actor, channel: string): Promise<ChannelAccess & { channel_id: string }> {
    const access = await this.readableChannel(actor, channel);
    if (!access.can_post) {
      throw new ForbiddenError(`you may not post in #${channel} (read-only channel, or members only)`, 'channel_post_forbidden');
    }
    return access;
  }

  /**
   * Makes sure the caller may read this message: 404 for a private message of others (its existence
   * is not revealed), for a message of a deleted incarnation of its channel or of a secret channel
   * the caller may not read, 403 for another channel the caller may not read. Returns the channel access for channel messages.
   */
  async readableMessage(actor: Actor, m: MessageRecord): Promise<ChannelAccess | null> {
    if (m.channel === null) {
      if (!isParticipant(actor, m)) throw messageNotFound(m.id);
      return null;
    }
    const access = await this.channelAccess(actor, m.channel);
    if (!access.exists || access.channel_id !== m.channelId || hidden(access)) throw messageNotFound(m.id);
    if (!access.can_read) throw new ForbiddenError(readRefusal(access), 'channel_read_forbidden');
    return access;
  }
}

/** A secret channel the caller may not read: answered exactly as an unknown channel. */
export function hidden(access: ChannelAccess): boolean {
  return access.secret && !access.can_read;
}

export function isParticipant(actor: Actor, m: MessageRecord): boolean {
  const me = pseudoKey(actor.pseudo);
  return m.fromKey === me || (m.to !== null && pseudoKey(m.to) === me);
}

export function isAuthor(actor: Actor, m: MessageRecord): boolean {
  return m.fromKey === pseudoKey(actor.pseudo);
}

function readRefusal(access: ChannelAccess): string {
  return access.banned ? `you are banned from #${access.channel}` : `#${access.channel} is private: members only`;
}
