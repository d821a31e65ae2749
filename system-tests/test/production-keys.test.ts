import { readText, repositoryFiles } from './helpers/repo';

/**
 * A service started with NODE_ENV=production refuses to run without its own service keys
 * (libraries/config): every script that starts services in production mode must hand them over.
 * Compose and Kubernetes are checked in compose.test.ts and kubernetes.test.ts.
 */
const scripts = repositoryFiles().filter((f) => /^(bench|scripts|resilience)\/.*\.(mjs|js|cjs)$/.test(f));

describe('scripts that start services with NODE_ENV=production', () => {
  const production = scripts.filter((f) => /NODE_ENV['"]?\s*:\s*['"]production['"]/.test(readText(f)));

  it('when a script sets NODE_ENV to production, then it also gives the services their keys', () => {
    // The benches that measure in production mode: if they go, this test has nothing left to say.
    expect(production).toEqual(expect.arrayContaining(['bench/hop.mjs', 'bench/lib/realtime-stack.mjs']));
    const keyless = production.filter((f) => !/serviceKeyEnv\(|SERVICE_PRIVATE_KEY/.test(readText(f)));
    expect(keyless).toEqual([]);
  });

  it('when the local launcher runs in production, then it requires each service key and hands each process its own', () => {
    const stack = readText('scripts/stack.mjs');
    expect(stack).toMatch(/checkServiceKeys\(baseEnv,/);
    expect(stack).toMatch(/env\.SERVICE_PRIVATE_KEY = base\[privateKeyVariable\(svc\)\]/);
  });
});
