#!/usr/bin/env node
// `npm start`: build, then run all six services and the IRC door (irc-service, IRC on 6667) locally (SQLite by default,
// MySQL when MYSQL_URL is set), gateway on http://localhost:5004. Ctrl-C stops all.
// `REPLICAS=2 npm start` (or `npm start -- --replicas 2`, with MYSQL_URL and NATS_URL): two processes each of
// message-, channel-, stats- and realtime-service (REPLICA_SERVICES), the second on port + 100 (5102...).
import { execSync } from 'node:child_process';
import { IRC_SERVICE, ROOT, startStack } from './stack.mjs';

if (!process.argv.includes('--no-build')) {
  execSync('npx tsc -b tsconfig.build.json', { cwd: ROOT, stdio: 'inherit' });
}
let stack;
try {
  stack = startStack({ extra: [IRC_SERVICE], argv: process.argv.slice(2) });
} catch (err) {
  console.error(`[stack] ${err.message}`);
  process.exit(1);
}
const gateway = stack.url('gateway');
stack
  .waitReady(120000)
  .then(() =>
    console.log(
      `\x1b[1m[stack]\x1b[0m all services ready: gateway on ${gateway.replace('127.0.0.1', 'localhost')} (Swagger UI at /docs), IRC on localhost:${process.env.IRC_PORT ?? 6667}`,
    ),
  )
  .catch((err) => console.error(`[stack] ${err.message}`));
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('\n[stack] stopping all services...');
  await stack.stop();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
