const { stopStack } = require('./global-setup');

module.exports = async function globalTeardown() {
  if (globalThis.__IRC_STACK__) await stopStack(globalThis.__IRC_STACK__);
};
