import type { Knex } from '@canaduck/db';

export interface IdempotencyRecord {
  bodyHash: string;
  /** Null while the first request runs. */
  status: number | null;
  response: string | null;
  createdAt: number;
}

export interface IdempotencyId {
  pseudoKey: string;
  route: string;
  key: string;
}

const UNIQUE_VIOLATIONS: ReadonlySet<string> = new Set(['ER_DUP_ENTRY', 'SQLITE_CONSTRAINT_UNIQUE', 'SQLITE_CONSTRAINT_PRIMARYKEY']);

/** The `idempotency_keys` table (migration 007). */
export class IdempotencyRepository {
  constructor(private readonly knex: Knex) {}

  async find(id: IdempotencyId): Promise<IdempotencyRecord | undefined> {
    const row = (await this.knex('idempotency_keys')
      .where({ pseudo_key: id.pseudoKey, route: id.route, idem_key: id.key })
      .first('body_hash', 'status', 'response', 'created_at')) as
      { body_hash: string; status: number | null; response: string | null; created_at: number | string } | undefined;
    if (!row) return undefined;
    return {
      bodyHash: row.body_hash,
      status: row.status === null ? null : Number(row.status),
      response: row.response,
      createdAt: Number(row.created_at),
    };
  }

  /** Claims the key for a first request; false when another request holds it already (the primary key decides). */
  async claim(id: IdempotencyId, bodyHash: string, at: number): Promise<boolean> {
    try {
      await this.knex('idempotency_keys').insert({
        pseudo_key: id.pseudoKey,
        route: id.route,
        idem_key: id.key,
        body_hash: bodyHash,
        created_at: at,
      });
      return true;
    } catch (err) {
      if (UNIQUE_VIOLATIONS.has((err as { code?: string }).code ?? '')) return false;
      throw err;
    }
  }

  async complete(id: IdempotencyId, status: number, response: string): Promise<void> {
    await this.knex('idempotency_keys').where({ pseudo_key: id.pseudoKey, route: id.route, idem_key: id.key }).update({ status, response });
  }

  async release(id: IdempotencyId): Promise<void> {
    await this.knex('idempotency_keys').where({ pseudo_key: id.pseudoKey, route: id.route, idem_key: id.key }).delete();
  }

  /** Deletes keys created before `cutoff`, a bounded number at a time. */
  async prune(cutoff: number, max = 500): Promise<void> {
    const old = (await this.knex('idempotency_keys')
      .where('created_at', '<', cutoff)
      .limit(max)
      .select('pseudo_key', 'route', 'idem_key')) as Array<{
      pseudo_key: string;
      route: string;
      idem_key: string;
    }>;
    for (const r of old) await this.knex('idempotency_keys').where(r).delete();
  }
}
