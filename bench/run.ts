// `npm run bench [-- --full] [-- --only NAME,...] [-- --runs N]`: every scenario
// side by side with its baseline (`ip -batch` for writes, `ip -j` for reads)
// in the same run, in throwaway namespaces. Writes bench/results/latest.{md,json}.
//
// Quick mode (default) scales the big scenarios down so the whole bench takes a
// few minutes; --full runs the sizes the targets are stated for.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BenchNs, median, netrecTimed, ROOT, settle, timed, UPLINK_SETUP, writeRoutesBatch, writeRoutesYaml, type RouteSet, type Timed } from './lib.js';
import { watchRepair } from './watch-repair.js';
import { Connection } from '../src/netlink/connection.js';
import { readState } from '../src/kernel/read.js';

/** In-process: the median time of readState (every dump, decoded into the model). */
async function dumpDecode(ns: string, n: number): Promise<number> {
  const conn = Connection.open({ netns: `/run/netns/${ns}` });
  try {
    const xs: number[] = [];
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      await readState(conn);
      xs.push(performance.now() - t0);
    }
    return median(xs);
  } finally {
    conn.close();
  }
}

interface Row {
  scenario: string;
  netrec: string;
  baseline: string;
  ratio: string;
  target: string;
  rss: string;
  ok: boolean | null;
  raw: Record<string, number>;
}

const args = process.argv.slice(2);
const full = args.includes('--full');
const only = (args.find((a) => a.startsWith('--only='))?.slice(7) ?? '').split(',').filter(Boolean);
const runs = Number(args.find((a) => a.startsWith('--runs='))?.slice(7) ?? (full ? 3 : 3));
const tmp = mkdtempSync(join(tmpdir(), 'netrec-bench-'));
const rows: Row[] = [];

const fmt = (ms: number) => (ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(0)} ms`);
const want = (name: string) => only.length === 0 || only.includes(name);

function row(r: Omit<Row, 'ratio'> & { ratio?: number; limit?: number }): void {
  const ratio = r.ratio !== undefined ? `${r.ratio.toFixed(2)}x` : '';
  const ok = r.limit !== undefined && r.ratio !== undefined ? r.ratio <= r.limit : r.ok;
  const out: Row = { ...r, ratio, ok };
  rows.push(out);
  console.log(`${out.ok === false ? 'MISS' : out.ok ? 'ok  ' : '    '} ${r.scenario}: netrec ${r.netrec}, baseline ${r.baseline} ${ratio} (target ${r.target}) rss ${r.rss}`);
}

/** Median time and peak RSS of some runs. */
function summary(xs: { ms: number; rssMiB: number }[]): { ms: number; rssMiB: number } {
  return { ms: median(xs.map((x) => x.ms)), rssMiB: Math.max(...xs.map((x) => x.rssMiB)) };
}

/** Median over `runs` of a measurement that needs a fresh namespace each time. */
function repeat<T extends { ms: number; rssMiB: number }>(fn: () => T): { ms: number; rssMiB: number } {
  const xs: T[] = [];
  for (let i = 0; i < runs; i++) xs.push(fn());
  return summary(xs);
}

/**
 * For reference: the same routes written by two `ip -batch` processes at once
 * (one half each). The kernel inserts routes in parallel on two cores, so
 * this is close to what any writer can reach here.
 */
function kernelFloor(label: string, batch: string, batchMs: number): void {
  const lines = readFileSync(batch, 'utf8').split('\n').filter(Boolean);
  const half = Math.ceil(lines.length / 2);
  const a = `${batch}.a`;
  const b = `${batch}.b`;
  writeFileSync(a, lines.slice(0, half).join('\n') + '\n');
  writeFileSync(b, lines.slice(half).join('\n') + '\n');
  const floor = repeat(() => {
    const ns = BenchNs.withUplink();
    const t = timed('bash', ['-c', `ip -n ${ns.name} -batch ${a} & ip -n ${ns.name} -batch ${b} & wait`]);
    ns.destroy();
    return t;
  });
  row({ scenario: `${label}: two ip -batch halves at once (kernel floor, reference)`, netrec: '-', baseline: `${fmt(floor.ms)} vs ip -batch ${fmt(batchMs)}`, ratio: floor.ms / batchMs, target: 'for reference', rss: '-', ok: null, raw: { floorMs: floor.ms, baselineMs: batchMs } });
}

function coldApply(label: string, n: RouteSet, limit: number, target: string, floor = false): { cold: number; batch: number } {
  const yaml = join(tmp, `routes-${n.v4}-${n.v6}.yaml`);
  const batch = join(tmp, `routes-${n.v4}-${n.v6}.batch`);
  writeRoutesYaml(yaml, n);
  writeRoutesBatch(batch, n);
  const base = repeat(() => {
    const ns = BenchNs.withUplink();
    const t = ns.batchTimed(batch);
    ns.destroy();
    return t;
  });
  const ours = repeat(() => {
    const ns = BenchNs.withUplink();
    const t = netrecTimed(['apply', yaml, '--netns', ns.name]);
    ns.destroy();
    return t;
  });
  row({ scenario: label, netrec: fmt(ours.ms), baseline: `ip -batch ${fmt(base.ms)}`, ratio: ours.ms / base.ms, limit, target, rss: `${ours.rssMiB.toFixed(0)} MiB`, ok: null, raw: { netrecMs: ours.ms, baselineMs: base.ms, rssMiB: ours.rssMiB } });
  if (floor) {
    kernelFloor(label, batch, base.ms);
    const writes: number[] = [];
    const json = repeat(() => {
      const ns = BenchNs.withUplink();
      const t = netrecTimed(['apply', yaml, '--netns', ns.name, '-o', 'json']);
      writes.push((JSON.parse(t.stdout) as { phasesMs: { write: number } }).phasesMs.write);
      ns.destroy();
      return t;
    });
    row({ scenario: `${label}, with -o json (every change listed)`, netrec: fmt(json.ms), baseline: `ip -batch ${fmt(base.ms)}`, ratio: json.ms / base.ms, target: 'for reference', rss: `${json.rssMiB.toFixed(0)} MiB`, ok: null, raw: { netrecMs: json.ms, baselineMs: base.ms, rssMiB: json.rssMiB } });
    // What the kernel costs netrec: sending the changes and reading their ACKs, nothing else.
    const write = median(writes);
    row({ scenario: `${label}: netrec's write phase alone (phasesMs.write of the -o json runs, reference)`, netrec: fmt(write), baseline: `ip -batch ${fmt(base.ms)}`, ratio: write / base.ms, target: 'for reference', rss: '-', ok: null, raw: { writeMs: write, baselineMs: base.ms } });
  }
  return { cold: ours.ms, batch: base.ms };
}

function noopAndOne(label: string, n: RouteSet, batchMs: number, limit: number): number {
  const yaml = join(tmp, `routes-${n.v4}-${n.v6}.yaml`);
  const yaml1 = join(tmp, `routes-${n.v4}-${n.v6}-changed.yaml`);
  writeRoutesYaml(yaml, n);
  writeRoutesYaml(yaml1, n, true);
  const ns = BenchNs.withUplink();
  try {
    netrecTimed(['apply', yaml, '--netns', ns.name]);
    settle();
    // No-op and change runs alternate, so that both see the same machine; these
    // runs are short, and the two are compared with each other, so there are more.
    const noops: Timed[] = [];
    const ones: Timed[] = [];
    for (let i = 0; i < Math.max(runs, 7); i++) {
      noops.push(netrecTimed(['apply', yaml, '--netns', ns.name]));
      ones.push(netrecTimed(['apply', yaml1, '--netns', ns.name]));
      netrecTimed(['apply', yaml, '--netns', ns.name]);
    }
    const noop = summary(noops);
    const one = summary(ones);
    row({ scenario: `${label} no-op apply`, netrec: fmt(noop.ms), baseline: `ip -batch (cold) ${fmt(batchMs)}`, ratio: noop.ms / batchMs, limit, target: `<= ${limit}x ip -batch`, rss: `${noop.rssMiB.toFixed(0)} MiB`, ok: null, raw: { netrecMs: noop.ms, baselineMs: batchMs, rssMiB: noop.rssMiB } });
    row({ scenario: `${label} one-route change`, netrec: fmt(one.ms), baseline: `no-op ${fmt(noop.ms)}`, ratio: one.ms / noop.ms, limit: 1.1, target: '<= no-op + 10%', rss: `${one.rssMiB.toFixed(0)} MiB`, ok: null, raw: { netrecMs: one.ms, baselineMs: noop.ms } });
    return noop.ms;
  } finally {
    ns.destroy();
  }
}

async function main(): Promise<void> {
  console.log(`netrec bench (${full ? 'full' : 'quick'} mode, median of ${runs} runs)`);
  const big: RouteSet = full ? { v4: 100_000, v6: 20_000 } : { v4: 100_000, v6: 20_000 };

  if (want('read')) {
    const ns = new BenchNs();
    try {
      for (const l of UPLINK_SETUP) ns.ip(...l.split(' '));
      const batch = join(tmp, 'read.batch');
      writeRoutesBatch(batch, { v4: 100_000, v6: 0 });
      ns.batchTimed(batch);
      const base = repeat(() => timed('ip', ['-j', '-n', ns.name, 'route', 'show']));
      const dump = await dumpDecode(ns.name, runs);
      row({ scenario: 'dump+decode 100k routes (readState, whole namespace)', netrec: fmt(dump), baseline: `ip -j route show ${fmt(base.ms)}`, ratio: dump / base.ms, limit: 1.5, target: '<= 1.5x ip -j', rss: '-', ok: null, raw: { netrecMs: dump, baselineMs: base.ms } });
      const ours = repeat(() => netrecTimed(['show', '--netns', ns.name, '-o', 'json']));
      row({ scenario: 'netrec show -o json, 100k routes (process: start, dump, decode, render)', netrec: fmt(ours.ms), baseline: `ip -j route show ${fmt(base.ms)}`, ratio: ours.ms / base.ms, target: 'for reference', rss: `${ours.rssMiB.toFixed(0)} MiB`, ok: null, raw: { netrecMs: ours.ms, baselineMs: base.ms } });
    } finally {
      ns.destroy();
    }
  }

  if (want('config')) {
    const yaml = join(tmp, 'config-100k.yaml');
    writeRoutesYaml(yaml, { v4: 100_000, v6: 0 });
    const t = repeat(() => netrecTimed(['validate', yaml]));
    row({ scenario: 'load+validate 100k-route YAML (netrec validate)', netrec: fmt(t.ms), baseline: '-', target: '< 1 s, < 400 MB', rss: `${t.rssMiB.toFixed(0)} MiB`, ok: t.ms < 1000 && t.rssMiB < 400, raw: { netrecMs: t.ms, rssMiB: t.rssMiB } });
  }

  if (want('routes')) {
    const { batch } = coldApply('1. cold apply 100k IPv4 + 20k IPv6', big, 0.5, '<= 0.5x ip -batch', true);
    noopAndOne('2./3. 100k+20k', big, batch, 0.3);
  }

  if (want('growth')) {
    const sizes = full ? [10_000, 100_000, 300_000] : [10_000, 100_000];
    const per: { n: number; cold: number; noop: number }[] = [];
    for (const n of sizes) {
      const set = { v4: n, v6: 0 };
      const { cold, batch } = coldApply(`8. cold apply ${n / 1000}k`, set, 0.5, '<= 0.5x ip -batch');
      const noop = noopAndOne(`8. ${n / 1000}k`, set, batch, 0.3);
      per.push({ n, cold: cold / n, noop: noop / n });
    }
    const g = (k: 'cold' | 'noop') => per[per.length - 1]![k] / per[0]![k];
    row({ scenario: `8. per-route cost growth ${sizes[0]! / 1000}k -> ${sizes.at(-1)! / 1000}k (cold)`, netrec: `${(per.at(-1)!.cold * 1000).toFixed(1)} us/route`, baseline: `${(per[0]!.cold * 1000).toFixed(1)} us/route`, ratio: g('cold'), limit: 1.5, target: '<= 1.5x', rss: '-', ok: null, raw: {} });
    row({ scenario: `8. per-route cost growth ${sizes[0]! / 1000}k -> ${sizes.at(-1)! / 1000}k (no-op)`, netrec: `${(per.at(-1)!.noop * 1000).toFixed(1)} us/route`, baseline: `${(per[0]!.noop * 1000).toFixed(1)} us/route`, ratio: g('noop'), limit: 1.5, target: '<= 1.5x', rss: '-', ok: null, raw: {} });
  }

  if (want('million') && full) {
    const n = { v4: 1_000_000, v6: 0 };
    const yaml = join(tmp, 'million.yaml');
    const batch = join(tmp, 'million.batch');
    writeRoutesYaml(yaml, n);
    writeRoutesBatch(batch, n);
    // Medians of `runs` like the other rows: single runs at this size swing by 20% here.
    const base = repeat(() => {
      const ns = BenchNs.withUplink();
      const t = ns.batchTimed(batch);
      ns.destroy();
      return t;
    });
    kernelFloor('4. cold apply 1M IPv4', batch, base.ms);
    const snap = join(tmp, 'million-state.json');
    const ours = repeat(() => {
      const ns = BenchNs.withUplink();
      try {
        const t = netrecTimed(['apply', yaml, '--netns', ns.name]);
        writeFileSync(snap, netrecTimed(['show', '--netns', ns.name, '-o', 'json']).stdout);
        return t;
      } finally {
        ns.destroy();
      }
    });
    row({ scenario: '4. cold apply 1M IPv4', netrec: fmt(ours.ms), baseline: `ip -batch ${fmt(base.ms)}`, ratio: ours.ms / base.ms, limit: 0.6, target: '<= 0.6x, RSS < 1 GiB', rss: `${ours.rssMiB.toFixed(0)} MiB`, ok: null, raw: { netrecMs: ours.ms, baselineMs: base.ms, rssMiB: ours.rssMiB } });
    const plan = repeat(() => {
      const t = netrecTimed(['plan', yaml, '--from-state', snap, '-o', 'json', '--detailed-exitcode']);
      if (t.status !== 0) throw new Error(`plan of 1M routes against their own snapshot found changes (exit ${t.status})`);
      return t;
    });
    row({ scenario: '5. plan 1M routes against itself (--from-state)', netrec: fmt(plan.ms), baseline: '-', target: '< 5 s, RSS < 1 GiB', rss: `${plan.rssMiB.toFixed(0)} MiB`, ok: plan.ms < 5000 && plan.rssMiB < 1024, raw: { netrecMs: plan.ms, rssMiB: plan.rssMiB } });
  }

  if (want('bridges')) {
    const count = 1000;
    const lines = ['version: 1', 'interfaces:'];
    const batch: string[] = [];
    for (let i = 0; i < count; i++) {
      lines.push(`  - { name: br${i}, kind: bridge, addresses: [10.${100 + (i >> 8)}.${i & 255}.1/24, "fd00:${i.toString(16)}::1/64"] }`);
      lines.push(`  - { name: ve${i}, kind: veth, veth: { peer: vp${i} }, master: br${i} }`);
      lines.push(`  - { name: vp${i}, kind: veth, veth: { peer: ve${i} } }`);
      batch.push(`link add br${i} type bridge`, `link add ve${i} type veth peer name vp${i}`, `link set ve${i} master br${i}`, `link set br${i} up`, `link set ve${i} up`, `link set vp${i} up`, `addr add 10.${100 + (i >> 8)}.${i & 255}.1/24 dev br${i}`, `addr add fd00:${i.toString(16)}::1/64 dev br${i}`);
    }
    const yaml = join(tmp, 'bridges.yaml');
    writeFileSync(yaml, lines.join('\n') + '\n');
    const bf = join(tmp, 'bridges.batch');
    writeFileSync(bf, batch.join('\n') + '\n');
    const nsb = new BenchNs();
    const base = nsb.batchTimed(bf);
    nsb.destroy();
    const ns = new BenchNs();
    try {
      const cold = netrecTimed(['apply', yaml, '--netns', ns.name]);
      const noop = repeat(() => netrecTimed(['apply', yaml, '--netns', ns.name]));
      row({ scenario: '6. 1,000 bridges + veth + 2 addresses: cold apply', netrec: fmt(cold.ms), baseline: `ip -batch ${fmt(base.ms)}`, ratio: cold.ms / base.ms, target: '< 10 s', rss: `${cold.rssMiB.toFixed(0)} MiB`, ok: cold.ms < 10_000, raw: { netrecMs: cold.ms, baselineMs: base.ms } });
      row({ scenario: '6. 1,000 bridges: no-op apply', netrec: fmt(noop.ms), baseline: '-', target: '< 1 s', rss: `${noop.rssMiB.toFixed(0)} MiB`, ok: noop.ms < 1000, raw: { netrecMs: noop.ms } });
    } finally {
      ns.destroy();
    }
  }

  if (want('watch')) {
    const r = await watchRepair(tmp, { v4: 100_000, v6: 0 }, full ? 100 : 50);
    row({ scenario: `7. watch: repair of one deleted route among 100k (${r.trials} trials)`, netrec: `median ${fmt(r.median)}, p99 ${fmt(r.p99)}`, baseline: '-', target: 'median < 50 ms, p99 < 200 ms', rss: `${r.rssMiB.toFixed(0)} MiB steady`, ok: r.median < 50 && r.p99 < 200, raw: { medianMs: r.median, p99Ms: r.p99, rssMiB: r.rssMiB } });
  }

  const md = [
    `# netrec bench (${full ? 'full' : 'quick'} mode)`,
    '',
    `Run ${new Date().toISOString()} on ${process.platform} ${process.arch}, node ${process.version}. Median of ${runs} runs where repeated (no-op and one-route change: ${Math.max(runs, 7)} of each, alternating); RSS is netrec's peak.`,
    'Each figure says what it is compared with; ratios are netrec / baseline.',
    '',
    '| scenario | netrec | baseline | ratio | target | peak RSS | met |',
    '|---|---|---|---|---|---|---|',
    ...rows.map((r) => `| ${r.scenario} | ${r.netrec} | ${r.baseline} | ${r.ratio} | ${r.target} | ${r.rss} | ${r.ok === null ? '' : r.ok ? 'yes' : 'NO'} |`),
    '',
  ].join('\n');
  const dir = join(ROOT, 'bench/results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'latest.md'), md);
  writeFileSync(join(dir, 'latest.json'), JSON.stringify({ mode: full ? 'full' : 'quick', runs, date: new Date().toISOString(), rows }, null, 2));
  console.log('\n' + md);
  rmSync(tmp, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
});
