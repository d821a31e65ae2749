import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { authenticate } from '@canaduck/auth';
import { errorMiddleware } from '@canaduck/errors';
import { serviceToken, testTokenSettings, userToken, waitUntil, testFeedAccess } from '@canaduck/testing';
import { eventFeedRoutes } from '../src/feed-routes';
import { httpFeedTransport } from '../src/http-transport';
import { RevocationMap, rejectRevokedTokens } from '../src/revocation-map';
import { appendCommitted, backbone, eventsDatabase, logger, sleep, transportMatrix, useServedStream } from './support';

describe.each(transportMatrix)('revocation map on %s over %s', (kind, transportKind) => {
  const t = useServedStream(kind, transportKind, { service: 'user', caller: 'gateway-service' });
  const maps: RevocationMap[] = [];

  const makeMap = (staleAfterMs = 5000) => {
    const map = new RevocationMap({ transport: t.transport(), logger, staleAfterMs });
    maps.push(map);
    map.start();
    return map;
  };
  const revoke = async (type: string, pseudo: string, at = new Date()) => {
    await appendCommitted(t.db.knex, [{ type, data: { pseudo, revoked_before: at.toISOString() } }], 'user');
    t.b.poke();
  };

  afterEach(async () => {
    await Promise.all(maps.splice(0).map((m) => m.stop()));
  });

  it('when a user is demoted, logs out, changes password or is deleted, then older tokens are revoked within a second and newer ones are not', async () => {
    const map = makeMap();
    expect(await map.whenSynced()).toBe(true);
    const iatBefore = Math.floor(Date.now() / 1000) - 2;
    const started = Date.now();
    await revoke('user.roles_changed', 'roger');
    await waitUntil(() => map.isRevoked('roger', iatBefore), 'roger is revoked', 2000);
    expect(Date.now() - started).toBeLessThan(1000);
    for (const [type, pseudo] of [
      ['user.logged_out', 'ginette'],
      ['user.password_changed', 'marcel'],
      ['user.deleted', 'lucie'],
    ]) {
      await revoke(type, pseudo);
      await waitUntil(() => map.isRevoked(pseudo, iatBefore), `${pseudo} is revoked after ${type}`, 2000);
    }
    await appendCommitted(t.db.knex, [{ type: 'user.status_changed', data: { pseudo: 'paul', status: 'away' } }], 'user');
    t.b.poke();
    await sleep(200);
    expect(map.isRevoked('paul', iatBefore)).toBe(false);
    expect(map.isRevoked('roger', Math.floor(Date.now() / 1000) + 2)).toBe(false);
  });

  it('when a service restarts, then the map is rebuilt from the stream', async () => {
    const iat = Math.floor(Date.now() / 1000) - 2;
    await revoke('user.deleted', 'ancien');
    await waitUntil(
      async () => (await t.b.head()) === 1 && (transportKind === 'http' || (await t.b.store.meta()).relayedThrough === 1),
      'the event is out',
    );
    const fresh = makeMap();
    expect(await fresh.whenSynced()).toBe(true);
    expect(fresh.isRevoked('ancien', iat)).toBe(true);
    expect(fresh.size).toBe(1);
  });

  it('when a revoked token reaches a route, then 401 token_revoked, and a login after it passes', async () => {
    const map = makeMap();
    await map.whenSynced();
    const old = userToken('roger', ['admin']);
    await sleep(1100);
    await revoke('user.roles_changed', 'roger', new Date(Date.now() - 500));
    await waitUntil(() => map.size === 1, 'the revocation is known', 2000);
    const app = express();
    app.get('/x', authenticate(testTokenSettings), rejectRevokedTokens(map), (_req, res) => void res.json({ ok: true }));
    app.use(errorMiddleware());
    const res = await request(app).get('/x').set('Authorization', `Bearer ${old}`);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('token_revoked');
    // Tokens of the revocation's own second are dead too (iat has whole seconds): log in after it.
    await sleep(1100);
    const again = await request(app)
      .get('/x')
      .set('Authorization', `Bearer ${userToken('roger', ['user'])}`);
    expect(again.status).toBe(200);
  });
});

describe('revocation map while the stream is down', () => {
  it('when the user stream goes down after a sync, then the map turns stale after staleAfterMs and keeps what it knew', async () => {
    const db = await eventsDatabase('sqlite');
    const b = backbone(db.knex, { service: 'user' });
    await b.start();
    const app = express();
    app.use(eventFeedRoutes(b, testFeedAccess(`${b.service}-service`)));
    const server = http.createServer(app).listen(0);
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const transport = httpFeedTransport({
      urls: { user: url },
      serviceTokens: { get: (callee) => serviceToken('gateway-service', callee) },
      logger,
      waitSeconds: 0.2,
    });
    const map = new RevocationMap({ transport, logger, staleAfterMs: 500 });
    map.start();
    await appendCommitted(
      db.knex,
      [{ type: 'user.logged_out', data: { pseudo: 'roger', revoked_before: new Date().toISOString() } }],
      'user',
    );
    b.poke();
    await waitUntil(() => map.size === 1 && !map.isStale(), 'the map is in sync');
    const synced = map.lastSyncAt!;
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
    await waitUntil(() => map.isStale(), 'the map is stale', 3000);
    expect(map.lastSyncAt! - synced).toBeLessThan(1000);
    expect(map.isRevoked('roger', Math.floor(Date.now() / 1000) - 5)).toBe(true);
    await map.stop();
    await transport.close();
    await b.stop();
    await db.destroy();
  });

  it('when the user stream cannot be reached, then the map says it is stale so callers re-check admin rights', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise((r) => dead.close(r));
    const transport = httpFeedTransport({
      urls: { user: `http://127.0.0.1:${port}` },
      serviceTokens: { get: () => 'x' },
      logger,
      waitSeconds: 1,
    });
    const map = new RevocationMap({ transport, logger, staleAfterMs: 300 });
    map.start();
    await sleep(400);
    expect(map.lastSyncAt).toBeUndefined();
    expect(map.isStale()).toBe(true);
    expect(await map.whenSynced(100)).toBe(false);
    await map.stop();
    await transport.close();
  });
});
