// Writes the link-kind parts of schema/netrec.schema.json from the kinds'
// descriptors (src/kinds/schema.ts says which parts), leaving the rest of the
// file as it is. Run by `npm run schema` after changing a kind; the output is
// committed, and test/kinds/schema.test.ts fails while it is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { withLinkKinds } from '../dist/src/kinds/schema.js';

const file = fileURLToPath(new URL('../schema/netrec.schema.json', import.meta.url));
const before = readFileSync(file, 'utf8');
const after = withLinkKinds(before);
JSON.parse(after); // still JSON
if (after !== before) writeFileSync(file, after);
process.stdout.write(after === before ? 'schema/netrec.schema.json is up to date\n' : 'schema/netrec.schema.json rewritten from the link kinds\n');
