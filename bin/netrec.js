#!/usr/bin/env node
// Entry point: the compiled CLI lives in dist/ (built by `npm ci` / `npm run prepare`).
import('../dist/src/cli/main.js').then((m) => m.main(process.argv)).catch((e) => {
  process.stderr.write(`netrec: ${e?.stack ?? e}\n`);
  process.exit(1);
});
