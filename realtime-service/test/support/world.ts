import { uniqueName, userToken } from '@canaduck/testing';
import type { Settings } from '../../src/config';
import { messageData, SseClient, WsClient } from './clients';
import { channelCall, channelIdOf, ChildService, realtimeEnv, startRealtime, type Realtime } from './services';
import { SourceStreams } from './streams';

/** How the source streams reach realtime-service: HTTP feeds only, or with the NATS relay too. */
export type Transport = 'http' | 'nats';

/** Anything a suite or a test opens and the world closes for it. */
export interface Closable {
  close(): unknown;
}

export interface Channel {
  name: string;
  id: string;
}

export interface WorldOptions {
  /** Settings of the suite's realtime-service, or false when the suite starts its own. */
  realtime?: Partial<Settings> | false;
  /** How long the source streams keep their events before pruning them. */
  retentionMs?: number;
  /** A server realtime-service asks in place of channel-service (a proxy in front of it, given its URL). */
  channelFront?: (channelUrl: string) => Promise<Closable & { url: string }>;
}

/**
 * What a realtime suite runs against: the three source streams, a real channel-service child
 * and, unless told otherwise, one realtime-service in this process. The fields are set by the
 * beforeAll hook useWorld registers: read them inside hooks and tests only.
 */
export class World {
  streams!: SourceStreams;
  channels!: ChildService;
  /** The suite's realtime-service: where connect() and sse() go unless told another. */
  rt!: Realtime;
  private readonly forSuite: Closable[] = [];
  private readonly forTest: Closable[] = [];

  constructor(
    readonly transport: Transport,
    private readonly options: WorldOptions = {},
  ) {}

  async start(): Promise<void> {
    this.streams = this.keep(await new SourceStreams(this.transport === 'nats', this.options.retentionMs).start());
    // Kept before it starts: a child that never got healthy is still killed at the end.
    const channels = new ChildService('channel-service', {});
    this.keep({ close: () => channels.stop() });
    this.channels = await channels.start();
    const front = this.options.channelFront ? this.keep(await this.options.channelFront(this.channels.url)) : undefined;
    if (this.options.realtime !== false)
      this.rt = this.keep(await this.startRealtime({ settings: this.options.realtime, channelUrl: front?.url }));
  }

  /** Closed when the suite ends, the last kept first (clients of a service go before it). */
  keep<T extends Closable>(thing: T): T {
    this.forSuite.push(thing);
    return thing;
  }

  /** Closed when the test ends. */
  track<T extends Closable>(thing: T): T {
    this.forTest.push(thing);
    return thing;
  }

  async endTest(): Promise<void> {
    await Promise.all(this.forTest.splice(0).map((thing) => thing.close()));
  }

  async end(): Promise<void> {
    for (const thing of this.forSuite.splice(0).reverse()) await thing.close();
  }

  /** Another realtime-service in this process on the same streams; the caller keeps or tracks it. */
  startRealtime(o: { settings?: Partial<Settings>; redis?: boolean; channelUrl?: string } = {}): Promise<Realtime> {
    return startRealtime({ streams: this.streams, channelUrl: o.channelUrl ?? this.channels.url, settings: o.settings, redis: o.redis });
  }

  /** A realtime-service child process (run as its container runs it) on the same streams, stopped after the test. */
  async replica(extraEnv: Record<string, string> = {}): Promise<ChildService> {
    const child = new ChildService('realtime-service', realtimeEnv(this.streams, this.channels.url, extraEnv));
    this.track({ close: () => child.stop() });
    return child.start();
  }

  /** A WebSocket client of `pseudo` on the suite's realtime-service (or `on`), closed after the test. */
  connect(pseudo: string, o: { query?: string; on?: { url: string } } = {}): WsClient {
    return this.track(new WsClient((o.on ?? this.rt).url, { token: userToken(pseudo), query: o.query }));
  }

  /** An SSE client of `pseudo` on the suite's realtime-service (or `on`), closed after the test. */
  sse(pseudo: string, o: { lastEventId?: string; on?: { url: string } } = {}): SseClient {
    return this.track(new SseClient((o.on ?? this.rt).url, userToken(pseudo), { lastEventId: o.lastEventId }));
  }

  /** channel-service's public routes, acting as `pseudo`. */
  channelCall(pseudo: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    return channelCall(this.channels.url, pseudo, method, path, body);
  }

  /** A new, uniquely named channel of `owner`, joined by `members`, with `mode` set when given. */
  async channelWith(owner: string, members: string[] = [], mode?: string): Promise<Channel> {
    const name = uniqueName('c');
    expect((await this.channelCall(owner, 'POST', '/channel', { name })).status).toBe(201);
    for (const m of members) expect((await this.channelCall(m, 'POST', `/channel/${name}/join`)).status).toBe(200);
    if (mode) expect((await this.channelCall(owner, 'POST', `/channel/${name}/mode`, { mode })).status).toBe(200);
    return { name, id: await channelIdOf(this.channels.url, name) };
  }

  /** `from` says `text` in `ch`: message-service's message.created in its stream. */
  post(ch: Channel, from: string, text: string): Promise<void> {
    return this.streams.append('message', 'message.created', messageData(ch.name, ch.id, from, text));
  }
}

/**
 * Registers a suite's hooks around a world: started before all tests, what a test opened
 * closed after it, everything else after all tests.
 */
export function useWorld(transport: Transport = 'http', options: WorldOptions = {}): World {
  const world = new World(transport, options);
  beforeAll(() => world.start());
  afterEach(() => world.endTest());
  afterAll(() => world.end());
  return world;
}
