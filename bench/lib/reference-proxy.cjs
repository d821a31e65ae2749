// The floor of R1: the least a Node reverse proxy can do for a request, measured in the same run as
// the gateway. Node's HTTP server in front, an undici Pool behind (the gateway's own client), the
// request's method, target and headers passed as they came, the answer's status, headers and body
// streamed back. No token check, no routing, no added headers, no error JSON: nothing the gateway
// does beyond forwarding. Started by bench/run.mjs as `node reference-proxy.cjs` with
// REFERENCE_PORT and REFERENCE_TARGET (message-service's URL); it listens on 127.0.0.1 only.
'use strict';
const http = require('node:http');
const { Pool } = require('undici');

const port = Number(process.env.REFERENCE_PORT);
const pool = new Pool(process.env.REFERENCE_TARGET, { connections: 1024 });
// Hop-by-hop headers describe one connection, not the request or the answer.
const HOP = new Set(['connection', 'keep-alive', 'transfer-encoding']);

function forward(req, res) {
  let resume = null;
  const headers = [];
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    if (!HOP.has(req.rawHeaders[i].toLowerCase())) headers.push(req.rawHeaders[i], req.rawHeaders[i + 1]);
  }
  pool.dispatch(
    { path: req.url, method: req.method, headers },
    {
      onConnect() {},
      onUpgrade() {},
      onBodySent() {},
      onHeaders(status, raw, resumeUpstream) {
        resume = resumeUpstream;
        const out = [];
        for (let i = 0; i < raw.length; i += 2) {
          const name = raw[i].toString('latin1');
          if (!HOP.has(name.toLowerCase())) out.push(name, raw[i + 1].toString('latin1'));
        }
        res.writeHead(status, out);
        return true;
      },
      onData(chunk) {
        // A full client socket pauses the upstream until it drains (as the gateway does).
        const ok = res.write(chunk);
        if (!ok) res.once('drain', resume);
        return ok;
      },
      onComplete() {
        res.end();
      },
      onError() {
        if (res.headersSent) res.destroy();
        else res.writeHead(502).end();
      },
    },
  );
}

const server = http.createServer(forward);
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1', () => process.send?.('listening'));
process.on('SIGTERM', () => {
  server.close();
  void pool.close();
  setTimeout(() => process.exit(0), 200).unref();
});
