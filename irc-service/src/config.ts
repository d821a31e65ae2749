import { readFileSync } from 'node:fs';
import os from 'node:os';
import { bool, commonShape, csv, intBetween, port, positiveInt, z } from '@canaduck/config';
import type { FakelagSettings } from './server/fakelag';

/** Environment of the irc-service; see its README's configuration table. */
export const configShape = {
  ...commonShape,
  /** HTTP port of /health, /ready and /docs. */
  PORT: port(5007),
  IRC_PORT: intBetween(0, 65535, 6667),
  IRC_TLS_PORT: intBetween(0, 65535, 6697),
  /** PEM certificate and key (contents or file paths); TLS listens only when both are set. */
  IRC_TLS_CERT: z.string().optional(),
  IRC_TLS_KEY: z.string().optional(),
  IRC_SERVER_NAME: z.string().default('irc.canaduck.local'),
  IRC_NETWORK: z
    .string()
    .regex(/^[A-Za-z0-9._-]+$/)
    .default('CanaDuck'),
  /** Host part shown in every user's mask (no client address is ever shown). */
  IRC_USER_HOST: z.string().default('canaduck'),
  /** MOTD text, lines separated by `\n`; empty: 422. */
  IRC_MOTD: z.string().default(''),
  /** Clients without credentials get a temporary account (user-service's guests), gone after QUIT. */
  IRC_GUESTS: bool(false),
  /**
   * A guest lives this long (s) unless its door renews the lease (every third of it) while its
   * client is connected; a door killed with SIGKILL renews nothing, and another door (each sweeps
   * every half lease) makes its guests leave their channels and deletes them.
   */
  IRC_GUEST_LEASE_S: intBetween(3, 3600, 60),
  /**
   * This door among its replicas, the owner of its guests' leases; unique per running door.
   * A door started again under the same id removes the guests it held at once.
   */
  IRC_INSTANCE_ID: z
    .string()
    .min(1)
    .max(100)
    .default(() => `${os.hostname()}:${process.pid}`),
  IRC_PING_INTERVAL_MS: positiveInt(60000),
  IRC_PING_TIMEOUT_MS: positiveInt(120000),
  /** Time a connection has to register (NICK, USER, authentication) before it is closed. */
  IRC_REGISTRATION_TIMEOUT_MS: positiveInt(60000),
  /** Bytes waiting to be written to one client before it is disconnected (SendQ exceeded). */
  IRC_SENDQ_BYTES: positiveInt(256 * 1024),
  /** Lines read but not yet handled before the socket stops being read (then: Excess Flood). */
  IRC_RECVQ_LINES: positiveInt(64),
  /** Fakelag (ergo's model): lines allowed at once, then one line per window/messages. */
  IRC_FAKELAG_BURST: positiveInt(5),
  IRC_FAKELAG_WINDOW_MS: positiveInt(1000),
  IRC_FAKELAG_MESSAGES: positiveInt(2),
  IRC_FAKELAG_COOLDOWN_MS: positiveInt(2000),
  /** Login attempts (PASS, SASL) per client address and window, as the gateway limits /login. */
  RATE_LIMIT_MAX: positiveInt(20),
  RATE_LIMIT_WINDOW_MS: positiveInt(60000),
  /**
   * How message-service's stream is read. `auto`: @canaduck/events' transport (NATS when NATS_URL
   * is set, else the long-polled HTTP feed); `poll`: its HTTP feed polled every IRC_FEED_POLL_MS,
   * for a message-service too old to long-poll. channel-service's stream always uses `auto`.
   */
  IRC_EVENT_TRANSPORT: z.enum(['auto', 'poll']).default('auto'),
  /**
   * Streams the door follows: messages and reactions; joins, parts, kicks, bans, topics and modes;
   * account revocations (a deleted account, a changed password or a logout everywhere ends its sessions).
   */
  IRC_EVENT_STREAMS: csv('message,channel,user').pipe(z.array(z.enum(['message', 'channel', 'user']))),
  IRC_FEED_POLL_MS: positiveInt(250),
  /** Long-poll wait (s) of the HTTP feeds (the feeds extend their request deadline by it). */
  IRC_FEED_WAIT_S: intBetween(0, 30, 20),
  /** Messages returned by one CHATHISTORY request at most. */
  IRC_CHATHISTORY_MAX: intBetween(1, 200, 100),
};

export type IrcConfig = z.infer<z.ZodObject<typeof configShape>>;

/** Plain typed values the service runs with. */
export interface Settings {
  ircPort: number;
  tls?: { port: number; cert: string; key: string };
  serverName: string;
  network: string;
  userHost: string;
  motd: string[];
  guests: boolean;
  guestLeaseSeconds: number;
  instanceId: string;
  pingIntervalMs: number;
  pingTimeoutMs: number;
  registrationTimeoutMs: number;
  sendqBytes: number;
  recvqLines: number;
  fakelag: FakelagSettings;
  loginRateMax: number;
  loginRateWindowMs: number;
  feedPollMs: number;
  feedWaitSeconds: number;
  eventTransport: 'auto' | 'poll';
  eventStreams: Array<'message' | 'channel' | 'user'>;
  natsUrl?: string;
  natsNamespace: string;
  chathistoryMax: number;
  serviceUrls: { user: string; channel: string; message: string };
  httpTimeoutMs: number;
  createdAt: Date;
}

const pem = (v: string, readFile: (p: string) => string): string => (v.includes('-----BEGIN') ? v.replace(/\\n/g, '\n') : readFile(v));

export function settingsFrom(c: IrcConfig, readFile: (p: string) => string = (p) => readFileSync(p, 'utf8')): Settings {
  return {
    ircPort: c.IRC_PORT,
    tls:
      c.IRC_TLS_CERT && c.IRC_TLS_KEY
        ? { port: c.IRC_TLS_PORT, cert: pem(c.IRC_TLS_CERT, readFile), key: pem(c.IRC_TLS_KEY, readFile) }
        : undefined,
    serverName: c.IRC_SERVER_NAME,
    network: c.IRC_NETWORK,
    userHost: c.IRC_USER_HOST,
    motd: c.IRC_MOTD ? c.IRC_MOTD.replace(/\\n/g, '\n').split('\n') : [],
    guests: c.IRC_GUESTS,
    guestLeaseSeconds: c.IRC_GUEST_LEASE_S,
    instanceId: c.IRC_INSTANCE_ID,
    pingIntervalMs: c.IRC_PING_INTERVAL_MS,
    pingTimeoutMs: c.IRC_PING_TIMEOUT_MS,
    registrationTimeoutMs: c.IRC_REGISTRATION_TIMEOUT_MS,
    sendqBytes: c.IRC_SENDQ_BYTES,
    recvqLines: c.IRC_RECVQ_LINES,
    fakelag: {
      burst: c.IRC_FAKELAG_BURST,
      windowMs: c.IRC_FAKELAG_WINDOW_MS,
      messages: c.IRC_FAKELAG_MESSAGES,
      cooldownMs: c.IRC_FAKELAG_COOLDOWN_MS,
    },
    loginRateMax: c.RATE_LIMIT_MAX,
    loginRateWindowMs: c.RATE_LIMIT_WINDOW_MS,
    feedPollMs: c.IRC_FEED_POLL_MS,
    feedWaitSeconds: c.IRC_FEED_WAIT_S,
    eventTransport: c.IRC_EVENT_TRANSPORT,
    eventStreams: c.IRC_EVENT_STREAMS,
    natsUrl: c.NATS_URL,
    natsNamespace: c.NATS_NAMESPACE,
    chathistoryMax: c.IRC_CHATHISTORY_MAX,
    serviceUrls: { user: c.USER_SERVICE_URL, channel: c.CHANNEL_SERVICE_URL, message: c.MESSAGE_SERVICE_URL },
    httpTimeoutMs: c.HTTP_TIMEOUT_MS,
    createdAt: new Date(),
  };
}
