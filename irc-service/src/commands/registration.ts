import { isValidNick, fold } from '../protocol/names';
import { N } from '../protocol/numerics';
import type { CommandFamily } from './command';
import { capCommand } from './cap';
import { authenticate } from './sasl';
import { tryRegister } from './welcome';

export const registrationCommands: CommandFamily = {
  CAP: { minParams: 1, beforeRegistration: true, run: capCommand },
  AUTHENTICATE: { minParams: 1, beforeRegistration: true, run: authenticate },
  PASS: {
    minParams: 1,
    beforeRegistration: true,
    run(_server, conn, msg) {
      if (conn.registered) return conn.numeric(N.ERR_ALREADYREGISTERED, 'You may not reregister');
      // A password with spaces sent without a leading `:` still arrives whole.
      conn.pass = msg.params.join(' ');
    },
  },
  NICK: {
    beforeRegistration: true,
    async run(server, conn, msg) {
      const nick = msg.params[0];
      if (!nick) return conn.numeric(N.ERR_NONICKNAMEGIVEN, 'No nickname given');
      if (!isValidNick(nick)) return conn.numeric(N.ERR_ERRONEUSNICKNAME, nick, 'Erroneous nickname');
      if (conn.registered) {
        if (fold(nick) === fold(conn.name)) return;
        return conn.numeric(N.ERR_ERRONEUSNICKNAME, nick, 'Your nick is your account name and cannot change');
      }
      conn.nick = nick;
      await tryRegister(server, conn);
    },
  },
  USER: {
    minParams: 4,
    beforeRegistration: true,
    async run(server, conn, msg) {
      if (conn.registered) return conn.numeric(N.ERR_ALREADYREGISTERED, 'You may not reregister');
      conn.username = msg.params[0].slice(0, 16) || 'user';
      conn.realname = msg.params[3];
      await tryRegister(server, conn);
    },
  },
  PING: {
    beforeRegistration: true,
    run(server, conn, msg) {
      if (!msg.params[0]) return conn.numeric(N.ERR_NEEDMOREPARAMS, 'PING', 'Not enough parameters');
      conn.send({ source: server.settings.serverName, command: 'PONG', params: [server.settings.serverName, msg.params[0]] });
    },
  },
  // Any line proves the client alive (lastReceived); PONG needs nothing more.
  PONG: { beforeRegistration: true, run: () => undefined },
  QUIT: {
    beforeRegistration: true,
    run(_server, conn, msg) {
      conn.close(msg.params[0] ? `Quit: ${msg.params[0]}` : 'Client quit');
    },
  },
};
