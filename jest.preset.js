// Shared jest settings: every workspace runs its TypeScript tests through ts-jest
// (transpile only, type checking is `npm run build`), and resolves the library
// packages to their sources so a test never needs a prior build of them.
const path = require('path');
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { isolatedModules: true, tsconfig: path.join(__dirname, 'tsconfig.json') }],
  },
  moduleNameMapper: {
    '^@canaduck/(errors|config|logging|auth|db|http-client|service-kit|testing)$': path.join(__dirname, 'libraries/$1/src'),
  },
  testTimeout: 30000,
};
