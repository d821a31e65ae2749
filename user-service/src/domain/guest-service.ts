import { signUserToken } from '@canaduck/auth';
import type { GuestClaim, GuestRequest, GuestsClaimed } from '@canaduck/contracts';
import type { Knex } from '@canaduck/db';
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
 * and deletes it. A live door's guests are never claimed: their leases do not run out. When no
 * door is left to claim it, user-service's own sweep (OrphanGuestSweeper) deletes it once its
 * lease has been over for GUEST_ORPHAN_AFTER_S.
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
    const { db, leases } = this.deps;
    const deleted = await db.transaction(async (trx) => {
      // The lease row first, as the orphan sweep does: both lock in the same order.
      await leases.remove(pseudo.toLowerCase(), trx);
      return this.deleteAccount(pseudo, trx);
    });
    if (!deleted) throw new NotFoundError('no guest has this pseudo', 'user_not_found');
    this.deps.directory.audit('guest_deleted', {}, { pseudo: deleted });
  }

  /**
   * Deletes, up to `limit`, the guests whose lease ran out `graceMs` ago or more: no door claimed
   * them (a live door claims an expired guest within half a lease, and the claim gives it a new
   * lease), so no door is left to remove them. Each goes in its own transaction, with the same
   * writes and event as the door's DELETE, and only if its lease is still the one read
   * (compare-and-delete): a renewal or a claim in between keeps it, and of two replicas sweeping at
   * once exactly one deletes it. Answers the pseudos deleted and how many leases were looked at
   * (`limit` of them: more may be waiting).
   */
  async deleteOrphans(graceMs: number, limit: number): Promise<{ deleted: string[]; seen: number }> {
    const { db, leases, now } = this.deps;
    const found = await leases.claimable(now() - graceMs, limit);
    const deleted: string[] = [];
    for (const lease of found) {
      const pseudo = await db.transaction(async (trx) => {
        if (!(await leases.removeUnchanged(lease, trx))) return undefined;
        // A lease left without its guest account (never a registered one) goes alone.
        return this.deleteAccount(lease.pseudoKey, trx);
      });
      if (pseudo) deleted.push(pseudo);
    }
    return { deleted, seen: found.length };
  }

  /** The guest's account, in the caller's transaction: answers its pseudo, or undefined when no guest has it. */
  private async deleteAccount(pseudo: string, trx: Knex.Transaction): Promise<string | undefined> {
    const { users, events } = this.deps;
    const deleted = await users.deleteGuest(pseudo, trx);
    // Like any deleted account, its tokens die everywhere (user.deleted revokes them), and
    // channel-service makes it leave its channels.
    if (deleted)
      await events.emit(trx, { type: 'user.deleted', data: { pseudo: deleted, revoked_before: isoTime(events.revocationTime()) } });
    return deleted;
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
