// The Kubernetes manifests in deploy/kubernetes/, checked offline: every
// object of every kustomization (and every YAML file on its own) against the
// Kubernetes OpenAPI schemas that kubernetes-models carries (Kubernetes
// 1.33), and the properties the deployment promises: host network, only
// CAP_NET_ADMIN, the node name from the downward API as --host, the probes
// on /livez and /readyz, no API token and no RBAC.
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { DaemonSet } from 'kubernetes-models/apps/v1';
import { ConfigMap, Namespace, ServiceAccount } from 'kubernetes-models/v1';
import { loadConfig } from '../../src/config/load.js';
import { jsonPatch, loadYamlDocs, render, type Obj } from '../helpers/kustomize.js';
import { scratchDir } from '../helpers/scratch.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const K8S = join(ROOT, 'deploy/kubernetes');
const BASE = join(K8S, 'base');
const GIT_SYNC = join(K8S, 'overlays/git-sync');
const KUSTOMIZATIONS = [BASE, GIT_SYNC];

/** The schema-backed model of each kind these manifests may hold. */
const MODELS: Record<string, new (o: any) => { validate(): void }> = {
  'apps/v1 DaemonSet': DaemonSet,
  'v1 ConfigMap': ConfigMap,
  'v1 Namespace': Namespace,
  'v1 ServiceAccount': ServiceAccount,
};

function validate(o: Obj): void {
  const Model = MODELS[`${o.apiVersion} ${o.kind}`];
  assert.ok(Model, `${o.apiVersion} ${o.kind} ${o.metadata?.name}: no schema for this kind here (an RBAC object or a typo)`);
  new Model(o).validate();
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.ya?ml$/.test(e.name))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

const daemonSet = (objs: Obj[]) => {
  const ds = objs.filter((o) => o.kind === 'DaemonSet');
  assert.equal(ds.length, 1);
  return ds[0]!;
};
const container = (ds: Obj, name: string) => (ds.spec.template.spec.containers as Obj[]).find((c) => c.name === name)!;
const argAfter = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

describe('Kubernetes manifests: schema', () => {
  for (const dir of KUSTOMIZATIONS) {
    it(`${dir.slice(K8S.length + 1)}: every rendered object is valid`, () => {
      const objs = render(dir);
      assert.ok(objs.length >= 3);
      for (const o of objs) validate(o);
    });
  }

  it('every manifest file that is an object (not a kustomization or patch) is valid on its own', () => {
    let n = 0;
    for (const f of yamlFiles(K8S)) {
      for (const doc of loadYamlDocs(f)) {
        if (Array.isArray(doc) || doc.kind === 'Kustomization' || doc.$patch) continue;
        assert.doesNotThrow(() => validate(doc), f);
        n++;
      }
    }
    assert.ok(n >= 4, `${n} objects`);
  });

  it('the validator rejects a wrong field type and a missing required field', () => {
    const ds = daemonSet(render(BASE));
    const wrongType = structuredClone(ds);
    wrongType.spec.template.spec.hostNetwork = 'true';
    assert.throws(() => validate(wrongType), /hostNetwork must be boolean/);
    const wrongPort = structuredClone(ds);
    container(wrongPort, 'netrec').ports[0].containerPort = '9474';
    assert.throws(() => validate(wrongPort), /containerPort must be integer/);
    const noImage = structuredClone(ds);
    delete container(noImage, 'netrec').name;
    assert.throws(() => validate(noImage), /name/);
  });

  it('the git-sync patch applies to the base as written (its paths exist)', () => {
    const ds = daemonSet(render(BASE));
    for (const op of loadYamlDocs(join(GIT_SYNC, 'git-sync.yaml'))[0] as unknown as Obj[]) jsonPatch(ds, op);
    assert.throws(() => jsonPatch(ds, { op: 'replace', path: '/spec/template/spec/volumes/9', value: {} }), /no such index/);
  });
});

describe('Kubernetes manifests: security and wiring', () => {
  for (const dir of KUSTOMIZATIONS) {
    const name = dir.slice(K8S.length + 1);
    const objs = render(dir);
    const ds = daemonSet(objs);
    const pod = ds.spec.template.spec as Obj;
    const netrec = container(ds, 'netrec');

    it(`${name}: host network, no other host namespaces, no API token, no RBAC`, () => {
      assert.equal(pod.hostNetwork, true);
      assert.equal(pod.hostPID, undefined);
      assert.equal(pod.hostIPC, undefined);
      assert.equal(pod.automountServiceAccountToken, false);
      const sa = objs.find((o) => o.kind === 'ServiceAccount' && o.metadata.name === pod.serviceAccountName);
      assert.ok(sa, 'the DaemonSet names its ServiceAccount');
      assert.equal(sa!.automountServiceAccountToken, false);
      assert.deepEqual(objs.filter((o) => /Role|Binding/.test(o.kind)), []);
      // Only netrec's own state and lock directories from the host.
      assert.deepEqual((pod.volumes as Obj[]).filter((v) => v.hostPath).map((v) => v.hostPath.path).sort(), ['/run/netrec', '/var/lib/netrec']);
    });

    it(`${name}: netrec gets CAP_NET_ADMIN and nothing else; no container is privileged`, () => {
      assert.deepEqual(netrec.securityContext.capabilities, { drop: ['ALL'], add: ['NET_ADMIN'] });
      assert.equal(netrec.securityContext.runAsUser, 0);
      for (const c of [...pod.containers, ...(pod.initContainers ?? [])] as Obj[]) {
        assert.notEqual(c.securityContext?.privileged, true, c.name);
        assert.equal(c.securityContext?.allowPrivilegeEscalation, false, c.name);
        assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL'], c.name);
        if (c !== netrec) assert.equal(c.securityContext.capabilities.add, undefined, c.name);
        assert.ok(c.resources?.requests && c.resources?.limits?.memory, `${c.name}: resources`);
      }
    });

    it(`${name}: watch runs with --host from the downward API (spec.nodeName)`, () => {
      const args = netrec.args as string[];
      assert.equal(args[0], 'watch');
      assert.equal(argAfter(args, '--host'), '$(NODE_NAME)');
      const env = (netrec.env as Obj[]).find((e) => e.name === 'NODE_NAME');
      assert.deepEqual(env?.valueFrom, { fieldRef: { fieldPath: 'spec.nodeName' } });
      // The fleet directory is what the fleet volume provides.
      const mount = (netrec.volumeMounts as Obj[]).find((m) => m.name === 'fleet')!;
      assert.equal(mount.readOnly, true);
      assert.ok(args[1]!.startsWith(mount.mountPath), `${args[1]} under ${mount.mountPath}`);
    });

    it(`${name}: liveness on /livez, readiness on /readyz, Prometheus annotations, all on the metrics port`, () => {
      const args = netrec.args as string[];
      const port = Number(argAfter(args, '--metrics-address')!.split(':').at(-1));
      const named = (netrec.ports as Obj[]).find((p) => p.name === 'metrics')!;
      assert.equal(named.containerPort, port);
      assert.deepEqual(netrec.livenessProbe.httpGet, { path: '/livez', port: 'metrics' });
      assert.deepEqual(netrec.readinessProbe.httpGet, { path: '/readyz', port: 'metrics' });
      const a = ds.spec.template.metadata.annotations as Obj;
      assert.equal(a['prometheus.io/scrape'], 'true');
      assert.equal(a['prometheus.io/port'], String(port));
      assert.equal(a['prometheus.io/path'], '/metrics');
    });
  }

  it('base: the fleet ConfigMap is mounted as a directory in the fleet layout, every key in its place', () => {
    const objs = render(BASE);
    const ds = daemonSet(objs);
    const vol = (ds.spec.template.spec.volumes as Obj[]).find((v) => v.name === 'fleet')!;
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === vol.configMap.name)!;
    assert.ok(cm, 'the ConfigMap the volume names');
    // Read-only files: netrec refuses config that others could write.
    assert.equal(vol.configMap.defaultMode, 0o444);
    const items = vol.configMap.items as Obj[];
    assert.deepEqual(items.map((i) => i.key).sort(), Object.keys(cm.data).sort());
    for (const i of items) assert.match(i.path, /^(common\/[^/]+|groups\/[^/]+\/[^/]+|hosts\/[^/]+\/[^/]+)\.ya?ml$/, i.path);
    // Not a subPath mount: those never see the ..data swap of an update.
    assert.equal(container(ds, 'netrec').volumeMounts.find((m: Obj) => m.name === 'fleet').subPath, undefined);
  });

  it('base: the example fleet\'s common and group files are valid netrec config', () => {
    const objs = render(BASE);
    const ds = daemonSet(objs);
    const vol = (ds.spec.template.spec.volumes as Obj[]).find((v) => v.name === 'fleet')!;
    const cm = objs.find((o) => o.kind === 'ConfigMap' && o.metadata.name === vol.configMap.name)!;
    const dir = scratchDir('fleet-');
    try {
      const files: string[] = [];
      for (const i of vol.configMap.items as Obj[]) {
        if (i.path.startsWith('hosts/')) continue;
        const p = join(dir, i.path);
        mkdirSync(dirname(p), { recursive: true });
        writeFileSync(p, cm.data[i.key]);
        files.push(p);
      }
      assert.ok(files.length >= 2);
      const d = loadConfig(files);
      assert.ok(d.state.links.some((l) => l.name === 'br-edge'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('git-sync: the fleet comes from the sidecar\'s link on a shared volume, no ConfigMap', () => {
    const objs = render(GIT_SYNC);
    assert.deepEqual(objs.filter((o) => o.kind === 'ConfigMap'), []);
    const ds = daemonSet(objs);
    const gs = container(ds, 'git-sync');
    const env = Object.fromEntries((gs.env as Obj[]).map((e) => [e.name, e.value]));
    const gsMount = (gs.volumeMounts as Obj[]).find((m) => m.name === 'fleet')!;
    assert.equal(gsMount.mountPath, env.GITSYNC_ROOT);
    const nrMount = (container(ds, 'netrec').volumeMounts as Obj[]).find((m) => m.name === 'fleet')!;
    assert.equal(container(ds, 'netrec').args[1], join(nrMount.mountPath, env.GITSYNC_LINK!));
    assert.ok((ds.spec.template.spec.volumes as Obj[]).find((v) => v.name === 'fleet')?.emptyDir);
  });
});
