import request from 'supertest';
import { testDatabases, uniqueName } from '@canaduck/testing';
import { DEFAULT_GUEST_ORPHAN_AFTER_SECONDS } from '../src/config';
import { allSequenced, auditLines, claimed, doorCalls, feed, signedUp, startService, useService } from './support';

const LEASE_MS = 30_000;
// GUEST_ORPHAN_AFTER_S left at its default.
const GRACE_MS = DEFAULT_GUEST_ORPHAN_AFTER_SECONDS * 1000;

describe.each(testDatabases())('orphaned guests: the sweep when no door is left (%s)', (kind) => {
  // A clock the tests move: leases and the grace run out without sleeping.
  let clock = Date.now();
  const svc = useService(kind, { now: () => clock, workers: true });
  const door = doorCalls(svc);

  const whois = async (pseudo: string) => (await request(svc.app).get(`/whois/${pseudo}`)).status;
  /** The user.deleted events of these pseudos in the feed, once every event written is sequenced. */
  async function deletions(pseudos: string[]) {
    await allSequenced(svc);
    return (await feed(svc)).filter((e) => e.type === 'user.deleted' && pseudos.includes(e.data.pseudo as string));
  }

  it('when a guest lease ran out more than the grace ago and no door claimed it, then a sweep deletes it: whois 404, one user.deleted, its pseudo free again', async () => {
    const pseudo = await door.guest(uniqueName('door'));
    clock += LEASE_MS + GRACE_MS + 1;
    const before = Date.now();
    expect(await svc.guestSweeper.sweep()).toContain(pseudo);
    expect(await whois(pseudo)).toBe(404);
    const events = await deletions([pseudo]);
    expect(events).toEqual([expect.objectContaining({ service: 'user', data: { pseudo, revoked_before: expect.any(String) } })]);
    expect(Date.parse(events[0].data.revoked_before as string)).toBeGreaterThanOrEqual(before);
    const logged = auditLines(svc, 'orphaned_guests_deleted').filter((l) => (l.pseudos as string[]).includes(pseudo));
    expect(logged).toEqual([expect.objectContaining({ level: 30, after_s: DEFAULT_GUEST_ORPHAN_AFTER_SECONDS })]);
    // Gone for the doors too: none claims it, the next sweep does not see it, the nick is free.
    expect(claimed(await door.claim(uniqueName('door')))).not.toContain(pseudo);
    expect(await svc.guestSweeper.sweep()).not.toContain(pseudo);
    await door.guest(uniqueName('door'), 30, pseudo);
  });

  it('when a guest lease ran out less than the grace ago, then it stays until the grace is over', async () => {
    const pseudo = await door.guest(uniqueName('door'));
    clock += LEASE_MS + GRACE_MS - 1_000;
    expect(await svc.guestSweeper.sweep()).not.toContain(pseudo);
    expect(await whois(pseudo)).toBe(200);
    clock += 2_000;
    expect(await svc.guestSweeper.sweep()).toContain(pseudo);
    expect(await whois(pseudo)).toBe(404);
  });

  it('when a door renews a guest or holds a long lease, then the sweep never takes it', async () => {
    const owner = uniqueName('door');
    const renewed = await door.guest(owner);
    const long = await door.guest(owner, 3600);
    // The door renews every third of its lease, for longer than the grace.
    for (let t = 0; t < GRACE_MS + 2 * LEASE_MS; t += LEASE_MS / 3) {
      clock += LEASE_MS / 3;
      await door.renew(owner, [renewed]).expect(200);
    }
    const swept = await svc.guestSweeper.sweep();
    expect(swept).not.toContain(renewed);
    expect(swept).not.toContain(long);
    expect(await whois(renewed)).toBe(200);
    expect(await whois(long)).toBe(200);
  });

  it('when a door claimed an expired guest (a new lease) and is removing it, then the sweep leaves it to that door', async () => {
    const pseudo = await door.guest(uniqueName('door'));
    clock += LEASE_MS + 1;
    const claimer = uniqueName('door');
    expect(claimed(await door.claim(claimer))).toContain(pseudo);
    // Long past the first lease's end plus the grace, but the claim's lease ended less than the grace ago.
    clock += GRACE_MS;
    expect(await svc.guestSweeper.sweep()).not.toContain(pseudo);
    expect(await whois(pseudo)).toBe(200);
  });

  it('when a door claims and the sweep runs at the same moment, then each orphaned guest goes to exactly one of them', async () => {
    const guests = await Promise.all(Array.from({ length: 6 }, () => door.guest(uniqueName('door'))));
    clock += LEASE_MS + GRACE_MS + 1;
    const [claim, swept] = await Promise.all([door.claim(uniqueName('door')), svc.guestSweeper.sweep()]);
    const byDoor = claimed(claim).filter((p) => guests.includes(p));
    const bySweep = swept.filter((p) => guests.includes(p));
    expect(byDoor.filter((p) => bySweep.includes(p))).toEqual([]);
    expect([...byDoor, ...bySweep].sort()).toEqual([...guests].sort());
    expect(await deletions(guests)).toHaveLength(bySweep.length);
  });

  it('when a registered account has no lease, or a stray expired lease under its pseudo, then the sweep never deletes it', async () => {
    const plain = await signedUp(svc.app, 'reg');
    const stray = await signedUp(svc.app, 'reg');
    await svc.knex('guest_leases').insert({ pseudo_key: stray.pseudo.toLowerCase(), owner: 'gone', expires_at: 0 });
    clock += LEASE_MS + GRACE_MS + 1;
    const swept = await svc.guestSweeper.sweep();
    expect(swept).not.toContain(plain.pseudo);
    expect(swept).not.toContain(stray.pseudo);
    expect(await whois(plain.pseudo)).toBe(200);
    expect(await whois(stray.pseudo)).toBe(200);
    expect(await deletions([plain.pseudo, stray.pseudo])).toEqual([]);
    // The stray lease went: the next sweep does not look at it again.
    expect(await svc.knex('guest_leases').where('pseudo_key', stray.pseudo.toLowerCase()).first()).toBeUndefined();
  });

  it('when two replicas sweep at the same moment, then each orphaned guest is deleted once: one user.deleted each', async () => {
    const replica = await startService(kind, { now: () => clock, database: svc.knex });
    try {
      const guests = await Promise.all(Array.from({ length: 12 }, () => door.guest(uniqueName('door'))));
      clock += LEASE_MS + GRACE_MS + 1;
      const [mine, theirs] = await Promise.all([svc.guestSweeper.sweep(), replica.guestSweeper.sweep()]);
      const ours = (list: string[]) => list.filter((p) => guests.includes(p));
      expect(ours(mine).filter((p) => ours(theirs).includes(p))).toEqual([]);
      expect([...ours(mine), ...ours(theirs)].sort()).toEqual([...guests].sort());
      const events = await deletions(guests);
      expect(events.map((e) => e.data.pseudo).sort()).toEqual([...guests].sort());
      for (const pseudo of guests) expect(await whois(pseudo)).toBe(404);
    } finally {
      await replica.close();
    }
  });
});

describe('orphaned guests: GUEST_ORPHAN_AFTER_S=0', () => {
  it('when the sweep is turned off, then it deletes no guest, however long expired: they wait for a door', async () => {
    let clock = Date.now();
    const svc = await startService('sqlite', { now: () => clock, settings: { guestOrphanAfterSeconds: 0 } });
    try {
      const pseudo = await doorCalls(svc).guest(uniqueName('door'));
      clock += LEASE_MS + GRACE_MS * 10;
      svc.guestSweeper.start();
      expect(await svc.guestSweeper.sweep()).toEqual([]);
      expect((await request(svc.app).get(`/whois/${pseudo}`)).status).toBe(200);
      expect(claimed(await doorCalls(svc).claim(uniqueName('door')))).toEqual([pseudo]);
    } finally {
      await svc.close();
    }
  });
});
