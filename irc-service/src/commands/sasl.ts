import { N } from '../protocol/numerics';
import type { IrcMessage } from '../protocol/irc-line';
import type { IrcConnection } from '../server/irc-connection';
import type { IrcServer } from '../server/irc-server';
import { login } from './login';

// A PLAIN payload is small; 400-byte chunks as the spec sends them, a few at most.
const MAX_PAYLOAD = 4096;

/** SASL PLAIN (IRCv3 SASL 3.1): AUTHENTICATE PLAIN, then base64 `authzid\0authcid\0password`. */
export async function authenticate(server: IrcServer, conn: IrcConnection, msg: IrcMessage): Promise<void> {
  const arg = msg.params[0];
  if (conn.registered || conn.session) return conn.numeric(N.ERR_SASLALREADY, 'You have already authenticated using SASL');
  if (arg === '*') {
    conn.sasl = undefined;
    return conn.numeric(N.ERR_SASLABORTED, 'SASL authentication aborted');
  }
  if (!conn.sasl) {
    if (arg.toUpperCase() !== 'PLAIN') {
      conn.numeric(N.RPL_SASLMECHS, 'PLAIN', 'are available SASL mechanisms');
      return conn.numeric(N.ERR_SASLFAIL, 'SASL authentication failed');
    }
    conn.sasl = { buffer: '' };
    conn.send({ command: 'AUTHENTICATE', params: ['+'] });
    return;
  }
  if (arg !== '+') conn.sasl.buffer += arg;
  if (conn.sasl.buffer.length > MAX_PAYLOAD) {
    conn.sasl = undefined;
    return conn.numeric(N.ERR_SASLTOOLONG, 'SASL message too long');
  }
  if (arg.length === 400) return; // more chunks follow
  const payload = Buffer.from(conn.sasl.buffer, 'base64').toString('utf8');
  conn.sasl = undefined;
  const [, authcid, password] = payload.split('\0');
  if (!authcid || password === undefined) return conn.numeric(N.ERR_SASLFAIL, 'SASL authentication failed');
  const outcome = await login(server, conn, authcid, password);
  if (outcome !== 'ok')
    return conn.numeric(N.ERR_SASLFAIL, outcome === 'limited' ? 'Too many login attempts' : 'SASL authentication failed');
  const pseudo = conn.name;
  conn.numeric(N.RPL_LOGGEDIN, server.mask(pseudo), pseudo, `You are now logged in as ${pseudo}`);
  conn.numeric(N.RPL_SASLSUCCESS, 'SASL authentication successful');
}
