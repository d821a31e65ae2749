import type { ChannelAccess, ChannelVisibilityList, PublicChannelsOfUser, UserMemberships } from '@canaduck/contracts';
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

  async publicChannelsOf(pseudo: string): Promise<PublicChannelsOfUser> {
    return { pseudo, channels: await this.deps.channels.publicNamesOf(pseudoKey(pseudo)) };
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
