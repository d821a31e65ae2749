import { randomBytes } from 'node:crypto';
import { ConflictError, ForbiddenError } from '@canaduck/errors';
import { audit, type Logger } from '@canaduck/logging';
import type { Knex, Transactor } from '@canaduck/db';
import { nextOffset, type Paging } from '@canaduck/service-kit';
import type { BanRepository } from '../repositories/ban-repository';
import { type ChannelRepository, type ChannelRow, isUniqueViolation } from '../repositories/channel-repository';
import type { InviteRepository } from '../repositories/invite-repository';
import type { Member, MemberRepository } from '../repositories/member-repository';
import { type Actor, requireOwner, requireStaff } from './channel-policy';
import type { ChannelChange, ChannelEvents } from './channel-events';
import { ChannelLookup } from './channel-lookup';
import { applyModeChanges, DEFAULT_MODES, MODE_LETTERS, modeList, parseModeString } from './modes';

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

export interface ChannelServiceDeps {
  channels: ChannelRepository;
  members: MemberRepository;
  invites: InviteRepository;
  bans: BanRepository;
  events: ChannelEvents;
  db: Transactor;
  logger: Logger;
  now: () => number;
}

/** Channel lifecycle and settings: creation, listing, config, topic and modes, deletion. */
export class ChannelService {
  private readonly lookup: ChannelLookup;

  constructor(private readonly deps: ChannelServiceDeps) {
    this.lookup = new ChannelLookup(deps);
  }

  async create(actor: Actor, input: { name: string; private: boolean; topic?: string }): Promise<ChannelConfig> {
    const { channels, members } = this.deps;
    if (await channels.find(input.name)) throw taken(input.name);
    const now = this.deps.now();
    const row = {
      channelId: newChannelId(),
      name: input.name,
      topic: input.topic ?? '',
      owner: actor.pseudo,
      modes: { ...DEFAULT_MODES, i: input.private },
      createdAt: now,
    };
    try {
      await this.deps.db.transaction(async (trx) => {
        const pk = await channels.insert(row, trx);
        await members.add(pk, actor.pseudo, 'owner', now, trx);
        await this.deps.events.append(
          trx,
          row,
          actor.pseudo,
          { type: 'channel.created', fields: { owner: actor.pseudo, ...settingsOf(row) } },
          { type: 'channel.member_joined', fields: { pseudo: actor.pseudo, role: 'owner', invited: false } },
        );
      });
      this.deps.events.committed();
    } catch (err) {
      // Two creations of one name racing: the unique index decides, the loser gets the same 409.
      if (isUniqueViolation(err)) throw taken(input.name);
      throw err;
    }
    audit(this.deps.logger, 'channel.created', { channel: input.name, by: actor.pseudo, private: input.private });
    return this.configOf((await channels.find(input.name))!);
  }

  async listPublic(
    q: string | undefined,
    paging: Paging,
  ): Promise<{ channels: ChannelSummary[]; offset: number; limit: number; next_offset: number | null }> {
    const rows = await this.deps.channels.listPublic(q, paging);
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
    return this.configOf(await this.lookup.readable(rawName, actor));
  }

  async users(
    rawName: string,
    actor: Actor | undefined,
    paging: Paging,
  ): Promise<{ channel: string; users: Member[]; offset: number; limit: number; next_offset: number | null }> {
    const channel = await this.lookup.readable(rawName, actor);
    const users = await this.deps.members.list(channel.pk, paging);
    return { channel: channel.name, users, offset: paging.offset, limit: paging.limit, next_offset: nextOffset(paging, users.length) };
  }

  /**
   * Topic and/or modes at once (PATCH, /topic, /mode), all checked before anything
   * is written. Modes: owner and moderators. Topic: the same while mode `t` is set,
   * any member when it is not. The mode string is parsed first (422 before 403).
   */
  async updateSettings(rawName: string, actor: Actor, change: SettingsChange): Promise<ChannelConfig> {
    const modeChanges = change.mode !== undefined ? parseModeString(change.mode) : [];
    const channel = await this.deps.db.transaction(async (trx) => {
      const ctx = await this.lookup.forActor(rawName, actor, trx);
      if (change.mode !== undefined || change.private !== undefined) requireStaff(ctx, actor, 'change its modes');
      if (change.topic !== undefined) {
        if (ctx.channel.modes.t) requireStaff(ctx, actor, 'change its topic (mode +t)');
        else if (!ctx.member && !actor.admin) {
          throw new ForbiddenError(`only members of #${ctx.channel.name} may change its topic`, 'not_member');
        }
      }
      let modes = applyModeChanges(ctx.channel.modes, modeChanges);
      if (change.private !== undefined) modes = { ...modes, i: change.private };
      await this.deps.channels.update(ctx.channel.pk, { topic: change.topic, modes }, trx);
      const updated = { ...ctx.channel, modes, topic: change.topic ?? ctx.channel.topic };
      await this.deps.events.append(trx, updated, actor.pseudo, ...settingsEvents(ctx.channel, updated));
      return updated;
    });
    this.deps.events.committed();
    if (change.mode !== undefined || change.private !== undefined) {
      audit(this.deps.logger, 'channel.modes_changed', {
        channel: channel.name,
        by: actor.pseudo,
        change: change.mode,
        modes: modeList(channel.modes),
      });
    }
    return this.configOf(channel);
  }

  async remove(rawName: string, actor: Actor): Promise<{ result: string }> {
    const name = await this.deps.db.transaction(async (trx) => {
      const ctx = await this.lookup.forActor(rawName, actor, trx);
      requireOwner(ctx, actor, 'delete it');
      await this.deps.channels.delete(ctx.channel.pk, trx);
      await this.deps.events.append(trx, ctx.channel, actor.pseudo, { type: 'channel.deleted', fields: {} });
      return ctx.channel.name;
    });
    this.deps.events.committed();
    audit(this.deps.logger, 'channel.deleted', { channel: name, by: actor.pseudo, admin: actor.admin });
    return { result: `channel #${name} deleted` };
  }

  private async configOf(c: ChannelRow, trx?: Knex.Transaction): Promise<ChannelConfig> {
    const [moderators, invited, bans, membersCount] = await Promise.all([
      this.deps.members.moderatorsOf(c.pk, trx),
      this.deps.invites.list(c.pk, trx),
      this.deps.bans.list(c.pk, trx),
      this.deps.members.count(c.pk, trx),
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

function settingsOf(c: Pick<ChannelRow, 'topic' | 'modes'>) {
  return { topic: c.topic, modes: modeList(c.modes), private: c.modes.i, secret: c.modes.s };
}

/**
 * The events of a settings change: only what really changed (a topic set to itself, or `+t` on a
 * channel already `+t`, writes nothing), then the settings as they now are.
 */
function settingsEvents(before: ChannelRow, after: ChannelRow): ChannelChange[] {
  const changes: ChannelChange[] = [];
  if (after.topic !== before.topic) changes.push({ type: 'channel.topic_changed', fields: { topic: after.topic } });
  const flipped = (on: boolean) => MODE_LETTERS.filter((l) => after.modes[l] === on && before.modes[l] !== on);
  const added = flipped(true);
  const removed = flipped(false);
  if (added.length > 0 || removed.length > 0) {
    const { modes, private: isPrivate, secret } = settingsOf(after);
    changes.push({ type: 'channel.modes_changed', fields: { modes, added, removed, private: isPrivate, secret } });
  }
  if (changes.length > 0) changes.push({ type: 'channel.config_changed', fields: settingsOf(after) });
  return changes;
}

function taken(name: string): ConflictError {
  return new ConflictError(`channel #${name} already exists`, 'channel_exists');
}
