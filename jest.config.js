/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/compiler', '<rootDir>/runtime', '<rootDir>/vmctx', '<rootDir>/spec-tests', '<rootDir>/cli', '<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { isolatedModules: true, diagnostics: false }] },
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/spec-tests/testsuite/'],
  testTimeout: 60000,
};
