// The benchmark's settings, all from the environment (see bench/README.md).
const int = (name, def, min = 1) => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer >= ${min} (got ${JSON.stringify(raw)})`);
  return n;
};

export function loadSettings() {
  const messages = int('BENCH_MESSAGES', 100_000);
  const small = int('BENCH_SMALL_MESSAGES', 10_000);
  if (small >= messages) throw new Error(`BENCH_SMALL_MESSAGES (${small}) must be below BENCH_MESSAGES (${messages})`);
  const mysqlUrl = process.env.MYSQL_URL?.replace(/\/+$/, '') || null;
  return {
    messages,
    small,
    connections: int('BENCH_CONNECTIONS', 32),
    duration: int('BENCH_DURATION', 8),
    warmup: int('BENCH_WARMUP', 2, 0),
    rounds: int('BENCH_ROUNDS', 4),
    users: int('BENCH_USERS', 8),
    channels: int('BENCH_CHANNELS', 10),
    batch: int('BENCH_BATCH', 2000),
    // Messages of one seeding batch that get reactions (top-reacted-messages needs some).
    reactionEvery: int('BENCH_REACTION_EVERY', 200),
    basePort: int('BENCH_BASE_PORT', 6301),
    logLevel: process.env.BENCH_LOG_LEVEL || 'info',
    statsBatch: int('BENCH_STATS_BATCH_SIZE', 5000),
    catchupTimeoutS: int('BENCH_CATCHUP_TIMEOUT', 1800),
    profile: process.env.BENCH_PROFILE || null,
    mysqlUrl,
    kind: mysqlUrl ? 'mysql' : 'sqlite',
  };
}
