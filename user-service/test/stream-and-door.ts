// What other services see of user-service in the tests: its user stream, read as channel-service
// reads it, and the guest calls an IRC door makes (support.ts re-exports both).
import request from 'supertest';
import { readWholeStream, serviceBearer, type StreamEventRead, uniqueName, waitUntil } from '@canaduck/testing';
import type { TestService } from './support';

export type FeedEvent = StreamEventRead;

/** The whole user stream, through GET /internal/events as another service reads it. */
export function feed(svc: TestService): Promise<FeedEvent[]> {
  return readWholeStream(svc.app, { caller: 'channel-service', callee: 'user-service' });
}

/** The events about one pseudo, once `count` of them are sequenced (needs the workers started). */
export async function eventsOf(svc: TestService, pseudo: string, count: number): Promise<FeedEvent[]> {
  let mine: FeedEvent[] = [];
  await waitUntil(async () => {
    mine = (await feed(svc)).filter((e) => e.data.pseudo === pseudo);
    return mine.length >= count;
  }, `${count} events of ${pseudo} are in the feed`);
  return mine;
}

/** Every event written so far has its seq: the feed read now holds them all (none still to come). */
export async function allSequenced(svc: TestService): Promise<void> {
  await waitUntil(async () => (await svc.knex('outbox_events').whereNull('seq').first('id')) === undefined, 'every event is sequenced');
}

export const GUEST_PASSWORD = 'a-random-door-chosen-secret-0123456789';

/** What an IRC door sends about its guests, with irc-service's service token. */
export function doorCalls(svc: TestService) {
  const post = (path: string, body: Record<string, unknown>) =>
    request(svc.app).post(path).set('Authorization', serviceBearer('irc-service', 'user-service')).send(body);
  return {
    /** A new guest leased to `owner` (a unique pseudo unless given); answers its pseudo. */
    async guest(owner: string, leaseSeconds = 30, pseudo = uniqueName('Guest')): Promise<string> {
      const res = await post('/internal/guests', { pseudo, password: GUEST_PASSWORD, owner, lease_seconds: leaseSeconds });
      if (res.status !== 201) throw new Error(`guest not created: ${res.status} ${JSON.stringify(res.body)}`);
      return pseudo;
    },
    renew: (owner: string, pseudos: string[], leaseSeconds = 30) =>
      post('/internal/guests/leases', { owner, pseudos, lease_seconds: leaseSeconds }),
    claim: (owner: string, extra: Record<string, unknown> = {}) =>
      post('/internal/guests/expired', { owner, lease_seconds: 30, limit: 200, ...extra }),
  };
}

/** The pseudos a claim (POST /internal/guests/expired) answered. */
export const claimed = (res: request.Response): string[] => (res.body as { guests: Array<{ pseudo: string }> }).guests.map((g) => g.pseudo);
