// End-to-end: a real terminal IRC client from Debian (irssi) driven in tmux against the stack's
// IRC door (IRC_HOST/IRC_PORT, started by scripts/e2e.mjs). It logs in with SASL PLAIN, joins a
// channel, says a line that a REST user reads through the gateway (GET /msg), and a REST user's
// message shows in its window (tmux capture-pane). Needs irssi and tmux
// (scripts/ci-install-tools.sh installs them).
// e2e-timeout-seconds: 90
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assert, check, expectJson, finish, request, newAccount } from '../lib/e2e-check.mjs';

const IRC_HOST = process.env.IRC_HOST ?? '127.0.0.1';
const IRC_PORT = Number(process.env.IRC_PORT ?? 6667);
const id = randomBytes(4).toString('hex');
const session = `e2e-irssi-${id}`;
const channel = `irssi${id}`;
const home = fs.mkdtempSync(path.join(os.tmpdir(), 'e2e-irssi-'));
const tmux = (...args) => execFileSync('tmux', args, { encoding: 'utf8' });
const screen = () => tmux('capture-pane', '-p', '-J', '-S', '-200', '-t', session);

async function until(what, fn, ms = 20000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`${what} within ${ms} ms; the irssi window shows:\n${screen()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** `prefix` + this run's id: a new account through the gateway. */
const account = (prefix) => newAccount(`${prefix}${id}`);

function irssiConfig(user) {
  return `servers = ( { address = "${IRC_HOST}"; chatnet = "canaduck"; port = "${IRC_PORT}"; use_tls = "no"; autoconnect = "yes"; } );
chatnets = { canaduck = { type = "IRC"; sasl_mechanism = "PLAIN"; sasl_username = "${user.pseudo}"; sasl_password = "${user.password}"; }; };
settings = {
  core = { real_name = "e2e irssi"; user_name = "${user.pseudo}"; nick = "${user.pseudo}"; };
  "fe-common/core" = { autocreate_own_query = "no"; };
};
`;
}

let irc;
let rest;
try {
  await check('irssi and tmux are installed', () => {
    execFileSync('irssi', ['--version'], { encoding: 'utf8' });
    execFileSync('tmux', ['-V'], { encoding: 'utf8' });
  });
  [irc, rest] = await Promise.all([account('irssi'), account('rest')]);
  expectJson(await request('POST', '/channel', { token: rest.token, body: { name: `#${channel}` } }), 201);
  fs.writeFileSync(path.join(home, 'config'), irssiConfig(irc));

  await check('irssi logs in with SASL PLAIN and joins the channel', async () => {
    tmux('new-session', '-d', '-s', session, '-x', '200', '-y', '50', `irssi --home=${home}`);
    await until('SASL login', () => /SASL authentication successful|You are now logged in/i.test(screen()));
    tmux('send-keys', '-t', session, '-l', `/join #${channel}`);
    tmux('send-keys', '-t', session, 'Enter');
    await until('the channel joined', () => new RegExp(`${irc.pseudo}.*has joined #${channel}`).test(screen()));
  });

  await check('a line typed in irssi is read by a REST user through the gateway (GET /msg)', async () => {
    const text = `hello from irssi ${id}`;
    tmux('send-keys', '-t', session, '-l', text);
    tmux('send-keys', '-t', session, 'Enter');
    const found = await until('the line in GET /msg', async () => {
      const page = expectJson(await request('GET', `/msg?channel=${channel}&limit=20`, { token: rest.token }), 200);
      return page.messages.find((m) => m.text === text);
    });
    assert.equal(found.from, irc.pseudo);
  });

  await check("a REST user's message shows in irssi's window", async () => {
    const text = `hello from rest ${id}`;
    expectJson(await request('POST', '/msg', { token: rest.token, body: { channel, text } }), 201);
    await until("the REST message in irssi's window", () => screen().includes(text) && screen().includes(rest.pseudo));
  });
} finally {
  try {
    const quiet = { stdio: 'ignore' };
    execFileSync('tmux', ['send-keys', '-t', session, '/quit e2e over', 'Enter'], quiet);
    await new Promise((r) => setTimeout(r, 500));
    execFileSync('tmux', ['kill-session', '-t', session], quiet);
  } catch {
    /* the session never started */
  }
  fs.rmSync(home, { recursive: true, force: true });
  finish();
}
