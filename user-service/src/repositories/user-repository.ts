import { isMysql, type Knex } from '@canaduck/db';

/** One account as the domain sees it (roles included). */
export interface UserRecord {
  id: number;
  pseudo: string;
  email: string;
  passwordHash: string | null;
  status: string;
  avatarUrl: string | null;
  createdAt: number;
  lastSeen: number | null;
  deletedAt: number | null;
  /** Epoch ms: tokens issued before it are dead (null: never revoked). */
  tokensRevokedBefore: number | null;
  /** A temporary account of the IRC door (deleted outright when its client leaves). */
  guest: boolean;
  roles: string[];
}

interface UserRow {
  id: number;
  pseudo: string;
  pseudo_key: string;
  email: string;
  email_key: string;
  password_hash: string | null;
  status: string;
  avatar_url: string | null;
  created_at: number | string;
  last_seen: number | string | null;
  deleted_at: number | string | null;
  tokens_revoked_before: number | string | null;
  guest: boolean | number;
}

export interface NewUser {
  pseudo: string;
  email: string;
  passwordHash: string;
  roles: string[];
  createdAt: number;
  guest?: boolean;
}

/** Both drivers' "unique index violated" errors. */
export function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string }).code ?? '';
  return code === 'ER_DUP_ENTRY' || code.startsWith('SQLITE_CONSTRAINT');
}

// BIGINT may come back as a string from some drivers: normalise once, here.
const num = (v: number | string | null): number | null => (v === null ? null : Number(v));

/**
 * Data access for accounts (`users`) and their global roles (`user_roles`), one aggregate; pseudos and
 * emails are looked up lower-cased. Methods join the caller's transaction when given one (`trx`).
 */
export class UserRepository {
  constructor(private readonly knex: Knex) {}

  /** The account under that pseudo, deleted ones included only when asked. */
  async findByPseudo(pseudo: string, opts: { includeDeleted?: boolean } = {}, trx?: Knex.Transaction): Promise<UserRecord | undefined> {
    const q = trx ?? this.knex;
    const query = q<UserRow>('users').where('pseudo_key', pseudo.toLowerCase());
    if (!opts.includeDeleted) query.whereNull('deleted_at');
    const row = await query.first();
    if (!row) return undefined;
    return this.toRecord(row, await this.rolesOf(row.id, trx));
  }

  /** Which of the two unique keys are already used, by live or deleted accounts alike. */
  async taken(pseudo: string, email: string, trx?: Knex.Transaction): Promise<{ pseudo: boolean; email: boolean }> {
    const rows = await (trx ?? this.knex)<UserRow>('users')
      .select('pseudo_key', 'email_key')
      .where('pseudo_key', pseudo.toLowerCase())
      .orWhere('email_key', email.toLowerCase());
    return {
      pseudo: rows.some((r) => r.pseudo_key === pseudo.toLowerCase()),
      email: rows.some((r) => r.email_key === email.toLowerCase()),
    };
  }

  /** The account and its roles; run it in a transaction so that no account is left without its roles. */
  async insert(user: NewUser, trx?: Knex.Transaction): Promise<number> {
    const [id] = await (trx ?? this.knex)('users').insert({
      pseudo: user.pseudo,
      pseudo_key: user.pseudo.toLowerCase(),
      email: user.email,
      email_key: user.email.toLowerCase(),
      password_hash: user.passwordHash,
      status: 'offline',
      avatar_url: null,
      created_at: user.createdAt,
      last_seen: null,
      deleted_at: null,
      guest: user.guest ?? false,
    });
    const userId = Number(id);
    for (const role of user.roles) await this.addRole(userId, role, user.createdAt, trx);
    return userId;
  }

  async rolesOf(userId: number, trx?: Knex.Transaction): Promise<string[]> {
    // A stable order: with the fixed set this is ['user', 'admin'], the base role first.
    const rows = await (trx ?? this.knex)('user_roles').select('role').where('user_id', userId).orderBy('role', 'desc');
    return rows.map((r: { role: string }) => r.role);
  }

  /**
   * Returns false when the user already had the role. One statement that skips the existing row
   * (INSERT IGNORE / ON CONFLICT DO NOTHING): a check-then-insert let concurrent grants of the
   * same role collide on the primary key; the affected row count tells which grant created it.
   */
  async addRole(userId: number, role: string, at: number, trx?: Knex.Transaction): Promise<boolean> {
    const q = trx ?? this.knex;
    if (isMysql(q)) {
      const [result] = (await q.raw('INSERT IGNORE INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?)', [userId, role, at])) as [
        { affectedRows: number },
      ];
      return result.affectedRows > 0;
    }
    const result = (await q.raw(
      'INSERT INTO user_roles (user_id, role, granted_at) VALUES (?, ?, ?) ON CONFLICT (user_id, role) DO NOTHING',
      [userId, role, at],
    )) as { changes: number };
    return result.changes > 0;
  }

  async removeRole(userId: number, role: string, trx?: Knex.Transaction): Promise<boolean> {
    return (await (trx ?? this.knex)('user_roles').where({ user_id: userId, role }).del()) > 0;
  }

  /**
   * The ids of all admins, locked until the transaction ends (MySQL), so two
   * concurrent removals cannot both see "another admin is left". SQLite has a
   * single writer connection, which serialises them anyway. Only meaningful inside a transaction.
   */
  async lockAdminIds(trx: Knex.Transaction): Promise<number[]> {
    const query = trx('user_roles').select('user_id').where('role', 'admin');
    if (isMysql(trx)) query.forUpdate();
    return (await query).map((r: { user_id: number }) => Number(r.user_id));
  }

  async updateFields(
    userId: number,
    fields: Partial<{ status: string; passwordHash: string; avatarUrl: string | null }>,
    trx?: Knex.Transaction,
  ): Promise<void> {
    const row: Record<string, unknown> = {};
    if (fields.status !== undefined) row.status = fields.status;
    if (fields.passwordHash !== undefined) row.password_hash = fields.passwordHash;
    if (fields.avatarUrl !== undefined) row.avatar_url = fields.avatarUrl;
    await (trx ?? this.knex)('users').where('id', userId).whereNull('deleted_at').update(row);
  }

  /** Moves last_seen forward to `at`, never back; returns how many accounts moved. */
  async touch(pseudos: string[], at: number, trx?: Knex.Transaction): Promise<number> {
    if (pseudos.length === 0) return 0;
    return (trx ?? this.knex)('users')
      .whereIn(
        'pseudo_key',
        pseudos.map((p) => p.toLowerCase()),
      )
      .whereNull('deleted_at')
      .andWhere((q) => q.whereNull('last_seen').orWhere('last_seen', '<', at))
      .update({ last_seen: at });
  }

  /** Stored pseudos among `pseudos` whose status is not offline and who were seen since `since`. */
  async findPresent(pseudos: string[], since: number, trx?: Knex.Transaction): Promise<string[]> {
    if (pseudos.length === 0) return [];
    const rows = await (trx ?? this.knex)<UserRow>('users')
      .select('pseudo')
      .whereIn(
        'pseudo_key',
        pseudos.map((p) => p.toLowerCase()),
      )
      .whereNull('deleted_at')
      .whereNot('status', 'offline')
      .where('last_seen', '>=', since);
    return rows.map((r) => r.pseudo);
  }

  /** Every token of the account issued before `at` is dead (the user stream says so too). */
  async revokeTokens(userId: number, at: number, trx?: Knex.Transaction): Promise<void> {
    await (trx ?? this.knex)('users').where('id', userId).update({ tokens_revoked_before: at });
  }

  /** Tombstone (two statements: run it in the caller's transaction): the row keeps pseudo and email (both stay reserved); credentials, roles and profile go. */
  async tombstone(userId: number, at: number, trx: Knex.Transaction): Promise<void> {
    await trx('user_roles').where('user_id', userId).del();
    await trx('users').where('id', userId).update({ deleted_at: at, password_hash: null, status: 'offline', avatar_url: null });
  }

  /**
   * Deletes a guest account outright (its pseudo is free again); answers its stored pseudo, or
   * undefined when no guest has that pseudo. The row count decides, not the read before it: of two
   * transactions deleting the same guest at once, only one answers it (one user.deleted).
   */
  async deleteGuest(pseudo: string, trx: Knex.Transaction): Promise<string | undefined> {
    const row = await trx<UserRow>('users').where({ pseudo_key: pseudo.toLowerCase(), guest: true }).first('id', 'pseudo');
    if (!row) return undefined;
    await trx('user_roles').where('user_id', row.id).del();
    const deleted = await trx('users').where({ id: row.id, guest: true }).del();
    return Number(deleted) === 1 ? row.pseudo : undefined;
  }

  private toRecord(row: UserRow, roles: string[]): UserRecord {
    return {
      id: Number(row.id),
      pseudo: row.pseudo,
      email: row.email,
      passwordHash: row.password_hash,
      status: row.status,
      avatarUrl: row.avatar_url,
      createdAt: Number(row.created_at),
      lastSeen: num(row.last_seen),
      deletedAt: num(row.deleted_at),
      tokensRevokedBefore: num(row.tokens_revoked_before),
      guest: Boolean(row.guest),
      roles,
    };
  }
}
