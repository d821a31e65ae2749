// Shared jest settings: every workspace runs its TypeScript tests through ts-jest
// (transpile only, type checking is `npm run build`), and resolves the library
// packages to their sources so a test never needs a prior build of them.
const path = require('path');
module.exports = {
  testEnvironment: 'node',
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  transform: {
    // isolatedModules in tsconfig.jest.json makes ts-jest transpile each file alone (fast, no type check).
    '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.jest.json') }],
  },
  moduleNameMapper: {
    '^@canaduck/(errors|config|logging|auth|db|http-client|contracts|service-kit|testing|events)$': path.join(__dirname, 'libraries/$1/src'),
  },
  setupFilesAfterEnv: [path.join(__dirname, 'jest.setup.js')],
  testTimeout: 30000,
};
