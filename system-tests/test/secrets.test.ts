import fs from 'node:fs';
import path from 'node:path';
import { ROOT, repositoryFiles } from './helpers/repo';

/**
 * No secret is committed. Tests keep their own throw-away keys (they sign test tokens), and
 * docs show example users' passwords in example requests; what must never hold a literal is
 * what deploys or drives a real system (compose, .env.example, the Dockerfile, Traefik, MySQL init,
 * CI, the client scripts and collections), the deployment's secret variables anywhere in the
 * docs, and the services' and libraries' src/. No file at all may hold a JWT.
 */
const files = repositoryFiles().filter((f) => !f.endsWith('package-lock.json'));
const textOf = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');
const isText = (f: string) => /\.(ts|mjs|js|cjs|json|ya?ml|md|sh|env|example|txt|conf|sql)$|Dockerfile$|^\.env|^\.ci\//.test(f);

/** Files that configure or drive a real deployment: a literal password, secret or token there is a leak. */
const deployment = files.filter(
  (f) =>
    f === 'docker-compose.yml' ||
    f === '.env.example' ||
    f === '.dockerignore' ||
    /(^|\/)Dockerfile$/.test(f) ||
    /^(traefik|deploy|\.ci)\//.test(f) ||
    /^scripts\/.*\.(sh|json|ya?ml)$/.test(f),
);

/** Prose: examples of requests with example users are fine, the deployment's own secrets are not. */
const docs = files.filter((f) => f.endsWith('.md'));
const DEPLOYMENT_SECRETS =
  /\b(JWT_SECRET|SERVICE_TOKEN_SECRET|MYSQL_ROOT_PASSWORD|[A-Z]+_DB_PASSWORD|JWT_PRIVATE_KEY)\s*[=:]\s*['"]?([^\s'"`$<]{6,})/g;

/** Services' and libraries' code; @canaduck/testing exists to hold the tests' throw-away keys. */
const isSource = (f: string) => /^(libraries\/[^/]+|[a-z-]+-service)\/src\//.test(f) && !f.startsWith('libraries/testing/');

/** `NAME=value`, `NAME: value`, `"name": "value"` where NAME says password, secret or token. */
const ASSIGNMENT = /["']?\b([A-Za-z0-9_]*(?:password|passwd|secret|token)[A-Za-z0-9_]*)["']?\s*[:=]\s*(["'`]?)([^\s"'`,;)}]*)/gi;
const isCode = (f: string) => /\.(m?js|cjs|ts)$/.test(f);

/** A value that is a reference or a placeholder, not a secret. */
function isReference(value: string): boolean {
  return (
    value === '' ||
    /^\$/.test(value) || // ${VAR}, $VAR
    /<</.test(value) || // Hoppscotch <<variable>>, alone or in a text
    /^<[^>]*>$/.test(value) || // <token> in docs
    /^(\.\.\.|null|undefined|true|false|string|number|optional|required|none|\[redacted\])$/i.test(value) ||
    /^[a-z]+\.[A-Za-z.]+/.test(value) || // code: config.JWT_SECRET, process.env.X
    /^[A-Za-z_]+\(/.test(value) // a call
  );
}

describe('secrets in committed files', () => {
  it('when scanning every file, then none holds a JWT', () => {
    const jwt = /eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}/;
    const hits = files.filter(isText).filter((f) => jwt.test(textOf(f)));
    expect(hits).toEqual([]);
  });

  it('when scanning deployment and client files, then no password, secret or token is given a literal value', () => {
    expect(deployment).toEqual(expect.arrayContaining(['docker-compose.yml', '.env.example', 'Dockerfile']));
    const hits: string[] = [];
    for (const f of deployment.filter(isText)) {
      textOf(f)
        .split('\n')
        .forEach((line, i) => {
          if (/^\s*(#|\/\/|\*|\/\*)/.test(line)) return; // comments describe variables
          // `${VAR:?message}` is a reference whatever its message says.
          const code = line.replace(/\$\{[^}]*\}/g, '$$REF');
          for (const m of code.matchAll(ASSIGNMENT)) {
            // In code only a quoted value is a literal (`password: pw` passes a variable).
            if (isCode(f) && m[2] === '') continue;
            // Kubernetes `secretName:` names a Secret object (created with kubectl), it holds no value.
            if (m[1] === 'secretName') continue;
            if (!isReference(m[3]) && m[3].length >= 6) hits.push(`${f}:${i + 1}: ${line.trim()}`);
          }
        });
    }
    expect(hits).toEqual([]);
  });

  it('when scanning the documentation, then no deployment secret is given a value', () => {
    const hits = docs.flatMap((f) => [...textOf(f).matchAll(DEPLOYMENT_SECRETS)].map((m) => `${f}: ${m[0]}`));
    expect(hits).toEqual([]);
  });

  it('when scanning the services and libraries sources, then no secret or password is a string literal', () => {
    const literal =
      /\b(?:[a-z0-9_]*(?:secret|password|passwd|api_?key)[a-z0-9_]*)['"]?\s*[:=]\s*['"`]([^'"`\s]{8,})['"`]|(?:SECRET|PASSWORD)[A-Z_]*[^\n]*\.default\(\s*['"`]/gi;
    const hits: string[] = [];
    for (const f of files.filter(isSource)) {
      textOf(f)
        .split('\n')
        .forEach((line, i) => {
          for (const m of line.matchAll(literal)) {
            // snake_case words are codes and reasons ('wrong_password'), not secrets.
            if (m[1] === undefined || !/^[a-z_]+$/.test(m[1])) hits.push(`${f}:${i + 1}: ${line.trim()}`);
          }
        });
    }
    expect(hits).toEqual([]);
  });

  it('when scanning deployment, client and source files, then no connection string carries a literal password', () => {
    const url = /\b(mysql2?|postgres(?:ql)?|redis|amqp):\/\/[^\s:/@]+:([^\s@]+)@/g;
    const hits: string[] = [];
    for (const f of [...deployment, ...docs, ...files.filter(isSource)].filter(isText)) {
      for (const m of textOf(f).matchAll(url)) if (!/^(\$|<|pass$|password$|\.\.\.)/.test(m[2])) hits.push(`${f}: ${m[0]}`);
    }
    expect(hits).toEqual([]);
  });

  it('when a local .env exists, then git ignores it', () => {
    expect(files).not.toContain('.env');
    expect(textOf('.gitignore').split('\n')).toContain('.env');
  });
});
