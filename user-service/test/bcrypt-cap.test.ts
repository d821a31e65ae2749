import request from 'supertest';
import { testDatabases } from '@canaduck/testing';
import { BcryptGate } from '../src/domain/bcrypt-gate';
import { PASSWORD, registerUser, useService } from './support';

describe('BcryptGate', () => {
  it('when more work arrives than slots and queue, then at most maxConcurrent run at once and the rest is refused with 503 bcrypt_busy', async () => {
    const gate = new BcryptGate({ maxConcurrent: 2, queueMax: 1, retryAfterSeconds: 2 });
    let running = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const work = () =>
      gate.run(async () => {
        running++;
        peak = Math.max(peak, running);
        await new Promise<void>((resolve) => release.push(resolve));
        running--;
        return 'done';
      });
    const admitted = [work(), work(), work()];
    await expect(work()).rejects.toMatchObject({ status: 503, code: 'bcrypt_busy', retryAfterSeconds: 2 });
    while (release.length < 2) await new Promise((r) => setImmediate(r));
    release.splice(0).forEach((r) => r());
    while (release.length < 1) await new Promise((r) => setImmediate(r));
    release.splice(0).forEach((r) => r());
    await expect(Promise.all(admitted)).resolves.toEqual(['done', 'done', 'done']);
    expect(peak).toBe(2);
  });
});

describe.each(testDatabases())('bcrypt concurrency cap at /login (%s)', (kind) => {
  const svc = useService(kind, { settings: { bcryptCost: 10, bcryptMaxConcurrent: 1, bcryptQueueMax: 1 } });

  it('when many logins arrive at once past BCRYPT_MAX_CONCURRENT and the queue, then the rest get 503 bcrypt_busy with Retry-After, never a 500', async () => {
    const user = await registerUser(svc.app);
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => request(svc.app).post('/login').send({ pseudo: user.pseudo, password: PASSWORD })),
    );
    const statuses = answers.map((r) => r.status);
    expect(statuses.filter((s) => s !== 200 && s !== 503)).toEqual([]);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    const busy = answers.filter((r) => r.status === 503);
    expect(busy.length).toBeGreaterThan(0);
    for (const r of busy) {
      expect(r.body).toEqual({ error: expect.any(String), code: 'bcrypt_busy' });
      expect(r.headers['retry-after']).toBe('1');
    }
    // Once the burst is over, logins work again.
    await request(svc.app).post('/login').send({ pseudo: user.pseudo, password: PASSWORD }).expect(200);
  });
});
