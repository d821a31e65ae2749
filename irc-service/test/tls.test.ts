import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { newUser, startDoor, useStack } from './support';

const stack = useStack();

describe('TLS listener', () => {
  test('when IRC_TLS_CERT and IRC_TLS_KEY are set, then clients register over TLS on the TLS port', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'irc-tls-'));
    const key = path.join(dir, 'key.pem');
    const cert = path.join(dir, 'cert.pem');
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=localhost'],
      { stdio: 'ignore' },
    );
    const door = await startDoor(stack(), { tls: { port: 0, cert: fs.readFileSync(cert, 'utf8'), key: fs.readFileSync(key, 'utf8') } });
    const u = await newUser(stack());
    const socket = tls.connect({ host: '127.0.0.1', port: door.tlsPort as number, rejectUnauthorized: false });
    try {
      let got = '';
      const welcomed = new Promise<void>((resolve) =>
        socket.on('data', (d: Buffer) => {
          got += d.toString();
          if (/ 001 /.test(got)) resolve();
        }),
      );
      await new Promise((r) => socket.once('secureConnect', r));
      socket.write(`PASS :${u.pseudo}:${u.password}\r\nNICK ${u.pseudo}\r\nUSER a 0 * :a\r\n`);
      await welcomed;
      expect(got).toContain(`001 ${u.pseudo} `);
    } finally {
      socket.destroy();
      await door.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
