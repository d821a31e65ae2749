import { Writable } from 'node:stream';
import pino from 'pino';
import request from 'supertest';
import { ConflictError } from '@canaduck/errors';
import { z } from 'zod';
import { ApiDocs, createServiceApp, type ServiceAppOptions } from '@canaduck/service-kit';

function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

function app(overrides: Partial<ServiceAppOptions> = {}) {
  const { logger, lines } = capturedLogger();
  const docs = new ApiDocs();
  const sample = docs.schema('Sample', z.object({ id: z.string() }));
  const built = createServiceApp({
    name: 'sample-service',
    logger,
    bodyLimit: '1kb',
    openapi: { title: 'Sample service', docs },
    routes: (a) => {
      docs.route({
        method: 'get',
        path: '/samples/:id',
        summary: 'Reads one sample',
        responses: { 200: { description: 'The sample', schema: sample }, 404: 'Unknown sample' },
      });
      a.get('/samples/:id', (req, res) => void res.json({ id: req.params.id }));
      a.post('/samples', (req, res) => void res.status(201).json(req.body));
      a.get('/conflict', () => {
        throw new ConflictError('sample exists', 'sample_exists');
      });
      a.get('/bug', () => {
        throw new Error('a secret detail');
      });
      a.get('/query', (req, res) => void res.json(req.query));
    },
    ...overrides,
  });
  return { app: built, lines };
}

describe('createServiceApp: /health and /ready', () => {
  it('when /health is asked, then the process answers ok with its name', async () => {
    const res = await request(app().app).get('/health');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ok', service: 'sample-service' });
  });

  it('when there are no readiness checks, then /ready is 200', async () => {
    const res = await request(app().app).get('/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', service: 'sample-service', checks: {} });
  });

  it('when every check passes, then /ready is 200 with each check', async () => {
    const res = await request(app({ readiness: { database: async () => true, 'user-service': async () => true } }).app).get('/ready');
    expect(res.status).toBe(200);
    expect(res.body.checks).toEqual({ database: true, 'user-service': true });
  });

  it('when readiness goes from ready to failing and back, then each change is logged once, and no probe answer is logged as a failed request', async () => {
    let up = true;
    const { app: a, lines } = app({ accessLog: 'errors', readiness: { database: async () => up } });
    await request(a).get('/ready').expect(200);
    up = false;
    for (let i = 0; i < 3; i++) await request(a).get('/ready').expect(503);
    up = true;
    await request(a).get('/ready').expect(200);
    const said = lines.map((l) => l.msg);
    expect(said.filter((m) => m === 'not ready any more')).toHaveLength(1);
    expect(said.filter((m) => m === 'ready again')).toHaveLength(1);
    expect(said).not.toContain('request failed');
  });

  it('when one check fails, then /ready is 503 not_ready and names the failing check', async () => {
    const res = await request(app({ readiness: { database: async () => true, 'user-service': async () => false } }).app).get('/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      error: 'sample-service is not ready',
      code: 'not_ready',
      service: 'sample-service',
      checks: { database: true, 'user-service': false },
    });
  });

  it('when a check throws, then it counts as failed and /ready is 503', async () => {
    const res = await request(
      app({
        readiness: {
          database: async () => {
            throw new Error('connection refused');
          },
        },
      }).app,
    ).get('/ready');
    expect(res.status).toBe(503);
    expect(res.body.checks).toEqual({ database: false });
    expect(res.text).not.toContain('connection refused');
  });

  it('when /health and /ready are probed, then no access line is logged, while other requests are', async () => {
    const { app: a, lines } = app();
    await request(a).get('/health');
    await request(a).get('/ready');
    expect(lines).toHaveLength(0);
    await request(a).get('/samples/1');
    expect(lines).toHaveLength(1);
  });

  it('when the access log is "errors", then a 2xx leaves no line and a 4xx or 5xx leaves one with its status', async () => {
    const { app: a, lines } = app({ accessLog: 'errors' });
    await request(a).get('/samples/1').expect(200);
    expect(lines).toHaveLength(0);
    await request(a).get('/conflict').expect(409);
    await request(a).get('/no-such-route').expect(404);
    await request(a).get('/bug').expect(500);
    const access = lines.filter((l) => l.req !== undefined);
    expect(access.map((l) => [l.level, (l.req as { url: string }).url, (l.res as { statusCode: number }).statusCode])).toEqual([
      [40, '/conflict', 409],
      [40, '/no-such-route', 404],
      [50, '/bug', 500],
    ]);
    expect(typeof access[0].responseTime).toBe('number');
  });

  it('when the access log is switched off, then nothing is logged', async () => {
    const { app: a, lines } = app({ accessLog: false });
    await request(a).get('/samples/1');
    expect(lines).toHaveLength(0);
  });
});

describe('createServiceApp: OpenAPI and docs', () => {
  it('when /openapi.json is asked, then it holds the routes described with docs and the shared components', async () => {
    const res = await request(app().app).get('/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.0.3');
    expect(res.body.info).toEqual({ title: 'Sample service', version: '1.0.0', description: 'sample-service of CanaDuck IRC' });
    expect(Object.keys(res.body.paths)).toEqual(['/samples/{id}']);
    expect(Object.keys(res.body.paths['/samples/{id}'].get.responses)).toEqual(['200', '404']);
    expect(res.body.paths['/samples/{id}'].get.parameters).toEqual([
      { in: 'path', name: 'id', required: true, schema: { type: 'string' } },
    ]);
    expect(res.body.paths['/samples/{id}'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Sample',
    });
    expect(res.body.paths['/samples/{id}'].get.responses['404'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Error',
    });
    expect(res.body.components.schemas.Error.required).toEqual(['error', 'code']);
    expect(res.body.components.schemas.Sample).toEqual({ type: 'object', properties: { id: { type: 'string' } }, required: ['id'] });
    expect(Object.keys(res.body.components.securitySchemes)).toEqual(['bearerAuth', 'serviceToken']);
  });

  it('when the app is given a version and description, then the document uses them', async () => {
    const res = await request(app({ openapi: { title: 'T', version: '2.1.0', description: 'D' } }).app).get('/openapi.json');
    expect(res.body.info).toEqual({ title: 'T', version: '2.1.0', description: 'D' });
    expect(res.body.paths).toEqual({});
  });

  it('when the app is given no title, then the document is titled CanaDuck IRC and the service name', async () => {
    const res = await request(app({ openapi: {} }).app).get('/openapi.json');
    expect(res.body.info).toEqual({
      title: 'CanaDuck IRC sample-service',
      version: '1.0.0',
      description: 'sample-service of CanaDuck IRC',
    });
  });

  it('when /docs/ is asked, then Swagger UI is served as HTML', async () => {
    const res = await request(app().app).get('/docs/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(res.text).toContain('swagger-ui');
  });
});

describe('createServiceApp: routes, errors and bodies', () => {
  const { app: a } = app();

  it('when a route matches, then it answers', async () => {
    expect((await request(a).get('/samples/abc')).body).toEqual({ id: 'abc' });
    const res = await request(a).post('/samples').send({ name: 'duck 🦆' });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'duck 🦆' });
  });

  it('when the path is unknown, then the answer is a JSON 404', async () => {
    const res = await request(a).get('/unknown');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: 'no route for GET /unknown', code: 'route_not_found' });
  });

  it('when a route throws an AppError, then its status and body are used', async () => {
    const res = await request(a).get('/conflict');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'sample exists', code: 'sample_exists' });
  });

  it('when a route throws anything else, then it is a generic 500', async () => {
    const res = await request(a).get('/bug');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: 'internal server error', code: 'internal_error' });
  });

  it('when the JSON is malformed, then 400; when it exceeds the body limit, then 413', async () => {
    expect((await request(a).post('/samples').set('Content-Type', 'application/json').send('{bad')).status).toBe(400);
    const big = await request(a)
      .post('/samples')
      .send({ text: 'x'.repeat(2000) });
    expect(big.status).toBe(413);
    expect(big.body.code).toBe('payload_too_large');
  });

  it('when a JSON scalar is sent, then the route receives it (strict is off) rather than a parse error', async () => {
    const res = await request(a).post('/samples').set('Content-Type', 'application/json').send('"just a string"');
    expect(res.status).toBe(201);
    expect(res.body).toBe('just a string');
  });

  it('when any answer goes out, then it carries X-Request-Id and no X-Powered-By or ETag', async () => {
    const res = await request(a).get('/samples/1').set('X-Request-Id', 'abc-1');
    expect(res.headers['x-request-id']).toBe('abc-1');
    expect(res.headers['x-powered-by']).toBeUndefined();
    expect(res.headers.etag).toBeUndefined();
  });

  it('when the query string has brackets, then it is not expanded into objects (simple parser)', async () => {
    const res = await request(a).get('/query?a[b]=1&c=2');
    expect(res.body).toEqual({ 'a[b]': '1', c: '2' });
  });

  it('when middlewares are given to run before the body parser, then they see the raw request first', async () => {
    const { app: withProxy } = app({
      beforeBody: [
        (req, res, next) => {
          if (!req.path.startsWith('/raw')) return next();
          let raw = '';
          req.on('data', (c) => (raw += c));
          req.on('end', () => void res.json({ raw, parsed: req.body ?? null }));
        },
      ],
    });
    const res = await request(withProxy).post('/raw').set('Content-Type', 'application/json').send('{"a":1}');
    expect(res.body).toEqual({ raw: '{"a":1}', parsed: null });
  });
});
