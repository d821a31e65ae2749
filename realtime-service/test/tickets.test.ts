import { ServiceTokenMinter, TicketSigner } from '@canaduck/auth';
import { testServiceKeys } from '@canaduck/testing';
import { TICKET_AUDIENCE, type TicketClaims } from '../src/domain/stream-auth';
import { uniqueName, userToken, useWorld, type Realtime } from './support';

/** Part `i` of a compact JWS (0 the header, 1 the claims), decoded. */
const partOf = (token: string, i: 0 | 1) =>
  JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString('utf8')) as Record<string, unknown>;

/**
 * POST /events/ticket and ?ticket=: tickets signed with realtime-service's own Ed25519 key (no
 * shared secret), 30 s, single use across replicas through Redis.
 */
describe('stream tickets', () => {
  const world = useWorld('http', { realtime: false });
  /** A realtime-service of this test only (closed after it). */
  const start = async (o: { redis?: boolean; ttl?: number } = {}) =>
    world.track(await world.startRealtime({ redis: o.redis, settings: { ticketTtlSeconds: o.ttl ?? 30 } }));

  async function ticketFrom(rt: Realtime, pseudo: string): Promise<{ ticket: string; expires_at: string }> {
    const res = await fetch(`${rt.url}/events/ticket`, { method: 'POST', headers: { authorization: `Bearer ${userToken(pseudo)}` } });
    expect(res.status).toBe(201);
    return (await res.json()) as { ticket: string; expires_at: string };
  }
  const poll = (rt: Realtime, ticket: string) => fetch(`${rt.url}/events/poll?wait=0&ticket=${encodeURIComponent(ticket)}`);

  it('when a ticket is issued, then it is signed with the service key (EdDSA, its own audience and type) and lasts 30 s', async () => {
    const rt = await start();
    const pseudo = uniqueName('t');
    const before = Date.now();
    const { ticket, expires_at } = await ticketFrom(rt, pseudo);
    expect(partOf(ticket, 0)).toEqual({ alg: 'EdDSA', typ: 'ticket+jwt' });
    expect(partOf(ticket, 1)).toMatchObject({ iss: 'realtime-service', aud: TICKET_AUDIENCE, pseudo, jti: expect.any(String) });
    const life = new Date(expires_at).getTime() - before;
    expect(life).toBeGreaterThan(28_000);
    expect(life).toBeLessThanOrEqual(30_000);
    expect((await poll(rt, ticket)).status).toBe(200);
  });

  it('when two replicas share Redis, then a ticket from one opens a stream on the other once, and never again on either', async () => {
    const [a, b] = [await start({ redis: true }), await start({ redis: true })];
    const { ticket } = await ticketFrom(a, uniqueName('t'));
    expect((await poll(b, ticket)).status).toBe(200);
    for (const rt of [a, b]) {
      const again = await poll(rt, ticket);
      expect(again.status).toBe(401);
      expect(await again.json()).toEqual({ error: 'ticket already used: ask a new one', code: 'ticket_used' });
    }
  });

  it('when its life is over, then it is refused with ticket_expired', async () => {
    const rt = await start({ ttl: 1 });
    const { ticket } = await ticketFrom(rt, uniqueName('t'));
    await new Promise((r) => setTimeout(r, 1100));
    const res = await poll(rt, ticket);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'ticket expired: ask a new one', code: 'ticket_expired' });
  });

  it('when a ticket was signed by another key, or is a user token or a service token, then it is refused with ticket_invalid', async () => {
    const rt = await start();
    const pseudo = uniqueName('t');
    const claims: TicketClaims = {
      pseudo,
      roles: ['user'],
      tiat: Math.floor(Date.now() / 1000),
      texp: Math.floor(Date.now() / 1000) + 600,
    };
    // Well formed, right audience and type, but another service's key.
    const foreign = new TicketSigner<TicketClaims>({ keys: testServiceKeys('stats-service'), audience: TICKET_AUDIENCE, ttlSeconds: 30 });
    const rtKeys = testServiceKeys('realtime-service');
    for (const ticket of [
      (await foreign.sign(claims)).ticket,
      userToken(pseudo),
      await new ServiceTokenMinter(rtKeys).get('channel-service'),
      'not-a-ticket',
    ]) {
      const res = await poll(rt, ticket);
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({ error: 'invalid ticket', code: 'ticket_invalid' });
    }
  });
});
