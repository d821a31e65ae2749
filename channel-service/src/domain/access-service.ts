import type {
  AccessBatchAnswer,
  AccessBatchRequest,
  ChannelAccess,
  ChannelVisibilityList,
  PublicChannelsOfUser,
  UserMemberships,
} from '@canaduck/contracts';
import { normalizeChannel, pseudoKey } from '@canaduck/service-kit';
import type { ChannelRepository } from '../repositories/channel-repository';
import type { MemberRole } from '../repositories/member-repository';
import { decideAccess, NO_ACCESS } from './channel-policy';

export interface AccessServiceDeps {
  channels: ChannelRepository;
}

/** The internal routes other services rely on (structures.md section 5). */
export class AccessService {
  constructor(private readonly deps: AccessServiceDeps) {}

  /** One indexed query: message-service calls this on every post and read. */
  async access(rawName: string, pseudo: string, admin: boolean): Promise<ChannelAccess> {
    const name = normalizeChannel(rawName);
    const row = name ? await this.deps.channels.findAccessRow(name, pseudoKey(pseudo)) : undefined;
    if (!row) return { channel: name ?? rawName, channel_id: null, ...NO_ACCESS };
    return {
      channel: row.channel.name,
      channel_id: row.channel.channelId,
      ...decideAccess(row.channel, row.role as MemberRole | null, row.banned, admin),
    };
  }

  /**
   * The same decision for many pseudos of one channel (realtime's reconnect storm): the channel
   * once, then every asker's membership and ban in two queries.
   */
  async accessBatch(ask: AccessBatchRequest): Promise<AccessBatchAnswer> {
    const name = normalizeChannel(ask.channel);
    const channel = name ? await this.deps.channels.find(name) : undefined;
    if (!channel) {
      const access: ChannelAccess = { channel: name ?? ask.channel, channel_id: null, ...NO_ACCESS };
      return { channel: access.channel, answers: ask.asks.map((a) => ({ pseudo: a.pseudo, admin: a.admin, access })) };
    }
    const keys = [...new Set(ask.asks.map((a) => pseudoKey(a.pseudo)))];
    const { roles, banned } = await this.deps.channels.rolesAndBans(channel.pk, keys);
    return {
      channel: channel.name,
      answers: ask.asks.map((a) => {
        const k = pseudoKey(a.pseudo);
        const decision = decideAccess(channel, (roles.get(k) ?? null) as MemberRole | null, banned.has(k), a.admin);
        return { pseudo: a.pseudo, admin: a.admin, access: { channel: channel.name, channel_id: channel.channelId, ...decision } };
      }),
    };
  }

  /** `all`: private and secret memberships too (realtime follows them, then checks access per event). */
  async channelsOf(pseudo: string, all: boolean): Promise<PublicChannelsOfUser> {
    return { pseudo, channels: await this.deps.channels.memberNamesOf(pseudoKey(pseudo), all) };
  }

  /** Every channel of the user, secret ones included: only a service may ask (the IRC door's guest clean-up). */
  async membershipsOf(pseudo: string): Promise<UserMemberships> {
    const rows = await this.deps.channels.membershipsOf(pseudoKey(pseudo));
    return { pseudo, channels: rows.map((r) => ({ name: r.name, role: r.role as MemberRole })) };
  }

  /** Unknown (or impossible) names are left out. */
  async visibility(rawNames: string[]): Promise<ChannelVisibilityList> {
    const names = [...new Set(rawNames.map((n) => normalizeChannel(n)).filter((n): n is string => n !== null))];
    const rows = await this.deps.channels.byNames(names);
    return { channels: rows.map((c) => ({ name: c.name, channel_id: c.channelId, private: c.modes.i, secret: c.modes.s })) };
  }
}
