// Injection strings in every slot of every documented route, then property-based
// fuzzing (fast-check) of every route from the OpenAPI documents fetched through
// the gateway. Both only ask for clean answers: never a 5xx, always JSON, no leak.
import fc from 'fast-check';
import { describe } from './http.mjs';
import {
  INJECTIONS,
  WRONG_TYPES,
  buildRequest,
  caseArb,
  encodeSegment,
  operationsOf,
  queryString,
  validBody,
  validValue,
} from './openapi.mjs';

const SERVICES = ['gateway-service', 'user-service', 'message-service', 'channel-service', 'stats-service'];
// Routes the gateway rate-limits: sent straight to user-service so that the input reaches the code.
const RATE_LIMITED = new Set(['/login', '/register']);
const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 30);

export async function loadOperations({ gw, tally }) {
  tally.scenario('OpenAPI documents through the gateway');
  const ops = [];
  for (const name of SERVICES) {
    const res = await gw.get(`/docs/${name}/openapi.json`, { timeoutMs: 5000 });
    const found = res.status === 200 && res.json?.paths;
    const mine = found ? operationsOf(res.json, name) : [];
    tally.check(`${name}: ${mine.length} operations`, found && (name === 'gateway-service' || mine.length > 0), describe(res));
    ops.push(...mine);
  }
  // Destructive operations last, so that earlier ones still find their targets.
  ops.sort((a, b) => (a.method === 'DELETE') - (b.method === 'DELETE'));
  return ops;
}

/** Valid values by slot name: the fuzz user's own channel and message, another user as target. */
function valuesFor(c) {
  const now = new Date().toISOString();
  return [
    [/^(pseudo|user|from|to|username|target)$/, c.victim.pseudo],
    [/^users$/, `${c.victim.pseudo},${c.alice.pseudo}`],
    [/^pseudos$/, [c.victim.pseudo]],
    [/^(channel|name|names)$/, c.mChannel],
    [/^(id|message_id|reply_to|before|after)$/, c.mMsg.id],
    [/^text$/, 'fuzz text'],
    [/topic/, 'a topic'],
    [/reason/, 'spam'],
    [/emoji/, '👍'],
    [/^mode$/, '+t'],
    [/role/, 'user'],
    [/status/, 'away'],
    [/password/, 'Passw0rd-long-enough'],
    [/email/, 'fuzz@canaduck.example'],
    [/avatar_url/, 'https://example.org/a.png'],
    [/^q$/, 'fuzz'],
    [/^offset$/, 0],
    [/^limit$/, 10],
    [/^hours$/, 24],
    [/include_private|admin/, 'false'],
    [/^private$/, false],
    [/^(since|at)$/, now],
    [/^service$/, 'user-service'],
  ];
}

function baseFor(op, c) {
  return RATE_LIMITED.has(op.path) ? c.svc.user.base : c.gw.base;
}

/** Runs `jobs` (functions returning promises) with a small concurrency. */
async function pool(jobs, concurrency = 4) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) await jobs[next++]();
    }),
  );
}

export async function runInjections(c) {
  const { tally, hit, mark, group, ops, mallory } = c;
  tally.scenario('injection strings in every path parameter, query parameter and body field');
  const values = valuesFor(c);
  const m = mark();
  const jobs = [];
  let slots = 0;
  for (const op of ops) {
    const pathParams = op.params.filter((p) => p.in === 'path');
    const queryParams = op.params.filter((p) => p.in === 'query');
    const bodyFields = Object.entries(op.body?.properties ?? {});
    const validPath = Object.fromEntries(pathParams.map((p) => [p.name, validValue(p.name, p.schema, values)]));
    const validQuery = Object.fromEntries(queryParams.filter((p) => p.required).map((p) => [p.name, validValue(p.name, p.schema, values)]));
    const body = op.body ? validBody(op, values) : undefined;
    const send = (label, pathValues, query, b, expect) => {
      let path = op.path;
      for (const [k, v] of Object.entries(pathValues))
        path = path.replace(`{${k}}`, encodeSegment(typeof v === 'string' ? v : JSON.stringify(v)));
      jobs.push(() =>
        hit(
          `${op.id}: ${label}`,
          { base: baseFor(op, c), method: op.method, path: path + queryString(query), body: b, token: mallory.token, as: mallory.pseudo },
          { expect, allowHtml: op.path.startsWith('/docs/') },
        ),
      );
    };
    for (const p of pathParams) {
      slots++;
      for (const inj of INJECTIONS)
        send(`path ${p.name}=${JSON.stringify(inj).slice(0, 30)}`, { ...validPath, [p.name]: inj }, validQuery, body);
    }
    for (const p of queryParams) {
      slots++;
      for (const inj of INJECTIONS)
        send(`query ${p.name}=${JSON.stringify(inj).slice(0, 30)}`, validPath, { ...validQuery, [p.name]: inj }, body);
    }
    for (const [field] of bodyFields) {
      slots++;
      for (const inj of [...INJECTIONS, ...WRONG_TYPES])
        send(`body ${field}=${JSON.stringify(inj).slice(0, 30)}`, validPath, validQuery, { ...body, [field]: inj });
    }
  }
  await pool(jobs);
  group(`${ops.length} operations, ${slots} slots: never a 5xx, always JSON, nothing leaked`, m);
}

export async function runFuzz(c) {
  const { tally, hit, mark, group, ops, mallory, admin, seed } = c;
  tally.scenario(`property-based fuzzing of every operation (fast-check, ${FUZZ_RUNS} runs each, seed ${seed})`);
  const values = valuesFor(c);
  const m = mark();
  const tokens = { user: mallory.token, admin: admin.token, none: undefined, garbage: 'x.y.z' };
  const jobs = [];
  ops.forEach((op, i) => {
    const cases = fc.sample(caseArb(op, values, Object.keys(tokens)), { numRuns: FUZZ_RUNS, seed: seed + i });
    for (const k of cases) {
      const req = buildRequest(op, k);
      // Under /docs a path that misses the JSON route lands in Swagger UI's static pages: HTML by design.
      const allowHtml = op.path.startsWith('/docs/');
      jobs.push(() => hit(`fuzz ${op.id}`, { base: baseFor(op, c), ...req, token: tokens[k.auth], as: k.auth }, { allowHtml }));
    }
  });
  await pool(jobs);
  group(`${ops.length} operations: never a 5xx, always JSON, never a stack trace, SQL error or internal path`, m);
}
