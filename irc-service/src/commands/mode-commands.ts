import type { ChannelConfig } from '../clients/types';
import { fold, ircChannel, restChannel } from '../protocol/names';
import { N } from '../protocol/numerics';
import { isOperator } from './operators';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { bearer, type CommandFamily } from './command';
import { refusal } from './channel-replies';

/** Modes channel-service keeps as letters; `b` and `o` are lists, changed through their routes. */
const FLAG_MODES = new Set(['i', 'n', 'r', 's', 't']);

interface Change {
  sign: '+' | '-';
  letter: string;
  arg?: string;
}

/** Parses `+o-b nick mask` with its arguments, as RFC 2812 MODE does. */
function parseChanges(modestring: string, args: string[]): Change[] | string {
  const out: Change[] = [];
  let sign: '+' | '-' = '+';
  let next = 0;
  for (const ch of modestring) {
    if (ch === '+' || ch === '-') {
      sign = ch;
      continue;
    }
    if (FLAG_MODES.has(ch)) out.push({ sign, letter: ch });
    else if (ch === 'o' || ch === 'b') out.push({ sign, letter: ch, arg: args[next++] });
    else return ch;
  }
  return out;
}

/** A ban mask (`nick!*@*`, `nick`) names one pseudo: our bans are by account. */
const pseudoOfMask = (mask: string): string => mask.split('!')[0];

function sendBanList(conn: IrcConnection, cfg: ChannelConfig): void {
  const name = ircChannel(cfg.name);
  for (const b of cfg.banned)
    conn.numeric(N.RPL_BANLIST, name, `${b.pseudo}!*@*`, b.by ?? '*', String(Math.floor(Date.parse(b.at) / 1000)));
  conn.numeric(N.RPL_ENDOFBANLIST, name, 'End of channel ban list');
}

async function channelMode(
  server: IrcServer,
  conn: IrcConnection,
  ircName: string,
  modestring: string | undefined,
  args: string[],
): Promise<void> {
  const channel = restChannel(ircName);
  if (!channel) return conn.numeric(N.ERR_NOSUCHCHANNEL, ircName, 'No such channel');
  const auth = await bearer(server, conn);
  const api = server.clients.channels;
  const cfg = await api.config(auth, channel);
  if (cfg.status !== 200) return refusal(conn, 'MODE', ircName, cfg);
  if (!modestring) {
    conn.numeric(N.RPL_CHANNELMODEIS, ircName, `+${cfg.data.modes.join('')}`);
    return conn.numeric(N.RPL_CREATIONTIME, ircName, String(Math.floor(Date.parse(cfg.data.created_at) / 1000)));
  }
  const changes = parseChanges(modestring, args);
  if (typeof changes === 'string') return conn.numeric(N.ERR_UNKNOWNMODE, changes, 'is unknown mode char to me');
  // `MODE #c b` / `MODE #c +b` without a mask: the ban list (irssi asks it after every JOIN).
  if (changes.some((c) => c.letter === 'b' && c.arg === undefined)) return sendBanList(conn, cfg.data);
  const flags = changes.filter((c) => FLAG_MODES.has(c.letter));
  if (flags.length) {
    const r = await api.mode(auth, channel, flags.map((c) => c.sign + c.letter).join(''));
    if (r.status !== 200) return refusal(conn, 'MODE', ircName, r);
  }
  for (const c of changes.filter((x) => x.arg !== undefined)) {
    const pseudo = pseudoOfMask(c.arg as string);
    const r =
      c.letter === 'o'
        ? c.sign === '+'
          ? await api.addModerator(auth, channel, pseudo)
          : await api.removeModerator(auth, channel, pseudo)
        : c.sign === '+'
          ? await api.ban(auth, channel, pseudo)
          : await api.unban(auth, channel, pseudo);
    if (r.status === 404 && r.data.code === 'not_member')
      conn.numeric(N.ERR_USERNOTINCHANNEL, pseudo, ircName, "They aren't on that channel");
    else if (r.status !== 200) refusal(conn, 'MODE', ircName, r);
  }
  // The MODE (and KICK for a ban) lines come from channel-service's stream, to everyone in the channel once.
}

export const modeCommands: CommandFamily = {
  MODE: {
    minParams: 1,
    async run(server, conn, msg) {
      const [target, modestring, ...args] = msg.params;
      if (target.startsWith('#')) return channelMode(server, conn, target, modestring, args);
      if (fold(target) !== fold(conn.name)) return conn.numeric(N.ERR_USERSDONTMATCH, "Can't change mode for other users");
      const operator = isOperator(conn.session?.roles);
      if (!modestring) return conn.numeric(N.RPL_UMODEIS, operator ? '+io' : '+i');
      // Every user is invisible here (no address is shown); +o is the admin role's, not set here.
      if (!/^([+-][io]*)+$/.test(modestring)) return conn.numeric(N.ERR_UMODEUNKNOWNFLAG, 'Unknown MODE flag');
      const asked = /\+[io]*o/.test(modestring) ? true : /-[io]*o/.test(modestring) ? false : operator;
      if (asked !== operator) conn.numeric(N.ERR_NOPRIVILEGES, 'Permission Denied- operator status follows the CanaDuck admin role');
    },
  },
};
