// Runs in every test file (setupFilesAfterEnv of jest.preset.js).
//
// Jest gives each test file its own modules but shares Node's core modules within a worker
// process. nock patches `http` when it loads, so a file that used nock would leave the next
// files of the same worker talking through nock's interceptor (no keep-alive, net connect
// rules...). After each file, undo nock if it is still patched in.
const http = require('http');

const ORIGINAL = Symbol.for('canaduck.originalClientRequest');
if (!http[ORIGINAL]) http[ORIGINAL] = http.ClientRequest;

afterAll(() => {
  if (http.ClientRequest !== http[ORIGINAL]) {
    const nock = require('nock');
    nock.cleanAll();
    nock.enableNetConnect();
    nock.restore();
  }
});
