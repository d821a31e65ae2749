import { signUserToken } from '@canaduck/auth';
import type { GuestClaim, GuestRequest, GuestsClaimed } from '@canaduck/contracts';
import { NotFoundError } from '@canaduck/errors';
import type { GuestLeaseRepository } from '../repositories/guest-lease-repository';
import type { AccountService, AccountServiceDeps, LoginResult } from './account-service';
import { isoTime } from './user-events';

/** What accounts use, less the password parts, plus the door's leases. */
export interface GuestServiceDeps extends Pick<
  AccountServiceDeps,
  'db' | 'users' | 'directory' | 'tokens' | 'settings' | 'events' | 'now'
> {
  leases: GuestLeaseRepository;
  accounts: AccountService;
}

/**
 * Guests of the IRC door: temporary accounts for clients without credentials. Each carries a
 * lease held by one door instance, which renews it while the client is connected; a guest whose
 * lease runs out (its door died) is claimed by another door, which makes it leave its channels
 * and deletes it. A live door's guests are never claimed: their leases do not run out.
 */
export class GuestService {
  constructor(private readonly deps: GuestServiceDeps) {}

  /**
   * A temporary account under a free pseudo (a registered or deleted one is refused, 409
   * pseudo_taken), online at once, with a token and its lease. The door chose the password
   * (random, never shown) to renew the token through /login like any session.
   */
  async create(req: GuestRequest): Promise<LoginResult> {
    const { users, leases, directory, settings, now } = this.deps;
    const { pseudo, password } = req;
    const lease = { pseudoKey: pseudo.toLowerCase(), owner: req.owner, expiresAt: now() + req.lease_seconds * 1000 };
    // The account and its lease commit together: no guest ever exists without one.
    await this.deps.accounts.register({ pseudo, password, email: `${pseudo.toLowerCase()}@guests.invalid` }, ['user'], {
      guest: true,
      inTransaction: (trx) => leases.insert(lease, trx),
    });
    const user = await directory.findOr404(pseudo);
    await users.updateFields(user.id, { status: 'online' });
    await users.touch([user.pseudo], now());
    const fresh = await directory.findOr404(pseudo);
    directory.audit('guest_created', {}, { pseudo: fresh.pseudo, owner: req.owner });
    return {
      token: await this.tokenOf(fresh),
      expires_in: settings.jwtExpiresInSeconds,
      user: directory.view(fresh, { withEmail: false }),
    };
  }

  /** The guest is gone (whois 404) and its pseudo free again; registered accounts are never touched here. */
  async delete(pseudo: string): Promise<void> {
    const { db, users, leases, events } = this.deps;
    // Like any deleted account, its tokens die everywhere (user.deleted revokes them).
    const deleted = await db.transaction(async (trx) => {
      const gone = await users.deleteGuest(pseudo, trx);
      if (!gone) return false;
      await leases.remove(pseudo.toLowerCase(), trx);
      await events.emit(trx, { type: 'user.deleted', data: { pseudo, revoked_before: isoTime(events.revocationTime()) } });
      return true;
    });
    if (!deleted) throw new NotFoundError('no guest has this pseudo', 'user_not_found');
    this.deps.directory.audit('guest_deleted', {}, { pseudo });
  }

  /** The door still holds these guests: their leases move on; answers those it held (the others were claimed). */
  async renew(owner: string, pseudos: string[], leaseSeconds: number): Promise<{ renewed: string[] }> {
    const byKey = new Map(pseudos.map((p) => [p.toLowerCase(), p]));
    const held = await this.deps.leases.renew(owner, [...byKey.keys()], this.deps.now() + leaseSeconds * 1000);
    return { renewed: held.map((k) => byKey.get(k) ?? k) };
  }

  /**
   * Expired guests (and, with reclaim_own, every guest of this owner) become the claimer's, with a
   * new lease so that another door takes over if the claimer dies too while cleaning up. Each comes
   * with a token of the guest's own, to leave its channels as it would on QUIT.
   */
  async claimExpired(claim: GuestClaim): Promise<GuestsClaimed> {
    const { leases, users, now } = this.deps;
    const at = now();
    const found = await leases.claimable(at, claim.limit, claim.reclaim_own ? claim.owner : undefined);
    const guests: GuestsClaimed['guests'] = [];
    for (const lease of found) {
      if (!(await leases.takeOver(lease, claim.owner, at + claim.lease_seconds * 1000))) continue;
      const user = await users.findByPseudo(lease.pseudoKey);
      // A lease left without its account: nothing to clean up but the lease.
      if (!user?.guest) {
        await leases.remove(lease.pseudoKey);
        continue;
      }
      guests.push({ pseudo: user.pseudo, token: await this.tokenOf(user) });
    }
    if (guests.length) this.deps.directory.audit('guests_claimed', {}, { owner: claim.owner, pseudos: guests.map((g) => g.pseudo) });
    return { guests };
  }

  private tokenOf(user: { pseudo: string; roles: string[] }): Promise<string> {
    return signUserToken({ pseudo: user.pseudo, roles: user.roles }, this.deps.tokens, this.deps.settings.jwtExpiresInSeconds);
  }
}
