import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import YAML from 'yaml';
import {
  MissingVariableError,
  ROOT,
  environmentOf,
  interpolateDeep,
  labelsOf,
  launcherServices,
  readCompose,
  readText,
  requiredVariables,
} from './helpers/repo';

type Service = Record<string, unknown>;

const SCHEMA = path.resolve(ROOT, '..', 'shared', 'schemas', 'compose-spec.json');
const compose = readCompose();
const services = compose.services as Record<string, Service>;
const nodeServices = launcherServices();
const gateway = nodeServices.find((s) => s.name === 'gateway-service')!;
const irc = nodeServices.find((s) => s.name === 'irc-service')!;
const realtime = nodeServices.find((s) => s.name === 'realtime-service')!;
/**
 * Traefik's headers middleware on realtime's router: what the gateway's helmet and CORS
 * (gateway-service/src/middleware/security-middleware.ts, CORS_ORIGINS=*) set on a proxied answer.
 */
const REALTIME_HEADERS = {
  contentsecuritypolicy: "default-src 'none';frame-ancestors 'none'",
  'customresponseheaders.Cross-Origin-Resource-Policy': 'cross-origin',
  referrerpolicy: 'no-referrer',
  stsseconds: '31536000',
  stsincludesubdomains: 'true',
  forcestsheader: 'true',
  contenttypenosniff: 'true',
  framedeny: 'true',
  accesscontrolalloworiginlist: '*',
  accesscontrolallowmethods: 'GET,HEAD,POST,PUT,PATCH,DELETE',
  accesscontrolallowheaders: 'Authorization,Content-Type,X-Request-Id',
  accesscontrolexposeheaders: 'X-Request-Id,Retry-After,RateLimit,RateLimit-Policy',
  accesscontrolmaxage: '600',
};
/** The Node services that own no database (the launcher gives them `db: null`). */
const stateless = new Set(nodeServices.filter((s) => !s.db).map((s) => s.name));
const withDatabase = nodeServices.filter((s) => !stateless.has(s.name));

/** A value for every variable compose requires, as a filled-in .env would give. */
function filledEnv(): Record<string, string> {
  return Object.fromEntries(
    requiredVariables(readText('docker-compose.yml')).map((v) => [
      v,
      `${v.toLowerCase().replace(/_/g, '')}0123456789abcdef0123456789abcdef`,
    ]),
  );
}

describe('docker-compose.yml', () => {
  const schemaTest = fs.existsSync(SCHEMA) ? it : it.skip;
  if (!fs.existsSync(SCHEMA)) {
    // CI clones the repository with shared/ beside it; a bare clone has no schema to check against.
    console.warn(`compose schema validation skipped: ${SCHEMA} not found (shared/ is expected beside the repository)`);
  }

  schemaTest('when validated against the Compose specification JSON schema, then it conforms', () => {
    const schema = JSON.parse(fs.readFileSync(SCHEMA, 'utf8')) as Record<string, unknown>;
    delete schema.$schema; // draft-07, the Ajv default; its https meta-schema URL is not bundled
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    // Both as written and after interpolation (ports, numbers from variables).
    for (const doc of [compose, interpolateDeep(compose, filledEnv())]) {
      const ok = validate(doc);
      expect(ajv.errorsText(validate.errors, { separator: '\n' })).toBe('No errors');
      expect(ok).toBe(true);
    }
  });

  it('when parsed, then it is valid YAML with no duplicate keys', () => {
    const doc = YAML.parseDocument(readText('docker-compose.yml'), { uniqueKeys: true, merge: true });
    expect(doc.errors.map((e) => e.message)).toEqual([]);
  });

  it('when listing services, then it runs traefik, mysql, nats and the Node services of the launcher', () => {
    expect(Object.keys(services).sort()).toEqual(['mysql', 'nats', 'traefik', ...nodeServices.map((s) => s.name)].sort());
  });

  it('when looking at published ports, then only traefik publishes: HTTP on 80, IRC on 6667 and 6697', () => {
    const publishing = Object.entries(services).filter(([, s]) => Array.isArray(s.ports) && s.ports.length > 0);
    expect(publishing.map(([n]) => n)).toEqual(['traefik']);
    const ports = interpolateDeep(services.traefik.ports as string[], filledEnv()).map(String);
    expect(ports).toEqual(['80:80', '6667:6667', '6697:6697']);
    expect(interpolateDeep(services.traefik.ports as string[], { HTTP_PORT: '8080', IRC_PORT: '7000', IRCS_PORT: '7001' })).toEqual([
      '8080:80',
      '7000:6667',
      '7001:6697',
    ]);
  });

  it('when looking at Traefik TCP labels, then the irc-service is routed on the irc entry point (plain) and ircs (TLS) to its IRC_PORT', () => {
    const labels = labelsOf(services[irc.name]);
    expect(labels['traefik.enable']).toBe('true');
    expect(labels['traefik.docker.network']).toBe((compose.networks as Record<string, { name: string }>).edge.name);
    expect(labels['traefik.tcp.routers.irc.rule']).toBe('HostSNI(`*`)');
    expect(labels['traefik.tcp.routers.irc.entrypoints']).toBe('irc');
    expect(labels['traefik.tcp.routers.irc.tls']).toBeUndefined();
    expect(labels['traefik.tcp.routers.ircs.rule']).toBe('HostSNI(`*`)');
    expect(labels['traefik.tcp.routers.ircs.entrypoints']).toBe('ircs');
    expect(labels['traefik.tcp.routers.ircs.tls']).toBe('true');
    // Both routers lead to the one TCP service, on the port the door listens on for IRC.
    expect(labels['traefik.tcp.routers.irc.service']).toBe('irc');
    expect(labels['traefik.tcp.routers.ircs.service']).toBe('irc');
    expect(labels['traefik.tcp.services.irc.loadbalancer.server.port']).toBe(environmentOf(services[irc.name]).IRC_PORT);
    // No HTTP router: its HTTP port (/health, /ready, /metrics) stays internal.
    expect(Object.keys(labels).filter((k) => k.startsWith('traefik.http.'))).toEqual([]);
    const t = YAML.parse(readText('traefik/traefik.yml')) as { entryPoints: Record<string, { address: string }> };
    expect(t.entryPoints.irc.address).toBe(':6667');
    expect(t.entryPoints.ircs.address).toBe(':6697');
  });

  it('when looking at Traefik labels, then only the gateway and realtime (HTTP) and the IRC door (TCP) are enabled, the gateway on PathPrefix(`/`) to its own PORT', () => {
    const doors = [gateway.name, realtime.name, irc.name];
    const enabled = Object.entries(services).filter(([, s]) => labelsOf(s)['traefik.enable'] === 'true');
    expect(enabled.map(([n]) => n).sort()).toEqual([...doors].sort());
    for (const [name, s] of Object.entries(services)) {
      if (!doors.includes(name)) expect(Object.keys(labelsOf(s)).filter((k) => k.startsWith('traefik.'))).toEqual([]);
    }
    const labels = labelsOf(services[gateway.name]);
    const routers = Object.keys(labels).filter((k) => /^traefik\.http\.routers\.[^.]+\.rule$/.test(k));
    expect(routers).toHaveLength(1);
    expect(labels[routers[0]]).toBe('PathPrefix(`/`)');
    const lbPorts = Object.entries(labels).filter(([k]) => /^traefik\.http\.services\.[^.]+\.loadbalancer\.server\.port$/.test(k));
    expect(lbPorts).toHaveLength(1);
    const gatewayPort = environmentOf(services[gateway.name]).PORT;
    expect(lbPorts[0][1]).toBe(gatewayPort);
    expect(Number(gatewayPort)).toBe(gateway.port);
  });

  it('when looking at realtime labels, then its streams (not the ticket) go to its PORT ahead of the gateway, with the gateway headers', () => {
    const labels = labelsOf(services[realtime.name]);
    const rule = labels['traefik.http.routers.realtime.rule'];
    expect(rule).toBe('(Path(`/events`) || PathPrefix(`/events/`) || Path(`/ws`)) && !Path(`/events/ticket`)');
    // Traefik's default priority is the rule's length: the gateway's catch-all has 14.
    expect(Number(labels['traefik.http.routers.realtime.priority'])).toBeGreaterThan('PathPrefix(`/`)'.length);
    expect(labels['traefik.http.routers.realtime.entrypoints']).toBe('web');
    expect(labels['traefik.http.services.realtime.loadbalancer.server.port']).toBe(environmentOf(services[realtime.name]).PORT);
    expect(Number(environmentOf(services[realtime.name]).PORT)).toBe(realtime.port);
    expect(labels['traefik.http.services.realtime.loadbalancer.healthcheck.path']).toBe('/health');
    expect(labels['traefik.http.routers.realtime.middlewares']).toBe('realtime-headers');
    const headers = Object.fromEntries(
      Object.entries(labels)
        .filter(([k]) => k.startsWith('traefik.http.middlewares.realtime-headers.headers.'))
        .map(([k, v]) => [k.slice('traefik.http.middlewares.realtime-headers.headers.'.length), v]),
    );
    expect(headers).toEqual(REALTIME_HEADERS);
  });

  it('when looking at healthchecks, then every service has one, and the Node services ask /health', () => {
    for (const [name, s] of Object.entries(services)) {
      const hc = s.healthcheck as { test?: unknown; disable?: boolean } | undefined;
      expect({ name, test: hc?.test !== undefined && !hc?.disable }).toEqual({ name, test: true });
    }
    for (const svc of nodeServices) {
      expect(JSON.stringify((services[svc.name].healthcheck as { test: unknown }).test)).toContain('/health');
    }
  });

  it('when looking at start order, then every database service waits for a healthy mysql and nats, the gateway for healthy services, the IRC door for the gateway and nats', () => {
    for (const svc of withDatabase) {
      const deps = services[svc.name].depends_on as Record<string, { condition: string }>;
      expect(deps.mysql.condition).toBe('service_healthy');
      expect(deps.nats?.condition).toBe('service_healthy');
    }
    const gwDeps = services[gateway.name].depends_on as Record<string, { condition: string }>;
    for (const svc of withDatabase) {
      expect(gwDeps[svc.name]?.condition).toBe('service_healthy');
    }
    const ircDeps = services[irc.name].depends_on as Record<string, { condition: string }>;
    expect(ircDeps[gateway.name]?.condition).toBe('service_healthy');
    expect(ircDeps.nats?.condition).toBe('service_healthy');
  });

  it('when nats starts, then it runs JetStream (-js) with its store on a named volume and a /healthz healthcheck, internal only', () => {
    const nats = services.nats;
    expect(String(nats.image)).toMatch(/^nats:2\.\d+/);
    const command = nats.command as string[];
    expect(command).toContain('-js');
    const store = command[command.indexOf('-sd') + 1];
    const volume = (nats.volumes as string[]).find((v) => v.endsWith(`:${store}`))!;
    expect(Object.keys(compose.volumes as object)).toContain(volume.split(':')[0]);
    expect(JSON.stringify((nats.healthcheck as { test: unknown }).test)).toContain('/healthz');
    expect(nats.ports).toBeUndefined();
    // Every Node service, producers and readers alike, is pointed at this one: a reader with
    // NATS_URL reads JetStream only, so one producer without it would starve every reader.
    for (const svc of nodeServices)
      expect({ svc: svc.name, nats: environmentOf(services[svc.name]).NATS_URL }).toEqual({ svc: svc.name, nats: 'nats://nats:4222' });
  });

  it('when looking at restart policies and names, then every service restarts and singletons have canaduck- names', () => {
    expect(compose.name).toBe('canaduck');
    for (const [name, s] of Object.entries(services)) {
      expect({ name, restart: s.restart }).toEqual({ name, restart: 'unless-stopped' });
      if (s.container_name !== undefined) expect(String(s.container_name)).toMatch(/^canaduck-/);
    }
    expect(services.traefik.container_name).toBe('canaduck-traefik');
    expect(services.mysql.container_name).toBe('canaduck-mysql');
  });

  it('when looking at networks, then traefik is on edge only, mysql and the services on internal, the doors on both', () => {
    const nets = (s: Service) => (Array.isArray(s.networks) ? (s.networks as string[]) : Object.keys(s.networks as object)).sort();
    expect(nets(services.traefik)).toEqual(['edge']);
    expect(nets(services.mysql)).toEqual(['internal']);
    expect(nets(services.nats)).toEqual(['internal']);
    expect(nets(services[gateway.name])).toEqual(['edge', 'internal']);
    expect(nets(services[irc.name])).toEqual(['edge', 'internal']);
    expect(nets(services[realtime.name])).toEqual(['edge', 'internal']);
    for (const svc of withDatabase) expect(nets(services[svc.name])).toEqual(['internal']);
    const networks = compose.networks as Record<string, { name?: string; internal?: boolean }>;
    expect(networks.internal.internal).toBe(true);
    // Traefik must reach the doors on the edge network, whose real name both files use.
    expect(labelsOf(services[gateway.name])['traefik.docker.network']).toBe(networks.edge.name);
    expect(labelsOf(services[realtime.name])['traefik.docker.network']).toBe(networks.edge.name);
    const traefik = YAML.parse(readText('traefik/traefik.yml')) as { providers: { docker: { network: string } } };
    expect(traefik.providers.docker.network).toBe(networks.edge.name);
    // The edge network is who the outside reaches: Traefik and exactly the services it routes to.
    // (Compose has one internal network: who calls whom inside is the service tokens' business.)
    const onEdge = Object.keys(services).filter((n) => nets(services[n]).includes('edge'));
    const routed = Object.keys(services).filter((n) => labelsOf(services[n])['traefik.enable'] === 'true');
    expect(onEdge.sort()).toEqual(['traefik', ...routed].sort());
    expect(routed.sort()).toEqual([gateway.name, realtime.name, irc.name].sort());
  });

  it('when building, then every Node service builds the one root Dockerfile, its build args naming the service and its port', () => {
    for (const svc of nodeServices) {
      const s = services[svc.name];
      const build = s.build as { context: string; dockerfile: string; args: Record<string, unknown> };
      expect(build).toEqual({ context: '.', dockerfile: 'Dockerfile', args: { SERVICE: svc.name, SERVICE_PORT: svc.port } });
      expect(fs.existsSync(path.join(ROOT, build.context, build.dockerfile))).toBe(true);
      // The image's own PORT and EXPOSE come from SERVICE_PORT: the same port compose gives it.
      expect(String(build.args.SERVICE_PORT)).toBe(environmentOf(s).PORT);
      expect(s.image).toBe(`canaduck/${svc.name}:latest`);
    }
  });

  it('when traefik reads traefik/traefik.yml, then only the web (:80), irc and ircs entry points are public, exposure is opt-in, no dashboard', () => {
    const t = YAML.parse(readText('traefik/traefik.yml')) as {
      entryPoints: Record<string, { address: string }>;
      providers: { docker: { exposedByDefault: boolean } };
      api?: { dashboard?: boolean; insecure?: boolean };
      ping?: { entryPoint: string };
    };
    expect(t.entryPoints.web.address).toBe(':80');
    expect(t.providers.docker.exposedByDefault).toBe(false);
    expect(t.api === undefined || (t.api.dashboard === false && t.api.insecure !== true)).toBe(true);
    // The healthcheck's `traefik healthcheck --ping` needs ping, on an entry point that is not published.
    expect(t.ping?.entryPoint).toBeDefined();
    const published = (services.traefik.ports as string[]).map((p) => String(p).split(':').pop());
    expect(published).toEqual(['web', 'irc', 'ircs'].map((e) => t.entryPoints[e].address.replace(':', '')));
    expect(published).not.toContain(t.entryPoints[t.ping!.entryPoint].address.replace(':', ''));
    // The compose file mounts this very file where Traefik looks for it.
    expect(services.traefik.volumes).toContain('./traefik/traefik.yml:/etc/traefik/traefik.yml:ro');
  });

  it('when traefik starts, then it is v3.6 or later (older ones cannot talk to Docker Engine 29)', () => {
    const m = /^traefik:v(\d+)\.(\d+)/.exec(String(services.traefik.image));
    expect(m).not.toBeNull();
    expect(Number(m![1]) * 100 + Number(m![2])).toBeGreaterThanOrEqual(306);
  });

  it('when mysql starts, then it is 8.4 with a named volume and the init scripts', () => {
    const mysql = services.mysql;
    expect(mysql.image).toBe('mysql:8.4');
    const volumes = mysql.volumes as string[];
    const data = volumes.find((v) => v.endsWith(':/var/lib/mysql'))!;
    expect(Object.keys(compose.volumes as object)).toContain(data.split(':')[0]);
    const init = volumes.find((v) => v.includes(':/docker-entrypoint-initdb.d'))!;
    expect(fs.readdirSync(path.join(ROOT, init.split(':')[0])).some((f) => f.endsWith('.sh') || f.endsWith('.sql'))).toBe(true);
  });

  it('when a required secret is missing from the environment, then interpolation refuses like compose', () => {
    const required = requiredVariables(readText('docker-compose.yml'));
    expect(required).toEqual(
      expect.arrayContaining([
        'JWT_PRIVATE_KEY',
        'JWT_PUBLIC_KEY',
        'SERVICE_PUBLIC_KEYS',
        'GATEWAY_SERVICE_PRIVATE_KEY',
        'MYSQL_ROOT_PASSWORD',
        'USER_DB_PASSWORD',
        'MESSAGE_DB_PASSWORD',
        'CHANNEL_DB_PASSWORD',
        'STATS_DB_PASSWORD',
      ]),
    );
    for (const missing of required) {
      const env: Record<string, string> = filledEnv();
      delete env[missing];
      expect(() => interpolateDeep(compose, env)).toThrow(MissingVariableError);
      expect(() => interpolateDeep(compose, { ...env, [missing]: '' })).toThrow(new RegExp(missing));
    }
    expect(() => interpolateDeep(compose, filledEnv())).not.toThrow();
  });

  it('when reading .env.example, then it names every required variable and leaves every value empty', () => {
    const lines = readText('.env.example')
      .split('\n')
      .filter((l) => /^[A-Z_][A-Z0-9_]*=/.test(l));
    const names = lines.map((l) => l.split('=')[0]);
    expect(names).toEqual(expect.arrayContaining(requiredVariables(readText('docker-compose.yml'))));
    expect(lines.filter((l) => !l.endsWith('='))).toEqual([]);
  });

  it('when a service connects to MySQL, then it uses its own database and its own user, never root', () => {
    const env = filledEnv();
    const urls = new Map<string, URL>();
    for (const svc of withDatabase) {
      const url = new URL(interpolateDeep(environmentOf(services[svc.name]), env).DATABASE_URL);
      expect(url.protocol).toBe('mysql:');
      expect(url.hostname).toBe('mysql');
      expect(url.username).not.toBe('root');
      urls.set(svc.name, url);
    }
    expect(new Set([...urls.values()].map((u) => u.username)).size).toBe(urls.size);
    expect(new Set([...urls.values()].map((u) => u.pathname)).size).toBe(urls.size);
    for (const name of stateless) expect(environmentOf(services[name]).DATABASE_URL).toBeUndefined();
  });

  it('when tokens are set up, then user tokens are EdDSA signed by user-service alone, and every service has its own service key', () => {
    const env = filledEnv();
    const variableOf = (service: string, name: string) => String(environmentOf(services[service])[name] ?? '').match(/^\$\{(\w+)/)?.[1];
    const keyVariables = new Set<string>();
    for (const svc of nodeServices) {
      const e = interpolateDeep(environmentOf(services[svc.name]), env);
      expect(e.JWT_ALGORITHM).toBe('EdDSA');
      expect(e.JWT_PUBLIC_KEY).toBe(env.JWT_PUBLIC_KEY);
      // No service holds a secret that could sign a user token, nor the shared service secret.
      expect(e.JWT_SECRET).toBeUndefined();
      expect(e.SERVICE_TOKEN_SECRET).toBeUndefined();
      expect(e.JWT_PRIVATE_KEY === undefined).toBe(svc.name !== 'user-service');
      expect(e.SERVICE_PUBLIC_KEYS).toBe(env.SERVICE_PUBLIC_KEYS);
      const own = variableOf(svc.name, 'SERVICE_PRIVATE_KEY');
      expect(own).toBe(`${svc.name.replace(/-/g, '_').toUpperCase()}_PRIVATE_KEY`);
      keyVariables.add(own!);
    }
    expect(keyVariables.size).toBe(nodeServices.length);
    // realtime-service signs its stream tickets with its own key: no ticket secret either.
    expect(requiredVariables(readText('docker-compose.yml')).filter((v) => /SECRET/.test(v))).toEqual([]);
  });
});
