import request from 'supertest';
import { verifyServiceToken } from '@canaduck/auth';
import { bearer, testServiceKeys, uniqueName, waitUntil } from '@canaduck/testing';
import { buildGateway, closeAll, startUpstreams, urlsOf, type UpstreamSet, refusedUrl, startUpstream, type Upstream } from './support';

let up: UpstreamSet;
let userService: Upstream;
const batches: Array<{ pseudos: string[]; authorization?: string }> = [];

beforeAll(async () => {
  up = await startUpstreams();
  userService = await startUpstream('user-service', (app) => {
    app.post('/internal/activity', (req, res) => {
      const body = JSON.parse(((req as { rawBody?: Buffer }).rawBody ?? Buffer.from('{}')).toString('utf8')) as { pseudos: string[] };
      batches.push({ pseudos: body.pseudos, authorization: req.headers.authorization });
      res.json({ result: 'activity recorded', updated: body.pseudos.length });
    });
  });
});
afterAll(async () => {
  await closeAll(up);
  await userService.close();
});

describe('activity reporting', () => {
  test('when several authenticated requests come, then user-service receives one batch with each pseudo once, with a service token', async () => {
    const gw = buildGateway({ ...urlsOf(up), user: userService.url });
    const roger = uniqueName('roger');
    const ginette = uniqueName('ginette');
    await request(gw.handler).get('/msg?channel=tech').set('Authorization', bearer(roger)).expect(200);
    await request(gw.handler).post('/channel').set('Authorization', bearer(roger)).send({ name: 'x' }).expect(200);
    await request(gw.handler).get('/channel').set('Authorization', bearer(ginette)).expect(200);
    await request(gw.handler).get('/channel').expect(200); // anonymous: nothing to report
    const before = batches.length;
    await gw.activity.flush();
    expect(batches.length).toBe(before + 1);
    const batch = batches[batches.length - 1];
    expect(batch.pseudos.sort()).toEqual([ginette, roger].sort());
    expect(await verifyServiceToken(batch.authorization!.replace(/^Bearer /, ''), testServiceKeys('user-service'))).toBe('gateway-service');
    // Nothing new: no empty batch is sent.
    await gw.activity.flush();
    expect(batches.length).toBe(before + 1);
    await gw.shutdown();
  });

  test('when the flush interval passes, then the batch is sent by itself', async () => {
    const gw = buildGateway({ ...urlsOf(up), user: userService.url }, { ACTIVITY_FLUSH_MS: '100' });
    const pseudo = uniqueName('timer');
    await request(gw.handler).get('/msg?channel=tech').set('Authorization', bearer(pseudo)).expect(200);
    await waitUntil(() => batches.some((b) => b.pseudos.includes(pseudo)), 'the timer has sent the batch', 10_000);
    await gw.shutdown();
  });

  test('when the gateway shuts down, then what is pending is flushed', async () => {
    const gw = buildGateway({ ...urlsOf(up), user: userService.url });
    const pseudo = uniqueName('bye');
    await request(gw.handler).get('/msg?channel=tech').set('Authorization', bearer(pseudo)).expect(200);
    await gw.shutdown();
    expect(batches.some((b) => b.pseudos.includes(pseudo))).toBe(true);
  });

  test('when user-service is down, then requests still succeed and the batch is dropped quietly', async () => {
    const gw = buildGateway({ ...urlsOf(up), user: await refusedUrl() });
    await request(gw.handler).get('/msg?channel=tech').set('Authorization', bearer(uniqueName())).expect(200);
    expect(gw.activity.pendingCount).toBe(1);
    await expect(gw.activity.flush()).resolves.toBeUndefined();
    expect(gw.activity.pendingCount).toBe(0);
    await gw.shutdown();
  });
});
