// Slow dependency: a second message-service reaches channel-service through a
// delaying TCP proxy; it must answer 503/504 within its timeout, open its circuit
// breaker (fast 503s), and close it again once the delay is gone.
import fs from 'node:fs';
import path from 'node:path';
import { SERVICES, serviceEnv } from '../../scripts/stack.mjs';
import { client, describe, sleep, waitFor } from './http.mjs';
import { startDelayProxy } from './proxy.mjs';
import { ROOT } from './run.mjs';
import { spawn } from 'node:child_process';

export async function slowDependency({
  tally,
  run,
  stack,
  writer,
  loadChannel,
  writeOnce,
  proxyPort,
  slowMessagePort: SLOW_MESSAGE_PORT,
  timeoutMs: SLOW_TIMEOUT_MS,
}) {
  tally.scenario('slow channel-service: message-service times out, its circuit breaker opens and closes');
  const proxy = await startDelayProxy({ listenPort: proxyPort, targetPort: new URL(stack.url('channel')).port });
  const msgSvc = SERVICES.find((s) => s.short === 'message');
  const env = {
    ...serviceEnv(msgSvc, run.env, stack.secrets, stack.dataDir),
    PORT: String(SLOW_MESSAGE_PORT),
    CHANNEL_SERVICE_URL: proxy.url,
    HTTP_TIMEOUT_MS: String(SLOW_TIMEOUT_MS),
    ACCESS_CACHE_MS: '1',
  };
  const second = spawn(process.execPath, [path.join(ROOT, 'message-service', 'dist', 'main.js')], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Its logs join the stack's log file, prefixed like the others.
  for (const stream of [second.stdout, second.stderr])
    stream.on('data', (chunk) => fs.appendFileSync(run.logFile, String(chunk).replace(/^(?=.)/gm, '[message#2] ')));
  const slow = client(`http://127.0.0.1:${SLOW_MESSAGE_PORT}`);
  try {
    const ready = await waitFor(async () => (await slow.get('/ready')).status === 200, 30000, 200);
    tally.check('a second message-service talks to channel-service through the delaying proxy', ready, describe(await slow.get('/ready')));
    const baseline = await writeOnce(writer, loadChannel, 'slow-baseline', slow, 5000);
    tally.check('without delay it accepts a message (201)', baseline.status === 201, describe(baseline));
    await sleep(300);
    proxy.setDelay(3 * SLOW_TIMEOUT_MS);
    // Several requests at once: each waits for channel-service until the timeout.
    const first = await Promise.all(Array.from({ length: 6 }, (_, i) => writeOnce(writer, loadChannel, `slow-${i}`, slow, 5000)));
    const late = first.filter((r) => !(r.status === 503 || r.status === 504) || r.ms > SLOW_TIMEOUT_MS + 700);
    tally.check(
      `with channel-service ${3 * SLOW_TIMEOUT_MS} ms slow, it answers 503/504 within its ${SLOW_TIMEOUT_MS} ms timeout (${first.map((r) => `${r.status}/${Math.round(r.ms)}ms`).join(', ')})`,
      late.length === 0,
      late.slice(0, 3).map(describe).join('\n'),
    );
    const next = [];
    for (let i = 0; i < 5; i++) next.push(await writeOnce(writer, loadChannel, `open-${i}`, slow, 5000));
    const fast = next.filter((r) => r.status === 503 && r.ms < 250);
    tally.check(
      `the circuit breaker opens: following answers are fast 503s (${next.map((r) => `${r.status}/${Math.round(r.ms)}ms`).join(', ')})`,
      fast.length >= 4,
      next.map(describe).join('\n'),
    );
    proxy.setDelay(0);
    const removedAt = Date.now();
    const recovered = await waitFor(
      async () => {
        const r = await writeOnce(writer, loadChannel, 'close', slow, 5000);
        return r.status === 201 ? r : undefined;
      },
      30000,
      500,
    );
    const after = [];
    for (let i = 0; i < 5; i++) after.push(await writeOnce(writer, loadChannel, `closed-${i}`, slow, 5000));
    tally.check(
      `once the delay is gone the breaker closes again (201 after ${((Date.now() - removedAt) / 1000).toFixed(1)} s, then ${after.filter((r) => r.status === 201).length}/5)`,
      !!recovered && after.every((r) => r.status === 201),
      recovered ? after.map(describe).join('\n') : 'still refusing 30 s after the delay was removed',
    );
  } finally {
    second.kill('SIGTERM');
    await Promise.race([new Promise((r) => second.once('exit', r)), sleep(5000).then(() => second.kill('SIGKILL'))]);
    await proxy.close();
  }
}
