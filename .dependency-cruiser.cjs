// Import-graph rules for meshdns (dependency-cruiser). The same rules serve the CLI
// (`npx depcruise server zones bench test`) and test/architecture/imports.test.ts.
//
// "Nothing outside zones/store/ uses the store's raw LMDB handles" (ARCHITECTURE.md) is an import
// rule too: LmdbStore keeps its handles out of its public face, and only zones/store/handles.ts hands
// them out (store-handles-only-in-store).

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'vocabulary-below-server',
      severity: 'error',
      comment:
        'zones/ (and dnssec/, catalog/: zone vocabulary, signing and catalog interpretation) sit below server/: ' +
        'they never import it. The server composes them (server/start.ts), not the other way round. ' +
        'k8s/ (object-to-record mapping, the node agent) is below server/ too.',
      from: { path: '^(zones|dnssec|catalog|k8s)/' },
      to: { path: '^server/' },
    },
    {
      name: 'lmdb-only-in-store',
      severity: 'error',
      comment:
        'Only zones/store/ holds LMDB: everything else gets a snapshot reader and the write door. ' +
        'Tests may import lmdb (store tests open environments themselves); bench/ may not.',
      from: { pathNot: '^(zones/store/|test/)' },
      // (node_modules may be a symlink: the resolved path then runs through its target)
      to: { path: '(^|/)node_modules/lmdb/' },
    },
    {
      name: 'quic-library-only-in-native',
      severity: 'error',
      comment:
        'Only server/quic/native.ts imports @matrixai/quic (its quiche binding): the QUIC library can be ' +
        'swapped by rewriting server/quic/. Tests may import it (the reproducers of its JavaScript layer).',
      from: { path: '^(server|zones|catalog|dnssec|k8s|bench)/', pathNot: '^server/quic/native\\.ts$' },
      to: { path: '(^|/)node_modules/@matrixai/quic/' },
    },
    {
      name: 'store-handles-only-in-store',
      severity: 'error',
      comment:
        'The LMDB handles (environment, sub-databases) are handed out by zones/store/handles.ts to the ' +
        'store and its write door only; everything else reads through ZoneReader and writes through ZoneWriter.',
      from: { pathNot: '^zones/store/' },
      to: { path: '^zones/store/handles\\.ts$' },
    },
    {
      name: 'no-cycles-in-server',
      severity: 'error',
      comment: 'No import cycle made only of server/ modules (type-only imports count: they couple too).',
      from: { path: '^server/' },
      to: { circular: true, viaOnly: { path: '^server/' } },
    },
    {
      name: 'no-folder-cycles-in-server',
      severity: 'error',
      comment:
        'No cycle between folders of server/ either (query/ → update/ → query/ is one): each folder is a layer ' +
        'or a module the router hands messages to, and the dependencies between them go one way.',
      scope: 'folder',
      from: { path: '^server/' },
      to: { circular: true, viaOnly: { path: '^server/' } },
    },
    {
      name: 'no-cycles-in-zones',
      severity: 'error',
      comment: 'No import cycle made only of zones/ modules (type-only imports count).',
      from: { path: '^zones/' },
      to: { circular: true, viaOnly: { path: '^zones/' } },
    },
    {
      name: 'no-folder-cycles-in-zones',
      severity: 'error',
      comment: 'No cycle between folders of zones/ (e.g. zones/ ↔ zones/store/).',
      scope: 'folder',
      from: { path: '^zones/' },
      to: { circular: true, viaOnly: { path: '^zones/' } },
    },
    {
      name: 'update-xfr-not-query',
      severity: 'error',
      comment:
        'Dynamic update and zone transfers are handed messages by the router; they never reach into the ' +
        'answer engine (server/query/). Shared wire vocabulary belongs in a module both can import.',
      from: { path: '^server/(update|xfr)/' },
      to: { path: '^server/(query|router|listeners)/' },
    },
    {
      name: 'message-is-vocabulary',
      severity: 'error',
      comment: 'the wire vocabulary imports only zones/ and itself',
      from: { path: '^server/message/' },
      to: { path: '^server/(?!message/)' },
    },
    {
      name: 'shared-pieces-stay-low',
      severity: 'error',
      comment: 'the transport table, the holder and the zone table are below every module',
      from: { path: '^server/(transports|holder|zone-table)[.]ts$' },
      to: { path: '^server/(router|query|xfr|update|listeners|tsig|metrics)/' },
    },
    {
      name: 'query-is-the-answer-engine',
      severity: 'error',
      comment: 'the answer engine knows nothing of transfers, updates, TSIG or transports',
      from: { path: '^server/query/' },
      to: { path: '^server/(router|xfr|update|listeners|tsig|admin)/' },
    },
    {
      name: 'tsig-below-handlers',
      severity: 'error',
      comment: 'TSIG wraps handlers without knowing them',
      from: { path: '^server/tsig/' },
      to: { path: '^server/(query|router|xfr|update|listeners)/' },
    },
    {
      name: 'listeners-know-the-table',
      severity: 'error',
      comment: 'listeners hand messages to a MessageHandler (the transport table), never to the router itself',
      from: { path: '^server/listeners/' },
      to: { path: '^server/(router|query|xfr|update)/' },
    },
    {
      name: 'metrics-read-counters',
      severity: 'error',
      comment: 'metrics read counters, not the modules that count',
      from: { path: '^server/metrics/' },
      to: { path: '^server/(router|query|xfr|update)/' },
    },
    {
      name: 'router-composed-from-outside',
      severity: 'error',
      comment: 'only the composition root builds the pipeline',
      from: { path: '^server/(?!start[.]ts|router/)' },
      to: { path: '^server/router/' },
    },
  ],
  options: {
    // the TypeScript sources, never the compiled copies
    exclude: { path: '^(dist|node_modules)/' },
    doNotFollow: { path: 'node_modules' },
    // `import type` counts: a type-only import is still a dependency of the design
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
    },
    moduleSystems: ['es6', 'cjs'],
  },
};
