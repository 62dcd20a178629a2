// The CLI as a few bundled files: Node spends about 1 ms per module it
// loads, and netrec's commands load 80-110 of them (about a tenth of a small
// apply). esbuild joins them into one file per command (split where
// main.ts imports a command lazily). The bundle sits at the same depth as
// dist/src/cli/, so the paths modules resolve from their own location (the
// native addon, the schema, package.json) hold; the generated schema
// validator is copied beside it.
import { build } from 'esbuild';
import { copyFileSync, rmSync } from 'node:fs';

const out = 'dist/bundle/cli';
rmSync('dist/bundle', { recursive: true, force: true });
await build({
  entryPoints: ['dist/src/cli/main.js'],
  outdir: out,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['*.node', './schema-validator.cjs'],
  // Bundled CommonJS dependencies call require(); ESM output has none of its own.
  banner: { js: "import { createRequire as netrecCreateRequire } from 'node:module'; const require = netrecCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
copyFileSync('dist/src/config/schema-validator.cjs', `${out}/schema-validator.cjs`);
