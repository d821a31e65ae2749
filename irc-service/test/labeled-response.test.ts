import type { IrcMessage } from '../src/protocol/irc-line';
import { newUser, RawClient, unique, useDoorOn, useStack, type TestUser } from './support';

const stack = useStack();
const door = useDoorOn(stack);

/** A raw client that negotiated `caps` before registering with PASS. */
async function withCaps(caps: string): Promise<{ c: RawClient; u: TestUser }> {
  const u = await newUser(stack(), 'lbl');
  const c = await RawClient.connect(door().port);
  c.send('CAP LS 302', `CAP REQ :${caps}`);
  await c.waitFor((m) => m.command === 'CAP' && m.params[1] === 'ACK');
  c.send(`PASS ${u.pseudo}:${u.password}`, `NICK ${u.pseudo}`, `USER ${u.pseudo} 0 * :${u.pseudo}`, 'CAP END');
  await c.waitFor((m) => m.command === '376' || m.command === '422');
  return { c, u };
}

const labeled = (label: string) => (m: IrcMessage) => m.tags.label === label;

describe('labeled-response', () => {
  test('when a client asks CAP LS, then labeled-response is offered', async () => {
    const c = await RawClient.connect(door().port);
    try {
      c.send('CAP LS 302');
      const ls = await c.waitFor('CAP');
      expect(ls.params[2].split(' ')).toEqual(expect.arrayContaining(['labeled-response', 'batch']));
    } finally {
      await c.close();
    }
  });

  test('when a labeled command has one reply, then that reply carries the label', async () => {
    const { c } = await withCaps('labeled-response batch');
    try {
      c.send('@label=one PING hello');
      const pong = await c.waitFor(labeled('one'));
      expect(pong.command).toBe('PONG');
      expect(pong.params).toEqual(['irc.test', 'hello']);
    } finally {
      await c.close();
    }
  });

  test('when a labeled command has several replies, then they come in one labeled-response batch', async () => {
    const { c, u } = await withCaps('labeled-response batch');
    const chan = unique('lb');
    try {
      const from = c.mark();
      c.send(`@label=two JOIN #${chan}`);
      const open = await c.waitFor(labeled('two'));
      expect(open.command).toBe('BATCH');
      const id = open.params[0].slice(1);
      expect(open.params).toEqual([`+${id}`, 'labeled-response']);
      await c.waitFor((m) => m.command === 'BATCH' && m.params[0] === `-${id}`);
      const inside = c.lines.slice(from).filter((m) => m.tags.batch === id);
      expect(inside.map((m) => m.command)).toEqual(['JOIN', '353', '366']);
      expect(inside[1].params[3]).toBe(`@${u.pseudo}`);
      // Nothing of the reply is outside the batch.
      expect(c.lines.slice(from).filter((m) => m.command === '366' && !m.tags.batch)).toEqual([]);
    } finally {
      await c.close();
    }
  });

  test('when a labeled command has no reply, then the server answers ACK with the label', async () => {
    const { c } = await withCaps('labeled-response batch');
    try {
      c.send('@label=three PONG irc.test');
      const ack = await c.waitFor(labeled('three'));
      expect(ack.command).toBe('ACK');
      expect(ack.params).toEqual([]);
    } finally {
      await c.close();
    }
  });

  test('when a labeled PRIVMSG is echoed (echo-message), then the echo is the labeled reply, once', async () => {
    const { c } = await withCaps('labeled-response batch echo-message message-tags');
    const chan = unique('le');
    try {
      await c.join(`#${chan}`);
      const from = c.mark();
      c.send(`@label=four PRIVMSG #${chan} :labeled hello`);
      const echo = await c.waitFor(labeled('four'));
      expect(echo.command).toBe('PRIVMSG');
      expect(echo.params).toEqual([`#${chan}`, 'labeled hello']);
      expect(echo.tags.msgid).toMatch(/^[0-9]+$/);
      c.send('PING sync');
      await c.waitFor((m) => m.command === 'PONG' && m.params[1] === 'sync', 5000, from);
      await new Promise((r) => setTimeout(r, 300));
      expect(c.lines.slice(from).filter((m) => m.command === 'PRIVMSG' && m.params[1] === 'labeled hello')).toHaveLength(1);
      // Without echo-message there is no reply to a PRIVMSG: ACK.
      c.send('CAP REQ -echo-message');
      await c.waitFor((m) => m.command === 'CAP' && m.params[2] === '-echo-message');
      c.send(`@label=five PRIVMSG #${chan} :unechoed`);
      expect((await c.waitFor(labeled('five'))).command).toBe('ACK');
    } finally {
      await c.close();
    }
  });

  test('when the client did not negotiate labeled-response, or the label is over 64 bytes, then replies carry no label', async () => {
    const { c } = await withCaps('batch');
    try {
      c.send('@label=six PING plain');
      const pong = await c.waitFor((m) => m.command === 'PONG' && m.params[1] === 'plain');
      expect(pong.tags.label).toBeUndefined();
    } finally {
      await c.close();
    }
    const { c: d } = await withCaps('labeled-response');
    try {
      d.send(`@label=${'x'.repeat(65)} PING long`);
      const pong = await d.waitFor((m) => m.command === 'PONG' && m.params[1] === 'long');
      expect(pong.tags.label).toBeUndefined();
    } finally {
      await d.close();
    }
  });
});
