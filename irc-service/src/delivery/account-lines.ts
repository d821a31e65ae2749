import { z } from 'zod';
import { bearer } from '../commands/command';
import type { IrcServer } from '../server/irc-server';

/** The part of a revoking user event the door reads (structures.md section 5, asyncapi.yaml). */
const revokingEventSchema = z.object({ pseudo: z.string().min(1), revoked_before: z.string().datetime({ offset: true }) });

/** Why each revoking event ends a session, as the client's ERROR line says it. */
const CLOSING_REASONS: Record<string, string> = {
  'user.deleted': 'Account deleted',
  'user.password_changed': 'Password changed: log in again',
  'user.logged_out': 'Logged out everywhere: log in again',
};

/**
 * user-service's revoking events on IRC. Every token of the user issued before `revoked_before`
 * no longer works, so a session holding one would only collect refusals: a deleted account, a
 * changed password or a logout everywhere ends it (ERROR, as a network ends a killed session),
 * and a role change logs it in again at once, with the new roles. A session that
 * logged in after the revocation is left alone.
 */
export class AccountLines {
  constructor(private readonly server: IrcServer) {}

  apply(type: string, raw: unknown): void {
    if (type !== 'user.roles_changed' && !CLOSING_REASONS[type]) return;
    const parsed = revokingEventSchema.safeParse(raw);
    if (!parsed.success) {
      this.server.logger.warn({ type, issues: parsed.error.issues.slice(0, 3) }, 'user event not understood: skipped');
      return;
    }
    const revokedBefore = Date.parse(parsed.data.revoked_before);
    for (const conn of this.server.connectionsOf(parsed.data.pseudo)) {
      const session = conn.session;
      if (!session || session.tokenAt >= revokedBefore) continue;
      if (type === 'user.roles_changed') {
        // Log in again now, with the new roles: a promotion to admin or a demotion shows at once
        // (381 and MODE +o, or MODE -o), not at the next command.
        session.expiresAt = 0;
        bearer(this.server, conn).catch((err: Error) =>
          this.server.logger.warn(
            { pseudo: session.pseudo, err: err.message },
            'new login after a role change failed: the next command retries',
          ),
        );
      } else conn.close(CLOSING_REASONS[type]);
    }
  }
}
