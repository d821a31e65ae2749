import express, { type RequestHandler } from 'express';
import type { Redis } from 'ioredis';
import ipaddr from 'ipaddr.js';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Settings } from '../config';

/**
 * The counter key of a client address. An IPv6 client usually holds a whole /64, so counting
 * single addresses would give it endless tries: IPv6 is counted per /64, IPv4 (and IPv4 mapped
 * into IPv6) per address.
 */
export function clientKey(address: string | undefined): string {
  if (!address || !ipaddr.isValid(address)) return `other:${address ?? ''}`;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (ip.kind() === 'ipv4') return `v4:${ip.toString()}`;
  const prefix = (ip as ipaddr.IPv6).parts.slice(0, 4).map((p) => p.toString(16));
  return `v6:${prefix.join(':')}::/64`;
}

/** The account a /login or /register body names (lower-case, as pseudos compare), if it names one. */
function accountOf(body: unknown): string | undefined {
  if (!Buffer.isBuffer(body) || body.length === 0) return undefined;
  try {
    const pseudo = (JSON.parse(body.toString('utf8')) as { pseudo?: unknown } | null)?.pseudo;
    return typeof pseudo === 'string' && pseudo.trim() !== '' ? pseudo.trim().toLowerCase().slice(0, 64) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Brute force on /login and enumeration through /register, counted per client (IPv6 per /64)
 * and per account named in the body, in fixed windows. With Redis, the counters are shared by
 * every gateway replica; while Redis does not answer, each replica counts in its own memory
 * (the limit holds per replica rather than not at all).
 */
export class AuthRateLimiter {
  private readonly perClient: RateLimiterAbstract;
  private readonly perAccount: RateLimiterAbstract;

  constructor(settings: Pick<Settings, 'rateLimit'>, redis?: Redis) {
    const { windowMs, max, accountMax, keyPrefix } = settings.rateLimit;
    const duration = Math.max(1, Math.ceil(windowMs / 1000));
    const limiter = (points: number, name: string): RateLimiterAbstract => {
      const memory = new RateLimiterMemory({ keyPrefix: `${keyPrefix}:${name}`, points, duration });
      if (!redis) return memory;
      return new RateLimiterRedis({ storeClient: redis, keyPrefix: `${keyPrefix}:${name}`, points, duration, insuranceLimiter: memory });
    };
    this.perClient = limiter(max, 'client');
    this.perAccount = limiter(accountMax, 'account');
  }

  /** The middleware of one route: it reads the (small) body, which the proxy then sends on as read. */
  middleware(route: string): RequestHandler {
    // inflate: false keeps the bytes exactly as sent, so Content-Length and Content-Encoding still hold.
    const readBody = express.raw({ type: () => true, limit: '16kb', inflate: false });
    const count: RequestHandler = async (req, res, next) => {
      try {
        await this.perClient.consume(`${route}:${clientKey(req.ip)}`);
        const account = accountOf(req.body);
        if (account !== undefined) await this.perAccount.consume(`${route}:${account}`);
        next();
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) return next(err);
        const seconds = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        res
          .status(429)
          .set('Retry-After', String(seconds))
          .json({ error: `too many attempts on ${route}, retry in ${seconds} s`, code: 'rate_limited', retry_after: seconds });
      }
    };
    return (req, res, next) => readBody(req, res, (err?: unknown) => (err ? next(err) : void count(req, res, next)));
  }
}
