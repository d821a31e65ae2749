import { randomBytes } from 'node:crypto';
import { ConflictError, ForbiddenError } from '@canaduck/errors';
import { audit, type Logger } from '@canaduck/logging';
import type { Knex } from '@canaduck/db';
import { nextOffset, type Paging } from '@canaduck/service-kit';
import {
  type ChannelRow,
  type Db,
  deleteChannel,
  findChannel,
  insertChannel,
  isUniqueViolation,
  listPublicChannels,
  updateChannel,
} from '../repositories/channel-repository';
import { addMember, countMembers, listBans, listInvites, listMembers, moderatorsOf, type Member } from '../repositories/roster-repository';
import { type Actor, loadForActor, requireOwner, requireReadable, requireStaff } from './channel-policy';
import { applyModeChanges, DEFAULT_MODES, modeList, parseModeString } from './modes';

export interface ChannelConfig {
  name: string;
  private: boolean;
  topic: string;
  owner: string;
  moderators: string[];
  invited: string[];
  banned: Array<{ pseudo: string; reason: string; by: string; at: string }>;
  modes: string[];
  members_count: number;
  created_at: string;
}

export interface ChannelSummary {
  name: string;
  topic: string;
  private: boolean;
  modes: string[];
  members_count: number;
  created_at: string;
}

export interface SettingsChange {
  topic?: string;
  mode?: string;
  private?: boolean;
}

/** 16 hex characters, new at every creation: message-service keys messages on it. */
function newChannelId(): string {
  return randomBytes(8).toString('hex');
}

/** Channel lifecycle and settings: creation, listing, config, topic and modes, deletion. */
export class ChannelService {
  constructor(
    private readonly knex: Knex,
    private readonly logger: Logger,
  ) {}

  async create(actor: Actor, input: { name: string; private: boolean; topic?: string }): Promise<ChannelConfig> {
    if (await findChannel(this.knex, input.name)) throw taken(input.name);
    const now = Date.now();
    try {
      await this.knex.transaction(async (trx) => {
        const pk = await insertChannel(trx, {
          channelId: newChannelId(),
          name: input.name,
          topic: input.topic ?? '',
          owner: actor.pseudo,
          modes: { ...DEFAULT_MODES, i: input.private },
          createdAt: now,
        });
        await addMember(trx, pk, actor.pseudo, 'owner', now);
      });
    } catch (err) {
      // Two creations of one name racing: the unique index decides, the loser gets the same 409.
      if (isUniqueViolation(err)) throw taken(input.name);
      throw err;
    }
    audit(this.logger, 'channel.created', { channel: input.name, by: actor.pseudo, private: input.private });
    return this.configOf((await findChannel(this.knex, input.name))!);
  }

  async listPublic(
    q: string | undefined,
    paging: Paging,
  ): Promise<{ channels: ChannelSummary[]; offset: number; limit: number; next_offset: number | null }> {
    const rows = await listPublicChannels(this.knex, q, paging);
    const channels = rows.map((r) => ({
      name: r.name,
      topic: r.topic,
      private: r.modes.i,
      modes: modeList(r.modes),
      members_count: r.membersCount,
      created_at: new Date(r.createdAt).toISOString(),
    }));
    return { channels, offset: paging.offset, limit: paging.limit, next_offset: nextOffset(paging, channels.length) };
  }

  async config(rawName: string, actor: Actor | undefined): Promise<ChannelConfig> {
    return this.configOf(await requireReadable(this.knex, rawName, actor));
  }

  async users(
    rawName: string,
    actor: Actor | undefined,
    paging: Paging,
  ): Promise<{ channel: string; users: Member[]; offset: number; limit: number; next_offset: number | null }> {
    const channel = await requireReadable(this.knex, rawName, actor);
    const users = await listMembers(this.knex, channel.pk, paging);
    return { channel: channel.name, users, offset: paging.offset, limit: paging.limit, next_offset: nextOffset(paging, users.length) };
  }

  /**
   * Topic and/or modes at once (PATCH, /topic, /mode), all checked before anything
   * is written. Modes: owner and moderators. Topic: the same while mode `t` is set,
   * any member when it is not. The mode string is parsed first (422 before 403).
   */
  async updateSettings(rawName: string, actor: Actor, change: SettingsChange): Promise<ChannelConfig> {
    const modeChanges = change.mode !== undefined ? parseModeString(change.mode) : [];
    const channel = await this.knex.transaction(async (trx) => {
      const ctx = await loadForActor(trx, rawName, actor);
      if (change.mode !== undefined || change.private !== undefined) requireStaff(ctx, actor, 'change its modes');
      if (change.topic !== undefined) {
        if (ctx.channel.modes.t) requireStaff(ctx, actor, 'change its topic (mode +t)');
        else if (!ctx.member && !actor.admin) {
          throw new ForbiddenError(`only members of #${ctx.channel.name} may change its topic`, 'not_member');
        }
      }
      let modes = applyModeChanges(ctx.channel.modes, modeChanges);
      if (change.private !== undefined) modes = { ...modes, i: change.private };
      await updateChannel(trx, ctx.channel.pk, { topic: change.topic, modes });
      return { ...ctx.channel, modes, topic: change.topic ?? ctx.channel.topic };
    });
    if (change.mode !== undefined || change.private !== undefined) {
      audit(this.logger, 'channel.modes_changed', {
        channel: channel.name,
        by: actor.pseudo,
        change: change.mode,
        modes: modeList(channel.modes),
      });
    }
    return this.configOf(channel);
  }

  async remove(rawName: string, actor: Actor): Promise<{ result: string }> {
    const name = await this.knex.transaction(async (trx) => {
      const ctx = await loadForActor(trx, rawName, actor);
      requireOwner(ctx, actor, 'delete it');
      await deleteChannel(trx, ctx.channel.pk);
      return ctx.channel.name;
    });
    audit(this.logger, 'channel.deleted', { channel: name, by: actor.pseudo, admin: actor.admin });
    return { result: `channel #${name} deleted` };
  }

  private async configOf(c: ChannelRow, db: Db = this.knex): Promise<ChannelConfig> {
    const [moderators, invited, bans, membersCount] = await Promise.all([
      moderatorsOf(db, c.pk),
      listInvites(db, c.pk),
      listBans(db, c.pk),
      countMembers(db, c.pk),
    ]);
    return {
      name: c.name,
      private: c.modes.i,
      topic: c.topic,
      owner: c.owner,
      moderators,
      invited,
      banned: bans.map((b) => ({ pseudo: b.pseudo, reason: b.reason, by: b.by, at: new Date(b.at).toISOString() })),
      modes: modeList(c.modes),
      members_count: membersCount,
      created_at: new Date(c.createdAt).toISOString(),
    };
  }
}

function taken(name: string): ConflictError {
  return new ConflictError(`channel #${name} already exists`, 'channel_exists');
}
