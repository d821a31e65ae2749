// Runs one end-to-end check file of scripts/e2e.d (`*.sh` with bash, `*.mjs` with node) with a
// time limit, echoing its output indented and collecting its `ok - ` / `not ok - ` lines. Used by
// scripts/e2e.mjs and by the replica suite (resilience/replicas.mjs), which runs the same checks.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CHECK_DIR = path.join(ROOT, 'scripts', 'e2e.d');
const defaultTimeoutS = Number(process.env.E2E_CHECK_TIMEOUT_S ?? 180);

/** A file can ask for a longer (or shorter) timeout with `e2e-timeout-seconds: N` near its top. */
function timeoutFor(file) {
  const head = fs.readFileSync(file, 'utf8').split('\n').slice(0, 10).join('\n');
  const m = /e2e-timeout-seconds:\s*(\d+)/.exec(head);
  return (m ? Number(m[1]) : defaultTimeoutS) * 1000;
}

/** Runs one check file; resolves with its exit code, its output and the ok/not ok lines it printed. */
export function runCheck(file, env, { echo = true } = {}) {
  return new Promise((resolve) => {
    const [cmd, args] = file.endsWith('.sh') ? ['bash', [file]] : [process.execPath, [file]];
    const child = spawn(cmd, args, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const timeoutMs = timeoutFor(file);
    let output = '';
    let timedOut = false;
    const results = [];
    let pending = '';
    const onData = (chunk) => {
      const text = String(chunk);
      output += text;
      if (echo) process.stdout.write(text.replace(/^(?=.)/gm, '    '));
      pending += text;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i).trim();
        pending = pending.slice(i + 1);
        const m = /^(ok|not ok)\b(?:\s+\d+)?\s*-?\s*(.*)$/.exec(line);
        if (m) results.push({ ok: m[1] === 'ok', name: m[2] || line });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    // The whole process group goes: a shell script's curl children must not outlive it.
    const killGroup = (signal) => {
      try {
        process.kill(-child.pid, signal);
      } catch {
        /* already gone */
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      killGroup('SIGTERM');
      setTimeout(() => killGroup('SIGKILL'), 3000).unref();
    }, timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code: code ?? (signal ? 128 : 1), timedOut, timeoutMs, output, results });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, timedOut: false, timeoutMs, output: String(err), results: [] });
    });
  });
}
