import { sign } from 'node:crypto';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { serviceKeysFrom, signServiceToken, signUserToken, TicketSigner, type ServiceKeys } from '@canaduck/auth';
import { expect401 } from './support/expect401';
import { settings } from './support/settings';

const secret = 'the-shared-secret-of-the-ticket-tests-32+';
const realtime = serviceKeysFrom({ service: 'realtime-service', secret });
const AUDIENCE = 'canaduck-test-ticket';
const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

type Claims = { pseudo: string; roles: string[] };
const signer = (o: { keys?: ServiceKeys; audience?: string; now?: () => number } = {}) =>
  new TicketSigner<Claims>({ keys: o.keys ?? realtime, audience: o.audience ?? AUDIENCE, ttlSeconds: 30, now: o.now });

/** A ticket signed by `keys` with any header and claims (the tests' forgeries). */
function handMade(keys: ServiceKeys, header: Record<string, unknown>, claims: Record<string, unknown>): string {
  const input = `${b64url(header)}.${b64url(claims)}`;
  return `${input}.${sign(null, Buffer.from(input), keys.privateKey).toString('base64url')}`;
}

describe("tickets signed with the service's own key (TicketSigner)", () => {
  it('when a ticket is signed, then it verifies with its claims, a fresh id and a 30 s life; EdDSA, iss the service, typ ticket+jwt', async () => {
    const t0 = Math.floor(Date.now() / 1000) * 1000;
    const { ticket, expiresAtMs } = await signer({ now: () => t0 + 400 }).sign({ pseudo: 'roger', roles: ['user'] });
    const verified = await signer().verify(ticket);
    expect(verified.claims).toEqual({ pseudo: 'roger', roles: ['user'] });
    expect(verified.expiresAtMs).toBe(expiresAtMs);
    expect(expiresAtMs).toBe(t0 + 30_000);
    expect(decodeProtectedHeader(ticket)).toEqual({ alg: 'EdDSA', typ: 'ticket+jwt' });
    expect(decodeJwt(ticket)).toMatchObject({ iss: 'realtime-service', aud: AUDIENCE, jti: verified.id });
    const other = await signer().verify((await signer().sign({ pseudo: 'roger', roles: [] })).ticket);
    expect(other.id).not.toBe(verified.id);
  });

  it('when another replica of the service verifies it, then it passes: the replicas share the service key, nothing else', async () => {
    const replica = serviceKeysFrom({ service: 'realtime-service', secret });
    const { ticket } = await signer().sign({ pseudo: 'ginette', roles: ['user'] });
    expect((await signer({ keys: replica }).verify(ticket)).claims.pseudo).toBe('ginette');
  });

  it('when its 30 s are over, then it is refused with ticket_expired', async () => {
    let now = Date.now();
    const clocked = signer({ now: () => now });
    const { ticket } = await clocked.sign({ pseudo: 'roger', roles: [] });
    now += 29_000;
    await expect(clocked.verify(ticket)).resolves.toBeDefined();
    now += 2_000;
    await expect401(() => clocked.verify(ticket), 'ticket_expired', /expired/);
  });

  it('when it was signed by another service, for another audience, or tampered with, then it is refused with ticket_invalid', async () => {
    const stats = serviceKeysFrom({ service: 'stats-service', secret });
    await expect401(async () => signer().verify((await signer({ keys: stats }).sign({ pseudo: 'x', roles: [] })).ticket), 'ticket_invalid');
    await expect401(
      async () => signer().verify((await signer({ audience: 'elsewhere' }).sign({ pseudo: 'x', roles: [] })).ticket),
      'ticket_invalid',
    );
    const { ticket } = await signer().sign({ pseudo: 'roger', roles: ['user'] });
    const [h, , s] = ticket.split('.');
    await expect401(() => signer().verify(`${h}.${b64url({ ...decodeJwt(ticket), roles: ['admin'] })}.${s}`), 'ticket_invalid');
    await expect401(() => signer().verify('not.a.ticket'), 'ticket_invalid');
  });

  it('when a service token or a user token of the same service is shown as a ticket, then it is refused', async () => {
    // The service's own service token (typ JWT, aud a callee) is signed with the very same key.
    await expect401(async () => signer().verify(await signServiceToken(realtime, AUDIENCE)), 'ticket_invalid');
    const exp = Math.floor(Date.now() / 1000) + 30;
    const sameKeyNoTyp = handMade(realtime, { alg: 'EdDSA', typ: 'JWT' }, { iss: 'realtime-service', aud: AUDIENCE, jti: 'j', exp });
    await expect401(() => signer().verify(sameKeyNoTyp), 'ticket_invalid');
    const noId = handMade(realtime, { alg: 'EdDSA', typ: 'ticket+jwt' }, { iss: 'realtime-service', aud: AUDIENCE, exp });
    await expect401(() => signer().verify(noId), 'ticket_invalid');
    await expect401(async () => signer().verify(await signUserToken({ pseudo: 'roger', roles: ['user'] }, settings, 60)), 'ticket_invalid');
  });
});
