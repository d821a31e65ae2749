// A worker thread of bench/realtime.mjs: its share of R5's subscribers, so that reading 20,000
// frames/s does not delay the posts. On "connect" it opens them (100 at a time) and answers their
// setup times; on "stop" it closes them and answers their latencies (the post time is in the text).
import { parentPort, workerData } from 'node:worker_threads';
import { clock, connect } from './realtime-stack.mjs';

const { url, prefix, from, count, query } = workerData;
const latencies = [];
const clients = [];

parentPort.on('message', async (command) => {
  if (command === 'connect') {
    for (let i = 0; i < count; i += 100) {
      const batch = Array.from({ length: Math.min(100, count - i) }, (_, j) =>
        connect(url, `${prefix}${from + i + j}`, query, (e) => latencies.push(clock() - Number(e.data.text.slice(1)))),
      );
      clients.push(...(await Promise.all(batch)));
    }
    parentPort.postMessage({ setupMs: clients.map((c) => c.setupMs) });
  } else if (command === 'stop') {
    for (const c of clients) c.ws.terminate();
    parentPort.postMessage({ latencies });
  }
});
parentPort.postMessage({ started: true });
