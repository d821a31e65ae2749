import { execFileSync } from 'node:child_process';
import path from 'node:path';
import YAML from 'yaml';
import { modelOf } from './helpers/k8s-models';
import { admittedPeers, expectedPeers, type Policy } from './helpers/network-peers';
import { ROOT } from './helpers/repo';

/**
 * deploy/k8s as a cluster would receive it: every overlay rendered by `kubectl kustomize`
 * (offline), each core object checked against the Kubernetes schemas of kubernetes-models, and
 * our own rules: probes, resources, hardening, PDBs, autoscaling, network policies, no inlined
 * secrets and no `latest` tags.
 */
type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
};
type Container = {
  name: string;
  image: string;
  readinessProbe?: { httpGet?: { path: string } };
  livenessProbe?: { httpGet?: { path: string } };
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { readOnlyRootFilesystem?: boolean; allowPrivilegeEscalation?: boolean; capabilities?: { drop?: string[] } };
  lifecycle?: { preStop?: unknown };
  env?: Array<{ name: string; value?: string; valueFrom?: unknown }>;
};
type PodSpec = { containers: Container[]; securityContext?: { runAsNonRoot?: boolean } };
type Workload = K8sObject & { spec: { replicas?: number; selector: { matchLabels: Record<string, string> }; template: { spec: PodSpec } } };

const OVERLAYS = ['dev', 'production'];
const SERVICES = [
  'user-service',
  'message-service',
  'channel-service',
  'gateway-service',
  'stats-service',
  'realtime-service',
  'irc-service',
];
const HPA_SERVICES = ['gateway-service', 'realtime-service', 'message-service'];

function render(overlay: string): K8sObject[] {
  const out = execFileSync('kubectl', ['kustomize', path.join(ROOT, 'deploy', 'k8s', 'overlays', overlay)], { encoding: 'utf8' });
  return YAML.parseAllDocuments(out).map((d) => d.toJSON() as K8sObject);
}

describe.each(OVERLAYS)('the %s overlay', (overlay) => {
  const objects = render(overlay);
  const of = <T extends K8sObject>(kind: string) => objects.filter((o) => o.kind === kind) as T[];
  const deployments = of<Workload>('Deployment');

  it('when rendered, then every core object is valid against the Kubernetes schemas', () => {
    const invalid: string[] = [];
    const unchecked: string[] = [];
    for (const o of objects) {
      const Model = modelOf(o);
      if (!Model) {
        unchecked.push(`${o.apiVersion} ${o.kind}`);
        continue;
      }
      try {
        new Model(o).validate();
      } catch (err) {
        invalid.push(`${o.kind}/${o.metadata.name}: ${(err as Error).message.slice(0, 300)}`);
      }
    }
    expect(invalid).toEqual([]);
    // Only Traefik's own resources have no schema in kubernetes-models.
    expect([...new Set(unchecked)].sort()).toEqual([
      'traefik.io/v1alpha1 IngressRoute',
      'traefik.io/v1alpha1 IngressRouteTCP',
      'traefik.io/v1alpha1 Middleware',
    ]);
  });

  it('when rendered, then every service has a Deployment and a Service', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual([...SERVICES].sort());
    const services = of('Service').map((s) => s.metadata.name);
    for (const s of SERVICES) expect(services).toContain(s);
  });

  it('when a container runs, then it has readiness on /ready, liveness on /health, resources, a preStop and hardening', () => {
    for (const d of deployments) {
      expect(d.spec.template.spec.securityContext?.runAsNonRoot).toBe(true);
      for (const c of d.spec.template.spec.containers) {
        const where = `${d.metadata.name}/${c.name}`;
        expect([where, c.readinessProbe?.httpGet?.path]).toEqual([where, '/ready']);
        expect([where, c.livenessProbe?.httpGet?.path]).toEqual([where, '/health']);
        expect([where, Object.keys(c.resources?.requests ?? {}).sort()]).toEqual([where, ['cpu', 'memory']]);
        expect([where, Object.keys(c.resources?.limits ?? {}).sort()]).toEqual([where, ['cpu', 'memory']]);
        expect([where, c.lifecycle?.preStop]).toEqual([where, expect.anything()]);
        expect([where, c.securityContext]).toEqual([
          where,
          expect.objectContaining({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } }),
        ]);
      }
    }
  });

  it('when an image is named, then it has a pinned tag, never latest', () => {
    const images = objects.flatMap((o) => ((o as Workload).spec?.template?.spec?.containers ?? []).map((c) => c.image));
    expect(images.length).toBeGreaterThanOrEqual(SERVICES.length);
    expect(images.filter((i) => !/:[\w.-]+$/.test(i) || i.endsWith(':latest'))).toEqual([]);
  });

  it('when a workload runs more than one replica, then a PodDisruptionBudget covers it', () => {
    const pdbs = of<K8sObject & { spec: { selector: { matchLabels: Record<string, string> } } }>('PodDisruptionBudget');
    const workloads = [...deployments, ...of<Workload>('StatefulSet')];
    const uncovered = workloads
      .filter((w) => (w.spec.replicas ?? 1) > 1)
      .filter((w) => !pdbs.some((p) => Object.entries(p.spec.selector.matchLabels).every(([k, v]) => w.spec.selector.matchLabels[k] === v)))
      .map((w) => w.metadata.name);
    expect(uncovered).toEqual([]);
  });

  it('when a service runs several replicas, then they share what they must: NATS and a database, Redis for the gateway and realtime', () => {
    const common = of<K8sObject & { data: Record<string, string> }>('ConfigMap').find((m) => m.metadata.name.startsWith('canaduck-common'));
    const scaled = new Set([
      ...deployments.filter((d) => (d.spec.replicas ?? 1) > 1).map((d) => d.metadata.name),
      ...of<K8sObject & { spec: { scaleTargetRef: { name: string } } }>('HorizontalPodAutoscaler').map((h) => h.spec.scaleTargetRef.name),
    ]);
    const secretNamed = (d: Workload, name: string) =>
      (d.spec.template.spec.containers[0].env ?? []).find((e) => e.name === name)?.valueFrom as
        { secretKeyRef?: { name: string } } | undefined;
    if (scaled.size > 0) expect(common?.data.NATS_URL).toMatch(/^nats:\/\//);
    for (const d of deployments.filter((x) => scaled.has(x.metadata.name))) {
      if (['gateway-service', 'realtime-service'].includes(d.metadata.name)) {
        expect([d.metadata.name, secretNamed(d, 'REDIS_URL')?.secretKeyRef?.name]).toEqual([d.metadata.name, 'canaduck-redis']);
      }
    }
    if (overlay === 'production') {
      // Proven with two replicas (npm run test:replicas): never pinned to one in production.
      for (const name of ['message-service', 'channel-service', 'stats-service']) {
        expect([name, deployments.find((d) => d.metadata.name === name)?.spec.replicas]).toEqual([name, 2]);
      }
    }
  });

  it('when the overlay autoscales, then the gateway, realtime and message services have an HPA on a Deployment', () => {
    const hpas = of<K8sObject & { spec: { scaleTargetRef: { kind: string; name: string } } }>('HorizontalPodAutoscaler');
    if (overlay === 'dev') {
      expect(hpas).toEqual([]);
      return;
    }
    expect(hpas.map((h) => `${h.spec.scaleTargetRef.kind}/${h.spec.scaleTargetRef.name}`).sort()).toEqual(
      HPA_SERVICES.map((s) => `Deployment/${s}`).sort(),
    );
  });

  it('when traffic arrives, then ingress is denied by default and each service has its own NetworkPolicy', () => {
    const policies = of<K8sObject & { spec: { podSelector: { matchLabels?: Record<string, string> } } }>('NetworkPolicy');
    const denyAll = policies.find((p) => Object.keys(p.spec.podSelector.matchLabels ?? {}).length === 0);
    expect(denyAll).toBeDefined();
    const selected = policies.map((p) => p.spec.podSelector.matchLabels?.['app.kubernetes.io/name']);
    for (const s of SERVICES) expect(selected).toContain(s);
  });

  it('when traffic arrives, then each service admits exactly the callers structures.md lists, Traefik only at its doors, and Prometheus', () => {
    type Route = K8sObject & { spec: { routes: Array<{ services: Array<{ name: string }> }> } };
    const doors = [...of<Route>('IngressRoute'), ...of<Route>('IngressRouteTCP')].flatMap((r) =>
      r.spec.routes.flatMap((route) => route.services.map((x) => x.name)),
    );
    const publicDoors = [...new Set(doors)].sort();
    // Ingress reaches the gateway and the IRC door, and realtime-service only with a route of its own.
    expect(publicDoors).toEqual(expect.arrayContaining(['gateway-service', 'irc-service']));
    expect(publicDoors.filter((d) => !['gateway-service', 'irc-service', 'realtime-service'].includes(d))).toEqual([]);
    const pods = [...deployments, ...of<Workload>('StatefulSet')].map((w) => ({
      name: w.metadata.name,
      labels: (w.spec.template as unknown as { metadata: { labels: Record<string, string> } }).metadata.labels,
    }));
    expect(admittedPeers(of<K8sObject & Policy>('NetworkPolicy'), pods, SERVICES)).toEqual(expectedPeers(SERVICES, publicDoors));
  });

  it('when a secret is needed, then it is referenced, never inlined', () => {
    expect(of('Secret')).toEqual([]);
    const literal = deployments.flatMap((d) =>
      d.spec.template.spec.containers.flatMap((c) =>
        (c.env ?? []).filter((e) => /SECRET|PASSWORD|PRIVATE_KEY|DATABASE_URL/.test(e.name) && e.value !== undefined),
      ),
    );
    expect(literal).toEqual([]);
  });

  it('when tokens are set up, then user tokens are EdDSA signed by user-service alone, and each service has its own service key', () => {
    const secretOf = (c: Container, name: string) =>
      (c.env ?? []).find((e) => e.name === name)?.valueFrom as { secretKeyRef?: { name: string } } | undefined;
    const keySecrets = new Set<string>();
    for (const d of deployments) {
      const c = d.spec.template.spec.containers[0];
      const names = (c.env ?? []).map((e) => e.name);
      expect(names).not.toContain('JWT_SECRET');
      expect(names.includes('JWT_PRIVATE_KEY')).toBe(d.metadata.name === 'user-service');
      // No shared secret at all: realtime-service signs its stream tickets with its own key.
      expect(names).not.toContain('SERVICE_TOKEN_SECRET');
      expect(secretOf(c, 'SERVICE_PUBLIC_KEYS')?.secretKeyRef?.name).toBe('canaduck-service-public-keys');
      const own = secretOf(c, 'SERVICE_PRIVATE_KEY')?.secretKeyRef?.name;
      expect(own).toBe(`canaduck-${d.metadata.name}-key`);
      keySecrets.add(own!);
    }
    expect(keySecrets.size).toBe(SERVICES.length);
    const common = of<K8sObject & { data: Record<string, string> }>('ConfigMap').find((m) => m.metadata.name.startsWith('canaduck-common'));
    expect(common?.data.JWT_ALGORITHM).toBe('EdDSA');
  });

  it('when HTTP is exposed, then the streams (not the ticket) go to realtime ahead of the gateway catch-all, with the gateway headers', () => {
    type HttpRoute = {
      match: string;
      priority?: number;
      middlewares?: Array<{ name: string }>;
      services: Array<{ name: string; port: number }>;
    };
    const [http] = of<K8sObject & { spec: { entryPoints: string[]; routes: HttpRoute[] } }>('IngressRoute');
    expect(http.spec.entryPoints).toEqual(['web']);
    const byService = Object.fromEntries(http.spec.routes.map((r) => [r.services[0].name, r]));
    expect(Object.keys(byService).sort()).toEqual(['gateway-service', 'realtime-service']);
    const rt = byService['realtime-service'];
    expect(rt.match).toBe('(Path(`/events`) || PathPrefix(`/events/`) || Path(`/ws`)) && !Path(`/events/ticket`)');
    expect(rt.services[0].port).toBe(5006);
    expect(byService['gateway-service'].match).toBe('PathPrefix(`/`)');
    // Traefik's default priority is the rule's length: the catch-all's is 14.
    expect(rt.priority).toBeGreaterThan(byService['gateway-service'].priority ?? 'PathPrefix(`/`)'.length);
    const middleware = of<K8sObject & { spec: { headers: Record<string, unknown> } }>('Middleware').find(
      (m) => m.metadata.name === rt.middlewares?.[0]?.name,
    );
    // What the gateway's helmet and CORS (CORS_ORIGINS=*) set on a proxied answer.
    expect(middleware?.spec.headers).toEqual({
      contentSecurityPolicy: "default-src 'none';frame-ancestors 'none'",
      customResponseHeaders: { 'Cross-Origin-Resource-Policy': 'cross-origin' },
      referrerPolicy: 'no-referrer',
      stsSeconds: 31536000,
      stsIncludeSubdomains: true,
      forceSTSHeader: true,
      contentTypeNosniff: true,
      frameDeny: true,
      accessControlAllowOriginList: ['*'],
      accessControlAllowMethods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
      accessControlAllowHeaders: ['Authorization', 'Content-Type', 'X-Request-Id'],
      accessControlExposeHeaders: ['X-Request-Id', 'Retry-After', 'RateLimit', 'RateLimit-Policy'],
      accessControlMaxAge: 600,
    });
  });

  it('when IRC is exposed, then Traefik routes TCP on its own entry points with HostSNI(`*`)', () => {
    const tcp = of<
      K8sObject & { spec: { entryPoints: string[]; routes: Array<{ match: string; services: Array<{ name: string; port: number }> }> } }
    >('IngressRouteTCP');
    expect(tcp.map((r) => r.spec.entryPoints[0]).sort()).toEqual(['irc', 'ircs']);
    for (const r of tcp) {
      expect(r.spec.routes[0].match).toBe('HostSNI(`*`)');
      expect(r.spec.routes[0].services[0].name).toBe('irc-service');
    }
  });

  it('when Prometheus scrapes, then every service pod says where its /metrics is, and the gateway only on its METRICS_PORT', () => {
    for (const d of deployments.filter((x) => SERVICES.includes(x.metadata.name))) {
      const tpl = d.spec.template as unknown as { metadata: { annotations?: Record<string, string> }; spec: PodSpec };
      const a = tpl.metadata.annotations ?? {};
      expect({ name: d.metadata.name, scrape: a['prometheus.io/scrape'], path: a['prometheus.io/path'] }).toEqual({
        name: d.metadata.name,
        scrape: 'true',
        path: '/metrics',
      });
      const env = Object.fromEntries((tpl.spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
      // The port scraped is the service's own port, or its METRICS_PORT when it has one.
      expect(a['prometheus.io/port']).toBe(env.METRICS_PORT ?? env.PORT);
    }
    const gateway = deployments.find((d) => d.metadata.name === 'gateway-service')!;
    const gwEnv = Object.fromEntries((gateway.spec.template.spec.containers[0].env ?? []).map((e) => [e.name, e.value]));
    expect(gwEnv.METRICS_PORT).toBeDefined();
    expect(gwEnv.METRICS_PORT).not.toBe(gwEnv.PORT);
    // Traefik reaches the public port only; the monitoring namespace the metrics port only.
    type Rule = { from: Array<{ namespaceSelector?: { matchLabels: Record<string, string> } }>; ports: Array<{ port: number }> };
    const policy = of<K8sObject & { spec: { ingress: Rule[] } }>('NetworkPolicy').find((p) => p.metadata.name === 'gateway-service')!;
    const portsFor = (ns: string) =>
      policy.spec.ingress
        .filter((r) => r.from.some((f) => f.namespaceSelector?.matchLabels['kubernetes.io/metadata.name'] === ns))
        .flatMap((r) => r.ports.map((p) => String(p.port)));
    expect(portsFor('traefik')).toEqual([gwEnv.PORT]);
    expect(portsFor('monitoring')).toEqual([gwEnv.METRICS_PORT]);
  });

  it('when NATS runs, then it is a StatefulSet with JetStream storage on a volume claim', () => {
    const nats = of<Workload & { spec: { volumeClaimTemplates?: unknown[] } }>('StatefulSet').find((s) => s.metadata.name === 'nats');
    expect(nats?.spec.volumeClaimTemplates?.length).toBe(1);
  });
});
