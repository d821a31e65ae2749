import { randomBytes } from 'node:crypto';
import type { RequestListener } from 'node:http';
import type { Express } from 'express';
import request from 'supertest';
import { testDatabases, uniqueName, waitUntil } from '@canaduck/testing';
import {
  CuttableRelay,
  deleteStreams,
  login,
  percentile,
  signedUp,
  signedUpAdmin,
  startChannelService,
  startStatsService,
  startUserService,
  type Account,
  type Consumer,
  type StackOptions,
  type TransportKind,
  type UserSide,
} from './helpers/revocation-stack';
import { startGateway, startMessageService } from './helpers/revocation-edges';

const delays: Record<TransportKind, number[]> = { http: [], nats: [] };

afterAll(() => {
  for (const [transport, sample] of Object.entries(delays)) {
    if (sample.length === 0) continue;
    process.stdout.write(
      `token revocation delay (${transport} transport, ${sample.length} samples): p50 ${percentile(sample, 50)} ms, p99 ${percentile(sample, 99)} ms, max ${Math.max(...sample)} ms\n`,
    );
  }
});

interface Probe {
  name: string;
  app: Express | RequestListener;
  path: string;
}

const cases = testDatabases().flatMap((kind) => (['http', 'nats'] as const).map((transport) => [kind, transport] as const));

describe.each(cases)('token revocation (%s database, %s transport)', (kind, transport) => {
  const o: StackOptions = { kind, transport, namespace: `rv${randomBytes(4).toString('hex')}` };
  let users: UserSide;
  let consumers: Consumer[] = [];
  const probes = (pseudo: string): Probe[] => [
    { name: 'user-service', app: users.app, path: `/seen/${pseudo}` },
    ...consumers.map((c) => ({ name: c.name, app: c.app, path: c.probe(pseudo) })),
  ];

  beforeAll(async () => {
    users = await startUserService(o);
    consumers = [
      await startChannelService(o, users.url),
      await startStatsService(o, users.url),
      await startMessageService(o, users.url),
      await startGateway(o, users.url),
    ];
    await waitUntil(() => consumers.every((c) => !c.revocation.degraded), 'every revocation map reads the user stream', 10_000);
  });

  afterAll(async () => {
    for (const c of consumers) await c.close();
    await users?.close();
    if (transport === 'nats') await deleteStreams(o.namespace);
  });

  async function expectAccepted(auth: string, pseudo: string): Promise<void> {
    for (const p of probes(pseudo)) {
      const res = await request(p.app).get(p.path).set('Authorization', auth);
      expect({ service: p.name, status: res.status }).toEqual({ service: p.name, status: 200 });
    }
  }

  /** Polls every service with the old token from the change on; each must answer 401 token_revoked within 1 s. */
  async function expectRevokedEverywhere(auth: string, pseudo: string, changedAt: number): Promise<void> {
    await Promise.all(
      probes(pseudo).map(async (p) => {
        let last = { status: 0, code: '' };
        await waitUntil(
          async () => {
            const res = await request(p.app).get(p.path).set('Authorization', auth);
            last = { status: res.status, code: res.body?.code };
            return res.status === 401;
          },
          `${p.name} refuses the revoked token`,
          3000,
          10,
        );
        const delay = Date.now() - changedAt;
        delays[transport].push(delay);
        expect({ service: p.name, ...last }).toEqual({ service: p.name, status: 401, code: 'token_revoked' });
        expect({ service: p.name, within1s: delay <= 1000 }).toEqual({ service: p.name, within1s: true });
      }),
    );
  }

  const causes: Array<[string, (victim: Account) => Promise<{ password?: string; relogin: boolean }>]> = [
    [
      'an admin changes their roles',
      async (victim) => {
        const admin = await signedUpAdmin(users);
        const res = await request(users.app).post(`/user/roles/${victim.pseudo}`).set('Authorization', admin.auth).send({ role: 'admin' });
        expect(res.status).toBe(201);
        return { relogin: true };
      },
    ],
    [
      'they change their password',
      async (victim) => {
        const res = await request(users.app)
          .patch(`/user/${victim.pseudo}/password`)
          .set('Authorization', victim.auth)
          .send({ old_password: victim.password, new_password: 'a brand new password' });
        expect(res.status).toBe(200);
        return { password: 'a brand new password', relogin: true };
      },
    ],
    [
      'they log out',
      async (victim) => {
        expect((await request(users.app).post('/logout').set('Authorization', victim.auth)).status).toBe(200);
        return { relogin: true };
      },
    ],
    [
      'their account is deleted',
      async (victim) => {
        expect((await request(users.app).delete(`/user/${victim.pseudo}`).set('Authorization', victim.auth)).status).toBe(200);
        return { relogin: false };
      },
    ],
  ];

  it.each(causes)(
    'when %s, then a token issued before gets 401 token_revoked at every service within 1 s, and a fresh login works',
    async (_what, change) => {
      const victim = await signedUp(users.app, 'vic');
      await expectAccepted(victim.auth, victim.pseudo);
      const outcome = await change(victim);
      const changedAt = Date.now();
      await expectRevokedEverywhere(victim.auth, victim.pseudo, changedAt);
      if (outcome.relogin) {
        const fresh = await login(users.app, victim.pseudo, outcome.password ?? victim.password);
        await expectAccepted(fresh, victim.pseudo);
      } else {
        expect((await request(users.app).post('/login').send({ pseudo: victim.pseudo, password: victim.password })).status).toBe(401);
      }
    },
  );

  it('when a service restarts, then its map is rebuilt from the stream: a token revoked before stays revoked, a fresh one works', async () => {
    const victim = await signedUp(users.app, 'rst');
    expect((await request(users.app).post('/logout').set('Authorization', victim.auth)).status).toBe(200);
    await expectRevokedEverywhere(victim.auth, victim.pseudo, Date.now());
    const restarted = await startChannelService(o, users.url);
    try {
      await waitUntil(() => !restarted.revocation.degraded, 'the restarted map reads the stream', 10_000);
      const res = await request(restarted.app).get('/channel').set('Authorization', victim.auth);
      expect({ status: res.status, code: res.body.code }).toEqual({ status: 401, code: 'token_revoked' });
      const fresh = await login(users.app, victim.pseudo);
      expect((await request(restarted.app).get('/channel').set('Authorization', fresh)).status).toBe(200);
    } finally {
      await restarted.close();
    }
  });

  it('when the user stream is down, then a demoted admin loses admin power within 5 s (user-service asked)', async () => {
    const target = transport === 'http' ? Number(new URL(users.url).port) : 4222;
    const relay = new CuttableRelay('127.0.0.1', target);
    await relay.start();
    const channel = await startChannelService(o, users.url, relay);
    try {
      await waitUntil(() => !channel.revocation.degraded, 'the map reads the stream through the relay', 10_000);
      const owner = await signedUp(users.app, 'own');
      const name = uniqueName('c');
      expect((await request(channel.app).post('/channel').set('Authorization', owner.auth).send({ name, private: true })).status).toBe(201);
      const boss = await signedUpAdmin(users, 'boss');
      const demoted = await signedUpAdmin(users, 'dem');
      const config = `/channel/${name}/config`;
      expect((await request(channel.app).get(config).set('Authorization', demoted.auth)).status).toBe(200);

      relay.down();
      const res = await request(users.app).delete(`/user/roles/${demoted.pseudo}/admin`).set('Authorization', boss.auth);
      expect(res.status).toBe(200);
      const demotedAt = Date.now();
      let last = { status: 0, code: '' };
      await waitUntil(
        async () => {
          const r = await request(channel.app).get(config).set('Authorization', demoted.auth);
          last = { status: r.status, code: r.body?.code };
          return r.status !== 200;
        },
        'the demoted admin loses access to the private channel',
        8000,
        50,
      );
      const delay = Date.now() - demotedAt;
      process.stdout.write(`stream down (${kind}, ${transport}): demoted admin refused after ${delay} ms\n`);
      expect(last).toEqual({ status: 401, code: 'token_revoked' });
      expect(delay).toBeLessThanOrEqual(5000);
      expect(channel.revocation.degraded).toBe(true);
    } finally {
      // The stream comes back before the consumer stops, so its NATS connection drains cleanly.
      relay.up();
      await channel.close();
      await relay.close();
    }
  });
});
