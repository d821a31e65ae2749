// Starts a real user-service, channel-service and message-service once for every test file of
// this workspace: their built `dist/main.js` (other teams own their internals; we depend on
// their HTTP routes only), each on a free port, SQLite in a temporary DATA_DIR.
const { spawn } = require('node:child_process');
const http = require('node:http');
const crypto = require('node:crypto');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');
const SERVICES = ['user', 'channel', 'message'];

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function waitReady(url, child, ms) {
  const deadline = Date.now() + ms;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${url}: exited with ${child.exitCode}`);
    // Plain http without keep-alive: no pooled socket outlives the setup in jest's own process.
    const ok = await new Promise((resolve) => {
      const req = http.get(`${url}/ready`, { agent: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`${url} not ready after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 150));
  }
}

/** Starts the three services (with `extraEnv`, e.g. NATS_URL); answers { urls, secret, admin, children, dataDir }. */
async function startStack(extraEnv = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'irc-door-'));
  const secret = crypto.randomBytes(32).toString('hex');
  // The stack's first administrator (an IRC operator on the door), as ADMIN_PSEUDO creates it.
  const admin = { pseudo: `op${crypto.randomBytes(4).toString('hex')}`, password: crypto.randomBytes(12).toString('hex') };
  const ports = {};
  for (const s of SERVICES) ports[s] = await freePort();
  const urls = Object.fromEntries(SERVICES.map((s) => [s, `http://127.0.0.1:${ports[s]}`]));
  const children = SERVICES.map((s) => {
    const child = spawn(process.execPath, [path.join(ROOT, `${s}-service`, 'dist', 'main.js')], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH,
        NODE_ENV: 'test',
        LOG_LEVEL: 'warn',
        ACCESS_LOG: 'off',
        JWT_SECRET: secret,
        PORT: String(ports[s]),
        DATA_DIR: dataDir,
        USER_SERVICE_URL: urls.user,
        CHANNEL_SERVICE_URL: urls.channel,
        MESSAGE_SERVICE_URL: urls.message,
        ACCESS_CACHE_MS: '1',
        ADMIN_PSEUDO: admin.pseudo,
        ADMIN_PASSWORD: admin.password,
        EVENT_GAP_WAIT_MS: '200',
        ...extraEnv,
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return child;
  });
  try {
    await Promise.all(SERVICES.map((s, i) => waitReady(urls[s], children[i], 60000)));
  } catch (err) {
    for (const c of children) c.kill('SIGKILL');
    throw err;
  }
  return { urls, secret, admin, children, dataDir };
}

async function stopStack(stack) {
  await Promise.all(
    stack.children.map(
      (c) =>
        new Promise((resolve) => {
          if (c.exitCode !== null) return resolve();
          c.once('exit', resolve);
          c.kill('SIGTERM');
          setTimeout(() => c.kill('SIGKILL'), 5000).unref();
        }),
    ),
  );
  fs.rmSync(stack.dataDir, { recursive: true, force: true });
}

module.exports = async function globalSetup() {
  const stack = await startStack();
  globalThis.__IRC_STACK__ = stack;
  process.env.IRC_TEST_STACK = JSON.stringify({ urls: stack.urls, secret: stack.secret, admin: stack.admin });
};
module.exports.startStack = startStack;
module.exports.stopStack = stopStack;
module.exports.freePort = freePort;
