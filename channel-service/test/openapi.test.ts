import request from 'supertest';
import { useApp } from './support';

type Operation = { responses: Record<string, { content?: { 'application/json'?: { schema?: { $ref?: string } } } }> };
type Doc = { paths: Record<string, Record<string, Operation>> };

const ROUTES = [
  'GET /channel',
  'POST /channel',
  'GET /channel/{name}',
  'PATCH /channel/{name}',
  'DELETE /channel/{name}',
  'GET /channel/{name}/config',
  'GET /channel/{name}/users',
  'POST /channel/{name}/topic',
  'POST /channel/{name}/mode',
  'POST /channel/{name}/join',
  'POST /channel/{name}/part',
  'POST /channel/{name}/invite',
  'POST /channel/{name}/ban',
  'DELETE /channel/{name}/ban/{pseudo}',
  'POST /channel/{name}/kick',
  'POST /channel/{name}/moderators',
  'DELETE /channel/{name}/moderators/{pseudo}',
  'GET /internal/channels/{name}/access/{pseudo}',
  'GET /internal/users/{pseudo}/channels',
  'GET /internal/users/{pseudo}/memberships',
  'GET /internal/channels',
  'POST /internal/access/batch',
  'GET /internal/events',
];

describe('GET /openapi.json', () => {
  const t = useApp('sqlite');

  it('when the document is served, then it describes every route of the service and nothing else', async () => {
    const res = await request(t.app).get('/openapi.json');
    expect(res.status).toBe(200);
    const doc = res.body as Doc;
    const operations = Object.entries(doc.paths).flatMap(([p, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${p}`));
    expect(operations.sort()).toEqual([...ROUTES].sort());
  });

  it('when read, then the answers refer to their named schemas, the access answer to the contracts ChannelAccess', async () => {
    const doc = (await request(t.app).get('/openapi.json')).body as Doc;
    const answer = (p: string, m: string, status: string) => doc.paths[p][m].responses[status].content?.['application/json']?.schema?.$ref;
    expect(answer('/internal/channels/{name}/access/{pseudo}', 'get', '200')).toBe('#/components/schemas/ChannelAccess');
    expect(answer('/channel', 'post', '201')).toBe('#/components/schemas/ChannelConfig');
    expect(answer('/channel/{name}/join', 'post', '200')).toBe('#/components/schemas/Result');
    expect(answer('/channel/{name}/join', 'post', '403')).toBe('#/components/schemas/Error');
    expect(answer('/internal/events', 'get', '200')).toBe('#/components/schemas/EventFeedPage');
  });
});
