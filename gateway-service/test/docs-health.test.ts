import request from 'supertest';
import type { Gateway } from '../src/app';
import { buildGateway, closeAll, startUpstreams, urlsOf, type UpstreamSet, refusedUrl, startUpstream, type Upstream } from './support';

let up: UpstreamSet;
let channelWithDoc: Upstream;
let realtimeWithDoc: Upstream;

beforeAll(async () => {
  up = await startUpstreams();
  channelWithDoc = await startUpstream('channel-service', (app) => {
    app.get('/openapi.json', (_req, res) => {
      res.json({
        openapi: '3.0.3',
        info: { title: 'CanaDuck IRC channel-service', version: '1.0.0' },
        paths: {
          '/channel': { get: { summary: 'list' } },
          '/channel/{name}/config': { get: { summary: 'config' } },
          '/internal/channels/{name}/access/{pseudo}': { get: { summary: 'access' } },
          '/health': { get: { summary: 'health' } },
        },
      });
    });
  });
  realtimeWithDoc = await startUpstream('realtime-service', (app) => {
    app.get('/openapi.json', (_req, res) => {
      res.json({
        openapi: '3.0.3',
        info: { title: 'CanaDuck realtime-service', version: '1.0.0' },
        paths: {
          '/events': { get: { summary: 'SSE' } },
          '/events/poll': { get: { summary: 'long poll' } },
          '/ws': { get: { summary: 'WebSocket' } },
          '/health': { get: { summary: 'health' } },
        },
      });
    });
  });
});
afterAll(async () => {
  await closeAll(up);
  await channelWithDoc.close();
  await realtimeWithDoc.close();
});

describe('/docs', () => {
  let gw: Gateway;
  beforeAll(async () => {
    gw = buildGateway(
      { ...urlsOf(up), channel: channelWithDoc.url, stats: await refusedUrl() },
      { REALTIME_SERVICE_URL: realtimeWithDoc.url },
    );
  });
  afterAll(() => gw.shutdown());

  test('when the Swagger UI is opened, then it offers one document per service, all fetched through the gateway', async () => {
    const page = await request(gw.handler).get('/docs/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    // A CSP that lets Swagger UI run (its own scripts), unlike the API's default-src 'none'.
    expect(page.headers['content-security-policy']).toMatch(/script-src 'self'/);
    const init = await request(gw.handler).get('/docs/swagger-ui-init.js');
    expect(init.status).toBe(200);
    for (const name of ['gateway-service', 'user-service', 'message-service', 'channel-service', 'stats-service', 'realtime-service']) {
      expect(init.text).toContain(`/docs/${name}/openapi.json`);
    }
  });

  test('when a service document is asked, then it holds only the routes the gateway exposes, with the gateway as server', async () => {
    const res = await request(gw.handler).get('/docs/channel-service/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths).sort()).toEqual(['/channel', '/channel/{name}/config']);
    expect(res.body.servers).toEqual([{ url: '/', description: 'through the gateway' }]);
  });

  test('when the realtime-service document is asked, then it holds its streams (/events, /events/*, /ws) through the gateway', async () => {
    const res = await request(gw.handler).get('/docs/realtime-service/openapi.json');
    expect(res.status).toBe(200);
    expect(Object.keys(res.body.paths).sort()).toEqual(['/events', '/events/poll', '/ws']);
    expect(res.body.servers).toEqual([{ url: '/', description: 'through the gateway' }]);
  });

  test('when the gateway document is asked, then it documents /fullinfo, /ready and the docs routes', async () => {
    for (const path of ['/openapi.json', '/docs/gateway-service/openapi.json']) {
      const res = await request(gw.handler).get(path);
      expect(res.status).toBe(200);
      expect(Object.keys(res.body.paths)).toEqual(
        expect.arrayContaining(['/fullinfo', '/health', '/ready', '/docs/{service}/openapi.json']),
      );
    }
  });

  test('when an unknown service document is asked, then 404', async () => {
    const res = await request(gw.handler).get('/docs/nope-service/openapi.json');
    expect(res.status).toBe(404);
  });

  test('when a service cannot give its document, then 503 JSON', async () => {
    const res = await request(gw.handler).get('/docs/stats-service/openapi.json');
    expect(res.status).toBe(503);
    expect(res.body.error).toMatch(/stats-service/);
  });
});

describe('/health and /ready', () => {
  test('when every service answers /health, then /ready is 200 with each check', async () => {
    const gw = buildGateway(urlsOf(up));
    expect((await request(gw.handler).get('/health')).body).toEqual({ status: 'ok', service: 'gateway-service' });
    const res = await request(gw.handler).get('/ready');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ 'user-service': true, 'message-service': true, 'channel-service': true, 'stats-service': true });
    await gw.shutdown();
  });

  test('when one service is down, then /ready is 503 JSON naming it', async () => {
    const gw = buildGateway({ ...urlsOf(up), stats: await refusedUrl() });
    const res = await request(gw.handler).get('/ready');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ code: 'not_ready', down: ['stats-service'] });
    expect(res.body.checks['stats-service']).toBe(false);
    await gw.shutdown();
  });
});
