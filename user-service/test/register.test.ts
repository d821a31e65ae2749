import request from 'supertest';
import { testDatabases, uniqueName } from '@canaduck/testing';
import { PASSWORD, useService } from './support';

describe.each(testDatabases())('POST /register (%s)', (kind) => {
  const svc = useService(kind);

  const body = (pseudo = uniqueName('Reg')) => ({ pseudo, password: PASSWORD, email: `${pseudo}@canaduck.example` });

  it('when the input is valid, then 201 with the user, email included, never the password', async () => {
    const input = body();
    const res = await request(svc.app).post('/register').send(input);
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      pseudo: input.pseudo,
      email: input.email,
      status: 'offline',
      roles: ['user'],
      last_seen: null,
      avatar_url: expect.stringMatching(/^data:image\/svg\+xml;base64,/),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
    });
    expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    expect(JSON.stringify(res.body)).not.toMatch(/\$2[aby]\$/);
  });

  it('when the body asks for roles, then they are ignored', async () => {
    const res = await request(svc.app)
      .post('/register')
      .send({ ...body(), roles: ['admin'] });
    expect(res.status).toBe(201);
    expect(res.body.roles).toEqual(['user']);
  });

  it('when the pseudo is taken in another case, then 409 pseudo_taken', async () => {
    const first = body();
    await request(svc.app).post('/register').send(first).expect(201);
    const res = await request(svc.app)
      .post('/register')
      .send({ ...body(first.pseudo.toUpperCase()), email: `other-${first.email}` });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'this pseudo is already taken', code: 'pseudo_taken' });
  });

  it('when the email is taken in another case, then 409 email_taken', async () => {
    const first = body();
    await request(svc.app).post('/register').send(first).expect(201);
    const res = await request(svc.app)
      .post('/register')
      .send({ ...body(), email: first.email.toUpperCase() });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('email_taken');
  });

  it('when the pseudo belonged to a deleted account, then 409', async () => {
    const first = body();
    await request(svc.app).post('/register').send(first).expect(201);
    const login = await request(svc.app).post('/login').send({ pseudo: first.pseudo, password: PASSWORD }).expect(200);
    await request(svc.app).delete(`/user/${first.pseudo}`).set('Authorization', `Bearer ${login.body.token}`).expect(200);
    const res = await request(svc.app)
      .post('/register')
      .send({ ...body(first.pseudo), email: `new-${first.email}` });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('pseudo_taken');
  });

  it.each([
    ['a pseudo starting with a digit', { pseudo: '1roger' }, 'pseudo'],
    ['a pseudo longer than 30 characters', { pseudo: `a${'b'.repeat(30)}` }, 'pseudo'],
    ['a pseudo with a space', { pseudo: 'ro ger' }, 'pseudo'],
    ['a malformed email', { email: 'not-an-email' }, 'email'],
    ['a password of 7 bytes', { password: 'short12' }, 'password'],
    ['a password over 72 bytes', { password: 'é'.repeat(37) }, 'password'],
  ])('when the body has %s, then 422 naming the field', async (_what, override, field) => {
    const res = await request(svc.app)
      .post('/register')
      .send({ ...body(), ...override });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('validation_failed');
    expect(res.body.fields).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
  });

  it.each([
    ['no password', { password: undefined }],
    ['a numeric pseudo', { pseudo: 42 }],
    ['an email array', { email: ['a@b.c'] }],
  ])('when the body has %s, then 400', async (_what, override) => {
    const res = await request(svc.app)
      .post('/register')
      .send({ ...body(), ...override });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('invalid_input');
  });

  it('when the JSON is malformed, then 400 malformed_json', async () => {
    const res = await request(svc.app).post('/register').set('Content-Type', 'application/json').send('{"pseudo": ');
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('malformed_json');
  });

  it('when a password of exactly 72 bytes is used, then register and login both work', async () => {
    const input = { ...body(), password: 'ü'.repeat(36) };
    await request(svc.app).post('/register').send(input).expect(201);
    await request(svc.app).post('/login').send({ pseudo: input.pseudo, password: input.password }).expect(200);
  });
});
