import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import { ROOT, environmentOf, readCompose } from './helpers/repo';

const SCRIPT = path.join(ROOT, 'deploy', 'mysql', 'init', '01-service-databases.sh');
const VARS = ['USER_DB_PASSWORD', 'MESSAGE_DB_PASSWORD', 'CHANNEL_DB_PASSWORD', 'STATS_DB_PASSWORD'];
const hex = () => randomBytes(16).toString('hex');

/** Runs the init script with a stand-in `mysql` on PATH that records the SQL it is fed. */
function runInit(env: Record<string, string>): { status: number | null; stderr: string; sql: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mysql-init-'));
  const out = path.join(dir, 'sql.txt');
  fs.writeFileSync(path.join(dir, 'mysql'), `#!/bin/sh\necho "$@" > "${out}.args"\ncat > "${out}"\n`, { mode: 0o755 });
  const res = spawnSync('bash', [SCRIPT], {
    env: { PATH: `${dir}:${process.env.PATH}`, MYSQL_ROOT_PASSWORD: 'root-pw-for-the-stub', ...env },
    encoding: 'utf8',
  });
  const sql = fs.existsSync(out) ? fs.readFileSync(out, 'utf8') : '';
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: res.status, stderr: res.stderr, sql };
}

const passwords = () => Object.fromEntries(VARS.map((v) => [v, hex()]));

describe('deploy/mysql/init/01-service-databases.sh', () => {
  it('when every password is set, then it creates each service database and user with grants on that database only', () => {
    const env = passwords();
    const { status, sql } = runInit(env);
    expect(status).toBe(0);
    const urls = Object.values(readCompose().services as Record<string, Record<string, unknown>>)
      .map((s) => environmentOf(s).DATABASE_URL)
      .filter(Boolean)
      .map((u) => /^mysql:\/\/([^:]+):\$\{([A-Z_]+):\?[^}]*\}@mysql:3306\/(\w+)$/.exec(u)!);
    expect(urls).toHaveLength(4);
    for (const [, user, variable, db] of urls) {
      // The user and database compose connects with are the ones the script creates.
      expect(sql).toContain(`CREATE DATABASE IF NOT EXISTS \`${db}\``);
      expect(sql).toContain(`CREATE USER IF NOT EXISTS '${user}'@'%' IDENTIFIED BY '${env[variable]}'`);
      const grants = sql.split('\n').filter((l) => l.startsWith('GRANT') && l.includes(`'${user}'`));
      expect(grants).toHaveLength(1);
      expect(grants[0]).toMatch(new RegExp(`ON \`${db}\`\\.\\* TO`));
    }
    expect(sql).not.toMatch(/ALL PRIVILEGES|ON \*\.\*|WITH GRANT OPTION|SUPER|FILE|PROCESS/);
  });

  it('when a password is missing, then it fails and names the variable', () => {
    for (const v of VARS) {
      const env = passwords();
      delete env[v];
      const { status, stderr, sql } = runInit(env);
      expect(status).not.toBe(0);
      expect(stderr).toContain(v);
      expect(sql).toBe('');
    }
  });

  it('when a password is short or holds characters unsafe in a URL or SQL, then it fails', () => {
    for (const bad of ['short', "quote'injection-1234", 'at@sign-in-a-password', 'slash/in/the/password']) {
      const { status, sql } = runInit({ ...passwords(), USER_DB_PASSWORD: bad });
      expect(status).not.toBe(0);
      expect(sql).toBe('');
    }
  });

  it('when checked out, then the script is executable (the mysql image runs it instead of sourcing it)', () => {
    expect(fs.statSync(SCRIPT).mode & 0o111).not.toBe(0);
    const mode = execFileSync('git', ['ls-files', '-s', '--', SCRIPT], { cwd: ROOT, encoding: 'utf8' }).split(' ')[0];
    if (mode) expect(mode).toBe('100755');
  });

  const mysqlUrl = process.env.TEST_MYSQL_URL;
  (mysqlUrl ? describe : describe.skip)('on a real server (TEST_MYSQL_URL)', () => {
    const tag = `st${randomBytes(4).toString('hex')}`;
    let root: Knex;
    const created: { dbs: string[]; users: string[] } = { dbs: [], users: [] };
    const connect = (user: string, password: string, database?: string) => {
      const u = new URL(mysqlUrl!);
      return knexFactory({
        client: 'mysql2',
        connection: { host: u.hostname, port: Number(u.port || 3306), user, password, database },
        pool: { min: 0, max: 1 },
        log: { warn: () => undefined, error: () => undefined, debug: () => undefined, deprecate: () => undefined },
      });
    };

    beforeAll(() => {
      const u = new URL(mysqlUrl!);
      root = connect(decodeURIComponent(u.username), decodeURIComponent(u.password));
    });
    afterAll(async () => {
      for (const d of created.dbs) await root.raw('DROP DATABASE IF EXISTS ??', [d]);
      for (const user of created.users) await root.raw(`DROP USER IF EXISTS ?@'%'`, [user]);
      await root.destroy();
    });

    it('when its SQL runs, then each user works in its own database and is refused in another', async () => {
      const env = passwords();
      const { status, sql } = runInit(env);
      expect(status).toBe(0);
      // Same statements, under names of our own so that no real canaduck_* database is touched.
      const renamed = sql.replace(/canaduck_(\w+)/g, `${tag}_db_$1`).replace(/'(\w+)_svc'/g, `'${tag}_$1'`);
      created.dbs = [...new Set([...renamed.matchAll(/`(\w+)`/g)].map((m) => m[1]))];
      created.users = [...new Set([...renamed.matchAll(/'(st\w+)'@/g)].map((m) => m[1]))];
      expect(created.dbs).toHaveLength(4);
      expect(created.users).toHaveLength(4);
      for (const statement of renamed
        .split(';')
        .map((s) => s.trim())
        .filter(Boolean))
        await root.raw(statement);

      const user = connect(`${tag}_user`, env.USER_DB_PASSWORD, `${tag}_db_user`);
      try {
        // What knex migrations and the service do: create, alter, index, write, read, drop.
        await user.schema.createTable('t', (t) => {
          t.increments('id');
          t.string('text', 50);
        });
        await user.schema.alterTable('t', (t) => t.index(['text']));
        await user('t').insert({ text: 'coin 🦆' });
        expect((await user('t').select('text'))[0].text).toBe('coin 🦆');
        await user.schema.dropTable('t');
        await expect(user.raw(`CREATE TABLE \`${tag}_db_message\`.x (id int)`)).rejects.toThrow(/denied/i);
        await expect(user.raw(`SELECT 1 FROM mysql.user LIMIT 1`)).rejects.toThrow(/denied/i);
        await expect(user.raw(`CREATE DATABASE \`${tag}_other\``)).rejects.toThrow(/denied/i);
      } finally {
        await user.destroy();
      }
      const wrong = connect(`${tag}_user`, 'not-the-password', `${tag}_db_user`);
      await expect(wrong.raw('SELECT 1')).rejects.toThrow(/denied/i);
      await wrong.destroy();
    });
  });
});
