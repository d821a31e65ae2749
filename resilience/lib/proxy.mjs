// A small TCP proxy (node:net) that can hold every chunk for `delayMs` before passing
// it on: a slow dependency on loopback, without touching the service's code.
import net from 'node:net';

export function startDelayProxy({ listenPort, targetPort, host = '127.0.0.1' }) {
  const state = { delayMs: 0, connections: new Set() };
  const relay = (from, to) => {
    from.on('data', (chunk) => {
      const send = () => !to.destroyed && to.write(chunk);
      if (state.delayMs > 0) setTimeout(send, state.delayMs);
      else send();
    });
    from.on('end', () => {
      const end = () => !to.destroyed && to.end();
      if (state.delayMs > 0) setTimeout(end, state.delayMs);
      else end();
    });
    from.on('error', () => to.destroy());
    from.on('close', () => to.destroy());
  };
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, host);
    state.connections.add(client);
    client.on('close', () => state.connections.delete(client));
    relay(client, upstream);
    relay(upstream, client);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, host, () =>
      resolve({
        url: `http://${host}:${listenPort}`,
        setDelay(ms) {
          state.delayMs = ms;
        },
        close() {
          for (const c of state.connections) c.destroy();
          return new Promise((r) => server.close(() => r()));
        },
      }),
    );
  });
}
