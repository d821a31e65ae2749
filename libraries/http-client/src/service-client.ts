import http from 'node:http';
import https from 'node:https';
import axios, { type AxiosInstance, type AxiosRequestConfig } from 'axios';
import CircuitBreaker from 'opossum';
import { GatewayTimeoutError, ServiceUnavailableError } from '@canaduck/errors';
import { ReplicaRing } from './replica-ring';

export interface ServiceClientOptions {
  /** The other service's name, used in error messages ("channel-service unavailable"). */
  name: string;
  /**
   * The service's address, or its replicas' (an array or a comma-separated list): calls go round
   * robin, and one a replica refused (the connection never opened) goes to the next one.
   */
  baseUrl: string | readonly string[];
  timeoutMs?: number;
  /**
   * What mints this service's tokens (ServiceTokenMinter): every call without an `authorization`
   * of its own then carries `Bearer <a service token addressed to name>`. Leave it out for public calls.
   */
  serviceTokens?: { get(callee: string): string | Promise<string> };
  /** Circuit breaker: opens after this share of failures (percent) over a rolling 10 s window. */
  breakerErrorThreshold?: number;
  /** How long the circuit stays open before one trial request is let through. */
  breakerResetMs?: number;
  /** Where `getOptional` says why it had no answer (no warning without it). */
  logger?: WarnLogger;
}

/** The one logger method the client uses (pino's Logger has it). */
export interface WarnLogger {
  warn(fields: object, message: string): void;
}

/** What checks an answer's shape: a zod schema fits (this library does not depend on zod). */
export interface AnswerSchema<T> {
  safeParse(data: unknown): { success: true; data: T } | { success: false };
}

export interface CallOptions {
  requestId?: string;
  /** The end user's `Authorization` header, when the call acts for them. */
  authorization?: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Overrides the client's timeout for one call. */
  timeoutMs?: number;
}

export interface ServiceResponse<T> {
  status: number;
  data: T;
}

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EHOSTUNREACH', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH']);
/** No connection could be made: the call never reached that replica, another one may take it. */
const REFUSED_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);
/**
 * A kept-alive socket closed before any answer (the replica was killed, or closed it as it was
 * reused): a GET is sent to the next replica; a write may have reached the service, so it fails.
 */
const RESET_CODES = new Set(['ECONNRESET', 'EPIPE']);

/** Upstream 5xx counts as a failure for the breaker; 4xx is a normal answer. */
class UpstreamFailure extends Error {
  constructor(public readonly status: number) {
    super(`upstream answered ${status}`);
  }
}

/**
 * A client for calls between services: keep-alive sockets, a timeout on every call,
 * the request id passed on, a circuit breaker, and one clear error when the other
 * side is down (503) or too slow (504). 4xx answers are returned, not thrown.
 */
export class ServiceClient {
  private readonly http: AxiosInstance;
  private readonly breaker: CircuitBreaker<[AxiosRequestConfig], ServiceResponse<unknown>>;
  private readonly replicas: ReplicaRing<string>;
  readonly name: string;

  constructor(private readonly opts: ServiceClientOptions) {
    this.name = opts.name;
    this.replicas = ReplicaRing.ofUrls(opts.baseUrl);
    this.http = axios.create({
      timeout: opts.timeoutMs ?? 2000,
      httpAgent: new http.Agent({ keepAlive: true, maxSockets: 128 }),
      httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 128 }),
      validateStatus: () => true,
      maxRedirects: 0,
      // Internal answers are small; refuse anything absurd.
      maxContentLength: 10 * 1024 * 1024,
    });
    this.breaker = new CircuitBreaker(
      async (config: AxiosRequestConfig) => {
        const res = await this.send(config);
        if (res.status >= 500) throw new UpstreamFailure(res.status);
        return { status: res.status, data: res.data as unknown };
      },
      {
        // The axios timeout does the timing; the breaker only counts.
        timeout: false,
        errorThresholdPercentage: opts.breakerErrorThreshold ?? 50,
        resetTimeout: opts.breakerResetMs ?? 5000,
        rollingCountTimeout: 10000,
        volumeThreshold: 5,
      },
    );
  }

  /** open, halfOpen or closed: exposed for /ready and the fault tests. */
  get circuitState(): 'open' | 'halfOpen' | 'closed' {
    if (this.breaker.opened) return 'open';
    if (this.breaker.halfOpen) return 'halfOpen';
    return 'closed';
  }

  async request<T>(method: Method, path: string, call: CallOptions = {}): Promise<ServiceResponse<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.requestId) headers['x-request-id'] = call.requestId;
    if (call.authorization) headers.authorization = call.authorization;
    else if (this.opts.serviceTokens) headers.authorization = `Bearer ${await this.opts.serviceTokens.get(this.name)}`;
    const config: AxiosRequestConfig = { method, url: path, headers, params: call.query, data: call.body };
    if (call.timeoutMs) config.timeout = call.timeoutMs;
    try {
      return (await this.breaker.fire(config)) as ServiceResponse<T>;
    } catch (err) {
      throw this.translate(err);
    }
  }

  get<T>(path: string, call?: CallOptions) {
    return this.request<T>('GET', path, call);
  }
  post<T>(path: string, call?: CallOptions) {
    return this.request<T>('POST', path, call);
  }
  put<T>(path: string, call?: CallOptions) {
    return this.request<T>('PUT', path, call);
  }
  patch<T>(path: string, call?: CallOptions) {
    return this.request<T>('PATCH', path, call);
  }
  delete<T>(path: string, call?: CallOptions) {
    return this.request<T>('DELETE', path, call);
  }

  /**
   * A read the caller can do without (whois channels, a user's channels): the answer checked by
   * `schema`, or undefined, with a warning, when the service is down, slow, or answers anything but
   * a 200 of that shape. Never throws.
   */
  async getOptional<T>(path: string, schema: AnswerSchema<T>, call?: CallOptions): Promise<T | undefined> {
    try {
      const res = await this.get<unknown>(path, call);
      const answer = res.status === 200 ? schema.safeParse(res.data) : undefined;
      if (answer?.success) return answer.data;
      this.opts.logger?.warn({ path, status: res.status }, `${this.name} gave an unexpected answer`);
    } catch (err) {
      this.opts.logger?.warn({ path, err: (err as Error).message }, `${this.name} unavailable`);
    }
    return undefined;
  }

  /** One call on the replicas in turn: each tried at most once, the next only when the call surely never reached one. */
  private async send(config: AxiosRequestConfig) {
    for (let tried = 1; ; tried++) {
      const replica = this.replicas.pick();
      try {
        return await this.http.request({ ...config, baseURL: this.replicas.items[replica] });
      } catch (err) {
        const code = (err as { code?: string }).code ?? '';
        if (REFUSED_CODES.has(code)) this.replicas.refused(replica);
        const unreached = REFUSED_CODES.has(code) || (config.method === 'GET' && RESET_CODES.has(code));
        if (!unreached || tried >= this.replicas.size) throw err;
      }
    }
  }

  private translate(err: unknown): Error {
    const e = err as { code?: string; message?: string };
    if ((err as { name?: string }).name === 'OpenCircuitError' || e.code === 'EOPENBREAKER') {
      return new ServiceUnavailableError(`${this.name} unavailable (circuit open)`, 'dependency_unavailable');
    }
    if (err instanceof UpstreamFailure) {
      return new ServiceUnavailableError(`${this.name} failed (status ${err.status})`, 'dependency_failed');
    }
    if (e.code === 'ECONNABORTED' || e.code === 'ETIMEDOUT' || /timeout/i.test(e.message ?? '')) {
      return new GatewayTimeoutError(`${this.name} did not answer in time`, 'dependency_timeout');
    }
    if (e.code && CONNECTION_ERRORS.has(e.code)) {
      return new ServiceUnavailableError(`${this.name} unavailable`, 'dependency_unavailable');
    }
    return new ServiceUnavailableError(`${this.name} unavailable`, 'dependency_unavailable');
  }

  /** Stops the breaker's timers (tests, shutdown). */
  close(): void {
    this.breaker.shutdown();
  }
}
