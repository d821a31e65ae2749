// Replicas in the local stack (`REPLICAS=2 npm start`): which services get more than one process,
// on which ports, and the conditions they need. Used by scripts/stack.mjs.

/** The services that may run as several processes by default: they keep no state of their own. */
export const DEFAULT_REPLICATED = ['message', 'channel', 'stats', 'realtime'];

/**
 * The replica settings of a run: `REPLICAS` (or `--replicas N` on the command line, which wins),
 * `REPLICA_SERVICES` (comma-separated short names; `gateway` may be added) and
 * `REPLICA_PORT_OFFSET` (replica k listens on the service's port + k x offset: 5102, 5103...).
 */
export function replicaSettings(env = process.env, argv = process.argv.slice(2), known = []) {
  const flag = argv.findIndex((a) => a === '--replicas' || a.startsWith('--replicas='));
  const raw = flag < 0 ? env.REPLICAS : argv[flag].includes('=') ? argv[flag].split('=')[1] : argv[flag + 1];
  const count = raw === undefined || raw === '' ? 1 : Number(raw);
  if (!Number.isInteger(count) || count < 1 || count > 9) throw new Error(`REPLICAS must be a whole number from 1 to 9, not "${raw}"`);
  const services = env.REPLICA_SERVICES ? env.REPLICA_SERVICES.split(',').map((s) => s.trim()) : DEFAULT_REPLICATED;
  const unknown = services.filter((s) => !known.includes(s));
  if (unknown.length) throw new Error(`REPLICA_SERVICES: unknown service(s) ${unknown.join(', ')} (known: ${known.join(', ')})`);
  if (services.includes('user')) throw new Error('REPLICA_SERVICES: user-service runs once (it creates the first admin at start-up)');
  const offset = Number(env.REPLICA_PORT_OFFSET ?? 100);
  if (!Number.isInteger(offset) || offset < 1) throw new Error(`REPLICA_PORT_OFFSET must be a positive whole number, not "${offset}"`);
  return { count, services: count > 1 ? services : [], offset };
}

/**
 * Replicas share one database and one event stream, so they need MySQL (two processes on one
 * SQLite file are not supported) and NATS JetStream (each service's sequencer and relay are
 * elected by a MySQL lock; the readers take the stream from NATS). Throws a clear message otherwise.
 */
export function checkReplicaNeeds(settings, env) {
  if (settings.count < 2) return;
  const missing = [
    !env.MYSQL_URL && 'MYSQL_URL (MySQL/MariaDB, e.g. mysql://root@127.0.0.1:3306)',
    !env.NATS_URL && 'NATS_URL (NATS JetStream, e.g. nats://127.0.0.1:4222)',
  ].filter(Boolean);
  if (missing.length) {
    throw new Error(
      `REPLICAS=${settings.count} needs ${missing.join(' and ')}: replicas share one database and one event stream, and two processes on one SQLite file are not supported`,
    );
  }
}

/** The processes to run: one per service, plus replicas 2..N of the replicated ones, each with its key and replica number. */
export function instancesOf(services, settings) {
  const out = [];
  for (const svc of services) {
    const n = settings.services.includes(svc.short) ? settings.count : 1;
    for (let replica = 1; replica <= n; replica++) out.push({ svc, replica, key: replica === 1 ? svc.short : `${svc.short}#${replica}` });
  }
  return out;
}
