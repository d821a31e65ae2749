import { ForbiddenError, NotFoundError, ValidationError } from '@canaduck/errors';
import { pseudoKey } from '@canaduck/service-kit';
import { type AccessPolicy, type Actor, messageNotFound } from './access-policy';
import { conversationOf, type MessageView, toView } from './message';
import type { Knex, Transactor } from '@canaduck/db';
import type { MessageRepository } from '../repositories/message-repository';
import type { ReactionRepository } from '../repositories/reaction-repository';
import type { MessageEvents } from './message-events';
import type { MessageService } from './message-service';

export interface ReactionServiceDeps {
  messages: MessageRepository;
  reactions: ReactionRepository;
  events: MessageEvents;
  /** Reads a message and its current reactions, as the message routes do. */
  messageService: MessageService;
  policy: AccessPolicy;
  db: Transactor;
  now: () => number;
  /** MAX_EMOJI_PER_MESSAGE and MAX_REACTIONS_PER_USER: one account cannot grow a message without end. */
  limits: { emojiPerMessage: number; perUser: number };
}

/**
 * Reactions and pins: small changes on an existing message, each with its event. A reaction change
 * also rewrites the message's stored reactions (`messages.reactions`) in the same transaction.
 */
export class ReactionService {
  constructor(private readonly deps: ReactionServiceDeps) {}

  /** Adds a reaction; `created` is false when it was already there (idempotent, no event). Readers only. */
  async react(actor: Actor, messageId: number, emoji: string): Promise<{ created: boolean; message: MessageView }> {
    const m = await this.deps.messageService.require(messageId);
    await this.deps.policy.readableMessage(actor, m);
    const now = this.deps.now();
    const stored = await this.deps.db.transaction(async (trx) => {
      if (!(await this.deps.reactions.lockMessage(messageId, trx))) throw messageNotFound(messageId);
      await this.checkLimits(messageId, pseudoKey(actor.pseudo), emoji, trx);
      if (!(await this.deps.reactions.add(messageId, actor.pseudo, pseudoKey(actor.pseudo), emoji, now, trx))) return null;
      await this.deps.events.append(trx, [
        { type: 'reaction.added', data: { message_id: messageId, emoji, pseudo: actor.pseudo, ...conversationOf(m) } },
      ]);
      return this.deps.reactions.storeColumn(messageId, trx);
    });
    if (stored !== null) this.deps.events.committed();
    if (stored === null) return { created: false, message: await this.deps.messageService.view(m) };
    return { created: true, message: toView({ ...m, reactions: stored }) };
  }

  /**
   * Under the message's lock, so concurrent reactions cannot pass a limit together. A reaction the
   * caller already has passes (adding it again changes nothing).
   */
  private async checkLimits(messageId: number, key: string, emoji: string, trx: Knex.Transaction): Promise<void> {
    const { emojiPerMessage, perUser } = this.deps.limits;
    const tally = await this.deps.reactions.tally(messageId, key, emoji, trx);
    if (!tally.emojiPresent && tally.distinctEmoji >= emojiPerMessage) {
      throw new ValidationError(
        `message ${messageId} already carries ${emojiPerMessage} different emoji, the most it may`,
        'too_many_emoji',
      );
    }
    if (tally.byUser >= perUser && !(await this.deps.reactions.has(messageId, key, emoji, trx))) {
      throw new ValidationError(
        `you already have ${perUser} reactions on message ${messageId}, the most one user may`,
        'too_many_reactions',
      );
    }
  }

  /** Removes the caller's reaction; 404 when they had not reacted so. */
  async unreact(actor: Actor, messageId: number, emoji: string): Promise<MessageView> {
    const m = await this.deps.messageService.require(messageId);
    await this.deps.policy.readableMessage(actor, m);
    const stored = await this.deps.db.transaction(async (trx) => {
      if (!(await this.deps.reactions.lockMessage(messageId, trx))) throw messageNotFound(messageId);
      if (!(await this.deps.reactions.remove(messageId, pseudoKey(actor.pseudo), emoji, trx))) return null;
      await this.deps.events.append(trx, [
        { type: 'reaction.removed', data: { message_id: messageId, emoji, pseudo: actor.pseudo, ...conversationOf(m) } },
      ]);
      return this.deps.reactions.storeColumn(messageId, trx);
    });
    if (stored !== null) this.deps.events.committed();
    if (stored === null) throw new NotFoundError(`no ${emoji} reaction of yours on message ${messageId}`, 'reaction_not_found');
    return toView({ ...m, reactions: stored });
  }

  /** Channel owner and moderators (and admins). Pinning a pinned message changes nothing and writes no event. */
  async setPinned(actor: Actor, messageId: number, pinned: boolean): Promise<MessageView> {
    const m = await this.deps.messageService.require(messageId);
    const access = await this.deps.policy.readableMessage(actor, m);
    if (access === null) throw new ValidationError('only channel messages can be pinned', 'not_pinnable');
    if (!access.can_moderate) throw new ForbiddenError(`only the owner and moderators of #${access.channel} may pin`, 'not_moderator');
    if (m.pinned !== pinned) {
      const now = this.deps.now();
      await this.deps.db.transaction(async (trx) => {
        // A delete that won the race: 404, and the transaction writes no event.
        if (!(await this.deps.messages.setPinned(messageId, pinned, pinned ? actor.pseudo : null, pinned ? now : null, trx))) {
          throw messageNotFound(messageId);
        }
        await this.deps.events.append(trx, [
          { type: pinned ? 'message.pinned' : 'message.unpinned', data: { id: messageId, by: actor.pseudo, ...conversationOf(m) } },
        ]);
      });
      this.deps.events.committed();
    }
    return this.deps.messageService.view({ ...m, pinned });
  }
}
