import type { Message } from '../clients/types';
import { ircChannel, isValidNick, restChannel } from '../protocol/names';
import { messageLines } from '../delivery/message-lines';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { bearer, type CommandFamily } from './command';

const PAGE = 200;
// Deep history is REST's job (GET /msg?before=): CHATHISTORY scans at most this many pages.
const MAX_PAGES = 10;

type Ref = { kind: 'msgid'; id: number } | { kind: 'timestamp'; at: number } | { kind: 'latest' };

function parseRef(raw: string | undefined): Ref | undefined {
  if (raw === '*') return { kind: 'latest' };
  const [k, v] = (raw ?? '').split('=', 2);
  if (k === 'msgid' && /^[1-9][0-9]{0,15}$/.test(v ?? '')) return { kind: 'msgid', id: Number(v) };
  if (k === 'timestamp' && v && !Number.isNaN(Date.parse(v))) return { kind: 'timestamp', at: Date.parse(v) };
  return undefined;
}

/** -1, 0, 1: where a message stands against a reference (newer is 1; every message is older than `*`). */
function cmp(m: Message, ref: Ref): number {
  if (ref.kind === 'latest') return -1;
  if (ref.kind === 'msgid') return Math.sign(m.id - ref.id);
  return Math.sign(Date.parse(m.timestamp) - ref.at);
}

/** Reads the conversation newest first until `enough` says so; undefined when it may not be read. */
async function scan(
  server: IrcServer,
  conn: IrcConnection,
  target: string,
  enough: (m: Message, got: Message[]) => boolean,
): Promise<Message[] | undefined> {
  const auth = await bearer(server, conn);
  const channel = restChannel(target);
  const out: Message[] = [];
  let before: number | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const q = { limit: PAGE, before };
    const r = channel
      ? await server.clients.messages.channelHistory(auth, channel, q)
      : await server.clients.messages.privateHistory(auth, conn.name, target, q);
    if (r.status !== 200) return page === 0 ? undefined : out;
    for (const m of r.data.messages) {
      if (enough(m, out)) return out;
      out.push(m);
    }
    if (r.data.messages.length < PAGE) return out;
    before = r.data.messages[r.data.messages.length - 1].id;
  }
  return out;
}

async function select(
  server: IrcServer,
  conn: IrcConnection,
  sub: string,
  target: string,
  a: Ref,
  b: Ref | undefined,
  limit: number,
): Promise<Message[] | undefined> {
  switch (sub) {
    case 'LATEST': // newest `limit`, after `a` when it is not `*`
      return (await scan(server, conn, target, (m, got) => got.length >= limit || (a.kind !== 'latest' && cmp(m, a) <= 0)))?.reverse();
    case 'BEFORE': {
      const all = await scan(server, conn, target, (m, got) => got.filter((x) => cmp(x, a) < 0).length >= limit);
      return all?.filter((m) => cmp(m, a) < 0).reverse();
    }
    case 'AFTER': {
      const all = await scan(server, conn, target, (m) => cmp(m, a) <= 0);
      return all?.reverse().slice(0, limit);
    }
    case 'BETWEEN': {
      if (!b) return [];
      // The two references in either order: stop once older than both.
      const all = await scan(server, conn, target, (m) => cmp(m, a) <= 0 && cmp(m, b) <= 0);
      const inside = (all ?? []).filter((m) => cmp(m, a) * cmp(m, b) < 0).reverse();
      return all ? inside.slice(0, limit) : undefined;
    }
    default:
      return undefined;
  }
}

export const historyCommands: CommandFamily = {
  CHATHISTORY: {
    minParams: 3,
    async run(server, conn, msg) {
      const [rawSub, target] = msg.params;
      const sub = rawSub.toUpperCase();
      const fail = (code: string, text: string) =>
        conn.send({ source: server.settings.serverName, command: 'FAIL', params: ['CHATHISTORY', code, rawSub, text] });
      if (!['LATEST', 'BEFORE', 'AFTER', 'BETWEEN'].includes(sub)) return fail('INVALID_PARAMS', 'Unsupported subcommand');
      if (!restChannel(target) && !(isValidNick(target) && !target.startsWith('#'))) return fail('INVALID_TARGET', 'Invalid target');
      const a = parseRef(msg.params[2]);
      const b = sub === 'BETWEEN' ? parseRef(msg.params[3]) : undefined;
      const limit = Math.min(
        Number(msg.params[sub === 'BETWEEN' ? 4 : 3] ?? server.settings.chathistoryMax) || 0,
        server.settings.chathistoryMax,
      );
      if (!a || (sub !== 'LATEST' && a.kind === 'latest') || (sub === 'BETWEEN' && !b) || limit < 1)
        return fail('INVALID_PARAMS', 'Invalid message reference or limit');
      const messages = await select(server, conn, sub, target, a, b, limit);
      if (!messages) return fail('INVALID_TARGET', 'Messages could not be retrieved');
      const name = restChannel(target) ? ircChannel(restChannel(target) as string) : target;
      const batch = conn.caps.has('batch') ? `h${server.nextBatchId()}` : undefined;
      if (batch) conn.send({ source: server.settings.serverName, command: 'BATCH', params: [`+${batch}`, 'chathistory', name] });
      for (const m of messages) {
        const shown = m.channel ? name : m.from === conn.name ? (m.to as string) : m.from;
        for (const line of messageLines(server.mask(m.from), m.channel ? name : shown, m, batch ? { batch } : {})) conn.send(line);
      }
      if (batch) conn.send({ source: server.settings.serverName, command: 'BATCH', params: [`-${batch}`] });
    },
  },
};
