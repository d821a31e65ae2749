// End-to-end checks of the stack itself: every service is up and ready, documents its API,
// and the gateway answers unknown and internal paths with a JSON 404.
// e2e-timeout-seconds: 60
import { BASE_URL, assert, check, expectJson, finish, request, serviceToken } from '../lib/e2e-check.mjs';

const services = [
  ['user-service', process.env.USER_SERVICE_URL ?? 'http://127.0.0.1:5001'],
  ['message-service', process.env.MESSAGE_SERVICE_URL ?? 'http://127.0.0.1:5002'],
  ['channel-service', process.env.CHANNEL_SERVICE_URL ?? 'http://127.0.0.1:5003'],
  ['gateway-service', BASE_URL],
  ['stats-service', process.env.STATS_SERVICE_URL ?? 'http://127.0.0.1:5005'],
];

for (const [name, url] of services) {
  await check(`${name} /health answers 200 { status: "ok" }`, async () => {
    const body = expectJson(await request('GET', `${url}/health`), 200);
    assert.equal(body.status, 'ok');
  });

  await check(`${name} /ready answers 200 { status: "ready" }`, async () => {
    const body = expectJson(await request('GET', `${url}/ready`), 200);
    assert.equal(body.status, 'ready');
  });

  await check(`${name} /openapi.json is an OpenAPI 3 document with paths`, async () => {
    const doc = expectJson(await request('GET', `${url}/openapi.json`), 200);
    assert.match(String(doc.openapi), /^3\./, 'openapi version');
    assert.equal(typeof doc.info?.title, 'string', 'info.title');
    assert.ok(doc.paths && Object.keys(doc.paths).length > 0, 'the document lists no path');
  });

  await check(`${name} echoes a safe X-Request-Id and replaces an unsafe one`, async () => {
    const kept = await request('GET', `${url}/health`, { headers: { 'x-request-id': 'e2e-req-42' } });
    assert.equal(kept.headers.get('x-request-id'), 'e2e-req-42');
    const replaced = await request('GET', `${url}/health`, { headers: { 'x-request-id': 'bad id <script>' } });
    assert.match(replaced.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
  });
}

await check('the gateway answers an unknown path with a JSON 404', async () => {
  const body = expectJson(await request('GET', '/no/such/route-for-e2e'), 404);
  assert.equal(typeof body.error, 'string');
  assert.equal(typeof body.code, 'string');
});

for (const [method, path] of [
  ['GET', '/internal/users/e2e'],
  ['POST', '/internal/activity'],
  ['GET', '/internal/channels/general/access'],
  ['GET', '/Internal/users/e2e'],
  ['GET', '/internal'],
]) {
  await check(`the gateway never routes ${method} ${path}: JSON 404, even with a valid service token`, async () => {
    const anonymous = expectJson(await request(method, path, { body: method === 'POST' ? {} : undefined }), 404);
    assert.equal(typeof anonymous.error, 'string');
    const withToken = await request(method, path, {
      token: await serviceToken('user-service', 'gateway-service'),
      body: method === 'POST' ? {} : undefined,
    });
    expectJson(withToken, 404);
  });
}

await check('the gateway serves Swagger UI at /docs', async () => {
  const res = await request('GET', '/docs/', { headers: { accept: 'text/html' }, redirect: 'follow' });
  assert.equal(res.status, 200, `status ${res.status}`);
  assert.match(res.headers.get('content-type') ?? '', /text\/html/);
});

finish();
