import type { AuthUser } from '@canaduck/auth';
import type { Transactor } from '@canaduck/db';
import type { ChannelClient } from '../clients/channel-client';
import type { UserRepository } from '../repositories/user-repository';
import type { UserDirectory } from './user-directory';
import type { UserEvents } from './user-events';
import { avatarOf, iso } from './user-view';

export interface Whois {
  pseudo: string;
  status: string;
  roles: string[];
  channels: string[] | null;
  channels_unavailable?: true;
  last_seen: string | null;
  avatar_url: string;
}

export interface ProfileServiceDeps {
  db: Transactor;
  users: UserRepository;
  events: UserEvents;
  directory: UserDirectory;
  channels: ChannelClient;
}

/** Public profile (whois) and avatars. */
export class ProfileService {
  constructor(private readonly deps: ProfileServiceDeps) {}

  /** Public profile; the channels come from channel-service and may be unavailable (null), never a failure. */
  async whois(pseudo: string, requestId?: string): Promise<Whois> {
    const user = await this.deps.directory.findOr404(pseudo);
    const channels = await this.deps.channels.publicChannelsOf(user.pseudo, requestId);
    return {
      pseudo: user.pseudo,
      status: this.deps.directory.effectiveStatus(user),
      roles: user.roles,
      channels,
      ...(channels === null ? { channels_unavailable: true as const } : {}),
      last_seen: iso(user.lastSeen),
      avatar_url: avatarOf(user),
    };
  }

  async getAvatar(pseudo: string): Promise<{ pseudo: string; avatar_url: string }> {
    const user = await this.deps.directory.findOr404(pseudo);
    return { pseudo: user.pseudo, avatar_url: avatarOf(user) };
  }

  /** `null` resets to the generated identicon. */
  async setAvatar(caller: AuthUser, avatarUrl: string | null): Promise<{ pseudo: string; avatar_url: string }> {
    const { db, users, events } = this.deps;
    const user = await this.deps.directory.callerAccount(caller);
    await db.transaction(async (trx) => {
      await users.updateFields(user.id, { avatarUrl }, trx);
      await events.emit(trx, { type: 'user.avatar_changed', data: { pseudo: user.pseudo } });
    });
    return { pseudo: user.pseudo, avatar_url: avatarOf({ ...user, avatarUrl }) };
  }
}
