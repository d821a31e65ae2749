import { ForbiddenError, NotFoundError, ValidationError } from '@canaduck/errors';
import { pseudoKey } from '@canaduck/service-kit';
import { type AccessPolicy, type Actor, messageNotFound } from './access-policy';
import { type MessageView, toView } from './message';
import type { MessageService, Store } from './message-service';

/**
 * Reactions and pins: small changes on an existing message, each with its event. A reaction change
 * also rewrites the message's stored reactions (`messages.reactions`) in the same transaction.
 */
export class ReactionService {
  constructor(
    private readonly store: Store,
    private readonly policy: AccessPolicy,
    private readonly messages: MessageService,
  ) {}

  /** Adds a reaction; `created` is false when it was already there (idempotent, no event). Readers only. */
  async react(actor: Actor, messageId: number, emoji: string): Promise<{ created: boolean; message: MessageView }> {
    const m = await this.messages.require(messageId);
    await this.policy.readableMessage(actor, m);
    const now = Date.now();
    const stored = await this.store.knex.transaction(async (trx) => {
      if (!(await this.store.reactions.lockMessage(trx, messageId))) throw messageNotFound(messageId);
      if (!(await this.store.reactions.add(trx, messageId, actor.pseudo, pseudoKey(actor.pseudo), emoji, now))) return null;
      await this.store.events.append(trx, 'reaction.added', { message_id: messageId, emoji, pseudo: actor.pseudo }, now);
      return this.store.reactions.storeColumn(trx, messageId);
    });
    if (stored === null) return { created: false, message: await this.messages.view(m) };
    return { created: true, message: toView({ ...m, reactions: stored }) };
  }

  /** Removes the caller's reaction; 404 when they had not reacted so. */
  async unreact(actor: Actor, messageId: number, emoji: string): Promise<MessageView> {
    const m = await this.messages.require(messageId);
    await this.policy.readableMessage(actor, m);
    const now = Date.now();
    const stored = await this.store.knex.transaction(async (trx) => {
      if (!(await this.store.reactions.lockMessage(trx, messageId))) throw messageNotFound(messageId);
      if (!(await this.store.reactions.remove(trx, messageId, pseudoKey(actor.pseudo), emoji))) return null;
      await this.store.events.append(trx, 'reaction.removed', { message_id: messageId, emoji, pseudo: actor.pseudo }, now);
      return this.store.reactions.storeColumn(trx, messageId);
    });
    if (stored === null) throw new NotFoundError(`no ${emoji} reaction of yours on message ${messageId}`, 'reaction_not_found');
    return toView({ ...m, reactions: stored });
  }

  /** Channel owner and moderators (and admins). Pinning a pinned message changes nothing and writes no event. */
  async setPinned(actor: Actor, messageId: number, pinned: boolean): Promise<MessageView> {
    const m = await this.messages.require(messageId);
    const access = await this.policy.readableMessage(actor, m);
    if (access === null) throw new ValidationError('only channel messages can be pinned', 'not_pinnable');
    if (!access.can_moderate) throw new ForbiddenError(`only the owner and moderators of #${access.channel} may pin`, 'not_moderator');
    if (m.pinned !== pinned) {
      const now = Date.now();
      await this.store.knex.transaction(async (trx) => {
        await this.store.messages.setPinned(trx, messageId, pinned, pinned ? actor.pseudo : null, pinned ? now : null);
        await this.store.events.append(trx, pinned ? 'message.pinned' : 'message.unpinned', { id: messageId, by: actor.pseudo }, now);
      });
    }
    return this.messages.view({ ...m, pinned });
  }
}
