// The images of the containers test: the public base images when Docker Hub answers, else the
// local stand-ins of build-base-images.sh (Debian + the npm registry), then every service image
// built with the real Dockerfile and the build args docker-compose.yml gives it.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { docker, imageExists } from './docker.mjs';

/** Public image -> local stand-in (scripts/containers/build-base-images.sh builds them). */
export const LOCAL_BASES = {
  node: { public: 'node:24-bookworm-slim', local: 'canaduck-local/node:24-bookworm-slim' },
  mariadb: { public: 'mysql:8.4', local: 'canaduck-local/mariadb:bookworm' },
  nats: { public: 'nats:2.10-alpine', local: 'canaduck-local/nats:bookworm' },
};

/**
 * Which base images to use. The public node image is tried first (`docker pull`, bounded):
 * when it comes, the public images are used as compose would; otherwise the local ones,
 * built when missing. CONTAINERS_BASE=local|public forces the choice.
 */
export async function resolveBaseImages({ root, say, pullTimeoutMs = 20000 }) {
  const wanted = process.env.CONTAINERS_BASE;
  let usePublic = wanted === 'public';
  if (!wanted) {
    const pulled = await docker(['pull', LOCAL_BASES.node.public], { timeoutMs: pullTimeoutMs });
    usePublic = pulled.code === 0;
    say(
      usePublic
        ? `pulled ${LOCAL_BASES.node.public}`
        : `cannot pull ${LOCAL_BASES.node.public} (${pulled.code === 124 ? 'timed out' : (pulled.stderr.split('\n').pop() ?? 'error')}): local base images`,
    );
  }
  if (usePublic) {
    for (const b of Object.values(LOCAL_BASES)) if (!(await imageExists(b.public))) await docker(['pull', b.public], { timeoutMs: 300000 });
    return Object.fromEntries(Object.entries(LOCAL_BASES).map(([k, b]) => [k, b.public]));
  }
  const missing = [];
  for (const [k, b] of Object.entries(LOCAL_BASES)) if (!(await imageExists(b.local))) missing.push(k);
  if (missing.length) {
    say(`building local base images: ${missing.join(', ')} (scripts/containers/build-base-images.sh)`);
    const t0 = Date.now();
    const r = spawnSync('bash', [path.join(root, 'scripts', 'containers', 'build-base-images.sh'), ...missing], {
      stdio: 'inherit',
      timeout: 1800000,
    });
    if (r.status !== 0) throw new Error('build-base-images.sh failed');
    say(`base images built in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
  }
  return Object.fromEntries(Object.entries(LOCAL_BASES).map(([k, b]) => [k, b.local]));
}

/**
 * Builds one service image with the root Dockerfile and compose's build args. Resolves
 * { seconds, size, cached } (cached: every step came from the layer cache).
 */
export async function buildServiceImage({ root, name, build, tag, nodeImage, log, timeoutMs = 1800000 }) {
  const args = ['build', '--file', path.join(root, build.context ?? '.', build.dockerfile ?? 'Dockerfile'), '--tag', tag];
  for (const [k, v] of Object.entries(build.args ?? {})) args.push('--build-arg', `${k}=${v}`);
  args.push('--build-arg', `NODE_IMAGE=${nodeImage}`, path.join(root, build.context ?? '.'));
  const t0 = Date.now();
  let steps = 0;
  let cachedSteps = 0;
  const r = await docker(args, {
    timeoutMs,
    onLine: (l) => {
      log(`[build ${name}] ${l}`);
      if (/^Step \d+\/\d+/.test(l)) steps += 1;
      if (/Using cache/.test(l)) cachedSteps += 1;
    },
  });
  if (r.code !== 0)
    throw new Error(
      `building ${name} failed (${r.code === 124 ? 'timed out' : `exit ${r.code}`}): ${r.stderr.split('\n').slice(-5).join(' | ')}`,
    );
  const size = Number((await docker(['image', 'inspect', '--format', '{{.Size}}', tag])).stdout);
  // FROM and the steps that only set metadata print no "Using cache": count RUN/COPY misses instead.
  return { seconds: (Date.now() - t0) / 1000, size, steps, cachedSteps };
}

export const megabytes = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
