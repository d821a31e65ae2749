import type { DomainDeps } from '@canaduck/db';
import { ForbiddenError, NotFoundError, ValidationError } from '@canaduck/errors';
import { pseudoKey } from '@canaduck/service-kit';
import type { UserClient } from '../clients';
import type { MessageRepository, PageQuery } from '../repositories/message-repository';
import type { ReactionRepository } from '../repositories/reaction-repository';
import { type AccessPolicy, type Actor, isAuthor, isParticipant, messageNotFound } from './access-policy';
import type { MessageEvents } from './message-events';
import type { MessageWriter } from './message-writer';
import { conversationKey, conversationOf, type MessageRecord, type MessageView, toView } from './message';

export interface PostInput {
  channel?: string;
  to?: string;
  text: string;
  reply_to?: number;
}

export interface MessagePage {
  messages: MessageView[];
  offset: number;
  limit: number;
  next_offset: number | null;
  /** Cursor for the next (older) page: pass it as `before`; null on the last page. */
  next_before: number | null;
}

export interface MessageServiceDeps extends DomainDeps {
  messages: MessageRepository;
  reactions: ReactionRepository;
  events: MessageEvents;
  /** New messages go through it (group commit on MySQL). */
  writer: MessageWriter;
  policy: AccessPolicy;
  users: UserClient;
}

/** Posting, reading, editing and deleting messages. Never sees req/res. */
export class MessageService {
  constructor(private readonly deps: MessageServiceDeps) {}

  /** `wanted` turns false once the request was answered (deadline): the post is then never written. */
  async post(actor: Actor, input: PostInput, wanted?: () => boolean): Promise<MessageView> {
    if (input.channel !== undefined && input.to !== undefined) {
      throw new ValidationError('a message goes to a channel or to a user, not both', 'channel_and_to');
    }
    let target: { channel: string | null; channelId: string | null; to: string | null; convKey: string | null };
    if (input.channel !== undefined) {
      const access = await this.deps.policy.postableChannel(actor, input.channel);
      target = { channel: access.channel ?? input.channel, channelId: access.channel_id, to: null, convKey: null };
    } else {
      const recipient = await this.deps.users.require(input.to as string, actor.requestId);
      target = { channel: null, channelId: null, to: recipient.pseudo, convKey: conversationKey(actor.pseudo, recipient.pseudo) };
    }
    let rootId: number | null = null;
    if (input.reply_to !== undefined) {
      const parent = await this.deps.messages.findById(input.reply_to);
      const sameConversation =
        parent !== undefined &&
        (target.channelId !== null
          ? parent.channelId === target.channelId
          : parent.to !== null && conversationKey(parent.from, parent.to) === target.convKey);
      if (!parent || !sameConversation)
        throw new NotFoundError(`message ${input.reply_to} not found in this conversation`, 'reply_to_not_found');
      rootId = parent.rootId ?? parent.id;
    }
    const now = this.deps.now();
    const record: Omit<MessageRecord, 'id'> = {
      channel: target.channel,
      channelId: target.channelId,
      to: target.to,
      from: actor.pseudo,
      fromKey: pseudoKey(actor.pseudo),
      text: input.text,
      createdAt: now,
      editedAt: null,
      replyTo: input.reply_to ?? null,
      rootId,
      pinned: false,
      reactions: {},
    };
    // The message.created event is appended in the same transaction as the row (message-writer.ts).
    const id = await this.deps.writer.insert(
      {
        ...record,
        toKey: target.to === null ? null : pseudoKey(target.to),
        convKey: target.convKey,
      },
      wanted,
    );
    return toView({ ...record, id });
  }

  async listChannel(actor: Actor, channel: string, page: PageQuery): Promise<MessagePage> {
    const access = await this.deps.policy.readableChannel(actor, channel);
    return this.page(await this.deps.messages.listChannel(access.channel_id, page), page);
  }

  /** The conversation of a and b, both directions, newest first; only a or b may read it. */
  async listPrivate(actor: Actor, a: string, b: string, page: PageQuery): Promise<MessagePage> {
    const me = pseudoKey(actor.pseudo);
    if (pseudoKey(a) !== me && pseudoKey(b) !== me) {
      throw new ForbiddenError('only the two participants may read a private conversation', 'conversation_forbidden');
    }
    return this.page(await this.deps.messages.listConversation(conversationKey(a, b), page), page);
  }

  /** The thread a message belongs to: its root and every reply, oldest first (a reply id gives its root's thread). */
  async thread(actor: Actor, id: number, offset: number, limit: number) {
    const m = await this.require(id);
    await this.deps.policy.readableMessage(actor, m);
    const rootId = m.rootId ?? m.id;
    const root = rootId === m.id ? m : await this.deps.messages.findById(rootId);
    const replies = await this.deps.messages.listThread(rootId, offset, limit);
    return {
      root: root ? toView(root) : null,
      replies: replies.map((r) => toView(r)),
      offset,
      limit,
      next_offset: replies.length < limit ? null : offset + replies.length,
    };
  }

  async pinned(actor: Actor, channel: string, offset: number, limit: number) {
    const access = await this.deps.policy.readableChannel(actor, channel);
    const rows = await this.deps.messages.listPinned(access.channel_id, offset, limit);
    const { messages, next_offset } = this.page(rows, { offset, limit });
    return { messages, offset, limit, next_offset };
  }

  /** The author only (403); in a channel they must still be allowed to post there. */
  async edit(actor: Actor, id: number, text: string): Promise<MessageView> {
    const m = await this.require(id);
    // Read access first: a message the caller may not read answers as an unknown id (nothing to probe).
    const access = await this.deps.policy.readableMessage(actor, m);
    if (!isAuthor(actor, m)) throw new ForbiddenError('only the author may edit a message', 'not_author');
    if (access && !access.can_post) throw new ForbiddenError(`you may not post in #${m.channel}`, 'channel_post_forbidden');
    const now = this.deps.now();
    await this.deps.db.transaction(async (trx) => {
      // A delete that won the race: 404, and the transaction writes no event.
      if (!(await this.deps.messages.updateText(id, text, now, trx))) throw messageNotFound(id);
      await this.deps.events.append(trx, [
        { type: 'message.edited', data: { id, text, edited_at: new Date(now).toISOString(), ...conversationOf(m) } },
      ]);
    });
    this.deps.events.committed();
    return this.view({ ...m, text, editedAt: now });
  }

  /** The author, the channel's owner or moderators, or an admin. A hard delete: the message leaves everything. */
  async remove(actor: Actor, id: number): Promise<void> {
    const m = await this.require(id);
    if (!actor.admin && !isAuthor(actor, m)) {
      if (m.channel === null) {
        if (!isParticipant(actor, m)) throw messageNotFound(id);
        throw new ForbiddenError('only the author may delete a private message', 'not_author');
      }
      const access = await this.deps.policy.readableMessage(actor, m);
      if (!access?.can_moderate) {
        throw new ForbiddenError('only the author, the channel owner or moderators, or an admin may delete a message', 'not_allowed');
      }
    }
    await this.deps.db.transaction(async (trx) => {
      await this.deps.messages.delete(id, trx);
      // A hard delete: the text leaves the stored events too (created, edited).
      await this.deps.events.scrubText(trx, id);
      await this.deps.events.append(trx, [{ type: 'message.deleted', data: { id, ...conversationOf(m) } }]);
    });
    this.deps.events.committed();
  }

  async require(id: number): Promise<MessageRecord> {
    const m = await this.deps.messages.findById(id);
    if (!m) throw messageNotFound(id);
    return m;
  }

  /** `m` with its reactions as stored now (`m` may have been read before a change). */
  async view(m: MessageRecord): Promise<MessageView> {
    return toView(m, await this.deps.reactions.forMessages([m.id]));
  }

  /** A page of messages; their reactions came with the rows (`messages.reactions`). */
  private page(rows: MessageRecord[], page: PageQuery): MessagePage {
    const full = rows.length === page.limit;
    return {
      messages: rows.map((r) => toView(r)),
      offset: page.offset,
      limit: page.limit,
      next_offset: full ? page.offset + rows.length : null,
      next_before: full ? rows[rows.length - 1].id : null,
    };
  }
}
