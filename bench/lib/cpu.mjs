// CPU time per process, read from /proc (Linux), so that each measurement can say how many
// milliseconds of CPU one request cost in each process: the services, the database server and
// the benchmark itself (autocannon, or the raw loop's worker). On a machine whose cores are all
// busy, throughput is set by the sum of these, so they show where a ratio's time goes.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux (getconf CLK_TCK)

function ticks(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at ") ".
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(rest[11]) + Number(rest[12]); // utime + stime
  } catch {
    return null;
  }
}

/** The database server's pid when it runs on this machine (MariaDB or MySQL), else null. */
export function databasePid() {
  for (const name of ['mariadbd', 'mysqld']) {
    try {
      const out = execFileSync('pidof', [name], { encoding: 'utf8' }).trim();
      if (out) return Number(out.split(/\s+/)[0]);
    } catch {
      /* not running under that name */
    }
  }
  return null;
}

/** Snapshot of CPU milliseconds for { name: pid } plus this process (all its threads) as "bench". */
export function cpuSnapshot(pids) {
  const out = {};
  for (const [name, pid] of Object.entries(pids)) {
    const t = pid ? ticks(pid) : null;
    if (t !== null) out[name] = t * TICK_MS;
  }
  const u = process.cpuUsage();
  out.bench = (u.user + u.system) / 1000;
  return out;
}

/** CPU milliseconds per request in each process, from the CPU milliseconds spent in a measurement. */
export function cpuPerRequest(spent, requests) {
  if (requests <= 0) return {};
  return Object.fromEntries(Object.entries(spent).map(([name, ms]) => [name, ms / requests]));
}
