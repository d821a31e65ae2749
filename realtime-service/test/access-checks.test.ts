import type { IncomingMessage, ServerResponse, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  ChildService,
  channelCall,
  channelIdOf,
  listen,
  messageData,
  SourceStreams,
  startRealtime,
  uniqueName,
  userToken,
  waitUntil,
  WsClient,
} from './support';

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
  let streams: SourceStreams;
  let channels: ChildService;
  let proxy: ChannelProxy;
  let rt: Awaited<ReturnType<typeof startRealtime>>;
  const open: WsClient[] = [];

  beforeAll(async () => {
    streams = await new SourceStreams(false).start();
    channels = await new ChildService('channel-service', {}).start();
    proxy = await new ChannelProxy(channels.url).start();
    rt = await startRealtime({ streams, channelUrl: proxy.url });
  });
  afterEach(async () => {
    proxy.down = false;
    await Promise.all(open.splice(0).map((c) => c.close()));
  });
  afterAll(async () => {
    await rt?.close();
    await proxy?.close();
    await channels?.stop();
    await streams?.close();
  });

  async function channelWith(owner: string, members: string[]) {
    const name = uniqueName('c');
    expect((await channelCall(channels.url, owner, 'POST', '/channel', { name })).status).toBe(201);
    for (const m of members) expect((await channelCall(channels.url, m, 'POST', `/channel/${name}/join`)).status).toBe(200);
    return { name, id: await channelIdOf(channels.url, name) };
  }
  const connect = (pseudo: string, query?: string) => {
    const ws = new WsClient(rt.url, { token: userToken(pseudo), query });
    open.push(ws);
    return ws;
  };
  const texts = (ws: WsClient) => ws.events('message.created').map((e) => (e.data as { text: string }).text);

  it('when 40 users follow a public channel at once, then their questions go in a few batch calls, each asked once, and all receive', async () => {
    const owner = uniqueName('o');
    const ch = await channelWith(owner, []);
    proxy.reset();
    const users = Array.from({ length: 40 }, () => uniqueName('s'));
    const clients = await Promise.all(users.map((u) => connect(u, `channels=${ch.name}`).live()));
    await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, 'to-all'));
    for (const c of clients) await c.waitFor(1, 'message.created');
    expect(clients.every((c) => texts(c).join() === 'to-all')).toBe(true);
    expect(proxy.singleCalls).toBe(0);
    expect(proxy.asks.filter((a) => a.startsWith(`${ch.name} `)).sort()).toEqual(users.map((u) => `${ch.name} ${u}`).sort());
    expect(proxy.batchCalls).toBeLessThan(users.length / 2);
  });

  it('when one user opens 15 streams at once, then their access is asked once for all of them', async () => {
    const [owner, user] = [uniqueName('o'), uniqueName('u')];
    const ch = await channelWith(owner, []);
    proxy.reset();
    const clients = await Promise.all(Array.from({ length: 15 }, () => connect(user, `channels=${ch.name}`).live()));
    await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, 'once'));
    for (const c of clients) expect(texts(await c.waitFor(1, 'message.created').then(() => c))).toEqual(['once']);
    expect(proxy.asks).toEqual([`${ch.name} ${user}`]);
  });

  it('when channel-service stops answering, then nothing is delivered, the stream closes before the event, and the resume loses nothing', async () => {
    const [owner, member] = [uniqueName('o'), uniqueName('m')];
    const ch = await channelWith(owner, [member]);
    const first = await connect(member).live();
    await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, 'before'));
    await first.waitFor(1, 'message.created');
    proxy.down = true;
    // A channel event drops the cached answers: the next message must be asked about again.
    await streams.append('channel', 'channel.topic_changed', { channel: ch.name, channel_id: ch.id, by: owner, topic: 'new' });
    await streams.append('message', 'message.created', messageData(ch.name, ch.id, owner, 'during'));
    await waitUntil(() => first.closeCode !== undefined, 'the stream closed');
    expect(first.closeCode).toBe(1013);
    expect(first.events('closing').map((e) => e.data)).toEqual([{ reason: 'access_unavailable' }]);
    expect(texts(first)).toEqual(['before']);
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
    expect(texts(back!)).toEqual(['during']);
    expect(back!.events().map((e) => e.type)).toEqual(['channel.topic_changed', 'message.created']);
  });
});
