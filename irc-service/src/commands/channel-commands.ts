import { toOneLine } from '@canaduck/contracts';
import { ircChannel, KICKLEN, restChannel, TOPICLEN } from '../protocol/names';
import { N } from '../protocol/numerics';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { bearer, targets, type CommandFamily } from './command';
import { refusal, sendNames, sendTopic } from './channel-replies';

/** JOIN of one channel: REST join, or creation (the joiner owns it) when it does not exist. */
async function joinOne(server: IrcServer, conn: IrcConnection, ircName: string): Promise<void> {
  const channel = restChannel(ircName);
  if (!channel) return conn.numeric(N.ERR_NOSUCHCHANNEL, ircName, 'No such channel');
  if (conn.channels.has(channel)) return;
  const auth = await bearer(server, conn);
  const api = server.clients.channels;
  let r = await api.join(auth, channel);
  if (r.status === 404 && r.data.code === 'channel_not_found') {
    const created = await api.create(auth, channel);
    // Lost a race with another creator: join theirs.
    if (created.status === 409) r = await api.join(auth, channel);
    else if (created.status !== 201) return refusal(conn, 'JOIN', ircName, created);
    else r = { status: 200, data: { result: 'created' } };
  }
  if (r.status !== 200) return refusal(conn, 'JOIN', ircName, r);
  // Others learn of the join from channel-service's stream; so may this client, when the event
  // came before the answer: then its JOIN line is already sent.
  if (!conn.channels.has(channel)) {
    server.joinLocal(conn, channel);
    conn.send(server.joinLines(conn.name, channel)(conn));
  }
  const cfg = await api.config(auth, channel);
  if (cfg.status === 200) sendTopic(server, conn, cfg.data, false);
  await sendNames(server, conn, channel, cfg.status === 200 ? cfg.data : undefined);
}

async function partOne(server: IrcServer, conn: IrcConnection, ircName: string, reason: string | undefined): Promise<void> {
  const channel = restChannel(ircName);
  if (!channel) return conn.numeric(N.ERR_NOSUCHCHANNEL, ircName, 'No such channel');
  if (!conn.channels.has(channel)) return conn.numeric(N.ERR_NOTONCHANNEL, ircName, "You're not on that channel");
  const message = reason === undefined ? '' : toOneLine(reason, KICKLEN);
  await server.clients.channels.part(await bearer(server, conn), channel, message);
  // Others see the PART from the stream. This client leaves now (unless the event was first);
  // the owner cannot leave over REST (the channel would be deleted): only this client's view goes.
  if (!conn.channels.has(channel)) return;
  const params = message ? [ircChannel(channel), message] : [ircChannel(channel)];
  server.leaveLocal(conn, channel);
  conn.send({ source: server.mask(conn.name), command: 'PART', params });
}

export const channelCommands: CommandFamily = {
  JOIN: {
    minParams: 1,
    async run(server, conn, msg) {
      if (msg.params[0] === '0') {
        for (const c of [...conn.channels]) await partOne(server, conn, ircChannel(c), undefined);
        return;
      }
      for (const name of targets(msg.params[0]).slice(0, 10)) await joinOne(server, conn, name);
    },
  },
  PART: {
    minParams: 1,
    async run(server, conn, msg) {
      for (const name of targets(msg.params[0])) await partOne(server, conn, name, msg.params[1]);
    },
  },
  TOPIC: {
    minParams: 1,
    async run(server, conn, msg) {
      const ircName = msg.params[0];
      const channel = restChannel(ircName);
      if (!channel) return conn.numeric(N.ERR_NOSUCHCHANNEL, ircName, 'No such channel');
      const auth = await bearer(server, conn);
      if (msg.params.length < 2) {
        const cfg = await server.clients.channels.config(auth, channel);
        if (cfg.status !== 200) return refusal(conn, 'TOPIC', ircName, cfg);
        return sendTopic(server, conn, cfg.data);
      }
      const topic = toOneLine(msg.params[1], TOPICLEN);
      const r = await server.clients.channels.topic(auth, channel, topic);
      if (r.status !== 200) return refusal(conn, 'TOPIC', ircName, r);
      // Members see the TOPIC line from the stream; a setter outside the channel is answered here.
      if (!conn.channels.has(channel)) conn.send({ source: server.mask(conn.name), command: 'TOPIC', params: [ircName, topic] });
    },
  },
  NAMES: {
    async run(server, conn, msg) {
      if (!msg.params[0]) return conn.numeric(N.RPL_ENDOFNAMES, '*', 'End of /NAMES list');
      for (const ircName of targets(msg.params[0])) {
        const channel = restChannel(ircName);
        const cfg = channel ? await server.clients.channels.config(await bearer(server, conn), channel) : undefined;
        if (!channel || cfg?.status !== 200) conn.numeric(N.RPL_ENDOFNAMES, ircName, 'End of /NAMES list');
        else await sendNames(server, conn, channel, cfg.data);
      }
    },
  },
  LIST: {
    async run(server, conn, msg) {
      const only = msg.params[0] ? new Set(targets(msg.params[0]).map((t) => restChannel(t))) : undefined;
      const auth = await bearer(server, conn);
      conn.numeric(N.RPL_LISTSTART, 'Channel', 'Users  Name');
      // channel-service's list hides secret channels; a few pages at most.
      let offset: number | null = 0;
      for (let page = 0; offset !== null && page < 25; page++) {
        const r = await server.clients.channels.list(auth, offset);
        if (r.status !== 200) break;
        for (const c of r.data.channels) {
          if (only && !only.has(c.name)) continue;
          const modes = c.modes.length ? `[+${c.modes.join('')}] ` : '';
          conn.numeric(N.RPL_LIST, ircChannel(c.name), String(c.members_count), `${modes}${c.topic ?? ''}`);
        }
        offset = r.data.next_offset;
      }
      conn.numeric(N.RPL_LISTEND, 'End of /LIST');
    },
  },
  KICK: {
    minParams: 2,
    async run(server, conn, msg) {
      const [ircName, nick, reason] = msg.params;
      const channel = restChannel(ircName);
      if (!channel) return conn.numeric(N.ERR_NOSUCHCHANNEL, ircName, 'No such channel');
      const r = await server.clients.channels.kick(await bearer(server, conn), channel, nick, reason && toOneLine(reason, KICKLEN));
      if (r.status === 404 && r.data.code === 'not_member')
        return conn.numeric(N.ERR_USERNOTINCHANNEL, nick, ircName, "They aren't on that channel");
      if (r.status !== 200) return refusal(conn, 'KICK', ircName, r);
    },
  },
  INVITE: {
    minParams: 2,
    async run(server, conn, msg) {
      const [nick, ircName] = msg.params;
      const channel = restChannel(ircName);
      if (!channel) return conn.numeric(N.ERR_NOSUCHCHANNEL, ircName, 'No such channel');
      const r = await server.clients.channels.invite(await bearer(server, conn), channel, nick);
      if (r.status === 409 && r.data.code === 'already_member')
        return conn.numeric(N.ERR_USERONCHANNEL, nick, ircName, 'is already on channel');
      if (r.status === 404 && r.data.code === 'user_not_found') return conn.numeric(N.ERR_NOSUCHNICK, nick, 'No such nick/channel');
      if (r.status !== 200) return refusal(conn, 'INVITE', ircName, r);
      // The invited user's clients get INVITE from the stream.
      conn.numeric(N.RPL_INVITING, nick, ircChannel(channel));
    },
  },
};
