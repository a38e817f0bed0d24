/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/compiler', '<rootDir>/runtime', '<rootDir>/vmctx', '<rootDir>/types', '<rootDir>/spec-tests', '<rootDir>/cli', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // Tests are transpiled file by file (tsconfig.jest.json sets isolatedModules), with ts-jest's
  // diagnostics on (what a file alone can tell: syntax, isolated-module errors). The full type
  // check of sources and tests is `npm run typecheck:tests` (tsconfig.test.json), which
  // `npm test` runs before jest.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: true }] },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/spec-tests/testsuite/'],
  testTimeout: 60000,
  setupFiles: ['<rootDir>/tests/support/isolated-cache.js'],
};
