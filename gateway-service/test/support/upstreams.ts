import { createHash } from 'node:crypto';
import http, { type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';

export interface Recorded {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bodyLength: number;
  bodySha256: string;
  body: string;
}

export interface Upstream {
  name: string;
  url: string;
  requests: Recorded[];
  close(): Promise<void>;
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function listen(app: Express): Promise<Server> {
  return new Promise((resolve) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * A real upstream HTTP server on port 0. `routes` mounts specific answers; anything else is
 * echoed back as JSON (what arrived: method, url, headers, body size and hash), and every
 * request is recorded, so a test can check what the gateway passed on.
 */
export async function startUpstream(name: string, routes?: (app: Express) => void): Promise<Upstream> {
  const requests: Recorded[] = [];
  const app = express();
  app.use(async (req, _res, next) => {
    const body = await readBody(req);
    requests.push({
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyLength: body.length,
      bodySha256: createHash('sha256').update(body).digest('hex'),
      body: body.length <= 10000 ? body.toString('utf8') : '',
    });
    (req as { rawBody?: Buffer }).rawBody = body;
    next();
  });
  app.get('/health', (_req, res) => void res.json({ status: 'ok', service: name }));
  routes?.(app);
  app.use((req, res) => {
    const last = requests[requests.length - 1];
    res.status(200).json({
      service: name,
      method: req.method,
      url: req.url,
      headers: req.headers,
      bodyLength: last.bodyLength,
      bodySha256: last.bodySha256,
    });
  });
  const server = await listen(app);
  return { name, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, close: () => closeServer(server) };
}

/** A URL where nothing listens: connecting is refused. */
export async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A raw server for the failure cases: `handler` gets the bare request and response. */
export async function startRawServer(handler: http.RequestListener): Promise<{ url: string; close(): Promise<void> }> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => closeServer(server) };
}
