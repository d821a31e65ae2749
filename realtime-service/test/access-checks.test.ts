import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listen, texts, uniqueName, useWorld, waitUntil, WsClient } from './support';

/**
 * channel-service behind a forwarding proxy that records the access questions it carries and can
 * play an outage (every connection reset): what realtime asks, and what it does without answers.
 */
class ChannelProxy {
  down = false;
  batchCalls = 0;
  singleCalls = 0;
  /** Every ask of every batch call: `<channel> <pseudo>`. */
  readonly asks: string[] = [];
  url = '';
  private server: Server | undefined;

  constructor(private readonly target: string) {}

  async start(): Promise<this> {
    this.server = await listen((req, res) => void this.forward(req, res));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  private async forward(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.down) return void req.socket.destroy();
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    if (req.url === '/internal/access/batch') {
      this.batchCalls++;
      const ask = JSON.parse(body.toString()) as { channel: string; asks: Array<{ pseudo: string }> };
      for (const a of ask.asks) this.asks.push(`${ask.channel} ${a.pseudo}`);
    } else if (req.url?.includes('/access/')) this.singleCalls++;
    const answer = await fetch(`${this.target}${req.url}`, {
      method: req.method,
      headers: { authorization: req.headers.authorization ?? '', 'content-type': 'application/json' },
      body: body.length > 0 ? body : undefined,
    });
    res.writeHead(answer.status, { 'content-type': 'application/json' }).end(Buffer.from(await answer.arrayBuffer()));
  }

  reset(): void {
    this.batchCalls = 0;
    this.singleCalls = 0;
    this.asks.length = 0;
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise((r) => this.server?.close(r));
  }
}

describe('access checks: batched, single-flight, fail closed without loss', () => {
  let proxy: ChannelProxy;
  const world = useWorld('http', { channelFront: async (channelUrl) => (proxy = await new ChannelProxy(channelUrl).start()) });
  afterEach(() => {
    proxy.down = false;
  });

  const connect = (pseudo: string, query?: string) => world.connect(pseudo, { query });
  const said = (ws: WsClient) => texts(ws.events('message.created'));

  it('when 40 users follow a public channel at once, then their questions go in a few batch calls, each asked once, and all receive', async () => {
    const owner = uniqueName('o');
    const ch = await world.channelWith(owner, []);
    proxy.reset();
    const users = Array.from({ length: 40 }, () => uniqueName('s'));
    const clients = await Promise.all(users.map((u) => connect(u, `channels=${ch.name}`).live()));
    await world.post(ch, owner, 'to-all');
    for (const c of clients) await c.waitFor(1, 'message.created');
    expect(clients.every((c) => said(c).join() === 'to-all')).toBe(true);
    expect(proxy.singleCalls).toBe(0);
    expect(proxy.asks.filter((a) => a.startsWith(`${ch.name} `)).sort()).toEqual(users.map((u) => `${ch.name} ${u}`).sort());
    expect(proxy.batchCalls).toBeLessThan(users.length / 2);
  });

  it('when one user opens 15 streams at once, then their access is asked once for all of them', async () => {
    const [owner, user] = [uniqueName('o'), uniqueName('u')];
    const ch = await world.channelWith(owner, []);
    proxy.reset();
    const clients = await Promise.all(Array.from({ length: 15 }, () => connect(user, `channels=${ch.name}`).live()));
    await world.post(ch, owner, 'once');
    for (const c of clients) expect(said(await c.waitFor(1, 'message.created').then(() => c))).toEqual(['once']);
    expect(proxy.asks).toEqual([`${ch.name} ${user}`]);
  });

  it('when channel-service stops answering, then nothing is delivered, the stream closes before the event, and the resume loses nothing', async () => {
    const [owner, member] = [uniqueName('o'), uniqueName('m')];
    const ch = await world.channelWith(owner, [member]);
    const first = await connect(member).live();
    await world.post(ch, owner, 'before');
    await first.waitFor(1, 'message.created');
    proxy.down = true;
    // A channel event drops the cached answers: the next message must be asked about again.
    await world.streams.append('channel', 'channel.topic_changed', { channel: ch.name, channel_id: ch.id, by: owner, topic: 'new' });
    await world.post(ch, owner, 'during');
    await waitUntil(() => first.closeCode !== undefined, 'the stream closed');
    expect(first.closeCode).toBe(1013);
    expect(first.events('closing').map((e) => e.data)).toEqual([{ reason: 'access_unavailable' }]);
    expect(said(first)).toEqual(['before']);
    expect(first.events('channel.topic_changed')).toEqual([]);

    proxy.down = false;
    let cursor = first.cursor!;
    let back: WsClient | undefined;
    // The client resumes from its cursor, as often as it is told to try again later.
    for (let attempt = 0; attempt < 10 && !back?.events('message.created').length; attempt++) {
      back = connect(member, `after=${cursor}`);
      await back.opened;
      await waitUntil(() => back!.events('message.created').length > 0 || back!.closeCode !== undefined, 'resumed or closed', 15000);
      cursor = back.cursor ?? cursor;
    }
    expect(said(back!)).toEqual(['during']);
    expect(back!.events().map((e) => e.type)).toEqual(['channel.topic_changed', 'message.created']);
  });
});
