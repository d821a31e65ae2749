import express, { Router } from 'express';
import request from 'supertest';
import { z } from 'zod';
import { authenticate } from '@canaduck/auth';
import { errorMiddleware } from '@canaduck/errors';
import { answering, ApiDocs, internalRouteMounter, userRouteMounter } from '@canaduck/service-kit';
import { bearer, serviceBearer, testServiceKeys, testTokenSettings, uniqueName } from '@canaduck/testing';

type Doc = { paths: Record<string, Record<string, { security?: unknown; responses: Record<string, { description: string }> }>> };

const callers = { 'GET /internal/samples/:id': ['stats-service'] };

function sampleApp() {
  const router = Router();
  const docs = new ApiDocs();
  const route = internalRouteMounter({ router, docs, serviceKeys: testServiceKeys('channel-service'), callers });
  route(
    { method: 'get', path: '/internal/samples/:id', summary: 'Reads one sample', responses: { 200: 'the sample', 404: 'unknown sample' } },
    (req, res) => void res.json({ id: req.params.id }),
  );
  const app = express().use(router).use(errorMiddleware());
  return { app, docs };
}

describe('internalRouteMounter', () => {
  test('when a service on the allow-list calls, then the handler answers', async () => {
    const res = await request(sampleApp().app)
      .get('/internal/samples/s1')
      .set('Authorization', serviceBearer('stats-service', 'channel-service'));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: 's1' });
  });

  test('when a service off the allow-list calls, then 403 service_not_allowed', async () => {
    const res = await request(sampleApp().app)
      .get('/internal/samples/s1')
      .set('Authorization', serviceBearer('gateway-service', 'channel-service'));
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('service_not_allowed');
  });

  test('when no token is sent, then 401 token_missing', async () => {
    const res = await request(sampleApp().app).get('/internal/samples/s1');
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('token_missing');
  });

  test('when the route is mounted, then its document names the service token and the shared 401/403 answers', () => {
    const doc = sampleApp().docs.document({ title: 'sample', description: 'sample' }) as {
      paths: Record<string, { get: { security: unknown; responses: Record<string, unknown> } }>;
    };
    const op = doc.paths['/internal/samples/{id}'].get;
    expect(op.security).toEqual([{ serviceToken: [] }]);
    expect(Object.keys(op.responses).sort()).toEqual(['200', '401', '403', '404']);
  });

  test('when a route has no INTERNAL_CALLERS entry, then mounting it throws at start-up', () => {
    const route = internalRouteMounter({ router: Router(), serviceKeys: testServiceKeys('channel-service'), callers });
    expect(() =>
      route({ method: 'post', path: '/internal/samples', summary: 'x', responses: { 200: 'ok' } }, (_q, r) => void r.end()),
    ).toThrow('POST /internal/samples has no entry in INTERNAL_CALLERS');
  });
});

describe('userRouteMounter and answering', () => {
  function echoApp() {
    const router = Router();
    const docs = new ApiDocs();
    const route = userRouteMounter({ router, docs });
    const spec = {
      method: 'post',
      path: '/echo',
      summary: 'echo',
      body: z.object({ word: z.string().min(1) }),
      responses: { 201: 'echoed' },
    } as const;
    route(
      spec,
      answering(spec, async (_req, echoed) => echoed),
    );
    return { app: express().use(express.json(), authenticate(testTokenSettings), router, errorMiddleware()), docs };
  }

  it('when a route is called, then the token and the documented body schema are checked first, and it answers with the documented status', async () => {
    const { app } = echoApp();
    const who = bearer(uniqueName('echo'));
    expect((await request(app).post('/echo').send({ word: 'coin' })).status).toBe(401);
    expect((await request(app).post('/echo').set('Authorization', who).send({ word: 3 })).status).toBe(400);
    expect((await request(app).post('/echo').set('Authorization', who).send({ word: '' })).status).toBe(422);
    const res = await request(app).post('/echo').set('Authorization', who).send({ word: 'coin', extra: true });
    expect([res.status, res.body]).toEqual([201, { word: 'coin' }]);
  });

  it('when a route is mounted, then it is documented as a user route with the shared 401 beside its own answers', () => {
    const operation = (echoApp().docs.document({ title: 't', description: 'd' }) as Doc).paths['/echo'].post;
    expect(operation.security).toEqual([{ bearerAuth: [] }]);
    expect(Object.keys(operation.responses)).toEqual(['201', '401']);
  });

  it('when a route documents two success statuses, then answering fails at start-up', () => {
    const spec = { method: 'post', path: '/channel/:name/both', summary: 'x', responses: { 200: 'kept', 201: 'made' } } as const;
    expect(() => answering(spec, async () => ({}))).toThrow('POST /channel/:name/both documents 2 success statuses, not one');
  });
});
