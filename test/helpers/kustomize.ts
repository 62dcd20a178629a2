// Offline rendering of the kustomizations in deploy/kubernetes/, for the
// manifest tests (no cluster and no kustomize binary needed). It covers what
// those kustomizations use (resources, namespace, labels, images, JSON 6902
// patches and `$patch: delete`) and refuses anything else, so that a
// kustomization it does not understand fails the test instead of passing
// unchecked. `kubectl kustomize DIR` renders the same objects.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';

export type Obj = Record<string, any>;

const KNOWN = new Set(['apiVersion', 'kind', 'namespace', 'labels', 'resources', 'images', 'patches']);
/** Kinds without a namespace, of those these manifests could hold. */
const CLUSTER_SCOPED = new Set(['Namespace', 'ClusterRole', 'ClusterRoleBinding', 'PriorityClass']);

export function loadYamlDocs(file: string): Obj[] {
  return yaml.loadAll(readFileSync(file, 'utf8')).filter((d) => d !== null && d !== undefined) as Obj[];
}

/** The objects a kustomization directory renders, in order. */
export function render(dir: string): Obj[] {
  const k = yaml.load(readFileSync(join(dir, 'kustomization.yaml'), 'utf8')) as Obj;
  for (const key of Object.keys(k)) if (!KNOWN.has(key)) throw new Error(`${dir}/kustomization.yaml: "${key}" is not supported by this renderer`);
  if (k.apiVersion !== 'kustomize.config.k8s.io/v1beta1' || k.kind !== 'Kustomization') throw new Error(`${dir}/kustomization.yaml: not a Kustomization`);
  let objs: Obj[] = [];
  for (const r of (k.resources ?? []) as string[]) {
    const p = join(dir, r);
    objs.push(...(statSync(p).isDirectory() ? render(p) : loadYamlDocs(p)));
  }
  for (const patch of (k.patches ?? []) as Obj[]) {
    const doc = yaml.load(readFileSync(join(dir, patch.path as string), 'utf8')) as Obj | Obj[];
    if (Array.isArray(doc)) {
      const t = patch.target as Obj | undefined;
      if (!t) throw new Error(`${patch.path}: a JSON patch needs a target`);
      const hits = objs.filter((o) => o.kind === t.kind && o.metadata?.name === t.name && o.apiVersion === (t.group ? `${t.group}/${t.version}` : t.version));
      if (hits.length !== 1) throw new Error(`${patch.path}: target matches ${hits.length} objects`);
      for (const op of doc) jsonPatch(hits[0]!, op);
    } else if (doc.$patch === 'delete') {
      const before = objs.length;
      objs = objs.filter((o) => !(o.kind === doc.kind && o.apiVersion === doc.apiVersion && o.metadata?.name === doc.metadata?.name));
      if (objs.length !== before - 1) throw new Error(`${patch.path}: deletes ${before - objs.length} objects`);
    } else {
      throw new Error(`${patch.path}: only JSON patches and $patch: delete are supported by this renderer`);
    }
  }
  for (const o of objs) {
    if (k.namespace && !CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = k.namespace;
    for (const l of (k.labels ?? []) as Obj[]) {
      if (l.includeSelectors || l.includeTemplates) throw new Error('labels: only metadata labels are supported by this renderer');
      o.metadata.labels = { ...o.metadata.labels, ...l.pairs };
    }
    for (const img of (k.images ?? []) as Obj[]) {
      for (const c of [...(o.spec?.template?.spec?.containers ?? []), ...(o.spec?.template?.spec?.initContainers ?? [])] as Obj[]) {
        if (c.image === img.name || String(c.image).startsWith(`${img.name}:`)) c.image = `${img.newName ?? img.name}:${img.newTag ?? 'latest'}`;
      }
    }
  }
  return objs;
}

/** One RFC 6902 operation (add, replace, remove), in place. */
export function jsonPatch(target: Obj, op: Obj): void {
  const path = String(op.path).split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const last = path.pop()!;
  let parent: any = target;
  for (const p of path) {
    parent = parent?.[Array.isArray(parent) ? Number(p) : p];
    if (parent === undefined) throw new Error(`${op.op} ${op.path}: no such path`);
  }
  if (Array.isArray(parent)) {
    const i = last === '-' ? parent.length : Number(last);
    if (op.op === 'add') parent.splice(i, 0, op.value);
    else if (i >= parent.length) throw new Error(`${op.op} ${op.path}: no such index`);
    else if (op.op === 'replace') parent[i] = op.value;
    else if (op.op === 'remove') parent.splice(i, 1);
    else throw new Error(`unsupported op ${op.op}`);
    return;
  }
  if (op.op === 'add') parent[last] = op.value;
  else if (!(last in parent)) throw new Error(`${op.op} ${op.path}: no such path`);
  else if (op.op === 'replace') parent[last] = op.value;
  else if (op.op === 'remove') delete parent[last];
  else throw new Error(`unsupported op ${op.op}`);
}
