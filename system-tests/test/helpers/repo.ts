import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** The repository root (system-tests/ sits directly under it). */
export const ROOT = path.resolve(__dirname, '..', '..', '..');

export interface ServiceInfo {
  name: string;
  port: number;
  /** The service's database name, or null for one without (gateway, realtime). */
  db: string | null;
}

/**
 * The services as the local launcher knows them (scripts/stack.mjs is ESM; jest runs
 * CommonJS here, so its SERVICES table is read as text rather than imported).
 */
export function launcherServices(): ServiceInfo[] {
  const text = fs.readFileSync(path.join(ROOT, 'scripts', 'stack.mjs'), 'utf8');
  const rows = [...text.matchAll(/\{\s*name:\s*'([a-z-]+-service)'[^}]*?port:\s*(\d+),\s*db:\s*(null|'([a-z_]+)')/g)];
  return rows.map((m) => ({ name: m[1], port: Number(m[2]), db: m[4] ?? null }));
}

/**
 * The launcher's services that serve a REST API of their own (a `src/routes` folder): the ones
 * with an OpenAPI document and Hoppscotch requests. The IRC door speaks IRC; its HTTP port only
 * serves /health, /ready and /metrics.
 */
export function apiServices(): ServiceInfo[] {
  return launcherServices().filter((s) => fs.existsSync(path.join(ROOT, s.name, 'src', 'routes')));
}

export function readText(rel: string): string {
  return fs.readFileSync(path.join(ROOT, rel), 'utf8');
}

/** docker-compose.yml as written (before variable interpolation), with YAML merge keys applied. */
export function readCompose(): Record<string, unknown> {
  return YAML.parse(readText('docker-compose.yml'), { merge: true }) as Record<string, unknown>;
}

/** Thrown where compose itself would refuse: a `${VAR:?message}` whose variable is unset. */
export class MissingVariableError extends Error {}

/**
 * Compose's variable interpolation on one string: `$$`, `$VAR`, `${VAR}`, `${VAR:-default}`,
 * `${VAR-default}`, `${VAR:?error}`, `${VAR?error}`, `${VAR:+alt}`, `${VAR+alt}`.
 */
export function interpolate(value: string, env: Record<string, string | undefined>): string {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, name?: string, op?: string, arg?: string, bare?: string) => {
      if (all === '$$') return '$';
      if (bare) return env[bare] ?? '';
      const v = env[name!];
      const unsetOrEmpty = v === undefined || (op?.startsWith(':') && v === '');
      switch (op) {
        case undefined:
          return v ?? '';
        case ':-':
        case '-':
          return unsetOrEmpty ? interpolate(arg ?? '', env) : v!;
        case ':?':
        case '?':
          if (unsetOrEmpty) throw new MissingVariableError(`${name}: ${arg}`);
          return v!;
        default:
          return unsetOrEmpty ? '' : interpolate(arg ?? '', env);
      }
    },
  );
}

/** Interpolates every string of a parsed compose document, as `docker compose config` would. */
export function interpolateDeep<T>(node: T, env: Record<string, string | undefined>): T {
  if (typeof node === 'string') return interpolate(node, env) as T;
  if (Array.isArray(node)) return node.map((n) => interpolateDeep(n, env)) as T;
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateDeep(v, env)])) as T;
  }
  return node;
}

/** Every `${VAR:?...}` of a text: the variables compose requires. */
export function requiredVariables(text: string): string[] {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => m[1]))].sort();
}

/** A compose `environment` (list or map) as a plain map of strings. */
export function environmentOf(service: Record<string, unknown>): Record<string, string> {
  const env = service.environment;
  if (!env) return {};
  if (Array.isArray(env)) {
    return Object.fromEntries(
      env.map((line: string) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(env as Record<string, unknown>).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

/** Compose labels (list or map) as a map. */
export function labelsOf(service: Record<string, unknown>): Record<string, string> {
  const labels = service.labels;
  if (!labels) return {};
  if (Array.isArray(labels)) {
    return Object.fromEntries(
      labels.map((line: string) => {
        const i = line.indexOf('=');
        return i < 0 ? [line, ''] : [line.slice(0, i), line.slice(i + 1)];
      }),
    );
  }
  return Object.fromEntries(Object.entries(labels as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/**
 * The files a commit would hold: tracked ones plus new ones that .gitignore does not
 * exclude (the lead commits after us). Falls back to a walk when git is unavailable.
 */
export function repositoryFiles(): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    return out
      .split('\0')
      .filter(Boolean)
      .filter((f) => fs.existsSync(path.join(ROOT, f)));
  } catch {
    const skip = new Set(['node_modules', '.git', 'dist', 'data', 'test-results', 'coverage']);
    const walk = (dir: string): string[] =>
      fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
        if (skip.has(e.name)) return [];
        const rel = dir ? `${dir}/${e.name}` : e.name;
        return e.isDirectory() ? walk(rel) : [rel];
      });
    return walk('');
  }
}

/** The workspace folders of the root package.json, `libraries/*` expanded. */
export function workspaceDirs(): string[] {
  const pkg = JSON.parse(readText('package.json')) as { workspaces: string[] };
  return pkg.workspaces.flatMap((w) =>
    w.endsWith('/*')
      ? fs
          .readdirSync(path.join(ROOT, w.slice(0, -2)))
          .map((d) => `${w.slice(0, -2)}/${d}`)
          .filter((d) => fs.existsSync(path.join(ROOT, d, 'package.json')))
      : [w],
  );
}
