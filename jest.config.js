// `npm test` at the root runs every workspace's suites as jest projects.
const fs = require('fs');
const path = require('path');
const workspaces = require('./package.json').workspaces;
const { testTimeout, ...projectPreset } = require('./jest.preset.js');

const dirs = workspaces.flatMap((w) =>
  w.endsWith('/*')
    ? fs
        .readdirSync(w.slice(0, -2))
        .map((d) => path.join(w.slice(0, -2), d))
        .filter((d) => fs.existsSync(path.join(d, 'package.json')))
    : [w],
);

module.exports = {
  // A global option: inside a project jest ignores it (with a warning) and falls back to 5 s.
  testTimeout,
  projects: dirs.map((dir) => ({ displayName: path.basename(dir), rootDir: path.join(__dirname, dir), ...projectPreset })),
};
