import type { AuthUser } from '@canaduck/auth';
import type { ActivityRecorded, InternalUserAnswer } from '@canaduck/contracts';
import type { DomainDeps } from '@canaduck/db';
import { ValidationError } from '@canaduck/errors';
import { isValidPseudo } from '@canaduck/service-kit';
import type { UserRepository } from '../repositories/user-repository';
import type { UserDirectory } from './user-directory';
import type { UserEvents } from './user-events';
import { iso } from './user-view';

export const ISON_MAX_NAMES = 100;

export interface PresenceServiceDeps extends DomainDeps {
  users: UserRepository;
  events: UserEvents;
  directory: UserDirectory;
}

/** Presence: statuses, last activity, who is online, the gateway's activity reports. */
export class PresenceService {
  constructor(private readonly deps: PresenceServiceDeps) {}

  /** Sets the caller's status; saying something is activity, so last_seen moves too. */
  async setStatus(caller: AuthUser, status: string): Promise<{ pseudo: string; status: string }> {
    const { db, users, events } = this.deps;
    const user = await this.deps.directory.callerAccount(caller);
    await db.transaction(async (trx) => {
      await users.updateFields(user.id, { status }, trx);
      await users.touch([user.pseudo], this.deps.now(), trx);
      if (user.status !== status) await events.emit(trx, { type: 'user.status_changed', data: { pseudo: user.pseudo, status } });
    });
    return { pseudo: user.pseudo, status };
  }

  async seen(pseudo: string): Promise<{ pseudo: string; last_seen: string | null }> {
    const user = await this.deps.directory.findOr404(pseudo);
    return { pseudo: user.pseudo, last_seen: iso(user.lastSeen) };
  }

  /**
   * IRC's ISON: which of these names are online now (status not offline, seen within
   * PRESENCE_TIMEOUT). Names that cannot be pseudos are ignored, as IRC servers do;
   * the answer keeps the order asked and the case stored.
   */
  async ison(usersParam: string): Promise<{ online: string[] }> {
    const names = usersParam
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    if (names.length > ISON_MAX_NAMES) {
      throw new ValidationError(`at most ${ISON_MAX_NAMES} names per call`, 'too_many_names');
    }
    const valid = [...new Set(names.filter(isValidPseudo).map((n) => n.toLowerCase()))];
    const present = new Map(
      (await this.deps.users.findPresent(valid, this.deps.directory.presentSince())).map((p) => [p.toLowerCase(), p]),
    );
    return { online: valid.filter((k) => present.has(k)).map((k) => present.get(k)!) };
  }

  /** The gateway's batched activity report; `at` in the future is taken as now. */
  async recordActivity(pseudos: string[], at?: string): Promise<ActivityRecorded> {
    const now = this.deps.now();
    const when = at === undefined ? now : Math.min(new Date(at).getTime(), now);
    const updated = await this.deps.users.touch([...new Set(pseudos.map((p) => p.toLowerCase()))], when);
    return { result: 'activity recorded', updated };
  }

  /** For the internal existence check: what other services may know about a user. */
  async internalUser(pseudo: string): Promise<InternalUserAnswer> {
    const user = await this.deps.directory.findOr404(pseudo);
    return { pseudo: user.pseudo, roles: user.roles, status: this.deps.directory.effectiveStatus(user) };
  }
}
