import type { StreamEvent } from '@canaduck/events';
import type { ChannelAccess } from '../clients/channel-client';
import type { Connection } from './connection';

/** Who an event concerns. */
export type Route =
  | { kind: 'channel'; channel: string; channelId: string | null; subject: string | null }
  | { kind: 'private'; pseudos: string[] }
  | { kind: 'user'; pseudo: string };

/** Channel events about one member: that member gets them even once out of the channel. */
const MEMBER_EVENTS = new Set([
  'channel.member_joined',
  'channel.member_parted',
  'channel.member_kicked',
  'channel.member_banned',
  'channel.member_unbanned',
  'channel.member_invited',
  'channel.moderator_added',
  'channel.moderator_removed',
]);

type Data = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const lower = (v: unknown): string | null => str(v)?.toLowerCase() ?? null;

/**
 * Decides the audience of each event. Edits, deletions, reactions and pins carry where their
 * message lives (`channel`/`channel_id`/`to`/`from`, structures.md section 5); for events written
 * before they did, the message's channel (or private pair) is remembered from its creation.
 */
export class Audience {
  private readonly messages = new Map<number, Route>();

  constructor(private readonly maxRemembered = 200_000) {}

  routeOf(e: StreamEvent): Route | undefined {
    const d = (e.data ?? {}) as Data;
    if (e.type.startsWith('user.')) return lower(d.pseudo) ? { kind: 'user', pseudo: lower(d.pseudo)! } : undefined;
    if (e.type.startsWith('channel.')) {
      const channel = lower(d.channel);
      if (!channel) return undefined;
      const subject = e.type === 'channel.created' ? lower(d.by) : lower(d.pseudo);
      return { kind: 'channel', channel, channelId: str(d.channel_id), subject };
    }
    if (e.type === 'message.created') {
      const route = this.messageRoute(d);
      if (route && typeof d.id === 'number') this.remember(d.id, route);
      return route;
    }
    const id = typeof d.message_id === 'number' ? d.message_id : d.id;
    return this.messageRoute(d) ?? (typeof id === 'number' ? this.messages.get(id) : undefined);
  }

  /**
   * May this connection see this event? `access` is channel-service's answer for channel routes
   * (undefined: unknown or unreachable, so no).
   */
  allows(conn: Connection, e: StreamEvent, route: Route, access: ChannelAccess | undefined): boolean {
    if (route.kind === 'user') return route.pseudo === conn.key;
    if (route.kind === 'private') return route.pseudos.includes(conn.key);
    if (route.subject === conn.key && (MEMBER_EVENTS.has(e.type) || e.type === 'channel.created')) return true;
    if (!conn.interestedIn(route.channel)) return false;
    // The channel is gone: its members and readers learn it, nothing more is said.
    if (e.type === 'channel.deleted') return true;
    if (!access || !access.can_read) return false;
    if (!access.member && !conn.subscriptions.has(route.channel)) return false;
    // An event of an older channel of the same name is never shown to the new one's readers.
    return route.channelId === null || access.channel_id === route.channelId;
  }

  /** Does deciding for this connection need channel-service's answer? */
  needsAccess(conn: Connection, e: StreamEvent, route: Route): boolean {
    return route.kind === 'channel' && e.type !== 'channel.deleted' && route.subject !== conn.key && conn.interestedIn(route.channel);
  }

  private messageRoute(d: Data): Route | undefined {
    const channel = lower(d.channel);
    if (channel) return { kind: 'channel', channel, channelId: str(d.channel_id), subject: null };
    const to = lower(d.to);
    const from = lower(d.from);
    return to && from ? { kind: 'private', pseudos: [from, to] } : undefined;
  }

  private remember(id: number, route: Route): void {
    this.messages.set(id, route);
    if (this.messages.size > this.maxRemembered) this.messages.delete(this.messages.keys().next().value!);
  }
}
