// Loading a big config: writes a YAML file with 100,000 routes (IPv4 and
// IPv6, via/dev/metric/table) to a fresh directory in /tmp, loads and
// validates it in this fresh process, then renders the state back
// (toDocument + toJson/toYaml) and reads the JSON back as a snapshot. Prints
// wall time per step and peak RSS.
//
// Then the gate: netrec's whole load of a file (read, parse with places,
// schema check, normalise, checks across objects) against a bare
// js-yaml.load of the same text, medians of 5 interleaved runs in this
// process, for that file and for the routing table of the route scenarios
// of bench/run.ts (one-line flow mappings of a destination and a gateway).
// The ratio is to stay within 1.5.
//
//   node dist/bench/config-load.js [ROUTES]
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import jsyaml from 'js-yaml';
import { loadConfig, loadSnapshot } from '../src/config/load.js';
import { toDocument, toJson, toYaml } from '../src/config/serialize.js';
import { writeRoutesYaml } from './lib.js';

const count = Number(process.argv[2] ?? 100_000);
const dir = mkdtempSync(join(tmpdir(), 'netrec-bench-config-'));
const file = join(dir, `${count}-routes.yaml`);

function generate(n: number): string {
  const lines = [
    '# yaml-language-server: $schema=../schema/netrec.schema.json',
    'version: 1',
    'tables:',
    '  wan2: 200',
    'interfaces:',
    '  - name: wan0',
    '    kind: veth',
    '    veth: { peer: wan0-peer }',
    '    addresses: [198.51.100.2/24, "2001:db8::2/64"]',
    'routes:',
  ];
  for (let i = 0; i < n; i++) {
    if (i % 4 === 3) {
      lines.push(`  - to: 2001:db8:${(i >> 8).toString(16)}:${(i & 255).toString(16)}::/64`, '    via: 2001:db8::1', `    metric: ${i % 7}`);
    } else {
      lines.push(`  - to: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}/32`, '    via: 198.51.100.1', '    dev: wan0', `    metric: ${i % 5}`, `    table: ${i % 3 ? 'main' : 'wan2'}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** Wall time, and CPU time, which tells more when other work shares the machine. */
function step<T>(name: string, f: () => T): T {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const result = f();
  const ms = performance.now() - t;
  const used = process.cpuUsage(cpu);
  const rss = process.resourceUsage().maxRSS / 1024;
  console.log(`${name.padEnd(28)} ${ms.toFixed(0).padStart(6)} ms  (cpu ${((used.user + used.system) / 1000).toFixed(0).padStart(5)} ms)  peak RSS ${rss.toFixed(0)} MB`);
  return result;
}

console.log(`load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)} on ${(await import('node:os')).cpus().length} CPUs`);
const text = generate(count);
writeFileSync(file, text);
console.log(`${file}: ${count} routes, ${(text.length / 1e6).toFixed(1)} MB`);
const desired = step('loadConfig (parse+validate)', () => loadConfig([file]));
const doc = step('toDocument', () => toDocument(desired.state, { tables: desired.tables }));
const json = step('toJson', () => toJson(doc));
step('toYaml', () => toYaml(doc));
const snapshot = join(dir, `${count}-snapshot.json`);
writeFileSync(snapshot, json);
const state = step('loadSnapshot (json)', () => loadSnapshot(snapshot));
if (state.routes.length !== desired.state.routes.length) throw new Error('snapshot lost routes');
// How fast this machine is right now: the same routes through the built-in JSON parser.
step('baseline: JSON.parse', () => JSON.parse(json));

/** Medians of `runs` interleaved runs of bare js-yaml.load and of loadConfig on `path`. */
function gate(name: string, path: string, runs = 5): void {
  const text = readFileSync(path, 'utf8');
  const bare: number[] = [];
  const netrec: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    jsyaml.load(text);
    bare.push(performance.now() - t);
    t = performance.now();
    loadConfig([path]);
    netrec.push(performance.now() - t);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
  const ratio = median(netrec) / median(bare);
  console.log(
    `gate ${name.padEnd(22)} js-yaml.load ${median(bare).toFixed(0).padStart(5)} ms  netrec load ${median(netrec).toFixed(0).padStart(5)} ms  ratio ${ratio.toFixed(2)} ${ratio <= 1.5 ? '(within 1.5)' : '(OVER 1.5)'}`,
  );
}

gate('block-style routes', file);
const flow = join(dir, `${count}-flow-routes.yaml`);
writeRoutesYaml(flow, { v4: count - (count >> 2), v6: count >> 2 });
gate('flow routes (run.ts)', flow);
rmSync(dir, { recursive: true, force: true });
