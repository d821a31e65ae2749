import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { createDatabase, isMysql, isMysqlUrl, pingDatabase, runMigrations, toIso, type Knex, type Migration } from '@canaduck/db';

type Kind = 'sqlite' | 'mysql';
const kinds: Kind[] = process.env.TEST_MYSQL_URL ? ['sqlite', 'mysql'] : ['sqlite'];
const mysqlBase = () => process.env.TEST_MYSQL_URL!.replace(/\/+$/, '');
const uniqueDb = () => `t_dblib_${randomBytes(4).toString('hex')}`;

const notes: Migration = {
  name: '001-notes',
  up: async (knex) => {
    await knex.schema.createTable('notes', (t) => {
      t.increments('id');
      t.string('title', 100).notNullable();
      t.text('body').notNullable();
      t.bigInteger('created_at').notNullable();
    });
  },
};
const tags: Migration = {
  name: '002-tags',
  up: async (knex) => {
    await knex.schema.alterTable('notes', (t) => {
      t.string('tag', 50).nullable();
    });
  },
};

/** One database per test: SQLite in a temporary folder, or a uniquely named MySQL database dropped afterwards. */
async function openFresh(kind: Kind): Promise<{ knex: Knex; cleanup: () => Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-db-'));
    const knex = await createDatabase({ service: 'dbtest', dataDir: dir });
    return {
      knex,
      cleanup: async () => {
        await knex.destroy();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const name = uniqueDb();
  const knex = await createDatabase({ service: 'dbtest', url: `${mysqlBase()}/${name}` });
  return {
    knex,
    cleanup: async () => {
      await knex.raw('DROP DATABASE IF EXISTS ??', [name]);
      await knex.destroy();
    },
  };
}

describe.each(kinds)('database library on %s', (kind) => {
  let knex: Knex;
  let cleanup: () => Promise<void>;
  beforeEach(async () => {
    ({ knex, cleanup } = await openFresh(kind));
  });
  afterEach(async () => {
    await cleanup();
  });

  it('when the database is open, then it answers the ping and reports its driver', async () => {
    expect(await pingDatabase(knex)).toBe(true);
    expect(isMysql(knex)).toBe(kind === 'mysql');
  });

  it('when migrations run, then the tables exist and each migration is recorded once', async () => {
    await runMigrations(knex, [notes]);
    expect(await knex.schema.hasTable('notes')).toBe(true);
    expect(await knex.schema.hasColumn('notes', 'tag')).toBe(false);
    await runMigrations(knex, [notes]);
    await runMigrations(knex, [notes, tags]);
    expect(await knex.schema.hasColumn('notes', 'tag')).toBe(true);
    const done = await knex('knex_migrations').select('name').orderBy('id');
    expect(done.map((r: { name: string }) => r.name)).toEqual(['001-notes', '002-tags']);
  });

  (kind === 'mysql' ? it : it.skip)(
    'when replicas run the migrations at the same time on a fresh database, then both start and each runs once',
    async () => {
      const url = `${mysqlBase()}/${knex.client.config.connection.database as string}`;
      const replicas = await Promise.all([1, 2, 3].map(() => createDatabase({ service: 'dbtest', url })));
      try {
        await Promise.all(replicas.map((r) => runMigrations(r, [notes, tags])));
        const done = await knex('knex_migrations').select('name').orderBy('id');
        expect(done.map((r: { name: string }) => r.name)).toEqual(['001-notes', '002-tags']);
        expect(await knex('knex_migrations_lock').select('is_locked')).toEqual([{ is_locked: 0 }]);
      } finally {
        await Promise.all(replicas.map((r) => r.destroy()));
      }
    },
  );

  it('when a custom migrations table is named, then the history is kept there', async () => {
    await runMigrations(knex, [notes], 'dbtest_migrations');
    expect(await knex.schema.hasTable('dbtest_migrations')).toBe(true);
    expect(await knex.schema.hasTable('knex_migrations')).toBe(false);
  });

  it('when a migration fails, then the error surfaces and it is not recorded', async () => {
    const broken: Migration = {
      name: '003-broken',
      up: async (k) => {
        await k.raw('THIS IS NOT SQL');
      },
    };
    // Not `rejects.toThrow()`: better-sqlite3's native addon keeps the error class of the first
    // jest test file of a worker, so in later files its errors fail `instanceof Error`.
    await expect(runMigrations(knex, [notes, broken])).rejects.toHaveProperty('message', expect.stringMatching(/syntax/));
    const done = await knex('knex_migrations').select('name');
    expect(done.map((r: { name: string }) => r.name)).not.toContain('003-broken');
  });

  it('when text with emoji and other scripts is stored, then it comes back byte for byte', async () => {
    await runMigrations(knex, [notes]);
    const title = 'canard 🦆 👍🏽 🇫🇷';
    const body = '日本語, עברית, emoji in a ZWJ sequence 👨‍👩‍👧‍👦 and a 4-byte one 𝄞';
    const [id] = await knex('notes').insert({ title, body, created_at: Date.UTC(2026, 0, 2, 3, 4, 5) });
    const row = await knex('notes').where({ id }).first();
    expect(row.title).toBe(title);
    expect(row.body).toBe(body);
    expect(toIso(Number(row.created_at))).toBe('2026-01-02T03:04:05.000Z');
    const found = await knex('notes').where('title', 'like', '%🦆%');
    expect(found).toHaveLength(1);
  });

  it('when epoch milliseconds beyond 2^31 are stored in a bigInteger, then they come back exactly', async () => {
    await runMigrations(knex, [notes]);
    const ms = 4102444800123; // 2100-01-01T00:00:00.123Z
    await knex('notes').insert({ title: 't', body: 'b', created_at: ms });
    const row = await knex('notes').first();
    expect(Number(row.created_at)).toBe(ms);
    expect(toIso(Number(row.created_at))).toBe('2100-01-01T00:00:00.123Z');
  });

  it('when the pool is closed, then the ping answers false instead of throwing', async () => {
    const other = await openFresh(kind);
    await other.knex.destroy();
    expect(await pingDatabase(other.knex)).toBe(false);
    // cleanup of the second database still needs a live connection for MySQL.
    if (kind === 'mysql') {
      const dbName = other.knex.client.config.connection.database as string;
      await knex.raw('DROP DATABASE IF EXISTS ??', [dbName]);
    }
  });
});

describe('SQLite specifics', () => {
  it('when the data folder does not exist, then it is created with <service>.sqlite inside', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-db-'));
    const dataDir = path.join(root, 'nested', 'data');
    const knex = await createDatabase({ service: 'channel-service', dataDir });
    try {
      await knex.raw('SELECT 1');
      expect(fs.existsSync(path.join(dataDir, 'channel-service.sqlite'))).toBe(true);
      const [{ journal_mode }] = await knex.raw('PRAGMA journal_mode');
      expect(journal_mode).toBe('wal');
      const [{ foreign_keys }] = await knex.raw('PRAGMA foreign_keys');
      expect(foreign_keys).toBe(1);
    } finally {
      await knex.destroy();
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('when the data is written and the database reopened, then it is still there', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'canaduck-db-'));
    try {
      const first = await createDatabase({ service: 's', dataDir: dir });
      await runMigrations(first, [notes]);
      await first('notes').insert({ title: 'kept', body: '🦆', created_at: 1 });
      await first.destroy();
      const second = await createDatabase({ service: 's', dataDir: dir });
      await runMigrations(second, [notes]);
      expect(await second('notes').pluck('title')).toEqual(['kept']);
      await second.destroy();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('when sqliteFile is :memory:, then no file is written', async () => {
    const knex = await createDatabase({ service: 'mem', sqliteFile: ':memory:' });
    expect(await pingDatabase(knex)).toBe(true);
    await knex.destroy();
  });
});

(process.env.TEST_MYSQL_URL ? describe : describe.skip)('MySQL specifics', () => {
  it('when the database named in the URL is missing, then it is created with utf8mb4', async () => {
    const name = uniqueDb();
    const knex = await createDatabase({ service: 'dbtest', url: `${mysqlBase()}/${name}` });
    try {
      const [rows] = await knex.raw(
        'SELECT DEFAULT_CHARACTER_SET_NAME AS cs, DEFAULT_COLLATION_NAME AS co FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?',
        [name],
      );
      expect(rows).toEqual([{ cs: 'utf8mb4', co: 'utf8mb4_unicode_ci' }]);
      const [[conn]] = await knex.raw('SELECT @@character_set_client AS client, @@character_set_results AS results');
      expect(conn).toEqual({ client: 'utf8mb4', results: 'utf8mb4' });
    } finally {
      await knex.raw('DROP DATABASE IF EXISTS ??', [name]);
      await knex.destroy();
    }
  });

  it('when the URL says mysql2://, then it is accepted as MySQL too', async () => {
    const name = uniqueDb();
    const knex = await createDatabase({ service: 'dbtest', url: `${mysqlBase().replace(/^mysql:/, 'mysql2:')}/${name}` });
    expect(isMysql(knex)).toBe(true);
    await knex.raw('DROP DATABASE IF EXISTS ??', [name]);
    await knex.destroy();
  });

  it('when the user and password hold URL-encoded characters, then they are decoded', async () => {
    const admin = await createDatabase({ service: 'dbtest', url: mysqlBase() });
    const user = `cd_${randomBytes(3).toString('hex')}`;
    const password = 'p@ss:w/rd#1%';
    const name = uniqueDb();
    try {
      for (const host of ['localhost', '127.0.0.1', '%']) {
        await admin.raw('CREATE USER ?@? IDENTIFIED BY ?', [user, host, password]);
        await admin.raw('GRANT ALL ON ??.* TO ?@?', [name, user, host]);
      }
      const u = new URL(mysqlBase());
      const url = `mysql://${user}:${encodeURIComponent(password)}@${u.host}/${name}`;
      const knex = await createDatabase({ service: 'dbtest', url });
      expect(await pingDatabase(knex)).toBe(true);
      await knex.destroy();
    } finally {
      for (const host of ['localhost', '127.0.0.1', '%']) await admin.raw('DROP USER IF EXISTS ?@?', [user, host]);
      await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
      await admin.destroy();
    }
  });

  it('when the server cannot be reached, then createDatabase fails with the connection error', async () => {
    await expect(createDatabase({ service: 'dbtest', url: 'mysql://root@127.0.0.1:1/nothing' })).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });
});

describe('helpers', () => {
  it('when isMysqlUrl reads URLs, then only mysql:// and mysql2:// count', () => {
    expect(isMysqlUrl('mysql://u:p@h:3306/d')).toBe(true);
    expect(isMysqlUrl('MYSQL2://h/d')).toBe(true);
    expect(isMysqlUrl('postgres://h/d')).toBe(false);
    expect(isMysqlUrl('')).toBe(false);
    expect(isMysqlUrl(undefined)).toBe(false);
  });

  it.each([
    [null, null],
    [undefined, null],
    [0, '1970-01-01T00:00:00.000Z'],
    [1764000000000, '2025-11-24T16:00:00.000Z'],
    [new Date('2026-03-01T10:00:00Z'), '2026-03-01T10:00:00.000Z'],
    ['2026-03-01 10:00:00', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T12:00:00+02:00', '2026-03-01T10:00:00.000Z'],
    ['2026-03-01T10:00:00Z', '2026-03-01T10:00:00.000Z'],
    ['garbage', 'garbage'],
  ])('when toIso reads %p, then it gives %p', (input, expected) => {
    expect(toIso(input)).toBe(expected);
  });

  (process.env.TEST_MYSQL_URL ? it : it.skip)(
    'when the MySQL server stops answering, then the ping answers false within its timeout',
    async () => {
      const target = new URL(mysqlBase());
      const proxy = await freezableProxy(target.hostname, Number(target.port || 3306));
      const name = uniqueDb();
      const viaProxy = new URL(`${mysqlBase()}/${name}`);
      viaProxy.host = `127.0.0.1:${proxy.port}`;
      const knex = await createDatabase({ service: 'dbtest', url: viaProxy.toString() });
      try {
        expect(await pingDatabase(knex, 200)).toBe(true);
        proxy.freeze();
        const started = Date.now();
        expect(await pingDatabase(knex, 200)).toBe(false);
        // Without the timeout the ping would wait forever; the bound only leaves room for a loaded machine.
        expect(Date.now() - started).toBeLessThan(3000);
      } finally {
        await proxy.close();
        await knex.destroy();
        const admin = await createDatabase({ service: 'dbtest', url: mysqlBase() });
        await admin.raw('DROP DATABASE IF EXISTS ??', [name]);
        await admin.destroy();
      }
    },
  );
});

/** A TCP relay to the database that can stop passing bytes: from the client's side, a frozen server. */
async function freezableProxy(host: string, port: number) {
  const sockets = new Set<net.Socket>();
  let frozen = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(port, host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ]) {
      sockets.add(from);
      from.on('data', (chunk) => frozen || to.write(chunk));
      from.on('error', () => undefined);
      from.on('close', () => to.destroy());
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as net.AddressInfo).port,
    freeze: () => {
      frozen = true;
    },
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
