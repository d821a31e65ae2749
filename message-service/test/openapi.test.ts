import request from 'supertest';
import { startService, type TestApp } from './support';

describe('GET /openapi.json', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startService('sqlite');
  });
  afterAll(() => t.close());

  test('when the document is fetched, then every route is described with its status codes', async () => {
    const res = await request(t.app).get('/openapi.json');
    expect(res.status).toBe(200);
    const paths = res.body.paths as Record<string, Record<string, { responses: Record<string, unknown> }>>;
    const expected: Array<[string, string[]]> = [
      ['/msg', ['post', 'get']],
      ['/msg/private', ['get']],
      ['/msg/thread/{id}', ['get']],
      ['/msg/{id}', ['put', 'delete']],
      ['/msg/reaction', ['post', 'delete']],
      ['/msg/pinned', ['get']],
      ['/msg/{id}/pin', ['post', 'delete']],
      ['/msg/search', ['get']],
      ['/internal/events', ['get']],
    ];
    for (const [path, methods] of expected) {
      for (const m of methods) {
        expect([path, m, Object.keys(paths[path]?.[m]?.responses ?? {}).length > 1]).toEqual([path, m, true]);
      }
    }
  });
});
