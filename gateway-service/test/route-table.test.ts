import { authNeed, pathOf, resolveRoute } from '../src/routing/route-table';

describe('resolveRoute', () => {
  test.each([
    ['/msg', 'message-service'],
    ['/msg/', 'message-service'],
    ['/msg/42/reactions', 'message-service'],
    ['/channel', 'channel-service'],
    ['/channel/tech/config', 'channel-service'],
    ['/whois/roger', 'user-service'],
    ['/user/roles/roger', 'user-service'],
    ['/.well-known/jwks.json', 'user-service'],
    ['/stats/hourly-activity', 'stats-service'],
    ['/fullinfo', 'gateway'],
    ['/docs/user-service/openapi.json', 'gateway'],
  ])('when the path is %s, then %s answers', (path, target) => {
    expect(resolveRoute(pathOf(path))?.target).toBe(target);
  });

  test.each([
    '/internal/events',
    '/msg/../internal/events',
    '/msg/%2E%2E/internal/events',
    '/channel/./x',
    '/msg/.%2e/internal',
    '/stats',
    '/fullinfo/x',
    'http://evil.example/internal/events',
    '*',
    '',
    '/',
  ])('when the path is %j, then nothing is routed', (path) => {
    expect(resolveRoute(pathOf(path))).toBeNull();
  });

  test('when a segment only starts with dots, then it is an ordinary name', () => {
    expect(resolveRoute(pathOf('/whois/..roger'))?.target).toBe('user-service');
  });
});

describe('authNeed', () => {
  const need = (method: string, path: string) => authNeed(method, resolveRoute(pathOf(path))!);
  test.each([
    ['POST', '/login', 'skip'],
    ['POST', '/register', 'skip'],
    ['POST', '/logout', 'user'],
    ['GET', '/msg', 'user'],
    ['GET', '/msg/private', 'user'],
    ['GET', '/fullinfo', 'user'],
    ['GET', '/channel', 'optional'],
    ['GET', '/whois/roger', 'optional'],
    ['PUT', '/channel/tech/topic', 'user'],
    ['DELETE', '/msg/3', 'user'],
    ['POST', '/user/roles/roger', 'admin'],
    ['DELETE', '/user/roles/roger/admin', 'admin'],
    ['POST', '/make-admin/roger', 'admin'],
    ['GET', '/user/roles/roger', 'optional'],
    ['PATCH', '/user/roger', 'user'],
  ])('when %s %s, then the token need is %s', (method, path, expected) => {
    expect(need(method, path)).toBe(expected);
  });
});
