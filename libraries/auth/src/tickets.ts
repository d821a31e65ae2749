import { createPublicKey, randomUUID, type KeyObject } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { UnauthorizedError } from '@canaduck/errors';
import type { ServiceKeys } from './service-keys';

// The JOSE `typ` of a ticket: a service token (typ JWT) never passes as a ticket, nor the reverse.
const TICKET_TYPE = 'ticket+jwt';

/** What a ticket carries: claims of the service's choosing, plus its id and expiry. */
export interface VerifiedTicket<C> {
  claims: C;
  /** The ticket's id (`jti`): what a single-use store records. */
  id: string;
  /** Its expiry, in ms since the epoch. */
  expiresAtMs: number;
}

export interface TicketSignerOptions {
  /** The service's keys: tickets are signed with its own Ed25519 key, which its replicas share. */
  keys: ServiceKeys;
  /** The tickets' `aud`: a ticket of one purpose never passes for another. */
  audience: string;
  ttlSeconds: number;
  now?: () => number;
}

/**
 * Short-lived tickets a service issues to its own clients and later accepts back (a browser's
 * stream ticket): EdDSA with the service's own key (`iss` the service), so no secret is shared
 * with anything but its replicas, which hold the same key. Single use is the caller's business
 * (record `id`); this only signs and verifies. Failures are 401s: `ticket_expired`, `ticket_invalid`.
 */
export class TicketSigner<C extends Record<string, unknown>> {
  private readonly publicKey: KeyObject;

  constructor(private readonly o: TicketSignerOptions) {
    // The replicas share the private key, so each derives the public key from its own.
    this.publicKey = createPublicKey(o.keys.privateKey);
  }

  async sign(claims: C): Promise<{ ticket: string; expiresAtMs: number }> {
    const exp = Math.floor((this.o.now ?? Date.now)() / 1000) + this.o.ttlSeconds;
    const ticket = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'EdDSA', typ: TICKET_TYPE })
      .setIssuer(this.o.keys.service)
      .setAudience(this.o.audience)
      .setJti(randomUUID())
      .setExpirationTime(exp)
      .sign(this.o.keys.privateKey);
    return { ticket, expiresAtMs: exp * 1000 };
  }

  async verify(ticket: string): Promise<VerifiedTicket<C>> {
    try {
      const { payload } = await jwtVerify(ticket, this.publicKey, {
        algorithms: ['EdDSA'],
        typ: TICKET_TYPE,
        issuer: this.o.keys.service,
        audience: this.o.audience,
        currentDate: new Date((this.o.now ?? Date.now)()),
        requiredClaims: ['exp', 'jti'],
      });
      const { iss: _iss, aud: _aud, jti, exp, ...claims } = payload;
      return { claims: claims as C, id: jti!, expiresAtMs: exp! * 1000 };
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new UnauthorizedError('ticket expired: ask a new one', 'ticket_expired');
      throw new UnauthorizedError('invalid ticket', 'ticket_invalid');
    }
  }
}
