#!/usr/bin/env node
/**
 * The `meshdns` command. Before anything else loads, Node's compile cache is switched on (it keeps
 * compiled code of meshdns and its dependencies in the OS temp folder): a start compiles ~65 ms
 * less, which matters for a restart and on a one-CPU host where a first import shares the core
 * with the start. NODE_DISABLE_COMPILE_CACHE=1 turns it off; a read-only temp folder just means
 * no cache. The zone-loader process inherits the setting through NODE_COMPILE_CACHE.
 */
import { enableCompileCache } from 'node:module';

const cache = enableCompileCache();
if (cache.directory !== undefined) process.env['NODE_COMPILE_CACHE'] ??= cache.directory;
await import('./cli-main.js');
