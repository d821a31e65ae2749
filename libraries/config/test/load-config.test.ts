import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import {
  ConfigError,
  bool,
  commonShape,
  csv,
  intBetween,
  loadConfig,
  loadConfigOrExit,
  port,
  positiveInt,
  splitUrlList,
  url,
  z,
} from '@canaduck/config';

const SECRET = 's'.repeat(32);

describe('loadConfig with the common shape', () => {
  const shape = { ...commonShape, PORT: port(5001) };

  it('when only JWT_SECRET is set, then every other setting takes its default', () => {
    expect(loadConfig(shape, { JWT_SECRET: SECRET })).toEqual({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      ACCESS_LOG: 'errors',
      JWT_SECRET: SECRET,
      JWT_ISSUER: 'canaduck-user-service',
      JWT_AUDIENCE: 'canaduck-irc',
      JWT_ALGORITHM: 'HS256',
      DATA_DIR: 'data',
      BODY_LIMIT: '100kb',
      SHUTDOWN_TIMEOUT_MS: 10000,
      SHUTDOWN_DRAIN_MS: 400,
      HTTP_TIMEOUT_MS: 2000,
      REQUEST_TIMEOUT_MS: 4000,
      DB_PING_INTERVAL_MS: 250,
      DB_PING_TIMEOUT_MS: 500,
      DB_ACQUIRE_TIMEOUT_MS: 2000,
      USER_SERVICE_URL: 'http://127.0.0.1:5001',
      MESSAGE_SERVICE_URL: 'http://127.0.0.1:5002',
      CHANNEL_SERVICE_URL: 'http://127.0.0.1:5003',
      GATEWAY_SERVICE_URL: 'http://127.0.0.1:5004',
      STATS_SERVICE_URL: 'http://127.0.0.1:5005',
      REALTIME_SERVICE_URL: 'http://127.0.0.1:5006',
      EVENT_RETENTION: 7 * 86400,
      NATS_NAMESPACE: 'canaduck',
      PORT: 5001,
    });
  });

  it('when NATS_URL and EVENT_RETENTION are set, then they are read as a URL and a duration in seconds', () => {
    const c = loadConfig(shape, { JWT_SECRET: SECRET, NATS_URL: 'nats://127.0.0.1:4222', EVENT_RETENTION: '2d' });
    expect(c).toMatchObject({ NATS_URL: 'nats://127.0.0.1:4222', EVENT_RETENTION: 2 * 86400 });
    expect(loadConfig(shape, { JWT_SECRET: SECRET, NATS_URL: '' }).NATS_URL).toBeUndefined();
    expect(() => loadConfig(shape, { JWT_SECRET: SECRET, NATS_URL: 'not a url' })).toThrow(/NATS_URL/);
    expect(() => loadConfig(shape, { JWT_SECRET: SECRET, EVENT_RETENTION: 'forever' })).toThrow(/EVENT_RETENTION/);
  });

  it('when values are given, then they are parsed and coerced', () => {
    const c = loadConfig(shape, {
      JWT_SECRET: SECRET,
      NODE_ENV: 'production',
      PORT: '8080',
      HTTP_TIMEOUT_MS: '500',
      DATABASE_URL: 'mysql://u:p@db:3306/canaduck_user',
      SERVICE_TOKEN_SECRET: 't'.repeat(40),
      SERVICE_PRIVATE_KEY: 'a PEM private key',
      SERVICE_PUBLIC_KEYS: '{}',
    });
    expect(c).toMatchObject({
      NODE_ENV: 'production',
      PORT: 8080,
      HTTP_TIMEOUT_MS: 500,
      DATABASE_URL: 'mysql://u:p@db:3306/canaduck_user',
    });
    expect(c.SERVICE_TOKEN_SECRET).toHaveLength(40);
  });

  it('when a variable is set to the empty string, then it counts as unset and the default applies', () => {
    expect(loadConfig(shape, { JWT_SECRET: SECRET, PORT: '', LOG_LEVEL: '' })).toMatchObject({ PORT: 5001, LOG_LEVEL: 'info' });
  });

  it('when unrelated variables are present, then they are ignored', () => {
    expect(loadConfig(shape, { JWT_SECRET: SECRET, PATH: '/usr/bin', HOME: '/root' })).not.toHaveProperty('PATH');
  });

  it('when several settings are wrong, then every problem is listed at once', () => {
    let err: unknown;
    try {
      loadConfig(shape, { JWT_SECRET: 'short', PORT: '70000', NODE_ENV: 'staging', USER_SERVICE_URL: 'not a url', HTTP_TIMEOUT_MS: '-3' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const problems = (err as ConfigError).problems;
    expect(problems).toHaveLength(5);
    expect(problems.join('\n')).toMatch(/JWT_SECRET: JWT_SECRET must be at least 32 characters/);
    for (const key of ['PORT', 'NODE_ENV', 'USER_SERVICE_URL', 'HTTP_TIMEOUT_MS']) {
      expect(problems.some((p) => p.startsWith(`${key}: `))).toBe(true);
    }
    expect((err as ConfigError).message).toMatch(/^invalid configuration:\n {2}- /);
  });

  it('when a service address lists replicas, then it is kept as one trimmed comma-separated string', () => {
    const c = loadConfig(shape, { JWT_SECRET: SECRET, MESSAGE_SERVICE_URL: ' http://127.0.0.1:5002 , http://127.0.0.1:5102,' });
    expect(c.MESSAGE_SERVICE_URL).toBe('http://127.0.0.1:5002,http://127.0.0.1:5102');
    expect(splitUrlList(c.MESSAGE_SERVICE_URL)).toEqual(['http://127.0.0.1:5002', 'http://127.0.0.1:5102']);
  });

  it('when one address of a replica list is not a URL, then the setting is refused', () => {
    expect(() => loadConfig(shape, { JWT_SECRET: SECRET, CHANNEL_SERVICE_URL: 'http://127.0.0.1:5003,5103' })).toThrow(
      /CHANNEL_SERVICE_URL: expected a URL or a comma-separated list of URLs/,
    );
  });

  it('when JWT_SECRET is missing, then it is reported as required', () => {
    expect(() => loadConfig(shape, {})).toThrow(/JWT_SECRET: Required/);
  });

  it('when SERVICE_TOKEN_SECRET is set but short, then it is reported', () => {
    expect(() => loadConfig(shape, { JWT_SECRET: SECRET, SERVICE_TOKEN_SECRET: 'short' })).toThrow(
      /SERVICE_TOKEN_SECRET must be at least 32/,
    );
  });

  it('when NODE_ENV is production and a service key setting is missing, then start-up is refused with what to set', () => {
    const keys = { SERVICE_PRIVATE_KEY: 'a PEM private key', SERVICE_PUBLIC_KEYS: '{}' };
    const production = { JWT_SECRET: SECRET, SERVICE_TOKEN_SECRET: 't'.repeat(40), NODE_ENV: 'production' };
    const problemsOf = (env: Record<string, string>) => {
      try {
        loadConfig(shape, env);
        return [];
      } catch (err) {
        return (err as ConfigError).problems;
      }
    };
    expect(problemsOf(production)).toEqual([
      expect.stringMatching(/^SERVICE_PRIVATE_KEY: Required in production .*generate-keys\.mjs.*local runs only$/),
      expect.stringMatching(/^SERVICE_PUBLIC_KEYS: Required in production/),
    ]);
    expect(problemsOf({ ...production, SERVICE_PRIVATE_KEY: keys.SERVICE_PRIVATE_KEY })).toEqual([
      expect.stringMatching(/^SERVICE_PUBLIC_KEYS: Required in production/),
    ]);
    expect(problemsOf({ ...production, ...keys, SERVICE_PUBLIC_KEYS: '' })).toHaveLength(1);
    expect(problemsOf({ ...production, ...keys })).toEqual([]);
    // Local runs and tests still derive the keys from the secret.
    expect(problemsOf({ ...production, NODE_ENV: 'development' })).toEqual([]);
    expect(problemsOf({ ...production, NODE_ENV: 'test' })).toEqual([]);
  });

  it('when the JWT algorithm is not one of the supported ones, then it is reported', () => {
    expect(() => loadConfig(shape, { JWT_SECRET: SECRET, JWT_ALGORITHM: 'none' })).toThrow(/JWT_ALGORITHM/);
  });
});

describe('field helpers', () => {
  it('when port is given a non-number or out-of-range value, then it is refused', () => {
    const shape = { P: port(80) };
    expect(loadConfig(shape, {}).P).toBe(80);
    expect(loadConfig(shape, { P: '65535' }).P).toBe(65535);
    for (const bad of ['0', '65536', 'abc', '80.5']) expect(() => loadConfig(shape, { P: bad })).toThrow(ConfigError);
  });

  it('when intBetween is given a value outside its bounds or a fraction, then it is refused; the bounds themselves pass', () => {
    const shape = { N: intBetween(1, 30, 20) };
    expect(loadConfig(shape, {}).N).toBe(20);
    expect(loadConfig(shape, { N: '1' }).N).toBe(1);
    expect(loadConfig(shape, { N: '30' }).N).toBe(30);
    for (const bad of ['0', '31', '2.5']) expect(() => loadConfig(shape, { N: bad })).toThrow(ConfigError);
  });

  it('when positiveInt is given zero or a negative, then it is refused', () => {
    const shape = { N: positiveInt(3) };
    expect(loadConfig(shape, {}).N).toBe(3);
    expect(loadConfig(shape, { N: '12' }).N).toBe(12);
    expect(() => loadConfig(shape, { N: '0' })).toThrow(ConfigError);
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['false', false],
    ['0', false],
    ['no', false],
  ])('when bool reads %p, then it is %p', (raw, expected) => {
    expect(loadConfig({ B: bool(!expected) }, { B: raw }).B).toBe(expected);
  });

  it('when bool is unset or garbage, then the default applies or it is refused', () => {
    expect(loadConfig({ B: bool(true) }, {}).B).toBe(true);
    expect(loadConfig({ B: bool(false) }, {}).B).toBe(false);
    expect(() => loadConfig({ B: bool(false) }, { B: 'maybe' })).toThrow(ConfigError);
  });

  it('when csv reads a list, then it is trimmed and empty items dropped', () => {
    expect(loadConfig({ L: csv('a,b') }, {}).L).toEqual(['a', 'b']);
    expect(loadConfig({ L: csv('') }, { L: ' x , ,y,' }).L).toEqual(['x', 'y']);
  });

  it('when url reads a value, then only URLs pass', () => {
    expect(loadConfig({ U: url() }, { U: 'http://a:1' }).U).toBe('http://a:1');
    expect(() => loadConfig({ U: url() }, { U: 'nope' })).toThrow(ConfigError);
  });

  it('when loadConfigOrExit gets a valid environment, then it returns the config without exiting', () => {
    expect(loadConfigOrExit({ A: z.string().default('x') }, {})).toEqual({ A: 'x' });
  });
});

describe('loadConfigOrExit in a real process', () => {
  it('when the environment is wrong, then the process prints every problem and exits with 1', () => {
    const dir = path.join(__dirname, '..', 'src');
    // The child runs the library's source, transpiled here, so the test needs no prior build.
    const compiled = (file: string) =>
      ts.transpileModule(fs.readFileSync(path.join(dir, file), 'utf8'), {
        compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
      }).outputText;
    const runner = `
      const Module = require('module');
      const load = (name, code, local) => {
        const m = new Module(name);
        m.paths = Module._nodeModulePaths(${JSON.stringify(dir)});
        m.require = (id) => local[id] ?? Module.prototype.require.call(m, id);
        m._compile(code, name + '.js');
        return m.exports;
      };
      const parsedWith = load('parsed-with', ${JSON.stringify(compiled('parsed-with.ts'))}, {});
      const duration = load('duration', ${JSON.stringify(compiled('duration.ts'))}, { './parsed-with': parsedWith });
      const urlList = load('url-list', ${JSON.stringify(compiled('url-list.ts'))}, {});
      const m = { exports: load('load-config', ${JSON.stringify(compiled('load-config.ts'))}, { './duration': duration, './url-list': urlList }) };
      const { loadConfigOrExit, commonShape, port } = m.exports;
      loadConfigOrExit({ ...commonShape, PORT: port(5001) }, { JWT_SECRET: 'short', PORT: 'abc' });
      console.log('should not get here');
    `;
    const out = spawnSync(process.execPath, ['-e', runner], { encoding: 'utf8', timeout: 20000 });
    expect(out.status).toBe(1);
    expect(out.stdout).not.toContain('should not get here');
    expect(out.stderr).toContain('invalid configuration:');
    expect(out.stderr).toContain('JWT_SECRET: JWT_SECRET must be at least 32 characters');
    expect(out.stderr).toMatch(/PORT: /);
  });
});
