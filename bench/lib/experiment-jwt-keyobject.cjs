// EXPERIMENT ONLY (BENCH_EXPERIMENT=jwt-keyobject): preloaded into the services to measure what the
// proposed @canaduck/auth fix would gain, without touching the services' code. jsonwebtoken 9's
// verify() first tries crypto.createPublicKey() on a string secret, which throws and is caught on
// every call; passing a ready KeyObject (crypto.createSecretKey) skips that. Results of a run with
// this preload are labelled as an experiment in the results file.
const crypto = require('node:crypto');
const Module = require('node:module');

const keys = new Map();
const keyOf = (secret) => {
  let k = keys.get(secret);
  if (!k) keys.set(secret, (k = crypto.createSecretKey(Buffer.from(secret, 'utf8'))));
  return k;
};
const original = Module.prototype.require;
let patched = false;
Module.prototype.require = function (id) {
  const mod = original.apply(this, arguments);
  if (!patched && id === 'jsonwebtoken' && typeof mod.verify === 'function') {
    patched = true;
    const verify = mod.verify;
    mod.verify = function (token, secret, ...rest) {
      return verify.call(this, token, typeof secret === 'string' ? keyOf(secret) : secret, ...rest);
    };
  }
  return mod;
};
