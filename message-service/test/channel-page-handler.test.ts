import nock from 'nock';
import request from 'supertest';
import { bearer, expiredToken, testDatabases, uniqueName } from '@canaduck/testing';
import { CHANNEL_URL, startService, type TestApp, useWorldApp } from './support';

/** What a client sees of an answer, but for the headers that differ between any two answers. */
function seen(res: request.Response) {
  const headers = { ...res.headers };
  delete headers.date;
  if (headers['x-request-id'] !== undefined)
    headers['x-request-id'] = /^[0-9a-f-]{36}$/.test(headers['x-request-id']) ? 'generated' : headers['x-request-id'];
  return { status: res.status, headers, body: res.text, headerOrder: Object.keys(headers).filter((h) => h !== 'date') };
}

/** The same request to the server's handler (GET /msg's fast path) and to the Express app alone. */
async function both(t: TestApp, url: string, headers: Record<string, string> = {}) {
  const send = (target: TestApp['app'] | TestApp['express']) => {
    const r = request(target).get(url);
    for (const [k, v] of Object.entries(headers)) r.set(k, v);
    return r;
  };
  const fast = await send(t.app);
  const express = await send(t.express);
  return { fast: seen(fast), express: seen(express) };
}

describe.each(testDatabases())('GET /msg fast path on %s', (kind) => {
  const { world, t, post } = useWorldApp(kind);

  test('when GET /msg is answered in front of Express, then status, headers and body are those Express writes', async () => {
    const roger = uniqueName('roger');
    const outsider = uniqueName('out');
    const channel = uniqueName('chan');
    const priv = uniqueName('priv');
    world.channel(channel, { owner: roger, banned: [outsider] });
    world.channel(priv, { owner: roger, modes: ['i', 'n', 't'] });
    for (let i = 0; i < 3; i++) await post(roger, { channel, text: `m${i} "quoted" é 🦆 \\ \n` });
    const auth = { Authorization: bearer(roger) };
    const cases: Array<[string, Record<string, string>]> = [
      [`/msg?channel=${channel}`, auth],
      [`/msg?channel=%23${channel.toUpperCase()}&limit=2&offset=1`, auth],
      [`/msg?channel=${channel}&before=999999999&limit=1`, auth],
      [`/msg?channel=${channel}`, { ...auth, 'X-Request-Id': 'client-id-1' }],
      [`/msg?channel=${channel}`, { ...auth, 'X-Request-Id': 'bad id with spaces' }],
      [`/msg?channel=${channel}&channel=other`, auth],
      [`/msg?channel=${channel}&limit=201`, auth],
      [`/msg?channel=${channel}&before=abc`, auth],
      ['/msg?channel=bad!name', auth],
      ['/msg', auth],
      ['/msg?', auth],
      [`/msg?channel=${uniqueName('nope')}`, auth],
      [`/msg?channel=${channel}`, { Authorization: bearer(outsider) }],
      [`/msg?channel=${priv}`, { Authorization: bearer(outsider) }],
      [`/msg?channel=${channel}`, {}],
      [`/msg?channel=${channel}`, { Authorization: 'Basic abc' }],
      [`/msg?channel=${channel}`, { Authorization: `Bearer ${expiredToken(roger)}` }],
      [`/msg?channel=${channel}`, { Authorization: 'Bearer a.b.c' }],
      // Taken by Express in both cases (a conditional request, another path): the same answer.
      [`/msg?channel=${channel}`, { ...auth, 'If-None-Match': '*' }],
      [`/msg/?channel=${channel}`, auth],
      [`/msgs?channel=${channel}`, auth],
    ];
    for (const [url, headers] of cases) {
      const { fast, express } = await both(t, url, headers);
      expect({ url, ...fast }).toEqual({ url, ...express });
    }
  });

  test('when the fast path serves a page, then it is the one a client reads through Express', async () => {
    const roger = uniqueName('roger');
    const channel = uniqueName('chan');
    world.channel(channel, { owner: roger });
    const m = (await post(roger, { channel, text: 'with reactions' })).body;
    await request(t.app).post('/msg/reaction').set('Authorization', bearer(roger)).send({ message_id: m.id, emoji: '🔥' }).expect(201);
    const res = await request(t.app).get(`/msg?channel=${channel}`).set('Authorization', bearer(roger)).expect(200);
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(res.text));
    expect(res.body.messages).toEqual([{ ...m, reactions: { '🔥': [roger] } }]);
  });
});

describe.each(testDatabases())('GET /msg fast path guards on %s', (kind) => {
  afterEach(() => nock.cleanAll());

  test('when the database is reported down, then the fast path answers the database gate 503 as Express does', async () => {
    const t = await startService(kind, { guards: { accessLog: 'errors', databaseUp: () => false } });
    try {
      const { fast, express } = await both(t, `/msg?channel=${uniqueName('chan')}`, { Authorization: bearer(uniqueName('r')) });
      expect(fast).toEqual(express);
      expect(fast.status).toBe(503);
      expect(JSON.parse(fast.body)).toEqual({ error: 'database unavailable', code: 'database_unavailable' });
    } finally {
      await t.close();
    }
  });

  test('when the page is not ready before the request deadline, then 503 request_timeout with Connection: close, as Express answers', async () => {
    const t = await startService(kind, { guards: { accessLog: 'errors', requestTimeoutMs: 150 } });
    try {
      nock(CHANNEL_URL)
        .persist()
        .get(/\/internal\/channels\/.*/)
        .delay(600)
        .reply(200, { exists: false, channel: 'x', channel_id: null });
      const { fast, express } = await both(t, `/msg?channel=${uniqueName('chan')}`, { Authorization: bearer(uniqueName('r')) });
      expect(fast).toEqual(express);
      expect(fast.status).toBe(503);
      expect(fast.headers.connection).toBe('close');
      expect(JSON.parse(fast.body)).toEqual({ error: 'no answer within 150 ms', code: 'request_timeout' });
      // The late answer of the route is dropped, and the service keeps serving.
      await new Promise((r) => setTimeout(r, 700));
    } finally {
      await t.close();
    }
  });
});
