import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, apiServices, readText } from './helpers/repo';
import { type Closer, serviceDocument } from './helpers/service-documents';

interface HoppRequest {
  name: string;
  method: string;
  endpoint: string;
  testScript: string;
  preRequestScript: string;
  auth: { authType: string; token?: string };
  body: { contentType: string | null; body: string | null };
}
interface HoppFolder {
  name: string;
  requests: HoppRequest[];
  folders: HoppFolder[];
}

const DIR = 'scripts/hoppscotch';
const collection = JSON.parse(readText(`${DIR}/canaduck.collection.json`)) as HoppFolder;
const environment = JSON.parse(readText(`${DIR}/local.environment.json`)) as {
  variables: Array<{ key: string; initialValue: string; currentValue: string }>;
};
const requests = (f: HoppFolder): HoppRequest[] => [...f.requests, ...f.folders.flatMap(requests)];
const all = requests(collection);

/** The public operations: what clients reach through the gateway (structures.md section 6). */
async function publicOperations(closers: Closer[]): Promise<Array<{ service: string; method: string; path: string }>> {
  const documents = [];
  for (const { name } of apiServices()) documents.push({ name, doc: await serviceDocument(name, closers) });
  return documents.flatMap(({ name, doc }) => {
    const paths = (doc.paths ?? {}) as Record<string, Record<string, unknown>>;
    return (
      Object.entries(paths)
        .filter(([p]) => !p.startsWith('/internal/'))
        // Each service's own /health, /ready, /openapi.json, /docs are not routed; the gateway's are.
        .filter(([p]) => name === 'gateway-service' || !['/health', '/ready', '/openapi.json', '/docs'].includes(p))
        .flatMap(([p, item]) =>
          Object.keys(item)
            .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
            .map((m) => ({ service: name, method: m.toUpperCase(), path: p })),
        )
    );
  });
}

describe('the Hoppscotch collection', () => {
  it('when regenerated, then it is what scripts/hoppscotch/generate.mjs writes (edit the generator, not the JSON)', () => {
    const generated = execFileSync(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `import('${path.join(ROOT, DIR, 'generate.mjs')}').then((m) => process.stdout.write(JSON.stringify(m.buildCollection())))`,
      ],
      { encoding: 'utf8' },
    );
    expect(JSON.parse(generated)).toEqual(collection);
  });

  it('when compared with the services\u2019 OpenAPI documents, then every public route has a request', async () => {
    const closers: Closer[] = [];
    const operations = await publicOperations(closers).finally(async () => {
      for (const close of closers.reverse()) await close();
    });
    expect(operations.length).toBeGreaterThan(40);
    const covered = (method: string, template: string) => {
      const re = new RegExp(`^${template.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`);
      return all.some((r) => r.method === method && re.test(r.endpoint.replace('<<base_url>>', '').split('?')[0]));
    };
    const missing = operations.filter((o) => !covered(o.method, o.path)).map((o) => `${o.service}: ${o.method} ${o.path}`);
    expect(missing).toEqual([]);
  });

  it('when run, then every request checks its status code and at least one request checks fields', () => {
    for (const r of all) {
      expect({ name: r.name, checksStatus: /pw\.response\.status/.test(r.testScript) && /pw\.test\(/.test(r.testScript) }).toEqual({
        name: r.name,
        checksStatus: true,
      });
    }
    expect(all.filter((r) => (r.testScript.match(/pw\.test\(/g) ?? []).length >= 2).length).toBeGreaterThan(all.length / 2);
  });

  it('when a request needs a token, then it takes it from the environment, which a login filled', () => {
    const tokenVars = new Set(all.filter((r) => r.auth.authType === 'bearer').map((r) => r.auth.token!.replace(/^<<|>>$/g, '')));
    for (const v of tokenVars) {
      const setBySomeone = all.some((r) => r.testScript.includes(`pw.env.set("${v}"`) || r.preRequestScript.includes(`pw.env.set('${v}'`));
      expect({ v, setBySomeone }).toEqual({ v, setBySomeone: true });
    }
  });

  it('when looking at the environment, then it declares every variable used, holds no secret and targets the local stack', () => {
    const used = new Set(
      JSON.stringify(collection)
        .match(/<<#?(\w+)>>/g)!
        .map((m) => m.replace(/^<<#?|>>$/g, '')),
    );
    const declared = environment.variables.map((v) => v.key);
    expect([...used].filter((v) => !declared.includes(v))).toEqual([]);
    for (const v of environment.variables) {
      if (v.key === 'base_url') expect(v.initialValue).toBe('http://localhost:5004');
      else
        expect({ key: v.key, initialValue: v.initialValue, currentValue: v.currentValue }).toEqual({
          key: v.key,
          initialValue: '',
          currentValue: '',
        });
    }
  });

  it('when names are made, then the first request makes them unique per run', () => {
    const first = all[0];
    expect(first.preRequestScript).toMatch(/Date\.now\(\)/);
    for (const v of ['pseudo_a', 'pseudo_b', 'pseudo_c', 'channel', 'password_a'])
      expect(first.preRequestScript).toContain(`pw.env.set('${v}'`);
  });
});
