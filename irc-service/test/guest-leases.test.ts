import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import path from 'node:path';
import { RawClient, rest, unique, useDoorOn, useStack, type Stack } from './support';

const { freePort } = require('./global-setup') as { freePort: () => Promise<number> };

const stack = useStack();
const MAIN = path.resolve(__dirname, '..', 'dist', 'main.js');
const LEASE_S = 3;

async function waitUntil(check: () => Promise<boolean>, ms: number): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > ms) throw new Error(`condition not met within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return Date.now() - start;
}

const ready = (port: number) =>
  new Promise<boolean>((resolve) => {
    const req = http.get(`http://127.0.0.1:${port}/ready`, { agent: false, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });

/** The built door (dist/main.js) as its own process, so that the test can kill it with SIGKILL. */
async function spawnDoor(s: Stack, env: Record<string, string>): Promise<{ child: ChildProcess; ircPort: number }> {
  const [ircPort, httpPort] = [await freePort(), await freePort()];
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ACCESS_LOG: 'off',
      JWT_SECRET: s.secret,
      PORT: String(httpPort),
      IRC_PORT: String(ircPort),
      USER_SERVICE_URL: s.urls.user,
      CHANNEL_SERVICE_URL: s.urls.channel,
      MESSAGE_SERVICE_URL: s.urls.message,
      IRC_GUESTS: 'true',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  await waitUntil(async () => {
    if (child.exitCode !== null) throw new Error(`door exited with ${child.exitCode}`);
    return ready(httpPort);
  }, 20000);
  return { child, ircPort };
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** A guest on `port` in a REST user's channel and in one of its own; answers its nick and both channels. */
async function guestInChannels(port: number): Promise<{ client: RawClient; nick: string; shared: string; owned: string }> {
  const s = stack();
  const nick = unique('Guest');
  const [shared, owned] = [unique('gl'), unique('glo')];
  const owner = { pseudo: unique('own'), password: 'correct horse battery' };
  await rest(s.urls.user, 'POST', '/register', { body: { ...owner, email: `${owner.pseudo}@test.example` } });
  const token = (await rest<{ token: string }>(s.urls.user, 'POST', '/login', { body: owner })).body.token;
  expect((await rest(s.urls.channel, 'POST', '/channel', { token, body: { name: shared } })).status).toBe(201);
  const client = await RawClient.connect(port);
  client.send(`NICK ${nick}`, `USER ${nick} 0 * :a guest`);
  await client.waitFor('001');
  client.send(`JOIN #${shared}`);
  await client.waitFor((m) => m.command === '366' && m.params[1] === `#${shared}`);
  client.send(`JOIN #${owned}`);
  await client.waitFor((m) => m.command === '366' && m.params[1] === `#${owned}`);
  return { client, nick, shared, owned };
}

const whoisStatus = async (nick: string) => (await rest(stack().urls.user, 'GET', `/whois/${nick}`)).status;
const members = async (chan: string) =>
  (await rest<{ users?: Array<{ pseudo: string }> }>(stack().urls.channel, 'GET', `/channel/${chan}/users`)).body.users ?? [];
const channelStatus = async (chan: string) => (await rest(stack().urls.channel, 'GET', `/channel/${chan}/config`)).status;

describe('guest leases: nothing is left when a door dies', () => {
  // Another replica, alive: it sweeps every half lease.
  useDoorOn(stack, { guests: true, guestLeaseSeconds: LEASE_S });

  test('when a door is killed with SIGKILL, then its guests leave their channels and are deleted within the lease, not before', async () => {
    const { child, ircPort } = await spawnDoor(stack(), { IRC_GUEST_LEASE_S: String(LEASE_S), IRC_INSTANCE_ID: unique('door') });
    let guest: Awaited<ReturnType<typeof guestInChannels>> | undefined;
    try {
      guest = await guestInChannels(ircPort);
      const { nick, shared, owned } = guest;
      // Twice the lease while its door lives: renewed, so the other replica never takes it.
      await new Promise((r) => setTimeout(r, 2 * LEASE_S * 1000));
      expect(await whoisStatus(nick)).toBe(200);
      expect((await members(shared)).map((u) => u.pseudo)).toContain(nick);
      await kill9(child);
      const took = await waitUntil(async () => (await whoisStatus(nick)) === 404, (LEASE_S + LEASE_S / 2 + 3) * 1000);
      expect(took).toBeGreaterThan(0);
      expect((await members(shared)).map((u) => u.pseudo)).not.toContain(nick);
      expect(await channelStatus(owned)).toBe(404);
      expect(await channelStatus(shared)).toBe(200);
    } finally {
      await kill9(child);
      await guest?.client.close();
    }
  }, 60000);

  test('when a door starts again under the same instance id, then the guests it held are removed at once, before their lease runs out', async () => {
    const id = unique('door');
    const first = await spawnDoor(stack(), { IRC_GUEST_LEASE_S: '600', IRC_INSTANCE_ID: id });
    let guest: Awaited<ReturnType<typeof guestInChannels>> | undefined;
    let second: ChildProcess | undefined;
    try {
      guest = await guestInChannels(first.ircPort);
      await kill9(first.child);
      second = (await spawnDoor(stack(), { IRC_GUEST_LEASE_S: '600', IRC_INSTANCE_ID: id })).child;
      await waitUntil(async () => (await whoisStatus(guest!.nick)) === 404, 10000);
      expect((await members(guest.shared)).map((u) => u.pseudo)).not.toContain(guest.nick);
      expect(await channelStatus(guest.owned)).toBe(404);
    } finally {
      await kill9(first.child);
      if (second) await kill9(second);
      await guest?.client.close();
    }
  }, 60000);
});
