/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/compiler', '<rootDir>/runtime', '<rootDir>/vmctx', '<rootDir>/spec-tests', '<rootDir>/cli', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  // Tests are transpiled file by file (tsconfig.jest.json sets isolatedModules); `npm run build`
  // type-checks the sources, so the per-test type check is off.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json', diagnostics: false }] },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/spec-tests/testsuite/'],
  testTimeout: 60000,
  setupFiles: ['<rootDir>/tests/support/isolated-cache.js'],
};
