import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { createDatabase, type Knex } from '@canaduck/db';
import { ServiceMetrics, createServiceApp, metricsOf, startMetricsServer, type ServiceAppOptions } from '@canaduck/service-kit';

const logger = pino({ level: 'silent' });

function app(name: string, overrides: Partial<ServiceAppOptions> = {}) {
  return createServiceApp({
    name,
    logger,
    openapi: { title: name },
    accessLog: false,
    routes: (a) => {
      const router = express.Router();
      router.get('/:id', (req, res) => void res.json({ id: req.params.id }));
      a.use('/samples', router);
      a.post('/things', (_req, res) => void res.status(201).json({}));
    },
    ...overrides,
  });
}

/** The value of one sample line (`name{labels} value`) whose labels include every given pair. */
function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.split(' ').pop());
  }
  return undefined;
}

describe('GET /metrics of a service app', () => {
  it('when requests were answered, then their count and latency are labelled by route pattern and status, never by raw path', async () => {
    const a = app('metrics-sample-a');
    await request(a).get('/samples/one').expect(200);
    await request(a).get('/samples/two').expect(200);
    await request(a).post('/things').send({}).expect(201);
    await request(a).get('/nowhere/abc').expect(404);
    const res = await request(a).get('/metrics').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    const text = res.text;
    expect(sample(text, 'http_requests_total', { route: '/samples/:id', status: '200', method: 'GET' })).toBe(2);
    expect(sample(text, 'http_requests_total', { route: '/things', status: '201', method: 'POST' })).toBe(1);
    expect(sample(text, 'http_requests_total', { route: 'unmatched', status: '404' })).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count', { route: '/samples/:id', status: '200' })).toBe(2);
    expect(text).not.toContain('/samples/one');
    expect(text).not.toContain('/nowhere/abc');
    expect(sample(text, 'http_requests_total', { service: 'metrics-sample-a' })).toBeGreaterThan(0);
    // Node's own process metrics come along.
    expect(text).toMatch(/^process_cpu_user_seconds_total/m);
  });

  it('when two apps live in one process, then each has its own registry and counts only its own requests', async () => {
    const a = app('metrics-sample-b');
    const b = app('metrics-sample-c');
    await request(a).get('/samples/x').expect(200);
    const textA = (await request(a).get('/metrics')).text;
    const textB = (await request(b).get('/metrics')).text;
    expect(sample(textA, 'http_requests_total', { route: '/samples/:id' })).toBe(1);
    expect(sample(textB, 'http_requests_total', { route: '/samples/:id' })).toBeUndefined();
    expect(metricsOf(a)).not.toBe(metricsOf(b));
  });

  it('when a service adds gauges through its ServiceMetrics, then they are read at scrape time, with labels per consumer', async () => {
    const metrics = new ServiceMetrics('metrics-sample-d');
    let open = 3;
    metrics.gauge('open_connections', 'IRC connections open', () => open);
    metrics.gauge('event_stream_lag', 'Events behind the head', () => [{ labels: { consumer: 'delivery' }, value: 7 }], ['consumer']);
    const a = app('metrics-sample-d', { metrics });
    open = 5;
    const text = (await request(a).get('/metrics')).text;
    expect(sample(text, 'open_connections', {})).toBe(5);
    expect(sample(text, 'event_stream_lag', { consumer: 'delivery' })).toBe(7);
  });

  it('when the app is given its knex, then the database pool use is a metric', async () => {
    const knex: Knex = await createDatabase({ service: 'metrics-sample-e', sqliteFile: ':memory:' });
    try {
      await knex.raw('select 1');
      const text = (await request(app('metrics-sample-e', { knex })).get('/metrics')).text;
      expect(sample(text, 'db_pool_connections_max', { database: 'main' })).toBeGreaterThanOrEqual(1);
      expect(sample(text, 'db_pool_connections_used', { database: 'main' })).toBe(0);
      expect(sample(text, 'db_pool_pending_acquires', { database: 'main' })).toBe(0);
    } finally {
      await knex.destroy();
    }
  });

  it('when serveMetrics is false, then /metrics is a JSON 404 on the app and served by a listener of its own', async () => {
    const a = app('metrics-sample-f', { serveMetrics: false });
    await request(a).get('/samples/z').expect(200);
    const res = await request(a).get('/metrics').expect(404);
    expect(res.body.code).toBe('route_not_found');
    const server = await startMetricsServer(metricsOf(a), 0, '127.0.0.1');
    try {
      const got = await fetch(`http://127.0.0.1:${server.port}/metrics`);
      expect(got.status).toBe(200);
      expect(sample(await got.text(), 'http_requests_total', { route: '/samples/:id' })).toBe(1);
      const other = await fetch(`http://127.0.0.1:${server.port}/samples/z`);
      expect(other.status).toBe(404);
      expect(((await other.json()) as { code: string }).code).toBe('route_not_found');
    } finally {
      await server.close();
    }
  });
});
