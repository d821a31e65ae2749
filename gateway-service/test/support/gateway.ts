import type http from 'node:http';
import { ServiceTokenMinter } from '@canaduck/auth';
import { loadConfig } from '@canaduck/config';
import { createLogger } from '@canaduck/logging';
import { testServiceSecret, testTokenSettings } from '@canaduck/testing';
import { createGateway, type Gateway } from '../../src/app';
import { configShape } from '../../src/config';
import { startRawServer, startUpstream, type Upstream } from './upstreams';

export interface UpstreamSet {
  user: Upstream;
  message: Upstream;
  channel: Upstream;
  stats: Upstream;
}

/** The gateway under test, configured like main.ts does it but from an explicit environment. */
export function buildGateway(
  urls: { user: string; message: string; channel: string; stats: string },
  env: Record<string, string> = {},
): Gateway {
  const config = loadConfig(configShape, {
    JWT_SECRET: testTokenSettings.secret,
    SERVICE_TOKEN_SECRET: testServiceSecret,
    USER_SERVICE_URL: urls.user,
    MESSAGE_SERVICE_URL: urls.message,
    CHANNEL_SERVICE_URL: urls.channel,
    STATS_SERVICE_URL: urls.stats,
    ACTIVITY_FLUSH_MS: '3600000',
    ...env,
  });
  return createGateway({
    logger: createLogger('gateway-service', 'silent'),
    tokens: testTokenSettings,
    config,
    serviceTokens: new ServiceTokenMinter('gateway-service', testServiceSecret),
  });
}

/** Four echoing upstreams, one per service. */
export async function startUpstreams(): Promise<UpstreamSet> {
  const [user, message, channel, stats] = await Promise.all([
    startUpstream('user-service'),
    startUpstream('message-service'),
    startUpstream('channel-service'),
    startUpstream('stats-service'),
  ]);
  return { user, message, channel, stats };
}

export function urlsOf(u: UpstreamSet) {
  return { user: u.user.url, message: u.message.url, channel: u.channel.url, stats: u.stats.url };
}

export async function closeAll(u: UpstreamSet): Promise<void> {
  await Promise.all(Object.values(u).map((x: Upstream) => x.close()));
}

/** The gateway of one test file over four echoing upstreams, seen through one entry point. */
export interface EchoGateway {
  readonly up: UpstreamSet;
  readonly gw: Gateway;
  entry(): Gateway['handler'] | Gateway['app'];
}

/**
 * Starts the upstreams and one gateway for the file, then declares `suite` twice: the server runs
 * the fast path, and Express alone (ACCESS_LOG=all) must give the same answers.
 */
export function describeBothEntries(suite: (g: EchoGateway) => void): void {
  let up: UpstreamSet;
  let gw: Gateway;
  beforeAll(async () => {
    up = await startUpstreams();
    gw = buildGateway(urlsOf(up));
  });
  afterAll(async () => {
    await gw.shutdown();
    await closeAll(up);
  });
  describe.each([
    ['through the fast path', 'handler'],
    ['through Express alone', 'app'],
  ] as const)('%s', (_how, key) => {
    suite({
      get up() {
        return up;
      },
      get gw() {
        return gw;
      },
      entry: () => gw[key],
    });
  });
}

/** A gateway whose `services` are one raw server misbehaving as `handler` wants, the others echoing. */
export interface RawUpstreamGateway {
  gw: Gateway;
  close(): Promise<void>;
}

export async function gatewayOverRaw(
  up: UpstreamSet,
  services: Array<keyof UpstreamSet>,
  handler: http.RequestListener,
  env: Record<string, string> = {},
): Promise<RawUpstreamGateway> {
  const raw = await startRawServer(handler);
  const gw = buildGateway({ ...urlsOf(up), ...Object.fromEntries(services.map((s) => [s, raw.url])) }, env);
  return {
    gw,
    close: async () => {
      await gw.shutdown();
      await raw.close();
    },
  };
}
