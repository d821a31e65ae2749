import type { AuthUser } from '@canaduck/auth';
import { ValidationError } from '@canaduck/errors';
import { isValidPseudo } from '@canaduck/service-kit';
import { callerAccount, effectiveStatus, findUserOr404, type UserContext } from './user-context';
import { iso } from './user-view';

export const ISON_MAX_NAMES = 100;

/** Sets the caller's status; saying something is activity, so last_seen moves too. */
export async function setStatus(ctx: UserContext, caller: AuthUser, status: string): Promise<{ pseudo: string; status: string }> {
  const user = await callerAccount(ctx, caller);
  await ctx.repo.updateFields(user.id, { status });
  await ctx.repo.touch([user.pseudo], ctx.now());
  return { pseudo: user.pseudo, status };
}

export async function seen(ctx: UserContext, pseudo: string): Promise<{ pseudo: string; last_seen: string | null }> {
  const user = await findUserOr404(ctx, pseudo);
  return { pseudo: user.pseudo, last_seen: iso(user.lastSeen) };
}

/**
 * IRC's ISON: which of these names are online now (status not offline, seen within
 * PRESENCE_TIMEOUT). Names that cannot be pseudos are ignored, as IRC servers do;
 * the answer keeps the order asked and the case stored.
 */
export async function ison(ctx: UserContext, usersParam: string): Promise<{ online: string[] }> {
  const names = usersParam
    .split(',')
    .map((n) => n.trim())
    .filter(Boolean);
  if (names.length > ISON_MAX_NAMES) {
    throw new ValidationError(`at most ${ISON_MAX_NAMES} names per call`, 'too_many_names');
  }
  const valid = [...new Set(names.filter(isValidPseudo).map((n) => n.toLowerCase()))];
  const since = ctx.now() - ctx.settings.presenceTimeoutSeconds * 1000;
  const present = new Map((await ctx.repo.findPresent(valid, since)).map((p) => [p.toLowerCase(), p]));
  return { online: valid.filter((k) => present.has(k)).map((k) => present.get(k)!) };
}

/** The gateway's batched activity report; `at` in the future is taken as now. */
export async function recordActivity(ctx: UserContext, pseudos: string[], at?: string): Promise<number> {
  const now = ctx.now();
  const when = at === undefined ? now : Math.min(new Date(at).getTime(), now);
  return ctx.repo.touch([...new Set(pseudos.map((p) => p.toLowerCase()))], when);
}

/** For the internal existence check: what other services may know about a user. */
export async function internalUser(ctx: UserContext, pseudo: string): Promise<{ pseudo: string; roles: string[]; status: string }> {
  const user = await findUserOr404(ctx, pseudo);
  return { pseudo: user.pseudo, roles: user.roles, status: effectiveStatus(ctx, user) };
}
