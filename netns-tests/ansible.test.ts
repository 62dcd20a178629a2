// The Ansible module and the documented wave playbook (contrib/ansible/),
// run by a real ansible-playbook against six namespace "hosts" (connection
// local, each reached through the module's netns option). `ip -j` is the
// oracle; `netrec plan` must be empty wherever a change stayed.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AnsibleEnv, batchesOf, ensureAnsible, ROLLOUT, type PlaybookRun } from './helpers/ansible.js';
import { fullState, Netns, NETREC, netrecRaw, tempDir } from './helpers/netns.js';

const HOSTS = ['edge1', 'edge2', 'edge3', 'edge4', 'edge5', 'edge6'];
const TASK = 'Apply the config; keep it only if the probes pass';
const PROBE = 'ping:192.0.2.1';

// Every host has an uplink with the probe target 192.0.2.1 on it. The good
// change adds a bridge, its address and a route; the bad one also takes the
// uplink's address, so the probe fails after it.
const GOOD = `version: 1
interfaces:
  - name: br9
    kind: bridge
    addresses: [10.9.0.1/24]
routes:
  - to: 10.99.0.0/16
    via: 10.9.0.254
`;
const BAD = `version: 1
interfaces:
  - name: br9
    kind: bridge
    addresses: [10.9.0.1/24, 10.9.1.1/24]
  - name: up0
    addresses: []
routes:
  - to: 10.99.0.0/16
    via: 10.9.0.254
`;

type J = Record<string, any>;

describe('ansible-playbook rolls netrec out in waves', { timeout: 1_200_000 }, () => {
  const ns = new Map<string, Netns>();
  let tmp: ReturnType<typeof tempDir>;
  let ansible: AnsibleEnv;
  let inventory: string;
  let good: string;
  let bad: string;
  let stateDir: string;
  let reports = 0;
  const runs: string[] = [];

  before(() => {
    ensureAnsible();
    tmp = tempDir();
    ansible = new AnsibleEnv(join(tmp.dir, 'ansible'));
    good = tmp.write('good.yaml', GOOD);
    bad = tmp.write('bad.yaml', BAD);
    stateDir = join(tmp.dir, 'state');
    for (const h of HOSTS) {
      const n = Netns.create(h);
      n.batch(['link add up0 type veth peer name up1', 'addr add 192.0.2.1/24 dev up0', 'link set up0 up', 'link set up1 up']);
      ns.set(h, n);
    }
    inventory = ansible.inventory('inventory.yml', {
      netrec: {
        hosts: Object.fromEntries(HOSTS.map((h) => [h, { netrec_netns: ns.get(h)!.name }])),
        vars: {
          ansible_connection: 'local',
          netrec_executable: NETREC,
          netrec_state_dir: stateDir,
        },
      },
    });
  });
  after(() => {
    for (const n of ns.values()) n.destroy();
    tmp?.cleanup();
    if (runs.length) process.stdout.write(`# ansible-playbook wall times: ${runs.join(', ')}\n`);
  });

  /** One run of the documented playbook; its per-host records go to a fresh dir. */
  function rollout(what: string, vars: J, args: string[] = []): PlaybookRun & { reportDir: string } {
    const reportDir = join(tmp.dir, `report-${++reports}`);
    mkdirSync(reportDir);
    const r = ansible.playbook(ROLLOUT, inventory, args, { netrec_report_dir: reportDir, ...vars });
    runs.push(`${what} ${(r.ms / 1000).toFixed(1)}s`);
    return { ...r, reportDir };
  }
  const states = () => new Map(HOSTS.map((h) => [h, fullState(ns.get(h)!)]));
  const planExit = (h: string) => netrecRaw(['plan', good, '--netns', ns.get(h)!.name, '--detailed-exitcode']);
  const show = (r: PlaybookRun) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

  it('ansible-doc reads the module\'s documentation, which names every option of the contract', () => {
    const d = ansible.doc('netrec.netrec.netrec');
    for (const o of ['config', 'host', 'netns', 'confirm_timeout', 'probes', 'state_dir', 'executable']) assert.ok(d.doc.options[o], o);
    assert.ok(d.return.plan);
  });

  it('check mode (--check --diff) reports each host\'s plan and changes nothing', () => {
    const beforeRun = states();
    const r = rollout('check', { netrec_config: good }, ['--check', '--diff']);
    assert.equal(r.status, 0, show(r));
    assert.deepEqual([...r.recap.keys()].sort(), HOSTS, show(r));
    for (const h of HOSTS) {
      assert.equal(r.recap.get(h)!.changed, 1, `${h}: ${r.recapLines.join('\n')}`);
      assert.equal(r.recap.get(h)!.failed, 0);
      const rep = ansible.report(r.reportDir, h);
      assert.equal(rep.changed, true);
      assert.equal(rep.result, 'planned');
      assert.deepEqual(rep.plan.summary, { create: 3, update: 0, replace: 0, delete: 0 });
      assert.deepEqual(rep.plan.changes.map((c: J) => `${c.action} ${c.type} ${c.id}`).sort(), [
        'create address br9 10.9.0.1/24',
        'create interface br9',
        'create route 10.99.0.0/16 table 254 metric 0',
      ]);
      // diff mode: netrec's own unified diff, and Ansible's before/after display
      assert.match(rep.plan_diff, /^\+.*10\.9\.0\.1\/24/m);
      assert.match(r.stdout, new RegExp(`\\+\\+\\+ after: ${ns.get(h)!.name} \\(desired\\)`));
    }
    assert.match(r.stdout, /^\+interface br9:$/m);
    assert.deepEqual(states(), beforeRun, 'check mode changed a namespace');
  });

  it('a good change rolls out in waves of two; every host converges', () => {
    const r = rollout('good', { netrec_config: good, netrec_probes: [PROBE], netrec_confirm_timeout: '20s' });
    assert.equal(r.status, 0, show(r));
    assert.deepEqual(batchesOf(r.stdout, TASK).map((b) => b.sort()), [['edge1', 'edge2'], ['edge3', 'edge4'], ['edge5', 'edge6']], show(r));
    for (const h of HOSTS) {
      assert.deepEqual(r.recap.get(h), { ok: 2, changed: 1, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 }, r.recapLines.join('\n'));
      assert.equal(ansible.report(r.reportDir, h).result, 'applied');
      const n = ns.get(h)!;
      const br = n.json('-d', 'link', 'show', 'br9') as J[];
      assert.equal(br[0]?.linkinfo?.info_kind, 'bridge', h);
      assert.deepEqual((n.json('-4', 'addr', 'show', 'br9') as J[])[0]!.addr_info.map((a: J) => `${a.local}/${a.prefixlen}`), ['10.9.0.1/24']);
      assert.equal((n.json('route', 'show', '10.99.0.0/16') as J[])[0]?.gateway, '10.9.0.254', h);
      assert.deepEqual((n.json('-4', 'addr', 'show', 'up0') as J[])[0]!.addr_info.map((a: J) => a.local), ['192.0.2.1'], `${h}: the probe target stays`);
      const p = planExit(h);
      assert.equal(p.status, 0, `${h}: plan not empty after the rollout:\n${p.stdout}${p.stderr}`);
    }
  });

  it('a change whose probe fails stops after the first wave, which is rolled back; later hosts are untouched', () => {
    const beforeRun = states();
    const r = rollout('failing-probe', { netrec_config: bad, netrec_probes: [PROBE], netrec_confirm_timeout: '3s' });
    assert.notEqual(r.status, 0, show(r));
    assert.deepEqual(batchesOf(r.stdout, TASK).map((b) => b.sort()), [['edge1', 'edge2']], show(r));
    assert.deepEqual([...r.recap.keys()].sort(), ['edge1', 'edge2'], r.recapLines.join('\n'));
    for (const h of ['edge1', 'edge2']) {
      assert.deepEqual(r.recap.get(h), { ok: 0, changed: 0, unreachable: 0, failed: 1, skipped: 0, rescued: 0, ignored: 0 }, r.recapLines.join('\n'));
    }
    // netrec's one-line reason is the task's message
    assert.match(r.stdout, /"msg": "netrec: probe ping:192\.0\.2\.1 fails after the change: [^"]*; not confirmed \(probe-failed\); the previous state is back and verified/);
    assert.match(r.stdout, /"result": "rolled-back"/);
    for (const h of ['edge3', 'edge4', 'edge5', 'edge6']) assert.doesNotMatch(r.stdout, new RegExp(`\\[${h}\\]`), `${h} was run`);
    // The first wave is back as it was, the others never changed: all still on the good config.
    assert.deepEqual(states(), beforeRun);
    for (const h of HOSTS) {
      const p = planExit(h);
      assert.equal(p.status, 0, `${h}:\n${p.stdout}${p.stderr}`);
    }
  });

  it('a second run of the good change reports changed=0 everywhere', () => {
    const beforeRun = states();
    const r = rollout('again', { netrec_config: good, netrec_probes: [PROBE], netrec_confirm_timeout: '20s' });
    assert.equal(r.status, 0, show(r));
    assert.deepEqual([...r.recap.keys()].sort(), HOSTS, r.recapLines.join('\n'));
    for (const h of HOSTS) {
      assert.deepEqual(r.recap.get(h), { ok: 2, changed: 0, unreachable: 0, failed: 0, skipped: 0, rescued: 0, ignored: 0 }, r.recapLines.join('\n'));
      const rep = ansible.report(r.reportDir, h);
      assert.equal(rep.result, 'no-changes');
      assert.deepEqual(rep.plan.changes, []);
      const p = planExit(h);
      assert.equal(p.status, 0, `${h}:\n${p.stdout}${p.stderr}`);
    }
    assert.deepEqual(states(), beforeRun);
    process.stdout.write(`# PLAY RECAP of the second run:\n${r.recapLines.map((l) => `#   ${l}`).join('\n')}\n`);
  });
});
