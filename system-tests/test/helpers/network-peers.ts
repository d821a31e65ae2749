import { INTERNAL_CALLERS, type ServiceName } from '@canaduck/contracts';

/**
 * Who may open a connection to each service, as structures.md describes the calls: a peer is a
 * service (`pod:<name>`) or a namespace (`ns:traefik`, `ns:monitoring`). The Kubernetes test
 * compares it with the rendered NetworkPolicies, so a new internal caller or a new public door
 * cannot land without its policy, and a policy cannot admit more than the calls need.
 */
export type Peers = Record<string, string[]>;

/** The public routes the gateway proxies, by service (its route table, structures.md section 6). */
const GATEWAY_UPSTREAMS = ['user-service', 'message-service', 'channel-service', 'stats-service', 'realtime-service'];
/** The IRC door calls the public routes of these directly, with its users' tokens (irc-service/src/clients). */
const IRC_DOOR_UPSTREAMS = ['user-service', 'channel-service', 'message-service'];

export function expectedPeers(services: string[], publicDoors: string[]): Peers {
  const peers = new Map(services.map((s) => [s, new Set<string>(['ns:monitoring'])]));
  for (const [callee, routes] of Object.entries(INTERNAL_CALLERS)) {
    for (const callers of Object.values(routes) as ServiceName[][]) {
      // A service reading its own feed goes over 127.0.0.1: no network policy sees it.
      for (const caller of callers) if (caller !== callee) peers.get(callee)?.add(`pod:${caller}`);
    }
  }
  for (const s of GATEWAY_UPSTREAMS) peers.get(s)?.add('pod:gateway-service');
  for (const s of IRC_DOOR_UPSTREAMS) peers.get(s)?.add('pod:irc-service');
  for (const s of publicDoors) peers.get(s)?.add('ns:traefik');
  return Object.fromEntries([...peers].map(([s, set]) => [s, [...set].sort()]));
}

type Selector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
};
export type Policy = {
  metadata: { name: string };
  spec: { podSelector: Selector; ingress?: Array<{ from?: Array<{ podSelector?: Selector; namespaceSelector?: Selector }> }> };
};
type Pod = { name: string; labels: Record<string, string> };

function matches(selector: Selector, labels: Record<string, string>): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpression = (selector.matchExpressions ?? []).every((e) => {
    if (e.operator === 'In') return e.values!.includes(labels[e.key]);
    throw new Error(`selector operator ${e.operator} not understood by this test`);
  });
  return byLabel && byExpression;
}

/**
 * The peers each service's policies admit: the pods their podSelectors match (among `pods`, the
 * rendered workloads' pod labels) and the namespaces their namespaceSelectors name.
 */
export function admittedPeers(policies: Policy[], pods: Pod[], services: string[]): Peers {
  const out: Peers = {};
  for (const service of services) {
    const target = pods.find((p) => p.name === service)!;
    const peers = new Set<string>();
    for (const policy of policies.filter((p) => matches(p.spec.podSelector, target.labels))) {
      for (const from of (policy.spec.ingress ?? []).flatMap((r) => r.from ?? [])) {
        if (from.namespaceSelector) {
          const ns = from.namespaceSelector.matchLabels?.['kubernetes.io/metadata.name'];
          if (!ns || from.podSelector) throw new Error(`${policy.metadata.name}: a namespace rule this test does not understand`);
          peers.add(`ns:${ns}`);
        } else if (from.podSelector) {
          for (const pod of pods.filter((p) => matches(from.podSelector!, p.labels))) peers.add(`pod:${pod.name}`);
        } else {
          throw new Error(`${policy.metadata.name}: an ingress rule without a selector admits everything`);
        }
      }
    }
    out[service] = [...peers].sort();
  }
  return out;
}
