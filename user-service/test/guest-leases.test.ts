import request from 'supertest';
import { bearer, serviceBearer, testDatabases, uniqueName } from '@canaduck/testing';
import { claimed, doorCalls, useService } from './support';

describe.each(testDatabases())('guest leases (%s)', (kind) => {
  // A clock the tests move: leases run out without sleeping.
  let clock = Date.now();
  const svc = useService(kind, { now: () => clock });
  const { guest, renew, claim } = doorCalls(svc);

  it('when a door renews its guests, then only the leases it holds move on, and they are never claimed while renewed', async () => {
    const doorA = uniqueName('door');
    const doorB = uniqueName('door');
    const mine = await guest(doorA);
    const theirs = await guest(doorB);
    const res = await renew(doorA, [mine.toUpperCase(), theirs, uniqueName('nobody')]);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ renewed: [mine.toUpperCase()] });
    clock += 20_000;
    await renew(doorA, [mine]).expect(200);
    clock += 20_000;
    // 40 s after creation: doorB's guest (never renewed) expired; doorA's was renewed 20 s ago.
    const swept = await claim(doorA);
    expect(swept.status).toBe(200);
    expect(claimed(swept)).toContain(theirs);
    expect(claimed(swept)).not.toContain(mine);
  });

  it('when a guest lease runs out, then one claimer gets it with a token of the guest, and its old door can no longer renew it', async () => {
    const dead = uniqueName('door');
    const pseudo = await guest(dead, 5);
    expect(claimed(await claim(uniqueName('door')))).not.toContain(pseudo);
    clock += 6_000;
    const claimer = uniqueName('door');
    const [first, second] = await Promise.all([claim(claimer), claim(uniqueName('door'))]);
    const winners = [first, second].filter((r) => claimed(r).includes(pseudo));
    expect(winners).toHaveLength(1);
    const entry = winners[0].body.guests.find((g: { pseudo: string }) => g.pseudo === pseudo);
    // The token is the guest's: it acts as them (here: sets their status).
    await request(svc.app).post('/user/status').set('Authorization', `Bearer ${entry.token}`).send({ status: 'busy' }).expect(200);
    expect((await renew(dead, [pseudo])).body).toEqual({ renewed: [] });
    // Claimed with a new lease: nobody else takes it until that one runs out too.
    expect(claimed(await claim(uniqueName('door')))).not.toContain(pseudo);
    await request(svc.app)
      .delete(`/internal/guests/${pseudo}`)
      .set('Authorization', serviceBearer('irc-service', 'user-service'))
      .expect(200);
    clock += 60_000;
    expect(claimed(await claim(uniqueName('door')))).not.toContain(pseudo);
  });

  it('when a door starts again under its instance id with reclaim_own, then it claims its own unexpired guests, not the others', async () => {
    const door = uniqueName('door');
    const own = await guest(door, 600);
    const other = await guest(uniqueName('door'), 600);
    expect(claimed(await claim(door))).not.toContain(own);
    const res = await claim(door, { reclaim_own: true });
    expect(claimed(res)).toContain(own);
    expect(claimed(res)).not.toContain(other);
  });

  it('when the body is bad or the caller is not a service, then 400/422 or 401', async () => {
    await request(svc.app)
      .post('/internal/guests/leases')
      .set('Authorization', serviceBearer('irc-service', 'user-service'))
      .send({ owner: 'a' })
      .expect(400);
    const tooLong = await renew('a', ['x'], 7200);
    expect(tooLong.status).toBe(422);
    expect(tooLong.body.code).toBe('validation_failed');
    expect(
      (
        await renew(
          'a',
          Array.from({ length: 1001 }, (_, i) => `g${i}`),
        )
      ).status,
    ).toBe(422);
    await request(svc.app)
      .post('/internal/guests/expired')
      .set('Authorization', serviceBearer('irc-service', 'user-service'))
      .send({})
      .expect(400);
    expect((await claim('a', { limit: 0 })).status).toBe(422);
    await request(svc.app).post('/internal/guests/expired').send({ owner: 'a', lease_seconds: 30 }).expect(401);
    await request(svc.app)
      .post('/internal/guests/leases')
      .set('Authorization', bearer('someone', ['user', 'admin']))
      .send({ owner: 'a', lease_seconds: 30, pseudos: [] })
      .expect(401);
  });
});
