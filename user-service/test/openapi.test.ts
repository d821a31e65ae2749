import request from 'supertest';
import { testDatabases } from '@canaduck/testing';
import { startService } from './support';

const ROUTES: Array<[string, string]> = [
  ['post', '/register'],
  ['post', '/login'],
  ['post', '/logout'],
  ['get', '/whois/{pseudo}'],
  ['get', '/seen/{pseudo}'],
  ['get', '/ison'],
  ['patch', '/user/{pseudo}/password'],
  ['post', '/user/status'],
  ['get', '/user/avatar/{pseudo}'],
  ['post', '/user/avatar'],
  ['delete', '/user/{pseudo}'],
  ['get', '/user/roles/{pseudo}'],
  ['post', '/user/roles/{pseudo}'],
  ['delete', '/user/roles/{pseudo}/{role}'],
  ['post', '/make-admin/{pseudo}'],
  ['get', '/internal/users/{pseudo}'],
  ['post', '/internal/activity'],
  ['get', '/.well-known/jwks.json'],
];

describe.each(testDatabases())('GET /openapi.json (%s)', (kind) => {
  it('when fetched, then every route is documented with its responses', async () => {
    const svc = await startService(kind);
    try {
      const res = await request(svc.app).get('/openapi.json').expect(200);
      for (const [method, path] of ROUTES) {
        const op = res.body.paths?.[path]?.[method];
        expect({ route: `${method} ${path}`, documented: !!op }).toEqual({ route: `${method} ${path}`, documented: true });
        expect(Object.keys(op.responses).length).toBeGreaterThan(1);
      }
      expect(res.body.components.schemas).toHaveProperty('Whois');
    } finally {
      await svc.close();
    }
  });
});
