// One jest run over every workspace: unit tests live beside each package/service
// (test/), cross-service tests in tests/. Workspace packages resolve to their
// TypeScript sources through the "source" export condition, transformed by swc.
const swc = ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } } }];

const project = (dir) => ({
  displayName: dir,
  rootDir: `<rootDir>/${dir}`,
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['source', 'node', 'require', 'default'] },
  transform: { '^.+\\.ts$': swc },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
});

const fs = require('node:fs');
const path = require('node:path');
const workspaceDirs = ['packages', 'services']
  .flatMap((group) =>
    fs
      .readdirSync(path.join(__dirname, group), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => `${group}/${d.name}`),
  )
  .filter((dir) => fs.existsSync(path.join(__dirname, dir, 'package.json')));

/** @type {import('jest').Config} */
module.exports = {
  rootDir: __dirname,
  projects: [...workspaceDirs, 'tests'].map((dir) => ({
    ...project(dir),
    rootDir: path.join(__dirname, dir),
  })),
  testTimeout: 60_000,
};
