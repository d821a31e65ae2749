import request from 'supertest';
import { testDatabases, uniqueName } from '@canaduck/testing';
import { identiconDataUri } from '../src/domain/identicon';
import { registerUser, signedUp, useService } from './support';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(32, 1)]);

describe.each(testDatabases())('avatars: GET /user/avatar/<pseudo>, POST /user/avatar (%s)', (kind) => {
  const svc = useService(kind);

  it('when no avatar was set, then a deterministic SVG identicon of the lower-cased pseudo', async () => {
    const user = await registerUser(svc.app, 'Av');
    const res = await request(svc.app).get(`/user/avatar/${user.pseudo}`);
    expect(res.status).toBe(200);
    expect(res.body.pseudo).toBe(user.pseudo);
    expect(res.body.avatar_url).toBe(identiconDataUri(user.pseudo.toLowerCase()));
    const svg = Buffer.from(res.body.avatar_url.split(',')[1], 'base64').toString('utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]*>.*<\/svg>$/);
    expect((await request(svc.app).get(`/user/avatar/${user.pseudo}`)).body.avatar_url).toBe(res.body.avatar_url);
    expect(identiconDataUri(uniqueName('other'))).not.toBe(res.body.avatar_url);
  });

  it.each([
    ['an https URL', 'https://example.org/roger.png'],
    ['a PNG data URI', `data:image/png;base64,${PNG.toString('base64')}`],
    ['an SVG data URI', `data:image/svg+xml;base64,${Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"></svg>').toString('base64')}`],
  ])('when the user sets %s, then it is returned by avatar and whois', async (_w, url) => {
    const user = await signedUp(svc.app);
    const res = await request(svc.app).post('/user/avatar').set('Authorization', user.auth).send({ avatar_url: url });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ pseudo: user.pseudo, avatar_url: url });
    expect((await request(svc.app).get(`/user/avatar/${user.pseudo}`)).body.avatar_url).toBe(url);
  });

  it('when the image is exactly 64 KB, then it is accepted; one byte more, then 422', async () => {
    const user = await signedUp(svc.app);
    const big = Buffer.concat([PNG.subarray(0, 8), Buffer.alloc(64 * 1024 - 8, 7)]);
    const ok = `data:image/png;base64,${big.toString('base64')}`;
    await request(svc.app).post('/user/avatar').set('Authorization', user.auth).send({ avatar_url: ok }).expect(200);
    expect((await request(svc.app).get(`/user/avatar/${user.pseudo}`)).body.avatar_url).toBe(ok);
    const tooBig = `data:image/png;base64,${Buffer.concat([big, Buffer.from([0])]).toString('base64')}`;
    await request(svc.app).post('/user/avatar').set('Authorization', user.auth).send({ avatar_url: tooBig }).expect(422);
  });

  it('when the avatar is reset with null, then the identicon comes back', async () => {
    const user = await signedUp(svc.app);
    await request(svc.app)
      .post('/user/avatar')
      .set('Authorization', user.auth)
      .send({ avatar_url: 'https://example.org/a.png' })
      .expect(200);
    const res = await request(svc.app).post('/user/avatar').set('Authorization', user.auth).send({ avatar_url: null });
    expect(res.status).toBe(200);
    expect(res.body.avatar_url).toBe(identiconDataUri(user.pseudo));
  });

  it.each([
    ['a javascript: URL', 'javascript:alert(1)'],
    ['a file: URL', 'file:///etc/passwd'],
    ['a GIF data URI', 'data:image/gif;base64,R0lGODlhAQABAAAAACw='],
    ['a PNG data URI that is not a PNG', `data:image/png;base64,${Buffer.from('hello world').toString('base64')}`],
    ['broken base64', 'data:image/png;base64,@@@'],
    ['not a URL', 'just text'],
    ['a URL with credentials', 'https://user:pw@example.org/a.png'],
    ['a URL over 2048 characters', `https://example.org/${'a'.repeat(2048)}`],
  ])('when the avatar is %s, then 422', async (_w, url) => {
    const user = await signedUp(svc.app);
    const res = await request(svc.app).post('/user/avatar').set('Authorization', user.auth).send({ avatar_url: url });
    expect(res.status).toBe(422);
  });

  it('when avatar_url is missing or a number, then 400', async () => {
    const user = await signedUp(svc.app);
    await request(svc.app).post('/user/avatar').set('Authorization', user.auth).send({}).expect(400);
    await request(svc.app).post('/user/avatar').set('Authorization', user.auth).send({ avatar_url: 3 }).expect(400);
  });

  it('when there is no token, then 401', async () => {
    await request(svc.app).post('/user/avatar').send({ avatar_url: 'https://example.org/a.png' }).expect(401);
  });

  it('when the user is unknown, then 404', async () => {
    await request(svc.app)
      .get(`/user/avatar/${uniqueName('ghost')}`)
      .expect(404);
  });
});
