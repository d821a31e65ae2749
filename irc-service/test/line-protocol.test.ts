import fc from 'fast-check';
import { Fakelag } from '../src/server/fakelag';
import { LineError, parseLine, serialize } from '../src/protocol/irc-line';
import { newUser, RawClient, startDoor, TestClient, useStack, type Door } from './support';

const stack = useStack();

describe('line parser and serialiser', () => {
  test('when a line has tags, a source, middle and trailing params, then each is parsed', () => {
    const m = parseLine('@time=2026-01-01T00:00:00.000Z;+draft/reply=4;msgid=a\\sb :nick!u@h PRIVMSG #tech :hello  world');
    expect(m).toEqual({
      tags: { time: '2026-01-01T00:00:00.000Z', '+draft/reply': '4', msgid: 'a b' },
      source: 'nick!u@h',
      command: 'PRIVMSG',
      params: ['#tech', 'hello  world'],
    });
  });

  test('when a message is serialised, then an empty or spaced last param is trailing and tags are escaped', () => {
    expect(serialize({ command: 'TOPIC', params: ['#a', ''] })).toBe('TOPIC #a :');
    expect(serialize({ tags: { msgid: 'a;b c' }, source: 's', command: 'PRIVMSG', params: ['#a', 'x y'] })).toBe(
      '@msgid=a\\:b\\sc :s PRIVMSG #a :x y',
    );
  });

  test('when lines exceed 512 bytes (8191 for tags), then they are refused', () => {
    expect(() => parseLine('PRIVMSG #a :' + 'x'.repeat(600))).toThrow(LineError);
    expect(() => parseLine('@a=' + 'x'.repeat(9000) + ' PING x')).toThrow(LineError);
    expect(parseLine('@a=' + 'x'.repeat(4000) + ' PING x').command).toBe('PING');
  });

  test('when any message is serialised and parsed again, then it comes back the same (property)', () => {
    const word = fc.stringMatching(/^[A-Za-z0-9#&_.-]{1,20}$/);
    fc.assert(
      fc.property(
        fc.dictionary(
          fc.stringMatching(/^\+?[a-z][a-z0-9/-]{0,10}$/),
          fc.string({ maxLength: 20 }).filter((s) => !/[\r\n\0]/.test(s)),
        ),
        fc.stringMatching(/^[A-Z]{1,10}$/),
        fc.array(word, { maxLength: 5 }),
        fc.string({ maxLength: 100 }).filter((s) => !/[\r\n\0]/.test(s)),
        (tags, command, middle, trailing) => {
          const m = { tags, source: 'src', command, params: [...middle, trailing] };
          expect(parseLine(serialize(m))).toEqual(m);
        },
      ),
    );
  });
});

describe('fakelag', () => {
  test('when a client bursts, then the first lines pass at once and the next ones are spaced by window/messages', () => {
    const f = new Fakelag({ burst: 3, windowMs: 1000, messages: 2, cooldownMs: 2000 });
    expect([f.delayFor(0), f.delayFor(0), f.delayFor(0)]).toEqual([0, 0, 0]);
    expect(f.delayFor(0)).toBe(500);
    expect(f.delayFor(500)).toBe(500);
    // Quiet past the cooldown: bursting again.
    expect(f.delayFor(10000)).toBe(0);
  });
});

describe('robustness over TCP', () => {
  let door: Door;
  beforeAll(async () => {
    door = await startDoor(stack(), { fakelag: { burst: 3, windowMs: 200, messages: 1, cooldownMs: 5000 }, recvqLines: 400 });
  });
  afterAll(async () => {
    await door.stop();
  });

  test('when random bytes and malformed lines arrive, then the server answers or ignores them and keeps serving (fuzz)', async () => {
    const u = await newUser(stack());
    const r = await RawClient.connect(door.port);
    try {
      await r.register(u);
      await fc.assert(
        fc.asyncProperty(
          fc.array(
            fc.oneof(
              fc.string({ maxLength: 80 }),
              fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b).toString('latin1')),
            ),
            { maxLength: 8 },
          ),
          async (lines) => {
            r.socket.write(lines.map((l) => l.replace(/[\r\n]/g, ' ')).join('\r\n') + '\r\n');
            const mark = r.mark();
            r.send(`PING :alive${mark}`);
            await r.waitFor((m) => m.command === 'PONG' && m.params[1] === `alive${mark}`, 10000);
          },
        ),
        { numRuns: 25 },
      );
      r.send('PRIVMSG #x :' + 'y'.repeat(700));
      await r.waitFor('417');
      r.send('@' + 'a'.repeat(9000) + ' PING x');
      await r.waitFor((m) => m.command === '417', 5000, r.mark() - 1);
      r.send('PING :still');
      await r.waitFor((m) => m.command === 'PONG' && m.params[1] === 'still');
    } finally {
      await r.close();
    }
  }, 60000);

  test('when a client floods, then its lines are all handled but slowed down (fakelag)', async () => {
    const u = await newUser(stack());
    const r = await RawClient.connect(door.port);
    try {
      await r.register(u);
      await new Promise((res) => setTimeout(res, 300));
      const start = Date.now();
      r.send(...Array.from({ length: 8 }, (_, i) => `MOTD x${i}`));
      await new Promise<void>((resolve, reject) => {
        const check = setInterval(() => {
          if (r.lines.filter((l) => l.command === '376').length >= 9) {
            clearInterval(check);
            resolve();
          }
          if (Date.now() - start > 10000) reject(new Error('flood lines never all answered'));
        }, 20);
      });
      // 3 at once, then 5 spaced by 200 ms.
      expect(Date.now() - start).toBeGreaterThanOrEqual(900);
    } finally {
      await r.close();
    }
  });
});

describe('liveness and shutdown', () => {
  test('when a client stays silent past the ping interval, then it is PINGed, and dropped past the timeout', async () => {
    const door = await startDoor(stack(), { pingIntervalMs: 200, pingTimeoutMs: 800 });
    try {
      const u = await newUser(stack());
      const r = await RawClient.connect(door.port);
      await r.register(u);
      await r.waitFor('PING', 3000);
      const err = await r.waitFor('ERROR', 3000);
      expect(err.params[0]).toMatch(/Ping timeout/);
      await r.ended;
    } finally {
      await door.stop();
    }
  });

  test('when a client never reads, then past the send queue it is disconnected', async () => {
    const door = await startDoor(stack(), { sendqBytes: 2048 });
    try {
      const u = await newUser(stack());
      const r = await RawClient.connect(door.port);
      await r.register(u);
      r.socket.pause();
      const [conn] = door.irc.server.connectionsOf(u.pseudo);
      // Enough lines to fill the kernel buffers and then the queue.
      for (let i = 0; i < 20000 && !conn.socket.destroyed; i++) conn.notice('x'.repeat(400));
      expect(conn.socket.destroyed).toBe(true);
      expect(door.irc.server.connectionsOf(u.pseudo)).toHaveLength(0);
      r.socket.destroy();
    } finally {
      await door.stop();
    }
  });

  test('when the server shuts down (SIGTERM), then clients get a NOTICE and ERROR and are closed', async () => {
    const door = await startDoor(stack());
    const u = await newUser(stack());
    const c = await TestClient.connect(door.port, u);
    await door.stop();
    expect((await c.waitFor((m) => m.command === 'NOTICE' && /test over/.test(m.params[1]))).params[1]).toMatch(/test over/);
    expect((await c.waitFor('ERROR')).params[0]).toMatch(/test over/);
    await c.close();
  });

  test('when QUIT is sent, then ERROR answers and the connection closes', async () => {
    const door = await startDoor(stack());
    try {
      const u = await newUser(stack());
      const r = await RawClient.connect(door.port);
      await r.register(u);
      r.send('QUIT :gone fishing');
      expect((await r.waitFor('ERROR')).params[0]).toMatch(/gone fishing/);
      await r.ended;
    } finally {
      await door.stop();
    }
  });
});
