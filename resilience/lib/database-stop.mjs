// Database stop: mariadbd frozen with SIGSTOP for 10 s under the write load (always
// continued in a finally): 503/504 while down, /ready false, recovery, no process exit.
import { execSync } from 'node:child_process';
import { describe, sleep, waitFor } from './http.mjs';
import { statusCounts } from './load.mjs';

export async function databaseStop({ tally, run, direct, load, gw, writer, loadChannel, writeOnce, allRestarts, settle }) {
  if (run.db !== 'mysql') {
    tally.skip('database stopped for 10 s under load', 'SQLite is embedded: there is no database server to stop (run without --sqlite)');
  } else {
    tally.scenario('database stopped (SIGSTOP mariadbd) for 10 s under load');
    let pid;
    try {
      pid = Number(execSync('pidof mariadbd || pidof mysqld', { encoding: 'utf8' }).trim().split(/\s+/)[0]);
    } catch {
      pid = undefined;
    }
    const url = new URL(run.env.MYSQL_URL);
    if (!pid || !['127.0.0.1', 'localhost'].includes(url.hostname)) {
      tally.check('a local mariadbd process to stop', false, `pid ${pid}, MYSQL_URL host ${url.hostname}`);
    } else {
      const before = allRestarts();
      const readyAnswers = [];
      const stoppedAt = Date.now();
      process.kill(pid, 'SIGSTOP');
      try {
        while (Date.now() - stoppedAt < 10000) {
          await Promise.all(
            ['user', 'message', 'channel', 'stats'].map((s) =>
              direct[s].get('/ready').then((r) => readyAnswers.push({ ...r, svc: s, at: Date.now() - stoppedAt })),
            ),
          );
          await sleep(500);
        }
      } finally {
        process.kill(pid, 'SIGCONT');
      }
      const contAt = Date.now();
      tally.note(`mariadbd (pid ${pid}) stopped for ${((contAt - stoppedAt) / 1000).toFixed(1)} s, then continued`);
      // Requests that started once the stop had surely taken effect.
      const during = load.between(stoppedAt + 1000, contAt);
      const counts = statusCounts(during);
      const wrong = during.filter((r) => !(r.status === 503 || r.status === 504));
      tally.check(
        `writes while it is down get 503/504, never a hang (${JSON.stringify(counts)})`,
        during.length > 0 && wrong.length === 0,
        wrong.slice(0, 4).map(describe).join('\n'),
      );
      for (const s of ['user', 'message', 'channel', 'stats']) {
        const mine = readyAnswers.filter((r) => r.svc === s && r.at > 1500);
        const notReady = mine.filter((r) => r.status === 503);
        tally.check(
          `${s}-service /ready says not ready while it is down (${notReady.length}/${mine.length} probes 503)`,
          mine.length > 0 && notReady.length === mine.length,
          mine
            .filter((r) => r.status !== 503)
            .slice(0, 2)
            .map(describe)
            .join('\n'),
        );
      }
      const recovered = await waitFor(
        async () => {
          const r = await writeOnce(writer, loadChannel, 'db-back', gw, 2000);
          return r.status === 201 ? r : undefined;
        },
        20000,
        250,
      );
      tally.check(
        `writes succeed again after it continues (${recovered ? `after ${((Date.now() - contAt) / 1000).toFixed(1)} s` : 'not within 20 s'})`,
        !!recovered,
      );
      const readyAll = await waitFor(
        async () =>
          (await Promise.all(['user', 'message', 'channel', 'stats'].map((s) => direct[s].get('/ready')))).every((r) => r.status === 200),
        20000,
        250,
      );
      tally.check('every service is ready again', readyAll);
      const after = allRestarts();
      tally.check(
        'no process exited (launcher restart counts unchanged)',
        JSON.stringify(after) === JSON.stringify(before),
        `${JSON.stringify(before)} -> ${JSON.stringify(after)}`,
      );
      await settle('after the database came back', contAt);
    }
  }
}
