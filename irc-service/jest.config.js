const path = require('path');
module.exports = {
  ...require('../jest.preset.js'),
  // One real user/channel/message-service stack for every test file of this workspace.
  globalSetup: path.join(__dirname, 'test/global-setup.js'),
  globalTeardown: path.join(__dirname, 'test/global-teardown.js'),
};
