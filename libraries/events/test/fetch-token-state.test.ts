import nock from 'nock';
import { ServiceClient } from '@canaduck/http-client';
import { fetchTokenState } from '@canaduck/events';

const BASE = 'http://user-service.fetch-token-state.test';

describe("fetchTokenState (user-service's GET /internal/users/<pseudo>/token-state)", () => {
  let http: ServiceClient;
  beforeEach(() => {
    http = new ServiceClient({ name: 'user-service', baseUrl: BASE, timeoutMs: 1000 });
  });
  afterEach(() => {
    http.close();
    nock.cleanAll();
  });

  it('when user-service answers the state, then it is given with revoked_before as epoch ms', async () => {
    nock(BASE)
      .get('/internal/users/Ada%5B1%5D/token-state')
      .reply(200, {
        pseudo: 'Ada[1]',
        deleted: false,
        roles: ['user', 'admin'],
        revoked_before: '2026-01-02T03:04:05.000Z',
      });
    await expect(fetchTokenState(http, 'Ada[1]')).resolves.toEqual({
      deleted: false,
      roles: ['user', 'admin'],
      revokedBefore: Date.parse('2026-01-02T03:04:05.000Z'),
    });
  });

  it('when the pseudo was never registered (404), then the state is undefined', async () => {
    nock(BASE).get('/internal/users/nobody/token-state').reply(404, { error: 'user nobody not found', code: 'user_not_found' });
    await expect(fetchTokenState(http, 'nobody')).resolves.toBeUndefined();
  });

  it('when user-service fails or answers another shape, then it is a 503 dependency_failed', async () => {
    nock(BASE).get('/internal/users/bob/token-state').reply(500, { error: 'boom', code: 'internal_error' });
    await expect(fetchTokenState(http, 'bob')).rejects.toMatchObject({ status: 503, code: 'dependency_failed' });
    nock(BASE).get('/internal/users/bob/token-state').reply(200, { pseudo: 'bob' });
    await expect(fetchTokenState(http, 'bob')).rejects.toMatchObject({ status: 503, code: 'dependency_failed' });
  });
});
