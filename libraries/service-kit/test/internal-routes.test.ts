import express, { Router } from 'express';
import request from 'supertest';
import { errorMiddleware } from '@canaduck/errors';
import { ApiDocs, internalRouteMounter } from '@canaduck/service-kit';
import { serviceBearer, testServiceKeys } from '@canaduck/testing';

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
