import { verifyServiceToken, verifyUserToken } from '@canaduck/auth';
import { UnauthorizedError } from '@canaduck/errors';
import { isMysql, type Migration } from '@canaduck/db';
import {
  bearer,
  createTestDatabase,
  expiredToken,
  missingChannelAccess,
  serviceBearer,
  testDatabases,
  testServiceKeys,
  testFeedAccess,
  testTokenSettings,
  uniqueName,
  userToken,
  waitUntil,
} from '@canaduck/testing';

const migrations: Migration[] = [
  {
    name: '001-things',
    up: async (knex) => {
      await knex.schema.createTable('things', (t) => {
        t.increments('id');
        t.text('label');
      });
    },
  },
];

describe('testDatabases', () => {
  const saved = process.env.TEST_MYSQL_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.TEST_MYSQL_URL;
    else process.env.TEST_MYSQL_URL = saved;
  });

  it('when TEST_MYSQL_URL is unset, then only SQLite is tested; when set, MySQL too', () => {
    delete process.env.TEST_MYSQL_URL;
    expect(testDatabases()).toEqual(['sqlite']);
    process.env.TEST_MYSQL_URL = 'mysql://root@127.0.0.1:3306';
    expect(testDatabases()).toEqual(['sqlite', 'mysql']);
  });
});

describe.each(testDatabases())('createTestDatabase on %s', (kind) => {
  it('when a test database is created, then it is migrated, isolated, and destroyed afterwards', async () => {
    const a = await createTestDatabase('testing-lib', migrations, kind);
    const b = await createTestDatabase('testing-lib', migrations, kind);
    try {
      expect(isMysql(a.knex)).toBe(kind === 'mysql');
      await a.knex('things').insert({ label: 'only in a 🦆' });
      expect(await a.knex('things').pluck('label')).toEqual(['only in a 🦆']);
      expect(await b.knex('things').count({ n: '*' })).toEqual([{ n: 0 }]);
    } finally {
      await b.destroy();
    }
    if (kind === 'mysql') {
      const name = a.knex.client.config.connection.database as string;
      expect(name).toMatch(/^t_testing_lib_[0-9a-f]{8}$/);
      await a.destroy();
      const probe = await createTestDatabase('testing-lib-probe', [], 'mysql');
      const [rows] = await probe.knex.raw('SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [name]);
      await probe.destroy();
      expect(rows).toEqual([]);
    } else {
      await a.destroy();
    }
  });
});

describe('createTestDatabase without a MySQL URL', () => {
  it('when MySQL is asked for but TEST_MYSQL_URL is unset, then it fails clearly', async () => {
    const saved = process.env.TEST_MYSQL_URL;
    delete process.env.TEST_MYSQL_URL;
    try {
      await expect(createTestDatabase('x', migrations, 'mysql')).rejects.toThrow('TEST_MYSQL_URL is not set');
    } finally {
      if (saved !== undefined) process.env.TEST_MYSQL_URL = saved;
    }
  });
});

describe('test tokens', () => {
  it('when a user bearer is made, then it verifies with the test settings', async () => {
    const header = bearer('roger', ['user', 'admin']);
    expect(header.startsWith('Bearer ')).toBe(true);
    expect(await verifyUserToken(header.slice(7), testTokenSettings)).toEqual({ pseudo: 'roger', roles: ['user', 'admin'] });
    expect(await verifyUserToken(userToken('ann'), testTokenSettings)).toEqual({ pseudo: 'ann', roles: ['user'] });
  });

  it("when a service bearer is made, then the callee's derived keys verify it and name the caller", async () => {
    expect(await verifyServiceToken(serviceBearer('channel-service', 'user-service').slice(7), testServiceKeys('user-service'))).toBe(
      'channel-service',
    );
    await expect(
      verifyServiceToken(serviceBearer('channel-service', 'user-service').slice(7), testServiceKeys('message-service')),
    ).rejects.toThrow(/audience/);
  });

  it('when feed access is asked for a service, then it names the callers of INTERNAL_CALLERS; a service without a feed throws', () => {
    expect(testFeedAccess('message-service').allowedCallers).not.toContain('gateway-service');
    expect(() => testFeedAccess('gateway-service')).toThrow(/no event feed/);
  });

  it('when an expired token is made, then verification refuses it as expired', async () => {
    await expect(verifyUserToken(expiredToken('roger'), testTokenSettings)).rejects.toThrow(UnauthorizedError);
    await expect(verifyUserToken(expiredToken('roger'), testTokenSettings)).rejects.toThrow('token expired');
  });

  it('when unique names are made, then they differ and keep the prefix', () => {
    const names = new Set(Array.from({ length: 100 }, () => uniqueName('ch')));
    expect(names.size).toBe(100);
    for (const n of names) expect(n).toMatch(/^ch[0-9a-f]{8}$/);
    expect(uniqueName()).toMatch(/^u[0-9a-f]{8}$/);
  });
});

describe('waitUntil', () => {
  it('when the state is reached after a few polls, then it resolves', async () => {
    let polls = 0;
    await waitUntil(() => ++polls >= 3, 'three polls', 5000, 1);
    expect(polls).toBe(3);
  });

  it('when the state is never reached, then it fails after the deadline naming what it waited for', async () => {
    await expect(waitUntil(async () => false, 'the moon turns blue', 50, 5)).rejects.toThrow(
      'timed out after 50 ms waiting until the moon turns blue',
    );
  });
});

describe('missingChannelAccess', () => {
  it('when a channel does not exist, then the answer names it with every flag false and no id or role', () => {
    expect(missingChannelAccess('tech')).toEqual({
      channel: 'tech',
      channel_id: null,
      role: null,
      exists: false,
      private: false,
      secret: false,
      member: false,
      banned: false,
      can_read: false,
      can_post: false,
      can_moderate: false,
    });
  });
});
