import type { Knex } from '@canaduck/db';
import { normalizeChannel, pseudoKey } from '@canaduck/service-kit';
import { channelsByNames, findAccessRow, publicChannelNamesOf } from '../repositories/channel-repository';
import type { MemberRole } from '../repositories/roster-repository';
import { type Access, decideAccess, NO_ACCESS } from './channel-policy';

export type AccessAnswer = { channel: string; channel_id: string | null } & Access;

/** The internal routes other services rely on (structures.md section 5). */
export class AccessService {
  constructor(private readonly knex: Knex) {}

  /** One indexed query: message-service calls this on every post and read. */
  async access(rawName: string, pseudo: string, admin: boolean): Promise<AccessAnswer> {
    const name = normalizeChannel(rawName);
    const row = name ? await findAccessRow(this.knex, name, pseudoKey(pseudo)) : undefined;
    if (!row) return { channel: name ?? rawName, channel_id: null, ...NO_ACCESS };
    return {
      channel: row.channel.name,
      channel_id: row.channel.channelId,
      ...decideAccess(row.channel, row.role as MemberRole | null, row.banned, admin),
    };
  }

  async publicChannelsOf(pseudo: string): Promise<{ pseudo: string; channels: string[] }> {
    return { pseudo, channels: await publicChannelNamesOf(this.knex, pseudoKey(pseudo)) };
  }

  /** Unknown (or impossible) names are left out. */
  async visibility(
    rawNames: string[],
  ): Promise<{ channels: Array<{ name: string; channel_id: string; private: boolean; secret: boolean }> }> {
    const names = [...new Set(rawNames.map((n) => normalizeChannel(n)).filter((n): n is string => n !== null))];
    const rows = await channelsByNames(this.knex, names);
    return { channels: rows.map((c) => ({ name: c.name, channel_id: c.channelId, private: c.modes.i, secret: c.modes.s })) };
  }
}
