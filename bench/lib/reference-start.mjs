// Starts R1's floor (bench/lib/reference-proxy.cjs) as a child process, for bench/run.mjs and
// bench/ab-gateway.mjs alike.
import { fork } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../../scripts/stack.mjs';

/** The reference proxy on 127.0.0.1:`port` in front of `target`; resolves once it listens. */
export function startReferenceProxy(port, target) {
  const child = fork(path.join(ROOT, 'bench', 'lib', 'reference-proxy.cjs'), [], {
    cwd: ROOT,
    env: { ...process.env, REFERENCE_PORT: String(port), REFERENCE_TARGET: target, NODE_OPTIONS: process.env.NODE_OPTIONS ?? '' },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the reference proxy did not start within 10 s')), 10_000);
    child.once('message', () => (clearTimeout(timer), resolve(child)));
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`the reference proxy exited with ${code}`))));
  });
}
