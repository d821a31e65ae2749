// A tiny HTTP client for the suites: fetch with a hard timeout, never throws.
// A timeout or a refused connection comes back as status 0 with `error` set, so a
// hang is always visible as a failure instead of stalling the suite.
import { randomUUID } from 'node:crypto';

export const DEFAULT_TIMEOUT_MS = 2000;

/**
 * call(base, method, path, { token, body, raw, headers, timeoutMs, contentType })
 * -> { status, ok, headers, text, json, ms, error?, requestId }
 * `body` is sent as JSON; `raw` (string or Buffer) is sent as is (malformed JSON, huge bodies).
 */
export async function call(base, method, path, opts = {}) {
  const requestId = opts.requestId ?? `rs-${randomUUID()}`;
  const headers = { accept: 'application/json', 'x-request-id': requestId, ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.authorization !== undefined) headers.authorization = opts.authorization;
  let body;
  if (opts.raw !== undefined) {
    body = opts.raw;
    headers['content-type'] ??= opts.contentType ?? 'application/json';
  } else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] ??= 'application/json';
  }
  const t0 = performance.now();
  try {
    const res = await fetch(base + path, {
      method,
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.timeout(opts.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    const text = await res.text();
    let json;
    try {
      json = text === '' ? undefined : JSON.parse(text);
    } catch {
      json = undefined;
    }
    return { status: res.status, ok: res.ok, headers: res.headers, text, json, ms: performance.now() - t0, requestId };
  } catch (err) {
    const timeout = err?.name === 'TimeoutError' || err?.name === 'AbortError';
    return {
      status: 0,
      ok: false,
      headers: new Headers(),
      text: '',
      json: undefined,
      ms: performance.now() - t0,
      error: timeout ? 'timeout' : (err?.cause?.code ?? err?.message ?? String(err)),
      requestId,
    };
  }
}

/** A client bound to one base URL. */
export function client(base) {
  const c = (method, path, opts) => call(base, method, path, opts);
  c.base = base;
  c.get = (path, opts) => call(base, 'GET', path, opts);
  c.post = (path, body, opts = {}) => call(base, 'POST', path, { ...opts, body });
  c.put = (path, body, opts = {}) => call(base, 'PUT', path, { ...opts, body });
  c.patch = (path, body, opts = {}) => call(base, 'PATCH', path, { ...opts, body });
  c.del = (path, opts) => call(base, 'DELETE', path, opts);
  return c;
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns a truthy value or the time is up; returns the last value. */
export async function waitFor(fn, timeoutMs, intervalMs = 100) {
  const deadline = Date.now() + timeoutMs;
  let last;
  for (;;) {
    last = await fn();
    if (last || Date.now() > deadline) return last;
    await sleep(intervalMs);
  }
}

/** One-line description of a response, for failure reports. */
export function describe(res) {
  if (res.status === 0) return `no answer (${res.error}) after ${Math.round(res.ms)} ms`;
  const body = res.text.length > 300 ? `${res.text.slice(0, 300)}...` : res.text;
  return `${res.status} in ${Math.round(res.ms)} ms ${body}`;
}
