import { createDefaultEsmPreset } from 'ts-jest';

/** @type {import('jest').Config} */
export default {
  ...createDefaultEsmPreset({ tsconfig: 'tsconfig.json' }),
  testEnvironment: 'node',
  // ts-jest rewrites our relative '.ts' imports to '.js'; map them back to the sources.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  globalSetup: '<rootDir>/harness/jest-global-setup.mjs',
  globalTeardown: '<rootDir>/harness/jest-global-teardown.mjs',
  testTimeout: 60000,
  // One deployment host serves the suite and tests restart its app: run files one at a time.
  maxWorkers: 1,
};
