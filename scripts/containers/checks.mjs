// Checks run against the stack in containers: the smoke test and the e2e check files (the
// same `ok - ` / `not ok - ` reporting scripts/e2e.mjs counts), the hardening each container
// really runs with, and the Prometheus metrics of every service.
import { spawn } from 'node:child_process';
import { docker, inspect } from './docker.mjs';

/** Runs a script (bash for .sh, node otherwise) with a timeout; resolves { ok, results, seconds }. */
export function runScript(file, { cwd, env, timeoutMs, say }) {
  return new Promise((resolve) => {
    const [cmd, args] = file.endsWith('.sh') ? ['bash', [file]] : [process.execPath, [file]];
    const t0 = Date.now();
    const child = spawn(cmd, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const results = [];
    let pending = '';
    let timedOut = false;
    const onData = (d) => {
      pending += d;
      let i;
      while ((i = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, i);
        pending = pending.slice(i + 1);
        say(`    ${line}`);
        const m = /^(ok|not ok)\b(?:\s+\d+)?\s*-?\s*(.*)$/.exec(line.trim());
        if (m) results.push({ ok: m[1] === 'ok', name: m[2] });
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      const ok = code === 0 && !timedOut && results.every((r) => r.ok);
      resolve({ ok, code, timedOut, results, seconds: (Date.now() - t0) / 1000 });
    });
  });
}

/** What compose asked for each service, checked on the running container. */
export async function hardeningChecks(container, svc) {
  const info = await inspect(container);
  const h = info.HostConfig;
  const out = [];
  const add = (name, ok, detail) => out.push({ name: `${container}: ${name}`, ok, detail });
  if (svc.read_only) add('read-only root filesystem', h.ReadonlyRootfs === true);
  if (svc.cap_drop?.includes('ALL'))
    add(
      'every capability dropped',
      (h.CapDrop ?? []).map((c) => c.toUpperCase()).some((c) => c === 'ALL'),
    );
  for (const s of svc.security_opt ?? []) add(`security option ${s}`, (h.SecurityOpt ?? []).includes(s));
  if (svc.init) add('init process (PID 1 reaps and forwards signals)', h.Init === true);
  if (svc.restart) add(`restart policy ${svc.restart}`, h.RestartPolicy?.Name === svc.restart);
  for (const t of svc.tmpfs ?? []) add(`tmpfs ${t}`, Object.keys(h.Tmpfs ?? {}).includes(t));
  if (svc.build) {
    // The image's USER: the service runs as a non-root uid, and cannot write its code.
    const id = await docker(['exec', container, 'id', '-u'], { timeoutMs: 15000 });
    add('runs as a non-root user', id.code === 0 && id.stdout !== '0', `uid ${id.stdout}`);
    const write = await docker(['exec', container, 'sh', '-c', 'touch /app/x 2>/dev/null && echo writable || echo refused'], {
      timeoutMs: 15000,
    });
    add('cannot write outside its tmpfs', write.stdout === 'refused');
  }
  return out;
}

/** Reads /metrics and checks the request counters are there. */
export async function metricsCheck(name, url) {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
    const text = await res.text();
    const ok = res.status === 200 && /^http_requests_total\{/m.test(text) && text.includes(`service="${name}"`);
    return {
      name: `${name}: Prometheus metrics at ${new URL(url).pathname} (port ${new URL(url).port})`,
      ok,
      detail: ok ? '' : `status ${res.status}`,
    };
  } catch (err) {
    return { name: `${name}: Prometheus metrics at ${url}`, ok: false, detail: err.message };
  }
}
