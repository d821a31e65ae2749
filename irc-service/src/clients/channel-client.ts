import type { ServiceClient } from '@canaduck/http-client';
import type { EventsPage, UserMemberships } from '@canaduck/contracts';
import type { Answer, ChannelConfig, ChannelListEntry, ChannelUser } from './types';

type Result = Answer<{ result: string }>;

/**
 * channel-service's public routes, called with the IRC user's token: every REST rule applies;
 * and its event feed (service token), read here only to find the stream's head.
 */
export class ChannelClient {
  constructor(
    private readonly http: ServiceClient,
    private readonly internal: ServiceClient,
  ) {}

  events(after: number, limit: number): Promise<Answer<EventsPage>> {
    return this.internal.get('/internal/events', { query: { after, limit } });
  }

  /** Every channel of a user, secret ones too (a dead door's guest leaves them all). */
  memberships(pseudo: string): Promise<Answer<UserMemberships>> {
    return this.internal.get(`/internal/users/${encodeURIComponent(pseudo)}/memberships`);
  }

  private path(name: string, rest = ''): string {
    return `/channel/${encodeURIComponent(name)}${rest}`;
  }

  create(auth: string, name: string): Promise<Answer<ChannelConfig>> {
    return this.http.post('/channel', { authorization: auth, body: { name } });
  }

  config(auth: string | undefined, name: string): Promise<Answer<ChannelConfig>> {
    return this.http.get(this.path(name, '/config'), { authorization: auth });
  }

  users(auth: string | undefined, name: string): Promise<Answer<{ users: ChannelUser[] }>> {
    return this.http.get(this.path(name, '/users'), { authorization: auth, query: { limit: 1000 } });
  }

  list(auth: string | undefined, offset: number): Promise<Answer<{ channels: ChannelListEntry[]; next_offset: number | null }>> {
    return this.http.get('/channel', { authorization: auth, query: { offset, limit: 200 } });
  }

  remove(auth: string, name: string): Promise<Result> {
    return this.http.delete(this.path(name), { authorization: auth });
  }

  join(auth: string, name: string): Promise<Result> {
    return this.http.post(this.path(name, '/join'), { authorization: auth });
  }

  part(auth: string, name: string, reason?: string): Promise<Result> {
    return this.http.post(this.path(name, '/part'), { authorization: auth, body: reason ? { reason } : {} });
  }

  topic(auth: string, name: string, topic: string): Promise<Answer<ChannelConfig>> {
    return this.http.post(this.path(name, '/topic'), { authorization: auth, body: { topic } });
  }

  mode(auth: string, name: string, mode: string): Promise<Answer<ChannelConfig>> {
    return this.http.post(this.path(name, '/mode'), { authorization: auth, body: { mode } });
  }

  kick(auth: string, name: string, pseudo: string, reason?: string): Promise<Result> {
    return this.http.post(this.path(name, '/kick'), { authorization: auth, body: reason ? { pseudo, reason } : { pseudo } });
  }

  invite(auth: string, name: string, pseudo: string): Promise<Result> {
    return this.http.post(this.path(name, '/invite'), { authorization: auth, body: { pseudo } });
  }

  ban(auth: string, name: string, pseudo: string): Promise<Result> {
    return this.http.post(this.path(name, '/ban'), { authorization: auth, body: { pseudo } });
  }

  unban(auth: string, name: string, pseudo: string): Promise<Result> {
    return this.http.delete(this.path(name, `/ban/${encodeURIComponent(pseudo)}`), { authorization: auth });
  }

  addModerator(auth: string, name: string, pseudo: string): Promise<Result> {
    return this.http.post(this.path(name, '/moderators'), { authorization: auth, body: { pseudo } });
  }

  removeModerator(auth: string, name: string, pseudo: string): Promise<Result> {
    return this.http.delete(this.path(name, `/moderators/${encodeURIComponent(pseudo)}`), { authorization: auth });
  }

  close(): void {
    this.http.close();
    this.internal.close();
  }
}
