import type { StreamEvent } from '@canaduck/events';
import type { MessageCreatedData } from '@canaduck/contracts';
import type { Tags } from '../protocol/irc-line';
import { fold, ircChannel } from '../protocol/names';
import type { IrcConnection, OutgoingMessage } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { AccountLines } from './account-lines';
import { ChannelLines } from './channel-lines';
import { messageLines } from './message-lines';

/** Where a message went: its conversation, so that edits, deletions and reactions reach the same clients. */
interface Conversation {
  channel: string | null;
  from: string;
  to: string | null;
}

/**
 * Turns stream events into IRC lines for the connections they concern. Messages, reactions and
 * channel changes reach IRC only from here (never from the command that made them), so each is
 * delivered once whichever door it came through.
 */
export class EventRouter {
  readonly channels: ChannelLines;
  private readonly accounts: AccountLines;
  /** Recent messages (id -> conversation), bounded: for events written before they carried their conversation. */
  private readonly recent = new Map<number, Conversation>();
  private static readonly RECENT_MAX = 10000;

  constructor(private readonly server: IrcServer) {
    this.channels = new ChannelLines(server);
    this.accounts = new AccountLines(server);
  }

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
    if (e.type.startsWith('channel.')) return this.channels.apply(e.type, e.data);
    if (e.type.startsWith('user.')) return this.accounts.apply(e.type, e.data);
    switch (e.type) {
      case 'message.created':
        return this.messageCreated(d as unknown as MessageCreatedData);
      case 'message.edited':
        return this.messageChanged(Number(d.id), `[edited] ${String(d.text ?? '')}`, conversationIn(d));
      case 'message.deleted':
        return this.messageChanged(Number(d.id), '[deleted]', conversationIn(d));
      case 'reaction.added':
      case 'reaction.removed':
        return this.reaction(
          Number(d.message_id),
          String(d.emoji ?? ''),
          String(d.pseudo ?? ''),
          e.type === 'reaction.added',
          conversationIn(d),
        );
      default:
    }
  }

  messageCreated(m: MessageCreatedData): void {
    this.recent.set(m.id, { channel: m.channel, from: m.from, to: m.to });
    if (this.recent.size > EventRouter.RECENT_MAX) this.recent.delete(this.recent.keys().next().value as number);
    const mine = (c: IrcConnection) => fold(c.name) === fold(m.from);
    const lines = (c: IrcConnection, target: string) => messageLines(this.server.mask(m.from), target, m).forEach((l) => c.send(l));
    const echo = (c: IrcConnection, target: string) => {
      if (!c.caps.has('echo-message') || c.echoes.skipEcho.delete(m.id)) return;
      lines(c, target);
      if (c.echoes.labeledPosts) c.echoes.echoedMeanwhile.add(m.id);
    };
    if (m.channel) {
      const target = ircChannel(m.channel);
      for (const c of this.server.localMembers(m.channel)) (mine(c) ? echo : lines)(c, target);
      return;
    }
    if (!m.to) return;
    for (const c of this.server.connectionsOf(m.to)) lines(c, m.to);
    if (fold(m.to) === fold(m.from)) return;
    for (const c of this.server.connectionsOf(m.from)) echo(c, m.to);
  }

  /**
   * Sends one line to a message's conversation: its channel's members, or both sides of a private
   * conversation (the target being the other side). `author` is who acted: they get the line
   * only with echo-message. `only` filters further (e.g. message-tags for TAGMSG).
   */
  private toConversation(
    where: Conversation,
    author: string,
    build: (target: string) => OutgoingMessage,
    only: (c: IrcConnection) => boolean = () => true,
  ): void {
    const wanted = (c: IrcConnection) => only(c) && (fold(c.name) !== fold(author) || c.caps.has('echo-message'));
    if (where.channel) {
      const line = build(ircChannel(where.channel));
      for (const c of this.server.localMembers(where.channel)) if (wanted(c)) c.send(line);
      return;
    }
    if (!where.to) return;
    const sides = fold(where.from) === fold(where.to) ? [where.from] : [where.from, where.to];
    for (const side of sides) {
      const other = sides.find((s) => fold(s) !== fold(side)) ?? side;
      // A private line is addressed to its reader, unless the reader is the one who acted (echo).
      const target = fold(side) === fold(author) ? other : side;
      for (const c of this.server.connectionsOf(side)) if (wanted(c)) c.send(build(target));
    }
  }

  /**
   * IRC has no edit or delete: the conversation gets a NOTICE from the author that points at the
   * message (`+draft/reply=<msgid>` for clients with message-tags).
   */
  private messageChanged(id: number, text: string, carried: Conversation | undefined): void {
    const where = carried ?? this.recent.get(id);
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

  /** Reactions as TAGMSG `+draft/react` (`+draft/unreact` when taken back), for clients with message-tags. */
  private reaction(messageId: number, emoji: string, pseudo: string, added: boolean, carried: Conversation | undefined): void {
    const where = carried ?? this.recent.get(messageId);
    if (!where || !emoji || !pseudo) return;
    const tags: Tags = { [added ? '+draft/react' : '+draft/unreact']: emoji, '+draft/reply': String(messageId), account: pseudo };
    this.toConversation(
      where,
      pseudo,
      (target) => ({ tags, source: this.server.mask(pseudo), command: 'TAGMSG', params: [target] }),
      (c) => c.caps.has('message-tags'),
    );
  }
}

/**
 * The conversation an event about an existing message carries (structures.md section 5); events
 * written before it lack it, and the door falls back to the messages it saw created.
 */
function conversationIn(d: Record<string, unknown>): Conversation | undefined {
  if (typeof d.from !== 'string') return undefined;
  const text = (v: unknown) => (typeof v === 'string' && v !== '' ? v : null);
  return { channel: text(d.channel), from: d.from, to: text(d.to) };
}
