import type { EventsPage, GuestCreated, GuestLeasesRenewed, GuestsClaimed } from '@canaduck/contracts';
import type { ServiceClient } from '@canaduck/http-client';
import type { Answer, LoginAnswer, Whois } from './types';

/** Who holds a guest's lease (IRC_INSTANCE_ID) and for how long (IRC_GUEST_LEASE_S). */
export interface GuestLease {
  owner: string;
  seconds: number;
}

/** user-service's public routes, called as the IRC user's client would; its guest routes (service token). */
export class UserClient {
  constructor(
    private readonly http: ServiceClient,
    private readonly internal: ServiceClient,
  ) {}

  /** user-service's event feed (service token), read here only to find the stream's head. */
  events(after: number, limit: number): Promise<Answer<EventsPage>> {
    return this.internal.get('/internal/events', { query: { after, limit } });
  }

  createGuest(pseudo: string, password: string, lease: GuestLease): Promise<Answer<GuestCreated>> {
    return this.internal.post('/internal/guests', { body: { pseudo, password, owner: lease.owner, lease_seconds: lease.seconds } });
  }

  renewGuests(lease: GuestLease, pseudos: string[]): Promise<Answer<GuestLeasesRenewed>> {
    return this.internal.post('/internal/guests/leases', { body: { owner: lease.owner, lease_seconds: lease.seconds, pseudos } });
  }

  /** Guests whose door died (or, with reclaimOwn, this door's from before a restart), now this door's to remove. */
  claimExpiredGuests(lease: GuestLease, reclaimOwn: boolean): Promise<Answer<GuestsClaimed>> {
    return this.internal.post('/internal/guests/expired', {
      body: { owner: lease.owner, lease_seconds: lease.seconds, reclaim_own: reclaimOwn, limit: 50 },
    });
  }

  deleteGuest(pseudo: string): Promise<Answer<{ result: string }>> {
    return this.internal.delete(`/internal/guests/${encodeURIComponent(pseudo)}`);
  }

  login(pseudo: string, password: string): Promise<Answer<LoginAnswer>> {
    return this.http.post('/login', { body: { pseudo, password } });
  }

  whois(pseudo: string): Promise<Answer<Whois>> {
    return this.http.get(`/whois/${encodeURIComponent(pseudo)}`);
  }

  ison(pseudos: string[]): Promise<Answer<{ online: string[] }>> {
    return this.http.get('/ison', { query: { users: pseudos.join(',') } });
  }

  setStatus(auth: string, status: string): Promise<Answer<{ pseudo: string; status: string }>> {
    return this.http.post('/user/status', { authorization: auth, body: { status } });
  }

  close(): void {
    this.http.close();
    this.internal.close();
  }
}
