// netrec show: the namespace's state in the config format.
import type { Command } from 'commander';
import { toDocument, writeJson, writeYaml } from '../config/index.js';
import { readState } from '../kernel/read.js';
import { DEFAULT_STATE_DIR, waiterAlive } from '../state/store.js';
import { identities, type Identity } from '../config/semantic.js';
import type { Override, Source } from '../model/types.js';
import { hostOf, hostOption, openConnection, runCommand, UserError } from './common.js';
import { loadDesired } from './prepare.js';
import { openStore } from './state.js';

export function register(program: Command): void {
  program
    .command('show')
    .summary('print the network state in the config format')
    .description(
      'Read the kernel state of a network namespace and print it in the config format, ready to ' +
        'be edited into a config, used with `plan --from-state`, or checked in as a snapshot. ' +
        'Without --all, what the kernel makes by itself is left out (kernel routes, the local table, ' +
        'IPv6 link-local addresses, learned neighbors, the default rules).',
    )
    .option('--netns <ns>', 'network namespace: a name under /run/netns or a path like /proc/PID/ns/net')
    .option('-o, --output <format>', 'yaml or json', 'yaml')
    .option('--all', 'include what the kernel makes by itself')
    .option('--state-dir <dir>', 'where pending confirmations are kept (to mention one)', DEFAULT_STATE_DIR)
    .argument('[config...]', 'with --sources: the config (a fleet directory, or files) whose objects to list')
    .option('--sources', 'instead of the kernel state: each object CONFIG declares for this host, with the layer and FILE:LINE:COL it comes from and what it replaces (-o text or json)')
    .addOption(hostOption())
    .addHelpText('after', '\nExamples:\n  netrec show\n  netrec show --netns edge1 -o json > snapshot.json\n  netrec plan site.yaml --from-state snapshot.json\n  netrec show --sources fleet/ --host edge-1')
    .action((configs: string[], opts: { netns?: string; output: string; all?: boolean; stateDir: string; sources?: boolean; host?: string }, cmd: Command) =>
      runCommand(async () => {
        if (opts.sources) return showSources(configs, hostOf(opts), cmd.getOptionValueSource('output') === 'default' ? 'text' : opts.output);
        if (configs.length > 0) throw new UserError('show reads the kernel and takes no CONFIG; to list where a config\'s objects come from, add --sources');
        if (opts.output !== 'yaml' && opts.output !== 'json') throw new UserError(`unknown output format "${opts.output}" (yaml or json)`);
        const conn = openConnection(opts.netns);
        try {
          const state = await readState(conn);
          const doc = toDocument(state, { all: Boolean(opts.all) });
          (opts.output === 'json' ? writeJson : writeYaml)((s) => process.stdout.write(s), doc);
          notePending(opts.stateDir, opts.netns);
        } finally {
          conn.close();
        }
      }),
    );
}

/** `show --sources`: the effective objects of a config, each with its layer and place, and what it replaced. */
function showSources(configs: string[], host: string, output: string): number {
  if (output !== 'text' && output !== 'json') throw new UserError(`unknown output format "${output}" for --sources (text or json)`);
  if (configs.length === 0) throw new UserError('--sources needs the CONFIG whose objects to list, e.g. netrec show --sources fleet/ --host edge-1');
  const d = loadDesired(configs, { host });
  const ids = identities(d.policy.protocol);
  // Every declaration an object displaced, earliest layer first (common's, replaced by a group's, replaced by the host's).
  const replaced = new Map<string, Override['replaced']>();
  for (const o of d.fleet?.overrides ?? []) replaced.set(`${o.type} ${o.id}`, [...(replaced.get(`${o.type} ${o.id}`) ?? []), ...o.replaced]);
  const rows: { type: string; id: string; layer: string | null; source: string | null; replaces: { layer: string; source: string | null }[] }[] = [];
  const at = (s: Source | undefined): string | null => (s ? `${s.file}:${s.line}:${s.col}` : null);
  for (const k of Object.keys(ids) as (keyof typeof ids)[]) {
    const id = ids[k] as Identity<{ source?: Source }>;
    for (const o of d.state[k] as { source?: Source }[]) {
      const key = id.key(o);
      const r = replaced.get(`${id.type} ${key}`);
      rows.push({ type: id.type, id: key, layer: o.source?.layer ?? null, source: at(o.source), replaces: (r ?? []).map((x) => ({ layer: x.layer, source: at(x.source) })) });
    }
  }
  if (output === 'json') {
    const head = d.fleet ? { fleet: d.fleet.root, host: d.fleet.host, layers: d.fleet.layers.map((l) => l.name) } : { files: d.files };
    process.stdout.write(JSON.stringify({ ...head, objects: rows }, null, 2) + '\n');
    return 0;
  }
  if (d.fleet) process.stdout.write(`# fleet ${d.fleet.root}, host ${d.fleet.host}: layers ${d.fleet.layers.map((l) => l.name).join(' < ')}\n`);
  const width = Math.max(0, ...rows.map((r) => r.type.length + r.id.length + 1));
  for (const r of rows) {
    const what = `${r.type} ${r.id}`.padEnd(width);
    const repl = r.replaces.length ? `  (replaces ${r.replaces.map((x) => `${x.layer} ${x.source ?? ''}`.trim()).join(', ')})` : '';
    process.stdout.write(`${what}  ${r.layer ? `${r.layer}  ` : ''}${r.source ?? '(no source)'}${repl}\n`);
  }
  return 0;
}

/** Best effort: mention an unconfirmed change, and whether the apply holding it still waits. */
function notePending(stateDir: string, netns: string | undefined): void {
  let store;
  try {
    store = openStore(stateDir, netns);
  } catch (e) {
    // Not ours to fix here (or not root): show says so only when the directory is untrusted.
    if (e instanceof UserError) process.stderr.write(`netrec: note: ${e.message}\n`);
    return;
  }
  const pending = store.readPending();
  for (const w of store.warnings) process.stderr.write(`netrec: warning: ${w}\n`);
  if (!pending) return;
  const confirm = `netrec confirm${netns ? ` --netns ${netns}` : ''}`;
  if (waiterAlive(pending)) {
    const left = Math.max(0, Math.round((pending.deadline - Date.now()) / 1000));
    process.stderr.write(`netrec: note: an apply (pid ${pending.pid}) is waiting for \`${confirm}\`; it rolls back in ${left}s\n`);
    return;
  }
  process.stderr.write(
    `netrec: note: the apply that was waiting for confirmation (pid ${pending.pid}, started ${pending.created}) is gone, so its change was not rolled back; ` +
      `the next apply or watch in this namespace undoes it (what others changed since stays), or \`${confirm}\` keeps it\n`,
  );
}
