// Two projects so unit tests (pure, fast) and integration tests (real redis-server processes)
// can run alone. Integration files each own a topology on their own ports; they run one at a
// time because Sentinel timings are sensitive to CPU contention on a 2-core machine.
const swc = [
  '@swc/jest',
  { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } },
];

// @middy/core 7 (and its @middy/util) ship ESM only, with `import`-only package exports: map them to
// their entry files and let swc turn them into CommonJS like our own sources.
const esmPackages = {
  transform: { '^.+\\.(t|j)s$': swc },
  transformIgnorePatterns: ['/node_modules/(?!@middy/)'],
  moduleNameMapper: { '^@middy/(core|util)$': '<rootDir>/node_modules/@middy/$1/index.js' },
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/unit'],
      ...esmPackages,
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/integration'],
      ...esmPackages,
      globalSetup: '<rootDir>/test/integration/global-setup.ts',
      slowTestThreshold: 60,
    },
    // Suites that need several server builds at once (a deployment on mixed versions): only
    // `npm run test:versions` runs them, with the builds' folder in SENTINEL_WATCH_SERVERS.
    ...(process.env.SENTINEL_WATCH_MIXED_VERSIONS === '1'
      ? [
          {
            displayName: 'versions',
            testEnvironment: 'node',
            roots: ['<rootDir>/test/versions'],
            ...esmPackages,
            slowTestThreshold: 60,
          },
        ]
      : []),
    {
      // CDK: Template assertions and cdk-nag on synthesized stacks, bundling skipped.
      displayName: 'infra',
      testEnvironment: 'node',
      roots: ['<rootDir>/test/infra'],
      ...esmPackages,
      setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
    },
  ],
  // Integration suites start real processes: never run two at once.
  maxWorkers: process.env.JEST_MAX_WORKERS ?? 1,
  testTimeout: 60_000,
};
