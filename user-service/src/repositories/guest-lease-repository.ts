import type { Knex } from '@canaduck/db';

/** One guest's lease: who holds it and until when (epoch ms). */
export interface GuestLease {
  pseudoKey: string;
  owner: string;
  expiresAt: number;
}

interface LeaseRow {
  pseudo_key: string;
  owner: string;
  expires_at: number | string;
}

const toLease = (r: LeaseRow): GuestLease => ({ pseudoKey: r.pseudo_key, owner: r.owner, expiresAt: Number(r.expires_at) });

/** The lease row exactly as it was read: a compare-and-set matches nothing once it changed. */
const unchanged = (seen: GuestLease) => ({ pseudo_key: seen.pseudoKey, owner: seen.owner, expires_at: seen.expiresAt });

/**
 * `guest_leases`: one row per guest account, keyed by its lower-cased pseudo. Methods join the
 * caller's transaction when given one (`trx`).
 */
export class GuestLeaseRepository {
  constructor(private readonly knex: Knex) {}

  async insert(lease: GuestLease, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.knex)('guest_leases').insert({ pseudo_key: lease.pseudoKey, owner: lease.owner, expires_at: lease.expiresAt });
  }

  async remove(pseudoKey: string, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.knex)('guest_leases').where('pseudo_key', pseudoKey).del();
  }

  /** Moves the leases `owner` holds among `pseudoKeys` to `expiresAt`; answers the keys it held. */
  async renew(owner: string, pseudoKeys: string[], expiresAt: number, trx?: Knex.Transaction): Promise<string[]> {
    if (!pseudoKeys.length) return [];
    const db = trx ?? this.knex;
    await db('guest_leases').where('owner', owner).whereIn('pseudo_key', pseudoKeys).update({ expires_at: expiresAt });
    const rows = (await db('guest_leases').where('owner', owner).whereIn('pseudo_key', pseudoKeys).select('pseudo_key')) as LeaseRow[];
    return rows.map((r) => r.pseudo_key);
  }

  /**
   * Leases run out before `before` (and, when `owner` is given, every lease of that owner), oldest
   * first: a door claims those run out before now, the orphan sweep those run out before its grace.
   */
  async claimable(before: number, limit: number, owner?: string, trx?: Knex.Transaction): Promise<GuestLease[]> {
    const rows = (await (trx ?? this.knex)('guest_leases')
      .where((q) => {
        q.where('expires_at', '<', before);
        if (owner !== undefined) q.orWhere('owner', owner);
      })
      .orderBy('expires_at')
      .limit(limit)
      .select('pseudo_key', 'owner', 'expires_at')) as LeaseRow[];
    return rows.map(toLease);
  }

  /**
   * Removes one lease only if nobody changed it since it was read (compare-and-delete on owner and
   * expiry, like takeOver): a renewal or a door's claim in between wins, and of two sweeps
   * removing it at once exactly one does.
   */
  async removeUnchanged(seen: GuestLease, trx?: Knex.Transaction): Promise<boolean> {
    const removed = await (trx ?? this.knex)('guest_leases').where(unchanged(seen)).del();
    return Number(removed) === 1;
  }

  /**
   * Takes one lease over for `owner` until `expiresAt`, only if nobody changed it since it was read
   * (compare-and-set on owner and expiry): of two doors claiming at once, exactly one wins, and a
   * renewal by its live owner in between makes the claim fail.
   */
  async takeOver(seen: GuestLease, owner: string, expiresAt: number, trx?: Knex.Transaction): Promise<boolean> {
    const changed = await (trx ?? this.knex)('guest_leases').where(unchanged(seen)).update({ owner, expires_at: expiresAt });
    return Number(changed) === 1;
  }
}
