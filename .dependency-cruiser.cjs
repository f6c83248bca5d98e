/**
 * The layer rule (README, "Layers"), checked by `npm run deps` inside `npm test`: a violation fails the
 * build. Layers, bottom up: core → schemas → adapters, documents → http, routes, jobs, background →
 * web → the Lambda entries in functions/api and the local runtime in infra/local. Type-only imports
 * count too (`tsPreCompilationDeps`): a type that crosses a layer couples it as much as a value does.
 */

// Node built-ins that do I/O or reach the process: the domain core stays pure and testable without them.
const IO_BUILTINS = [
  'fs',
  'fs/promises',
  'child_process',
  'cluster',
  'dgram',
  'dns',
  'http',
  'http2',
  'https',
  'net',
  'os',
  'process',
  'readline',
  'tls',
  'worker_threads',
];

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'A cycle makes two modules one: neither can be understood, tested or moved alone.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-imports-only-core',
      severity: 'error',
      comment: 'functions/core is the domain in plain TypeScript: it imports only itself and pure libraries.',
      from: { path: '^functions/core/' },
      to: { path: '^(functions/(?!core/)|infra/|test/|templates/)' },
    },
    {
      name: 'core-no-aws-no-io',
      severity: 'error',
      comment: 'No AWS SDK and no I/O in the domain core: use cases get their ports as arguments.',
      from: { path: '^functions/core/' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        path: [
          `^(node:)?(${IO_BUILTINS.join('|')})$`,
          '^node_modules/(@aws-sdk|@smithy|aws-cdk-lib|@middy|dynalite|nodemailer|playwright-core)/',
        ],
      },
    },
    {
      name: 'schemas-import-only-core',
      severity: 'error',
      comment: 'functions/schemas describe the wire: they build on the core and zod, nothing else of ours.',
      from: { path: '^functions/schemas/' },
      to: { path: '^(functions/(?!core/|schemas/)|infra/|test/|templates/)' },
    },
    {
      name: 'schemas-libraries',
      severity: 'error',
      comment: 'Schemas use zod only: no AWS SDK, no I/O.',
      from: { path: '^functions/schemas/' },
      to: {
        dependencyTypes: ['core', 'npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'],
        pathNot: '^node_modules/zod/',
      },
    },
    {
      name: 'adapters-below-http',
      severity: 'error',
      comment:
        'Adapters translate between a store or service and the domain; they know nothing of HTTP, routes, pages, background tasks or jobs.',
      from: { path: '^functions/adapters/' },
      to: { path: '^functions/(http|routes|web|background|jobs|api|accounts)/' },
    },
    {
      name: 'adapters-independent',
      severity: 'error',
      comment:
        'One adapter per store or service: an adapter that needs another gets it as a port from its caller.',
      from: { path: '^functions/adapters/([^/]+)/' },
      to: { path: '^functions/adapters/', pathNot: '^functions/adapters/$1/' },
    },
    {
      name: 'http-receives-ports',
      severity: 'error',
      comment:
        'functions/http is the handler shell; idempotency and audit reach it as ports the entries pass in, not as imports of adapters.',
      from: { path: '^functions/http/' },
      to: { path: '^functions/(adapters|routes|web|background|jobs|api|accounts)/' },
    },
    {
      name: 'nothing-below-web-imports-web',
      severity: 'error',
      comment: 'The pages sit on top of the API: only they, the entries and the local runtime import functions/web.',
      from: { path: '^functions/', pathNot: '^functions/(web|api)/' },
      to: { path: '^functions/web/' },
    },
    {
      name: 'no-lambda-entry-imports',
      severity: 'error',
      comment:
        'functions/api holds one Lambda entry per route group: entries are leaves (the CDK stack names them by path). Tests may call an entry the way the Lambda runtime does.',
      from: { pathNot: '^test/' },
      to: { path: '^functions/api/' },
    },
    {
      name: 'client-below-pages',
      severity: 'error',
      comment:
        'functions/client is how pages and background tasks call the API in-process; it knows neither of them.',
      from: { path: '^functions/client/' },
      to: { path: '^functions/(web|background|jobs|api)/' },
    },
    {
      name: 'web-view-pure',
      severity: 'error',
      comment:
        'functions/web/view turns API values into what a page prints: no reads (those are in web/lookups.ts or the page), no stores.',
      from: { path: '^functions/web/view/' },
      to: {
        path: ['^functions/(client/api-client|adapters|routes|http|jobs|background|accounts)', '^(node:)?(fs|fs/promises|http|https|net)$'],
        dependencyTypesNot: ['type-only'],
      },
    },
    {
      name: 'not-to-tests',
      severity: 'error',
      comment: 'Shipped code never imports test code.',
      from: { path: '^(functions|infra)/' },
      to: { path: '^test/' },
    },
    {
      name: 'no-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing fails at run time.',
      from: {},
      // Generated files (`npm run generate`) may be absent in a fresh clone before the first build.
      to: { couldNotResolve: true, pathNot: '\\.generated\\.(ts|json)$' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(cdk\\.out|\\.data|test/\\.artifacts)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    cache: { folder: 'node_modules/.cache/dependency-cruiser', strategy: 'metadata' },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
