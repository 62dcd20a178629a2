// The frame of a link kind's netns-test: a fresh namespace with a veth pair
// par0/par1 (the parent) per test, applies of whole configs (each followed
// by the empty-plan check of netrec()), and links read with `ip -j -d`.
import assert from 'node:assert/strict';
import { afterEach, beforeEach } from 'node:test';
import { Netns, netrec, tempDir } from './netns.js';

export type J = Record<string, any>;

export interface KindSteps {
  /** The test's namespace (set before each test). */
  readonly ns: Netns;
  /** Apply a whole config; it must succeed. Returns apply's output. */
  apply(yaml: string): string;
  /** The link `name` as `ip -j -d link show` gives it, or undefined. */
  link(name: string): J | undefined;
}

/** Registers the per-test namespace (named after `kind`) and its cleanup. */
export function kindSteps(kind: string): KindSteps {
  let ns: Netns | undefined;
  let tmp: ReturnType<typeof tempDir> | undefined;
  let steps = 0;
  beforeEach(() => {
    ns = Netns.create(kind);
    tmp = tempDir();
    ns.ip('link', 'add', 'par0', 'type', 'veth', 'peer', 'name', 'par1');
  });
  afterEach(() => {
    ns?.destroy();
    tmp?.cleanup();
  });
  return {
    get ns() {
      assert.ok(ns, 'the namespace is made before each test');
      return ns;
    },
    apply(yaml) {
      const file = tmp!.write(`step-${++steps}.yaml`, yaml);
      const r = netrec(['apply', file, '--netns', ns!.name]);
      assert.equal(r.status, 0, `apply failed:\n${yaml}\n${r.stdout}${r.stderr}`);
      return r.stdout;
    },
    link(name) {
      return (ns!.json('-d', 'link', 'show') as J[]).find((l) => l.ifname === name);
    },
  };
}
