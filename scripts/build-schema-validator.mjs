// Compiles schema/netrec.schema.json with ajv once, at build time, into a
// standalone validator module, so that a run of netrec loads only the
// generated code (and ajv's tiny runtime helpers) instead of importing and
// compiling ajv, which cost about 0.3 s per run. Run by `npm run prepare`.
//
// The module is CommonJS: ajv's ESM output still require()s its runtime
// helpers (ajv-validator/ajv#2209), and src/config/schema.ts loads it lazily
// with a synchronous require.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';

export const SCHEMA_FILE = fileURLToPath(new URL('../schema/netrec.schema.json', import.meta.url));
/** Beside the compiled src/config/schema.js, inside the package's files. */
export const VALIDATOR_FILE = fileURLToPath(new URL('../dist/src/config/schema-validator.cjs', import.meta.url));

/** A fresh ajv as the loader validates: every error, with the schema node and value it is about. */
export function newAjv(options = {}) {
  const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true, verbose: true, ...options });
  // An annotation: the wording for people of a node's string problems, used by src/config/schema.ts.
  ajv.addKeyword({ keyword: 'errorMessage', schemaType: 'string' });
  return ajv;
}

/** The text of the validator module for `schema`. */
export function validatorModule(schema) {
  const ajv = newAjv({ code: { source: true } });
  const source = standaloneCode(ajv, ajv.compile(schema));
  return `// Generated from schema/netrec.schema.json by scripts/build-schema-validator.mjs.\n${source}\n`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(dirname(VALIDATOR_FILE), { recursive: true });
  writeFileSync(VALIDATOR_FILE, validatorModule(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8'))));
}
