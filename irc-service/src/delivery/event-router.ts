import type { StreamEvent } from '@canaduck/events';
import type { Message } from '../clients/types';
import { fold, ircChannel } from '../protocol/names';
import type { IrcConnection, OutgoingMessage } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { messageLines } from './message-lines';

/**
 * Turns stream events into IRC lines for the connections they concern. Channel messages and
 * private messages reach IRC only from here (never from the PRIVMSG that posted them), so a
 * message is delivered once whichever door it came through.
 */
export class EventRouter {
  /**
   * True once channel-service's stream is consumed: until then, the commands of this door emit
   * their own channel changes (joins, parts, kicks, topics, modes) through the same methods.
   */
  channelStream = false;
  /** Where recent messages went (id -> conversation), so edits and deletions reach the same clients. */
  private readonly recent = new Map<number, { channel: string | null; from: string; to: string | null }>();
  private static readonly RECENT_MAX = 10000;

  constructor(private readonly server: IrcServer) {}

  async apply(events: StreamEvent[]): Promise<void> {
    for (const e of events) {
      try {
        this.applyOne(e);
      } catch (err) {
        this.server.logger.error({ err, seq: e.seq, type: e.type }, 'IRC delivery of an event failed');
      }
    }
  }

  private applyOne(e: StreamEvent): void {
    const d = e.data as Record<string, unknown>;
    const str = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : '');
    switch (e.type) {
      case 'message.created':
        return this.messageCreated(d as unknown as Message);
      case 'message.edited':
        return this.messageChanged(Number(d.id), `[edited] ${str('text')}`);
      case 'message.deleted':
        return this.messageChanged(Number(d.id), '[deleted]');
      case 'channel.member_joined':
        return this.memberJoined(str('channel'), str('pseudo'));
      case 'channel.member_parted':
        return this.memberParted(str('channel'), str('pseudo'), '');
      case 'channel.member_kicked':
      case 'channel.member_banned':
        return this.memberKicked(str('channel'), str('pseudo'), str('by') || this.server.settings.serverName, str('reason'));
      case 'channel.topic_changed':
        return this.topicChanged(str('channel'), str('topic'), str('by'));
      default:
    }
  }

  messageCreated(m: Message): void {
    this.recent.set(m.id, { channel: m.channel, from: m.from, to: m.to });
    if (this.recent.size > EventRouter.RECENT_MAX) this.recent.delete(this.recent.keys().next().value as number);
    const mine = (c: IrcConnection) => fold(c.name) === fold(m.from);
    const lines = (c: IrcConnection, target: string) => messageLines(this.server.mask(m.from), target, m).forEach((l) => c.send(l));
    if (m.channel) {
      const target = ircChannel(m.channel);
      for (const c of this.server.localMembers(m.channel)) if (!mine(c) || c.caps.has('echo-message')) lines(c, target);
      return;
    }
    if (!m.to) return;
    for (const c of this.server.connectionsOf(m.to)) lines(c, m.to);
    if (fold(m.to) === fold(m.from)) return;
    for (const c of this.server.connectionsOf(m.from)) if (c.caps.has('echo-message')) lines(c, m.to);
  }

  /**
   * IRC has no edit or delete: the conversation gets a NOTICE from the author that points at the
   * message (`+draft/reply=<msgid>` for clients with message-tags). Messages older than the
   * door's memory (or than its start) are fixed in history only.
   */
  private messageChanged(id: number, text: string): void {
    const where = this.recent.get(id);
    if (!where) return;
    if (text === '[deleted]') this.recent.delete(id);
    const source = this.server.mask(where.from);
    const tags = { '+draft/reply': String(id), account: where.from };
    if (where.channel) {
      this.server.toChannel(where.channel, { tags, source, command: 'NOTICE', params: [ircChannel(where.channel), text] });
      return;
    }
    if (where.to)
      for (const c of this.server.connectionsOf(where.to)) c.send({ tags, source, command: 'NOTICE', params: [where.to, text] });
  }

  /** `pseudo` joined: the channel's IRC members see JOIN; the pseudo's own connections join too. */
  memberJoined(channel: string, pseudo: string): void {
    const line: OutgoingMessage = {
      source: this.server.mask(pseudo),
      command: 'JOIN',
      params: [ircChannel(channel)],
      tags: { account: pseudo },
    };
    for (const c of this.server.connectionsOf(pseudo)) {
      if (c.registered && !c.channels.has(channel)) {
        this.server.joinLocal(c, channel);
        c.send(line);
      }
    }
    this.server.toChannel(channel, line, (c) => fold(c.name) === fold(pseudo));
  }

  memberParted(channel: string, pseudo: string, reason: string): void {
    const line: OutgoingMessage = {
      source: this.server.mask(pseudo),
      command: 'PART',
      params: reason ? [ircChannel(channel), reason] : [ircChannel(channel)],
    };
    this.server.toChannel(channel, line);
    for (const c of this.server.connectionsOf(pseudo)) this.server.leaveLocal(c, channel);
  }

  memberKicked(channel: string, pseudo: string, by: string, reason: string): void {
    const source = by.includes('.') ? by : this.server.mask(by);
    this.server.toChannel(channel, { source, command: 'KICK', params: [ircChannel(channel), pseudo, reason || pseudo] });
    for (const c of this.server.connectionsOf(pseudo)) this.server.leaveLocal(c, channel);
  }

  topicChanged(channel: string, topic: string, by: string): void {
    this.server.topics.set(channel, { by: by || this.server.settings.serverName, at: this.server.now() });
    const source = by ? this.server.mask(by) : this.server.settings.serverName;
    this.server.toChannel(channel, { source, command: 'TOPIC', params: [ircChannel(channel), topic] });
  }

  /** Mode changes as one MODE line (`+nt`, `+o ginette`, `+b roger!*@*`). */
  modesChanged(channel: string, by: string, modeParams: string[]): void {
    this.server.toChannel(channel, { source: this.server.mask(by), command: 'MODE', params: [ircChannel(channel), ...modeParams] });
  }
}
