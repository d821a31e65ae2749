import type { TicketSigner, TokenVerifier } from '@canaduck/auth';
import { BadRequestError, UnauthorizedError } from '@canaduck/errors';
import type { RevocationMap } from '@canaduck/events';
import type { UsedTicketStore } from '../clients/used-ticket-store';
import type { ConnectionUser } from './connection';

/** The ticket's audience: a ticket opens streams of realtime-service and nothing else. */
export const TICKET_AUDIENCE = 'canaduck-realtime-ticket';

/** What a ticket carries: the user, and the life of the token it was issued for (revocation). */
export type TicketClaims = { pseudo: string; roles: string[]; tiat: number; texp: number };

export interface StreamAuthDeps {
  verifier: TokenVerifier;
  /** Signs tickets with the service's own Ed25519 key, which every replica holds. */
  tickets: TicketSigner<TicketClaims>;
  usedTickets: UsedTicketStore;
  revocation: RevocationMap;
  now: () => number;
}

export interface Ticket {
  ticket: string;
  expires_at: string;
}

/**
 * Who opens a stream: the user's JWT (Authorization: Bearer) or a single-use ticket (?ticket=)
 * for browsers, whose EventSource and WebSocket cannot send headers. A JWT is never read from a
 * URL. A ticket is signed with the service's own key (EdDSA, its own audience and `typ`, a `jti`,
 * 30 s); its first use is recorded (Redis across replicas) and any later one refused.
 */
export class StreamAuth {
  constructor(private readonly deps: StreamAuthDeps) {}

  /** The caller of a stream request: `authorization` header, or `ticket` from the query. */
  async caller(authorization: string | undefined, ticket: string | undefined, urlToken: boolean): Promise<ConnectionUser> {
    if (urlToken)
      throw new BadRequestError(
        'a token never goes in a URL: send it as Authorization: Bearer, or ask POST /events/ticket',
        'token_in_url',
      );
    const user = ticket !== undefined ? await this.redeem(ticket) : await this.fromHeader(authorization);
    if (this.deps.revocation.isRevoked(user.pseudo, user.iat)) throw new UnauthorizedError('token revoked: log in again', 'token_revoked');
    return user;
  }

  async fromHeader(authorization: string | undefined): Promise<ConnectionUser> {
    const verified = await this.deps.verifier.verifyToken(authorization);
    if (!verified)
      throw new UnauthorizedError('authentication required: send "Authorization: Bearer <token>" or ?ticket=', 'token_missing');
    const { user, issuedAt, expiresAt } = verified;
    return { pseudo: user.pseudo, roles: [...user.roles], iat: issuedAt, exp: Math.floor(expiresAt / 1000) };
  }

  async issue(user: ConnectionUser): Promise<Ticket> {
    const { ticket, expiresAtMs } = await this.deps.tickets.sign({
      pseudo: user.pseudo,
      roles: user.roles,
      tiat: user.iat,
      texp: user.exp,
    });
    return { ticket, expires_at: new Date(expiresAtMs).toISOString() };
  }

  private async redeem(ticket: string): Promise<ConnectionUser> {
    const { claims, id, expiresAtMs } = await this.deps.tickets.verify(ticket);
    // Kept a little past its expiry, so that no clock skew between replicas reopens it.
    const ttlMs = Math.max(1000, expiresAtMs - this.deps.now() + 5000);
    if (!(await this.deps.usedTickets.claim(id, ttlMs))) throw new UnauthorizedError('ticket already used: ask a new one', 'ticket_used');
    return { pseudo: claims.pseudo, roles: claims.roles, iat: claims.tiat, exp: claims.texp };
  }
}
