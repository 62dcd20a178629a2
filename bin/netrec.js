#!/usr/bin/env node
// Entry point. `npm ci` / `npm run prepare` compile src/ to dist/src/ and
// bundle the CLI into dist/bundle/ (faster to start); a bundle older than
// the compiled sources (after a bare `tsc`) is passed over.
import { statSync } from 'node:fs';

const bundle = new URL('../dist/bundle/cli/main.js', import.meta.url);
const compiled = new URL('../dist/src/cli/main.js', import.meta.url);
const mtime = (u) => statSync(u, { throwIfNoEntry: false })?.mtimeMs ?? -1;
const entry = mtime(bundle) >= mtime(compiled) ? bundle : compiled;

import(entry.href).then((m) => m.main(process.argv)).catch((e) => {
  // main() reports its own errors; this is netrec failing to load (a build missing or broken).
  if (process.argv.includes('--debug')) process.stderr.write(`netrec: ${e?.stack ?? e}\n`);
  else process.stderr.write(`netrec: cannot load netrec: ${String(e?.message ?? e).split('\n')[0]}; run \`npm ci\` (or \`npm run prepare\`) in ${new URL('..', import.meta.url).pathname}, or --debug for the stack\n`);
  process.exit(1);
});
