import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { bearerToken, type TokenVerifier } from '@canaduck/auth';
import { BadRequestError, UnauthorizedError } from '@canaduck/errors';
import { tokenIssuedAt, type RevocationMap } from '@canaduck/events';
import type { UsedTicketStore } from '../clients/used-ticket-store';
import type { ConnectionUser } from './connection';

const TICKET_AUDIENCE = 'canaduck-realtime-ticket';

export interface StreamAuthDeps {
  verifier: TokenVerifier;
  /** Tickets are signed with the service secret: every replica verifies them. */
  ticketSecret: string;
  ticketTtlSeconds: number;
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
 * URL. A ticket is a short JWT of its own audience with a `jti`; its first use is recorded (Redis
 * across replicas) and any later one refused.
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
    const user = await this.deps.verifier.verify(authorization);
    const token = bearerToken(authorization);
    if (!user || !token)
      throw new UnauthorizedError('authentication required: send "Authorization: Bearer <token>" or ?ticket=', 'token_missing');
    const claims = jwt.decode(token) as { iat?: number; exp?: number } | null;
    return { pseudo: user.pseudo, roles: [...user.roles], iat: tokenIssuedAt(token) ?? 0, exp: claims?.exp ?? 0 };
  }

  issue(user: ConnectionUser): Ticket {
    const exp = Math.floor(this.deps.now() / 1000) + this.deps.ticketTtlSeconds;
    const ticket = jwt.sign({ pseudo: user.pseudo, roles: user.roles, tiat: user.iat, texp: user.exp, exp }, this.deps.ticketSecret, {
      algorithm: 'HS256',
      audience: TICKET_AUDIENCE,
      jwtid: randomUUID(),
      noTimestamp: true,
    });
    return { ticket, expires_at: new Date(exp * 1000).toISOString() };
  }

  private async redeem(ticket: string): Promise<ConnectionUser> {
    let claims: { pseudo: string; roles: string[]; tiat: number; texp: number; jti: string; exp: number };
    try {
      claims = jwt.verify(ticket, this.deps.ticketSecret, {
        algorithms: ['HS256'],
        audience: TICKET_AUDIENCE,
        clockTimestamp: Math.floor(this.deps.now() / 1000),
      }) as typeof claims;
    } catch (err) {
      if ((err as Error).name === 'TokenExpiredError') throw new UnauthorizedError('ticket expired: ask a new one', 'ticket_expired');
      throw new UnauthorizedError('invalid ticket', 'ticket_invalid');
    }
    const ttlMs = Math.max(1000, claims.exp * 1000 - this.deps.now() + 5000);
    if (!(await this.deps.usedTickets.claim(claims.jti, ttlMs)))
      throw new UnauthorizedError('ticket already used: ask a new one', 'ticket_used');
    return { pseudo: claims.pseudo, roles: claims.roles, iat: claims.tiat, exp: claims.texp };
  }
}
