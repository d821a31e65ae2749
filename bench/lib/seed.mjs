// Seeding. Accounts and channels go through the public APIs (as a client would create them);
// messages are written in bulk straight into message-service's own tables, as its migrations
// define them (messages, reactions, and the matching `events` outbox rows, so that stats-service,
// which only aggregates from the feed, sees every one of them). message-service's AFTER INSERT
// trigger on messages (migration 002_message_created_trigger) writes each `message.created` row,
// bulk inserts included, so the seeder then writes only the reaction events (`ctx.createdByTrigger`,
// from hasTrigger in db.mjs); it writes both on a schema without the trigger. Where `messages` has
// the `reactions` column (migration 004_message_reactions_column: the message's reactions as JSON
// `[[emoji, pseudo], ...]` in reaction order, which message-service reads instead of the reactions
// table), the seeder fills it with the reactions it inserts. Posting 1M messages through POST /msg
// would take longer than the whole benchmark is allowed to run.
import { createRequire } from 'node:module';
import cliProgress from 'cli-progress';
import { call, expectStatus } from './api.mjs';
import { hasColumn } from './db.mjs';

const require = createRequire(import.meta.url);
const { serviceKeysFrom, signServiceToken } = require('@canaduck/auth');

export const HOUR = 3_600_000;
/** Seeded history spans this window, ending when the run started: ids increase with time. */
export const HISTORY_MS = 72 * HOUR;
/** The word searched for; about one message in 100 holds it (or its plural). */
export const NEEDLE = 'moteur';

export async function seedAccounts(stack, settings, secrets) {
  const userUrl = stack.url('user');
  const gateway = stack.url('gateway');
  const users = [];
  for (let i = 0; i < settings.users; i++) {
    const pseudo = `bench_u${i}`;
    const password = `bench-password-${i}-${secrets.JWT_SECRET.slice(0, 8)}`;
    // Straight to user-service: the gateway rate-limits /register and /login per address.
    await expectStatus(userUrl, 'POST', '/register', { body: { pseudo, password, email: `${pseudo}@bench.example` } }, 201);
    const login = await expectStatus(userUrl, 'POST', '/login', { body: { pseudo, password } }, 200);
    users.push({ pseudo, token: login.token });
  }
  const channels = [];
  // As message-service asks (an allowed caller of the access route), with the key the stack derives.
  const serviceToken = await signServiceToken(
    serviceKeysFrom({ service: 'message-service', secret: secrets.SERVICE_TOKEN_SECRET }),
    'channel-service',
  );
  for (let i = 0; i < settings.channels; i++) {
    const name = `bench-c${i}`;
    const owner = users[i % users.length];
    await expectStatus(gateway, 'POST', '/channel', { token: owner.token, body: { name, topic: `benchmark channel ${i}` } }, 201);
    // A few members per channel, so that the membership tables are not empty.
    for (let j = 1; j < Math.min(4, users.length); j++) {
      const member = users[(i + j) % users.length];
      await expectStatus(gateway, 'POST', `/channel/${name}/join`, { token: member.token }, 200);
    }
    // The channel_id that message-service stores with each message, as channel-service gives it.
    const res = await fetch(`${stack.url('channel')}/internal/channels/${name}/access/${owner.pseudo}?admin=false`, {
      headers: { authorization: `Bearer ${serviceToken}` },
    });
    const access = await res.json();
    if (res.status !== 200 || !access.channel_id) throw new Error(`no channel_id for ${name}: ${res.status} ${JSON.stringify(access)}`);
    channels.push({ name, channelId: access.channel_id, owner });
  }
  return { users, channels };
}

/** Deterministic PRNG (mulberry32): the same seed gives the same texts every run. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SYLLABLES = [
  'ca',
  'na',
  'duck',
  'ro',
  'ger',
  'gi',
  'net',
  'te',
  'mar',
  'cel',
  'pa',
  'lu',
  'vi',
  'tor',
  'sel',
  'mo',
  'ra',
  'ki',
  'zo',
  'bel',
];
const WORDS = [];
for (const a of SYLLABLES) for (const b of SYLLABLES) for (const c of ['', 's', 'ux', 'ment']) WORDS.push(a + b + c);
const EMOJI = ['👍', '🦆', '🎉', '❤️', '😂'];

function makeText(rand) {
  const n = 4 + Math.floor(rand() * 14);
  const words = [];
  for (let k = 0; k < n; k++) words.push(WORDS[Math.floor(rand() * rand() * WORDS.length)]);
  if (rand() < 0.01) words.splice(Math.floor(rand() * words.length), 0, rand() < 0.5 ? NEEDLE : `${NEEDLE}s`);
  return words.join(' ');
}

const MESSAGE_COLUMNS = ['id', 'channel', 'channel_id', 'from_pseudo', 'from_key', 'text', 'created_at', 'pinned'];
const REACTION_COLUMNS = ['message_id', 'pseudo', 'pseudo_key', 'emoji', 'created_at'];
const EVENT_COLUMNS = ['type', 'data', 'at'];

/**
 * Adds messages number `from` to `to` (0-based positions) with ids `firstId + position`, and
 * their events, in transactions of `settings.batch` messages. Each call spreads its messages
 * evenly over the whole history window (HISTORY_MS from `startMs`), ids increasing with time
 * within the call: R4 measures after a first call (10k) and after the growth, and the small
 * database must cover the same hours as the big one (bench/README.md, step 4). Ids are appended,
 * never put in gaps, as in a database that grows. With
 * `ctx.createdByTrigger`, the `message.created` rows are left to the trigger (writing them too
 * would put every message twice in the feed). `messages.reactions` is filled when the table has
 * that column (`ctx.reactionsColumn`, else looked up with hasColumn).
 */
export async function seedMessages(db, ctx, from, to, settings, label) {
  const { users, channels, firstId, startMs, createdByTrigger } = ctx;
  const reactionsColumn = ctx.reactionsColumn ?? (await hasColumn(db, 'messages', 'reactions'));
  const messageColumns = reactionsColumn ? [...MESSAGE_COLUMNS, 'reactions'] : MESSAGE_COLUMNS;
  const step = HISTORY_MS / (to - from);
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} messages | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 10000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(to - from, 0, { rate: 0 });
  const t0 = Date.now();
  for (let pos = from; pos < to; pos += settings.batch) {
    const end = Math.min(to, pos + settings.batch);
    const rand = rng(pos + 1);
    const messages = [];
    const events = [];
    const reactions = [];
    const reactionEvents = [];
    for (let p = pos; p < end; p++) {
      const id = firstId + p;
      const channel = channels[p % channels.length];
      const author = users[Math.floor(rand() * users.length)];
      const text = makeText(rand);
      const at = Math.floor(startMs + (p - from) * step);
      const message = [id, channel.name, channel.channelId, author.pseudo, author.pseudo.toLowerCase(), text, at, 0];
      messages.push(message);
      if (!createdByTrigger) {
        const data = {
          id,
          channel: channel.name,
          channel_id: channel.channelId,
          to: null,
          from: author.pseudo,
          text,
          timestamp: new Date(at).toISOString(),
          reply_to: null,
        };
        events.push(['message.created', JSON.stringify(data), at]);
      }
      const pairs = [];
      if (p % settings.reactionEvery === 0) {
        const count = 1 + Math.floor(rand() * Math.min(5, users.length));
        for (let r = 0; r < count; r++) {
          const who = users[(p + r) % users.length];
          const emoji = EMOJI[r % EMOJI.length];
          reactions.push([id, who.pseudo, who.pseudo.toLowerCase(), emoji, at + 1000]);
          reactionEvents.push(['reaction.added', JSON.stringify({ message_id: id, emoji, pseudo: who.pseudo }), at + 1000]);
          pairs.push([emoji, who.pseudo]);
        }
      }
      // Inserted below in this order, so reaction ids follow `pairs`: the order message-service stores.
      if (reactionsColumn) message.push(pairs.length === 0 ? null : JSON.stringify(pairs));
    }
    await db.inTransaction(async (tx) => {
      await tx.insertMany('messages', messageColumns, messages);
      await tx.insertMany('reactions', REACTION_COLUMNS, reactions);
      // Feed order: every message.created (the trigger's, written with the messages above, or
      // the seeder's) before the reactions to it.
      await tx.insertMany('outbox_events', EVENT_COLUMNS, events.concat(reactionEvents));
    });
    const done = end - from;
    bar.update(done, { rate: Math.round(done / Math.max(0.001, (Date.now() - t0) / 1000)) });
  }
  bar.stop();
  return { seconds: (Date.now() - t0) / 1000 };
}

/**
 * Checks that the feed holds exactly one `message.created` per message (neither missing nor
 * doubled by the seeder and the trigger both writing it), so that the catch-up waits on the right
 * feed.
 */
export async function checkCreatedEvents(db) {
  const [{ messages }] = await db.query('SELECT COUNT(*) AS messages FROM messages');
  const [{ created }] = await db.query("SELECT COUNT(*) AS created FROM outbox_events WHERE type = 'message.created'");
  if (Number(messages) !== Number(created)) throw new Error(`${created} message.created events for ${messages} messages in the feed`);
  return Number(created);
}

/**
 * The highest event seq, as message-service's feed will serve it: the seeded rows (seq NULL, as
 * the outbox writes them) are numbered by the running service's sequencer, so wait for it first.
 */
export async function lastEventSeq(db) {
  for (let i = 0; i < 600; i++) {
    const [pending] = await db.query('SELECT id FROM outbox_events WHERE seq IS NULL LIMIT 1');
    if (!pending) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const [row] = await db.query('SELECT MAX(seq) AS seq FROM outbox_events');
  return Number(row.seq ?? 0);
}

/**
 * Waits until stats-service has applied the feed up to `seq` (its stats_state.last_seq, with a
 * progress bar), then checks through its API that `as_of` is the time of that last event.
 */
export async function waitStatsCaughtUp(statsDb, msgDb, stack, token, seq, timeoutS, label) {
  const [ev] = await msgDb.query('SELECT at FROM outbox_events WHERE seq = ?', [seq]);
  const expectedAsOf = new Date(Number(ev.at)).toISOString();
  const readPos = async () => Number((await statsDb.query('SELECT last_seq FROM stats_state WHERE id = 1'))[0].last_seq);
  const start = await readPos();
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {value}/{total} events | {rate}/s | ETA {eta_formatted}`,
      hideCursor: true,
      noTTYOutput: true,
      notTTYSchedule: 10000,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(Math.max(1, seq - start), 0, { rate: 0 });
  const t0 = Date.now();
  for (;;) {
    const pos = await readPos();
    bar.update(Math.max(0, pos - start), { rate: Math.round((pos - start) / Math.max(0.001, (Date.now() - t0) / 1000)) });
    if (pos >= seq) break;
    if (Date.now() - t0 > timeoutS * 1000) {
      bar.stop();
      throw new Error(`stats-service did not catch up within ${timeoutS} s (at seq ${pos} of ${seq})`);
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  bar.stop();
  const seconds = (Date.now() - t0) / 1000;
  const r = await call(stack.url('stats'), 'GET', '/stats/active-channels', { token });
  if (r.status !== 200 || r.data.as_of !== expectedAsOf) {
    throw new Error(`stats-service as_of is ${JSON.stringify(r.data?.as_of)} after catching up, expected ${expectedAsOf}`);
  }
  return { seconds, events: seq - start, rate: (seq - start) / Math.max(0.001, seconds) };
}
