// docker-compose.yml read with the `yaml` package and turned into `docker run` arguments, so
// that the containers test runs what compose would run: the same environment (variables
// interpolated as compose does from a `.env`-style map), the same hardening (read_only, tmpfs,
// cap_drop, security_opt, init, restart), the same healthchecks, networks, aliases and labels.
// Only what the file says is used; what this machine lacks is swapped explicitly by the caller
// (image names, the published port, test-only volume names).
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

/** Compose's variable interpolation: `$$`, `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`, `${VAR:+a}`, `${VAR+a}`. */
export function interpolate(value, env) {
  return value.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])((?:[^{}]|\{[^{}]*\})*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (all, name, op, arg, bare) => {
      if (all === '$$') return '$';
      const key = name ?? bare;
      const v = env[key];
      const unsetOrEmpty = v === undefined || (op?.startsWith(':') && v === '');
      if (!op) return v ?? '';
      if (op.endsWith('-')) return unsetOrEmpty ? interpolate(arg, env) : v;
      if (op.endsWith('+')) return unsetOrEmpty ? '' : interpolate(arg, env);
      if (unsetOrEmpty) throw new Error(`${key}: ${arg || 'required variable is missing'}`);
      return v;
    },
  );
}

function interpolateDeep(value, env) {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateDeep(v, env));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolateDeep(v, env)]));
  return value;
}

/** Every variable compose requires (`${VAR:?...}`): what a `.env` must fill. */
export function requiredVariables(text) {
  return [...new Set([...text.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*):?\?/g)].map((m) => m[1]))].sort();
}

/** docker-compose.yml with merge keys applied and variables interpolated from env. */
export function loadCompose(root, env) {
  const text = fs.readFileSync(path.join(root, 'docker-compose.yml'), 'utf8');
  const raw = YAML.parse(text, { merge: true });
  return { text, compose: interpolateDeep(raw, env) };
}

/** `environment` as a map (compose accepts a map or a list of KEY=VALUE). */
export function environmentOf(svc) {
  const env = svc.environment ?? {};
  if (Array.isArray(env)) return Object.fromEntries(env.map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === null ? '' : String(v)]));
}

export function networksOf(svc) {
  return Array.isArray(svc.networks) ? svc.networks : Object.keys(svc.networks ?? { default: null });
}

export function labelsOf(svc) {
  const l = svc.labels ?? {};
  if (Array.isArray(l)) return Object.fromEntries(l.map((x) => [x.slice(0, x.indexOf('=')), x.slice(x.indexOf('=') + 1)]));
  return l;
}

/** Compose's dependencies of a service (short or long form). */
export function dependenciesOf(svc) {
  const d = svc.depends_on ?? {};
  return Array.isArray(d) ? Object.fromEntries(d.map((n) => [n, { condition: 'service_started' }])) : d;
}

/** Services in an order where each comes after what it depends on. */
export function startOrder(services, wanted) {
  const order = [];
  const visit = (name, stack = []) => {
    if (order.includes(name) || !wanted.includes(name)) return;
    if (stack.includes(name)) throw new Error(`dependency cycle: ${[...stack, name].join(' -> ')}`);
    for (const dep of Object.keys(dependenciesOf(services[name]))) visit(dep, [...stack, name]);
    order.push(name);
  };
  for (const name of wanted) visit(name);
  return order;
}

/** Compose durations (`10s`, `1m30s`, `500ms`) as docker run flags accept them. */
const duration = (d) => String(d);

/**
 * The healthcheck as `docker run` flags. `CMD` arrays become a shell command line (docker run
 * has no exec form for --health-cmd), quoted so that the words reach the program unchanged.
 */
export function healthFlags(hc) {
  if (!hc || hc.disable) return [];
  const [kind, ...rest] = hc.test;
  const quote = (w) => `'${String(w).replace(/'/g, `'\\''`)}'`;
  const cmd = kind === 'CMD-SHELL' ? rest.join(' ') : rest.map(quote).join(' ');
  const flags = ['--health-cmd', cmd];
  if (hc.interval) flags.push('--health-interval', duration(hc.interval));
  if (hc.timeout) flags.push('--health-timeout', duration(hc.timeout));
  if (hc.retries !== undefined) flags.push('--health-retries', String(hc.retries));
  if (hc.start_period) flags.push('--health-start-period', duration(hc.start_period));
  return flags;
}

/**
 * `docker run -d` arguments for one compose service, on its FIRST network (the others are
 * joined afterwards with `docker network connect`). Options: image (replacing compose's),
 * name, labels (added), publish (`-p` values), volumeName(composeName) (named volumes
 * renamed), root (bind mounts relative to it), networkName(key), firstNetwork (key).
 */
export function runArgs(name, svc, o) {
  const args = ['run', '-d', '--name', o.name, '--hostname', name];
  if (svc.restart) args.push('--restart', svc.restart);
  if (svc.init) args.push('--init');
  if (svc.read_only) args.push('--read-only');
  for (const t of svc.tmpfs ?? []) args.push('--tmpfs', t);
  for (const c of svc.cap_drop ?? []) args.push('--cap-drop', c);
  for (const c of svc.cap_add ?? []) args.push('--cap-add', c);
  for (const s of svc.security_opt ?? []) args.push('--security-opt', s);
  if (svc.user) args.push('--user', String(svc.user));
  for (const [k, v] of Object.entries(environmentOf(svc))) args.push('--env', `${k}=${v}`);
  for (const [k, v] of Object.entries({ ...labelsOf(svc), ...(o.labels ?? {}) })) args.push('--label', `${k}=${v}`);
  for (const v of svc.volumes ?? []) {
    const [src, dest, mode] = String(v).split(':');
    const isBind = src.startsWith('.') || src.startsWith('/');
    const source = isBind ? path.resolve(o.root, src) : o.volumeName(src);
    args.push('--volume', [source, dest, mode].filter(Boolean).join(':'));
  }
  for (const p of o.publish ?? []) args.push('--publish', p);
  args.push(...healthFlags(svc.healthcheck));
  // A published port needs a network with a way out: the caller names it (the gateway's `edge`).
  const first = o.firstNetwork ?? networksOf(svc)[0];
  args.push('--network', o.networkName(first), '--network-alias', name);
  args.push(o.image);
  if (svc.command) args.push(...(Array.isArray(svc.command) ? svc.command.map(String) : String(svc.command).split(/\s+/)));
  return args;
}
