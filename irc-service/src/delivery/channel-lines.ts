import { channelEventDataSchemas, type ChannelEventData, type ChannelEventName } from '@canaduck/contracts';
import { fold, ircChannel } from '../protocol/names';
import type { IrcServer } from '../server/irc-server';

type Data<T extends ChannelEventName> = ChannelEventData<T>;

/**
 * channel-service's events as IRC lines. Lines go only to the connections that show the channel
 * (its members on this door), so secret and invite-only channels' events never reach anyone
 * else, although the stream carries them. The door's own commands announce nothing of this:
 * whatever door (REST or IRC) made a change, its line comes from here, once.
 */
export class ChannelLines {
  constructor(private readonly server: IrcServer) {}

  apply(type: string, raw: unknown): void {
    const schema = channelEventDataSchemas[type as ChannelEventName];
    if (!schema) return;
    const parsed = schema.safeParse(raw);
    if (!parsed.success) {
      this.server.logger.warn({ type, issues: parsed.error.issues.slice(0, 3) }, 'channel event not understood: skipped');
      return;
    }
    const data: unknown = parsed.data;
    switch (type as ChannelEventName) {
      case 'channel.member_joined':
        return this.joined(data as Data<'channel.member_joined'>);
      case 'channel.member_parted':
        return this.parted(data as Data<'channel.member_parted'>);
      case 'channel.member_kicked': {
        const d = data as Data<'channel.member_kicked'>;
        return this.kicked(d.channel, d.pseudo, d.by, d.reason);
      }
      case 'channel.member_banned': {
        const d = data as Data<'channel.member_banned'>;
        this.mode(d.channel, d.by, ['+b', `${d.pseudo}!*@*`]);
        if (d.was_member) this.kicked(d.channel, d.pseudo, d.by, d.reason || 'Banned');
        return;
      }
      case 'channel.member_unbanned': {
        const d = data as Data<'channel.member_unbanned'>;
        return this.mode(d.channel, d.by, ['-b', `${d.pseudo}!*@*`]);
      }
      case 'channel.moderator_added':
      case 'channel.moderator_removed': {
        const d = data as Data<'channel.moderator_added'>;
        return this.mode(d.channel, d.by, [type === 'channel.moderator_added' ? '+o' : '-o', d.pseudo]);
      }
      case 'channel.owner_changed': {
        // The new owner shows as an operator (@), as PREFIX=(ov)@+ has no owner prefix.
        const d = data as Data<'channel.owner_changed'>;
        return this.mode(d.channel, d.by, ['+o', d.owner]);
      }
      case 'channel.modes_changed': {
        const d = data as Data<'channel.modes_changed'>;
        const modes = (d.added.length ? `+${d.added.join('')}` : '') + (d.removed.length ? `-${d.removed.join('')}` : '');
        return modes ? this.mode(d.channel, d.by, [modes]) : undefined;
      }
      case 'channel.topic_changed':
        return this.topic(data as Data<'channel.topic_changed'>);
      case 'channel.member_invited':
        return this.invited(data as Data<'channel.member_invited'>);
      case 'channel.deleted':
        return this.deleted(data as Data<'channel.deleted'>);
      default:
      // channel.created (the owner's join follows), config_changed (topic/modes lines already sent).
    }
  }

  private source(by: string | null): string {
    return by ? this.server.mask(by) : this.server.settings.serverName;
  }

  /** Others see JOIN; the pseudo's own connections that do not show the channel yet join it too. */
  private joined(d: Data<'channel.member_joined'>): void {
    const own = (c: { name: string }) => fold(c.name) === fold(d.pseudo);
    const lineFor = this.server.joinLines(d.pseudo, d.channel);
    for (const c of this.server.localMembers(d.channel)) if (!own(c)) c.send(lineFor(c));
    for (const c of this.server.connectionsOf(d.pseudo)) {
      if (c.registered && !c.channels.has(d.channel)) {
        this.server.joinLocal(c, d.channel);
        c.send(lineFor(c));
      }
    }
  }

  private parted(d: Data<'channel.member_parted'>): void {
    // The part message travels in the event, so every door and REST client sees the same one.
    const params = d.reason ? [ircChannel(d.channel), d.reason] : [ircChannel(d.channel)];
    this.server.toChannel(d.channel, { source: this.server.mask(d.pseudo), command: 'PART', params });
    for (const c of this.server.connectionsOf(d.pseudo)) this.server.leaveLocal(c, d.channel);
  }

  private kicked(channel: string, pseudo: string, by: string | null, reason: string): void {
    this.server.toChannel(channel, { source: this.source(by), command: 'KICK', params: [ircChannel(channel), pseudo, reason || pseudo] });
    for (const c of this.server.connectionsOf(pseudo)) this.server.leaveLocal(c, channel);
  }

  private mode(channel: string, by: string | null, modeParams: string[]): void {
    this.server.toChannel(channel, { source: this.source(by), command: 'MODE', params: [ircChannel(channel), ...modeParams] });
  }

  private topic(d: Data<'channel.topic_changed'>): void {
    this.server.topics.set(d.channel, { by: d.by ?? this.server.settings.serverName, at: this.server.now() });
    this.server.toChannel(d.channel, { source: this.source(d.by), command: 'TOPIC', params: [ircChannel(d.channel), d.topic] });
  }

  /**
   * The invited user's connections are told, and (invite-notify) the channel's members here, who
   * know the channel already; nobody else (the channel may be secret).
   */
  private invited(d: Data<'channel.member_invited'>): void {
    const line = { source: this.source(d.by), command: 'INVITE', params: [d.pseudo, ircChannel(d.channel)] };
    const invitee = (c: { name: string }) => fold(c.name) === fold(d.pseudo);
    for (const c of this.server.connectionsOf(d.pseudo)) if (c.registered) c.send({ ...line, params: [c.name, ircChannel(d.channel)] });
    for (const c of this.server.localMembers(d.channel)) if (!invitee(c) && c.caps.has('invite-notify')) c.send(line);
  }

  /** A deleted channel disappears from its members' clients as if they had left it. */
  private deleted(d: Data<'channel.deleted'>): void {
    for (const c of this.server.localMembers(d.channel)) {
      c.send({ source: this.server.mask(c.name), command: 'PART', params: [ircChannel(d.channel), 'Channel deleted'] });
      this.server.leaveLocal(c, d.channel);
    }
    this.server.topics.delete(d.channel);
  }
}
