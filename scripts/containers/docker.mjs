// The docker CLI from Node, every call bounded in time, plus what the containers test needs
// around it: a running dockerd (installing Debian's docker.io when missing), health waits,
// container addresses, and a cleanup by label.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Runs `docker ...args`; resolves { code, stdout, stderr } (code 124 on timeout). Never rejects. */
export function docker(args, { timeoutMs = 60000, input, onLine } = {}) {
  return new Promise((resolve) => {
    // stdin is a pipe only when there is input: docker may exit before reading it, and a write
    // to a closed pipe (EPIPE) must not take the whole test run down with it.
    const child = spawn('docker', args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.stdout.on('data', (d) => {
      stdout += d;
      if (onLine) for (const l of String(d).split('\n').filter(Boolean)) onLine(l);
    });
    child.stderr.on('data', (d) => {
      stderr += d;
      if (onLine) for (const l of String(d).split('\n').filter(Boolean)) onLine(l);
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      resolve({ code: 127, stdout, stderr: String(err) });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: timedOut ? 124 : (code ?? 1), stdout: stdout.trim(), stderr: stderr.trim() });
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // the exit code and stderr already tell what went wrong
      child.stdin.end(input);
    }
  });
}

/** Like docker(), but throws with docker's own message when the command fails. */
export async function dockerOk(args, opts) {
  const r = await docker(args, opts);
  if (r.code !== 0)
    throw new Error(
      `docker ${args.slice(0, 3).join(' ')} failed (${r.code === 124 ? 'timed out' : `exit ${r.code}`}): ${r.stderr || r.stdout}`,
    );
  return r.stdout;
}

function sh(cmd, timeoutMs = 600000) {
  return spawnSync('sh', ['-c', cmd], { stdio: 'inherit', timeout: timeoutMs }).status === 0;
}

/**
 * A dockerd that answers: the running one, or one started here (installed from Debian's
 * docker.io when missing). Returns true when this process started it.
 */
export async function ensureDockerd(say) {
  if ((await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 15000 })).code === 0) return false;
  if (!fs.existsSync('/usr/sbin/dockerd')) {
    say("no dockerd: installing Debian's docker.io");
    if (!sh('DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >/tmp/canaduck-docker-install.log 2>&1')) {
      sh(
        'apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q docker.io >>/tmp/canaduck-docker-install.log 2>&1',
      );
    }
  }
  say('starting dockerd (log: /tmp/canaduck-dockerd.log)');
  const log = fs.openSync('/tmp/canaduck-dockerd.log', 'a');
  spawn('/usr/sbin/dockerd', [], { detached: true, stdio: ['ignore', log, log] }).unref();
  for (let i = 0; i < 60; i++) {
    await sleep(1000);
    if ((await docker(['version', '--format', '{{.Server.Version}}'], { timeoutMs: 5000 })).code === 0) return true;
  }
  throw new Error('dockerd did not answer within 60 s (see /tmp/canaduck-dockerd.log)');
}

export async function imageExists(ref) {
  return (await docker(['image', 'inspect', ref], { timeoutMs: 15000 })).code === 0;
}

export async function inspect(name) {
  const r = await docker(['inspect', name], { timeoutMs: 15000 });
  return r.code === 0 ? JSON.parse(r.stdout)[0] : undefined;
}

/** Waits until the container's healthcheck says healthy; throws with its last probe output otherwise. */
export async function waitHealthy(name, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  let last;
  while (Date.now() < deadline) {
    last = await inspect(name);
    const status = last?.State?.Health?.Status ?? (last?.State?.Running ? 'running' : last?.State?.Status);
    if (status === 'healthy') return;
    await sleep(1000);
  }
  const probe = last?.State?.Health?.Log?.slice(-1)[0];
  throw new Error(
    `${name} not healthy after ${timeoutMs / 1000} s (state ${last?.State?.Status}, health ${last?.State?.Health?.Status}, last probe: ${probe?.Output?.trim() ?? 'none'})`,
  );
}

/** The container's address on a network (the host reaches bridge networks, internal ones included). */
export async function addressOn(name, network) {
  const info = await inspect(name);
  return info?.NetworkSettings?.Networks?.[network]?.IPAddress;
}

/** Removes every container, then network, then volume carrying the label (key=value). */
export async function removeLabelled(label) {
  const ids = (await docker(['ps', '-aq', '--filter', `label=${label}`], { timeoutMs: 30000 })).stdout.split('\n').filter(Boolean);
  if (ids.length) await docker(['rm', '-f', '-v', ...ids], { timeoutMs: 90000 });
  const nets = (await docker(['network', 'ls', '-q', '--filter', `label=${label}`], { timeoutMs: 30000 })).stdout
    .split('\n')
    .filter(Boolean);
  if (nets.length) await docker(['network', 'rm', ...nets], { timeoutMs: 60000 });
  const vols = (await docker(['volume', 'ls', '-q', '--filter', `label=${label}`], { timeoutMs: 30000 })).stdout
    .split('\n')
    .filter(Boolean);
  if (vols.length) await docker(['volume', 'rm', '-f', ...vols], { timeoutMs: 60000 });
  return { containers: ids.length, networks: nets.length, volumes: vols.length };
}
