import crypto from 'node:crypto';
import { newUser, rest, restToken, startDoor, TestClient, unique, type Door, type Stack } from './support';

const { startStack, stopStack } = require('./global-setup');

// Its own stack: channel-service relays to NATS under a namespace of this file only, and the door
// reads the channel stream from JetStream (message-service's feed is still polled).
const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const namespace = `irctest${crypto.randomBytes(4).toString('hex')}`;
let stack: Stack & { children: unknown[] };
let door: Door;

beforeAll(async () => {
  stack = await startStack({ NATS_URL, NATS_NAMESPACE: namespace });
  door = await startDoor(stack, { natsUrl: NATS_URL, natsNamespace: namespace });
}, 90000);
afterAll(async () => {
  await door?.stop();
  if (stack) await stopStack(stack);
});

describe('event streams over NATS JetStream', () => {
  test('when REST users join, set the topic, ban and post, then IRC members get JOIN, TOPIC, MODE +b, KICK and PRIVMSG once each', async () => {
    const [owner, marcel, u] = await Promise.all([newUser(stack, 'own'), newUser(stack, 'mar'), newUser(stack, 'irc')]);
    const [ownerToken, marcelToken] = await Promise.all([restToken(stack, owner), restToken(stack, marcel)]);
    const channel = unique('nats');
    await rest(stack.urls.channel, 'POST', '/channel', { token: ownerToken, body: { name: channel } });
    const c = await TestClient.connect(door.port, u);
    try {
      await c.join(`#${channel}`);
      const from = c.mark();
      await rest(stack.urls.channel, 'POST', `/channel/${channel}/join`, { token: marcelToken });
      await c.waitFor((m) => m.command === 'JOIN' && m.source.startsWith(`${marcel.pseudo}!`), 10000);
      await rest(stack.urls.message, 'POST', '/msg', { token: marcelToken, body: { channel, text: 'over nats' } });
      await c.waitFor((m) => m.command === 'PRIVMSG' && m.params[1] === 'over nats', 10000);
      await rest(stack.urls.channel, 'POST', `/channel/${channel}/ban`, { token: ownerToken, body: { pseudo: marcel.pseudo } });
      expect((await c.waitFor((m) => m.command === 'MODE' && m.params[0] === `#${channel}`, 10000)).params).toEqual([
        `#${channel}`,
        '+b',
        `${marcel.pseudo}!*@*`,
      ]);
      await c.waitFor('KICK', 10000);
      await rest(stack.urls.channel, 'POST', `/channel/${channel}/topic`, { token: ownerToken, body: { topic: 'the end' } });
      await c.waitFor((m) => m.command === 'TOPIC' && m.params[1] === 'the end', 10000);
      const lines = c.lines.slice(from);
      for (const cmd of ['JOIN', 'MODE', 'KICK', 'TOPIC', 'PRIVMSG']) expect(lines.filter((m) => m.command === cmd)).toHaveLength(1);
    } finally {
      await c.close();
    }
  });
});
