import { pseudoKey } from '@canaduck/service-kit';
import type { StatsEvent } from './event-schemas';

/** One row of `stats_messages`. */
export interface MessageRow {
  id: number;
  channel: string | null;
  channel_key: string;
  from_key: string;
  pseudo: string;
  private: boolean;
  hour: number;
  created_at: number;
  text: string;
  reactions_count: number;
}

export interface ReactionKey {
  message_id: number;
  emoji: string;
  pseudo_key: string;
}

/** Private messages are counted under this channel key (no channel-service id is ever empty). */
export const PRIVATE_KEY = '';
export const HOUR_MS = 3_600_000;

export const hourOf = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
export const reactionId = (k: ReactionKey): string => `${k.message_id}\u0000${k.emoji}\u0000${k.pseudo_key}`;

export interface ChannelDelta {
  channel: string;
  messages: number;
  lastAt: number | null;
}
export interface UserDelta {
  channelKey: string;
  fromKey: string;
  pseudo: string;
  messages: number;
}
export interface HourDelta {
  hour: number;
  channelKey: string;
  messages: number;
}

/** What one batch changes, computed in memory so that it is written with few statements. */
export interface BatchPlan {
  insertMessages: MessageRow[];
  updateMessages: MessageRow[];
  deleteMessageIds: number[];
  insertReactions: ReactionKey[];
  deleteReactions: ReactionKey[];
  channelDeltas: Map<string, ChannelDelta>;
  userDeltas: Map<string, UserDelta>;
  hourDeltas: Map<string, HourDelta>;
  /** Channels that lost a message: their newest-message time is recomputed. */
  channelsWithDeletes: Set<string>;
  channelNames: Set<string>;
}

interface Tracked {
  row: MessageRow;
  isNew: boolean;
  alive: boolean;
  changed: boolean;
}

/**
 * Replays a batch over the rows it touches. Every step is idempotent: a message
 * created twice counts once, an edit/delete/reaction of an unknown or deleted
 * message does nothing, a reaction added twice counts once, removing an absent one
 * does nothing. The counters move by +1 on create and -1 on delete, from the row's
 * own channel, author and hour, so they always equal a recount of the live rows.
 */
export function planBatch(events: StatsEvent[], existing: Map<number, MessageRow>, existingReactions: Set<string>): BatchPlan {
  const plan: BatchPlan = {
    insertMessages: [],
    updateMessages: [],
    deleteMessageIds: [],
    insertReactions: [],
    deleteReactions: [],
    channelDeltas: new Map(),
    userDeltas: new Map(),
    hourDeltas: new Map(),
    channelsWithDeletes: new Set(),
    channelNames: new Set(),
  };
  const messages = new Map<number, Tracked>();
  for (const [id, row] of existing) messages.set(id, { row: { ...row }, isNew: false, alive: true, changed: false });
  // Reaction presence: key -> the key, and whether it is already stored.
  const reactions = new Map<string, { key: ReactionKey; stored: boolean }>();
  for (const id of existingReactions) {
    const [messageId, emoji, pseudo] = id.split('\u0000');
    reactions.set(id, { key: { message_id: Number(messageId), emoji, pseudo_key: pseudo }, stored: true });
  }
  const removedStored = new Map<string, ReactionKey>();
  // Reaction keys per message, so that deleting a message does not scan every reaction.
  const reactionsOf = new Map<number, Set<string>>();
  const remember = (messageId: number, id: string) => {
    const set = reactionsOf.get(messageId) ?? new Set<string>();
    set.add(id);
    reactionsOf.set(messageId, set);
  };
  for (const [id, r] of reactions) remember(r.key.message_id, id);

  const count = (row: MessageRow, delta: 1 | -1) => {
    if (!row.private && row.channel !== null) {
      const c = plan.channelDeltas.get(row.channel_key) ?? { channel: row.channel, messages: 0, lastAt: null };
      c.messages += delta;
      if (delta > 0) c.lastAt = Math.max(c.lastAt ?? 0, row.created_at);
      else plan.channelsWithDeletes.add(row.channel_key);
      plan.channelDeltas.set(row.channel_key, c);
    }
    const uk = `${row.channel_key}\u0000${row.from_key}`;
    const u = plan.userDeltas.get(uk) ?? { channelKey: row.channel_key, fromKey: row.from_key, pseudo: row.pseudo, messages: 0 };
    u.messages += delta;
    plan.userDeltas.set(uk, u);
    const hk = `${row.hour}\u0000${row.channel_key}`;
    const h = plan.hourDeltas.get(hk) ?? { hour: row.hour, channelKey: row.channel_key, messages: 0 };
    h.messages += delta;
    plan.hourDeltas.set(hk, h);
  };

  for (const e of events) {
    if (e.kind === 'created') {
      if (messages.has(e.id)) continue;
      const isPrivate = e.channel === null;
      const row: MessageRow = {
        id: e.id,
        channel: e.channel,
        channel_key: e.channelId ?? PRIVATE_KEY,
        from_key: pseudoKey(e.from),
        pseudo: e.from,
        private: isPrivate,
        hour: hourOf(e.createdAt),
        created_at: e.createdAt,
        // A private message's text belongs to its two participants: stats keeps its counts only.
        text: isPrivate ? '' : e.text,
        reactions_count: 0,
      };
      messages.set(e.id, { row, isNew: true, alive: true, changed: false });
      if (e.channel !== null) plan.channelNames.add(e.channel);
      count(row, 1);
    } else if (e.kind === 'edited') {
      const m = messages.get(e.id);
      if (m?.alive && !m.row.private && m.row.text !== e.text) {
        m.row.text = e.text;
        m.changed = true;
      }
    } else if (e.kind === 'deleted') {
      const m = messages.get(e.id);
      if (!m?.alive) continue;
      m.alive = false;
      count(m.row, -1);
      // Its stored reactions go with it (deleted by message id when written).
      for (const id of reactionsOf.get(e.id) ?? []) reactions.delete(id);
    } else if (e.kind === 'reaction') {
      const m = messages.get(e.messageId);
      if (!m?.alive) continue;
      const key: ReactionKey = { message_id: e.messageId, emoji: e.emoji, pseudo_key: pseudoKey(e.pseudo) };
      const id = reactionId(key);
      const present = reactions.get(id);
      if (e.added && !present) {
        reactions.set(id, { key, stored: removedStored.delete(id) });
        remember(e.messageId, id);
        m.row.reactions_count += 1;
        m.changed = true;
      } else if (!e.added && present) {
        reactions.delete(id);
        if (present.stored) removedStored.set(id, key);
        m.row.reactions_count -= 1;
        m.changed = true;
      }
    }
  }

  for (const m of messages.values()) {
    if (m.isNew && m.alive) plan.insertMessages.push(m.row);
    else if (!m.isNew && !m.alive) plan.deleteMessageIds.push(m.row.id);
    else if (!m.isNew && m.changed) plan.updateMessages.push(m.row);
  }
  for (const r of reactions.values()) if (!r.stored) plan.insertReactions.push(r.key);
  for (const key of removedStored.values()) {
    if (messages.get(key.message_id)?.alive) plan.deleteReactions.push(key);
  }
  return plan;
}
