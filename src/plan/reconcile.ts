// The planner's engine: walks the stages of contract section 5.3 in order,
// each time comparing what is declared with the simulated state as the
// earlier stages left it. So whatever the kernel removed along with an
// earlier change is simply missing when its stage comes and gets created
// again, and nothing gets deleted twice.
//
//   1 delete neighbors, rules, routes     5 update links (lowers and masters first)
//     then nexthop groups, then nexthops  5b VLANs and port settings (bridges, their ports)
//   2 delete addresses                    6 addresses: create and update, then replace
//   3 delete links (uppers, members first) 7 routes: direct; then nexthop objects (single
//   4 create or replace links               ones, then groups); then routes through
//                                           gateways and nexthop objects
//                                         8 rules   9 neighbors
//
// Objects on links that are about to go are not deleted one by one: the
// kernel takes them with the link.
import { ADDRESS_PROTOCOL_NAMES, PROTOCOL_NAMES } from '../model/constants.js';
import { keyOf, NAMESPACE_ID, neighborKey, nexthopKey, routeKey } from '../model/identity.js';
import type { Address, Link, NamespaceSettings, Neighbor, NexthopObject, ObjectType, Route, Rule, Source } from '../model/types.js';
import {
  PROMOTE_SECONDARIES,
  type CompareMode,
  type Difference,
  addressDifference,
  addressToCreate,
  linkReplacement,
  linkToCreate,
  linkUpdate,
  namespaceDifference,
  neighborDifference,
  neighborToCreate,
  nexthopDifference,
  nexthopToCreate,
  portUpdate,
  routeDiffers,
  routeDifference,
  routeNexthopsDiffer,
  routeToCreate,
  ruleDifference,
  ruleToCreate,
} from './compare.js';
import { sameRoute, type World } from './effects.js';
import { byDepth, linkDepths, usesGateway } from './order.js';
import { Pairs, goesWithLower, isVirtual, peerOf } from './ownership.js';
import { orderRuleChanges } from './rule-order.js';
import type { Change, ModelObject, Plan, Summary } from './types.js';

/** Something no plan can fix, such as a declared `device` that does not exist. */
export interface PlanProblem {
  message: string;
  source?: Source;
}

/** Declared objects by identity (routes: as a list, see Reconciler); a plan's may say `state: absent`. */
export interface Declared {
  /** The namespace's settings, when any are declared. */
  namespace?: NamespaceSettings;
  links: Map<string, Link>;
  addresses: Map<string, Address>;
  routes: Route[];
  rules: Map<string, Rule>;
  neighbors: Map<string, Neighbor>;
  nexthops: Map<string, NexthopObject>;
}

export interface Rules {
  mode: CompareMode;
  /** For an existing object nobody declares (links: a virtual one): why to delete it ('' for no reason worth showing), or undefined to keep it. */
  deletion(type: ObjectType, o: ModelObject): string | undefined;
}

interface Declarable {
  state?: string;
  source?: Source;
}

/** Walks existing objects, each with its declaration (undefined when there is none). */
type WithDeclarations<T> = (visit: (a: T, d: Declarable | undefined) => void) => void;

function keyed<T>(existing: ReadonlyMap<string, T>, declared: ReadonlyMap<string, Declarable>, key: (o: T) => string): WithDeclarations<T> {
  return (visit) => {
    for (const a of existing.values()) visit(a, declared.get(key(a)));
  };
}

/** The identity key of an object of a type. */
export function idOf(type: ObjectType, o: ModelObject): string {
  return (keyOf[type] as (o: ModelObject) => string)(o);
}

export function reconcile(declared: Declared, world: World, rules: Rules): { plan: Plan; problems: PlanProblem[] } {
  return new Reconciler(declared, world, rules).run();
}

class Reconciler {
  private readonly stages: Change[][] = [];
  private readonly problems: PlanProblem[] = [];
  private readonly pairs: Pairs;
  private readonly mode: CompareMode;
  /** Present links by name, without those declared absent. */
  private readonly present = new Map<string, Link>();
  private readonly linkDeletes: Change[] = [];
  private readonly replacing = new Set<string>();
  /** Links that go in this plan, with what the kernel takes along (uppers, peers). */
  private doomed = new Set<string>();
  /**
   * The existing route each declared one is (by position), and the other
   * way round (by slot in world.routes; the last declaration of an identity
   * wins), found in one pass before anything changes: a full table is
   * looked up once, not once per stage that needs it.
   */
  private readonly routeMatch: (Route | undefined)[];
  private readonly routeDeclaration: (Route | undefined)[];
  /** The slot in world.routes of each declared route's match (-1: none). */
  private readonly routeSlot: number[];

  constructor(
    private readonly declared: Declared,
    private readonly world: World,
    private readonly rules: Rules,
  ) {
    this.pairs = new Pairs(declared.links);
    this.mode = rules.mode;
    for (const l of declared.links.values()) if (l.state !== 'absent') this.present.set(l.name, l);
    const existing = world.routes;
    this.routeDeclaration = new Array<Route | undefined>(existing.slotCount);
    this.routeSlot = new Array<number>(declared.routes.length);
    // Try the slot after the last match first: a config listed in the kernel's order needs no lookups.
    let next = -1;
    this.routeMatch = declared.routes.map((d, i) => {
      const slot = this.chooseRoute(d, next);
      this.routeSlot[i] = slot;
      if (slot < 0) return undefined;
      next = slot + 1;
      this.routeDeclaration[slot] = d;
      return existing.at(slot);
    });
  }

  /**
   * The slot of the existing route a declaration is about, or -1. Several
   * routes may share its identity (`ip route append`/`prepend`): netrec
   * acts on exactly one. A declaration with another owner's protocol (as
   * `show` prints foreign routes) is about a route of that owner on its
   * path. Without one it is about netrec's own route on the
   * declared path; else a foreign one on that path, which it adopts (IPv6:
   * also a foreign gateway route, which the kernel would merge with a new
   * one into an ECMP route); else netrec's own route on another path.
   * The rollback's exact declarations take the route they equal, else one
   * of the same owner.
   */
  private chooseRoute(d: Route, hint: number): number {
    const existing = this.world.routes;
    const first = existing.slotOf(d, hint);
    if (first < 0) return -1;
    if (!existing.twinned(first) && this.routeDeclaration[first] === undefined) {
      return this.routeRank(d, existing.at(first)!) < NO_MATCH ? first : -1;
    }
    let best = -1;
    let bestRank = NO_MATCH;
    for (let s = existing.slotOf(d); s >= 0; s = existing.nextTwin(s)) {
      if (this.routeDeclaration[s] !== undefined) continue;
      const rank = this.routeRank(d, existing.at(s)!);
      if (rank < bestRank) {
        best = s;
        bestRank = rank;
      }
    }
    return best;
  }

  /** How well an existing route of the same identity fits a declaration: lower is better, NO_MATCH not at all. */
  private routeRank(d: Route, a: Route): number {
    const mode = this.mode;
    if (mode.exact) {
      if (!routeDiffers(d, a, mode)) return 0;
      if (a.protocol === d.protocol) return onPath(d, a) ? 1 : 2;
      // A route whose owner the change being undone rewrote (an adoption).
      return onPath(d, a) ? 3 : NO_MATCH;
    }
    if (d.protocol !== mode.protocol) return a.protocol === d.protocol && onPath(d, a) ? 0 : NO_MATCH;
    // On the declared path; for IPv6 also any gateway route beside a declared one, which the kernel would merge with it into one ECMP route.
    const path = onPath(d, a) || (ecmpV6(d) && ecmpV6(a));
    if (a.protocol === mode.protocol) return path ? 0 : 2;
    // A foreign route on the declared path, or through a nexthop object: adopted.
    if (path || a.nhid !== undefined) return 1;
    if (d.state === 'absent' && !declaresPath(d)) return 3;
    return NO_MATCH;
  }

  run(): { plan: Plan; problems: PlanProblem[] } {
    // The namespace's settings first: writing one can rewrite every interface's (forwarding).
    this.reconcileNamespace();
    this.decideLinkRemovals();
    const { neighbors, rules, addresses } = this.declared;
    const neighborDeletes = this.deletions<Neighbor>('neighbor', keyed(this.world.neighbors, neighbors, keyOf.neighbor), (n) => this.doomed.has(n.dev));
    // Rule changes depend on no other stage; they are ordered against the kernel's rule list together.
    const ruleOrder = orderRuleChanges(
      [...this.world.rules.values()],
      this.deletions<Rule>('rule', keyed(this.world.rules, rules, keyOf.rule), () => false),
      this.keyedChanges('rule', rules, this.world.rules, ruleToCreate, ruleDifference),
    );
    const routeDeletes = this.deletions<Route>('route', (visit) => this.world.routes.forEach((r, slot) => visit(r, this.routeDeclaration[slot])), (r) => this.throughDoomed(r));
    const nexthopDeletes = this.nexthopDeletions();
    this.stage(neighborDeletes.concat(ruleOrder.deletes, routeDeletes), true);
    // Groups before their members: a member that goes leaves its groups, and a group left empty goes with it.
    for (const s of nexthopDeletes) this.stage(s, true);
    this.addressStage(this.deletions<Address>('address', keyed(this.world.addresses, addresses, keyOf.address), (a) => this.doomed.has(a.dev)));
    this.deleteLinks();
    const depth = linkDepths(this.present, (l) => this.pairs.createdWith(l.name));
    const groups = byDepth(this.present.values(), depth, (l) => l.name);
    // Depth by depth, creates then updates: a lower link or master is created
    // or brought up before the links that sit on it are made (an upper cannot
    // come up on a parent that is still down).
    for (const group of groups) {
      this.linkStage(group, (d) => this.createOrReplace(d));
      this.linkStage(group, (d) => this.update(d));
    }
    this.portStage();
    this.reconcileAddresses();
    this.reconcileRoutes(this.nexthopChanges());
    this.stage(ruleOrder.changes, false);
    this.reconcileNeighbors();
    return { plan: { stages: this.stages, summary: summarize(this.stages) }, problems: this.problems };
  }

  private reconcileNamespace(): void {
    const d = this.declared.namespace;
    if (d === undefined) return;
    const a = this.world.namespace ?? {};
    const diff = namespaceDifference(d, a, this.mode);
    if (diff === undefined) return;
    const c: Change = { action: 'update', type: 'namespace', id: NAMESPACE_ID, before: a, after: diff.after, attrs: diff.attrs };
    this.stage([withMeta(c, d.source, undefined)], true);
  }

  private problem(message: string, source?: Source): void {
    this.problems.push(source === undefined ? { message } : { message, source });
  }

  /**
   * Add a stage. With `simulate`, each change is applied to the simulated
   * state in order, picking up the kernel's effects; a change whose object
   * an earlier one already removed is dropped.
   */
  private stage(changes: Change[], simulate: boolean): void {
    const kept = simulate ? changes.filter((c) => this.simulate(c)) : changes;
    if (kept.length > 0) this.stages.push(kept);
  }

  private simulate(c: Change): boolean {
    const effects = this.world.apply(c);
    if (effects === undefined) return false;
    if (effects.length > 0) c.effects = effects as Change['effects'];
    return true;
  }

  private removedReason(type: ObjectType, key: string): string | undefined {
    return this.world.kernelDid[type].get(key);
  }

  // ---- deletes ----

  /** Deletes of existing objects, decided on the state before any change (collected before any is simulated). */
  private deletions<T extends ModelObject>(type: ObjectType, existing: WithDeclarations<T>, goesAnyway: (o: T) => boolean): Change[] {
    const out: Change[] = [];
    existing((a, d) => {
      const reason = d === undefined ? this.rules.deletion(type, a) : d.state === 'absent' ? '' : undefined;
      if (reason === undefined || goesAnyway(a)) return;
      const c = { action: 'delete', type, id: idOf(type, a), before: a, after: null } as Change;
      if (reason) c.reason = reason;
      if (d?.source) c.source = d.source;
      out.push(c);
    });
    return out;
  }

  private throughDoomed(r: Route): boolean {
    if (this.doomed.size === 0) return false;
    if (r.dev !== undefined && this.doomed.has(r.dev)) return true;
    return r.nexthops?.some((h) => h.dev !== undefined && this.doomed.has(h.dev)) ?? false;
  }

  /** Links to delete or replace, decided on the state before any change. */
  private decideLinkRemovals(): void {
    for (const [name, a] of this.world.links) {
      const d = this.declared.links.get(name);
      if (d === undefined) {
        // An undeclared end of a declared pair goes only with its pair.
        if (this.pairs.isDeclaredPeer(name) || !isVirtual(a.kind)) continue;
        const reason = this.rules.deletion('interface', a);
        if (reason !== undefined) this.removeLink(a, reason || undefined);
        continue;
      }
      if (d.state === 'absent') {
        if (isVirtual(a.kind)) this.removeLink(a, undefined, d.source);
        else this.problem(`interface ${name} is ${kindText(a)} and cannot be deleted`, d.source);
        continue;
      }
      const creator = this.pairs.createdWith(name);
      if (creator !== undefined) {
        const kind = this.declared.links.get(creator)?.kind;
        if (a.kind === kind && peerOf(a) === creator) continue;
        if (isVirtual(a.kind)) this.removeLink(a, `recreated as the ${kind} peer of ${creator}`, d.source);
        else this.problem(`interface ${name} is ${kindText(a)}; it cannot become the ${kind} peer of ${creator}`, d.source);
        continue;
      }
      if (linkReplacement(d, a) === undefined) continue;
      if (isVirtual(a.kind)) this.replacing.add(name);
      else this.problem(`interface ${name} is ${kindText(a)}; netrec does not replace it with a ${d.kind}`, d.source);
    }
    this.doomed = this.withDependents([...this.linkDeletes.map((c) => c.id), ...this.replacing]);
  }

  private removeLink(a: Link, reason?: string, source?: Source): void {
    const c: Change = { action: 'delete', type: 'interface', id: a.name, before: a, after: null };
    if (reason) c.reason = reason;
    if (source) c.source = source;
    this.linkDeletes.push(c);
  }

  /** The links plus everything the kernel deletes with them: uppers and peers. */
  private withDependents(names: string[]): Set<string> {
    const out = new Set(names);
    for (let i = 0; i < names.length; i++) {
      const l = this.world.links.get(names[i]!);
      const more = [...this.world.links.values()].filter((o) => goesWithLower(o) === names[i]).map((o) => o.name);
      const peer = peerOf(l);
      if (peer !== undefined) more.push(peer);
      for (const m of more) {
        if (!out.has(m)) {
          out.add(m);
          names.push(m);
        }
      }
    }
    return out;
  }

  private deleteLinks(): void {
    // Most plans delete no link: then no depths of every existing one.
    if (this.linkDeletes.length === 0) return;
    const depth = linkDepths(this.world.links);
    for (const group of byDepth(this.linkDeletes, depth, (c) => c.id).reverse()) this.stage(group, true);
  }

  // ---- links ----

  /**
   * One stage of link changes, each decided against the state the previous
   * one left: replacing a link can take others of the same depth with it
   * (its old uppers), which then need creating rather than replacing.
   */
  private linkStage(group: Link[], decide: (d: Link) => Change | undefined): void {
    const changes: Change[] = [];
    for (const d of group) {
      const c = decide(d);
      if (c !== undefined && this.simulate(c)) changes.push(c);
    }
    this.stage(changes, false);
  }

  private createOrReplace(d: Link): Change | undefined {
    if (this.pairs.createdWith(d.name) !== undefined) return undefined;
    const a = this.world.links.get(d.name);
    if (a === undefined) {
      const removed = this.removedReason('interface', d.name);
      if (d.kind === 'device') {
        this.problem(`interface ${d.name} does not exist${removed ? ` (${removed})` : ''}; a device cannot be created`, d.source);
        return undefined;
      }
      if (!this.peerNameFree(d, undefined)) return undefined;
      return withMeta({ action: 'create', type: 'interface', id: d.name, before: null, after: linkToCreate(d, this.mode) }, d.source, removed);
    }
    const replacement = this.replacing.has(d.name) ? linkReplacement(d, a) : undefined;
    if (replacement === undefined || !this.peerNameFree(d, a)) return undefined;
    const c: Change = { action: 'replace', type: 'interface', id: d.name, before: a, after: linkToCreate(d, this.mode), attrs: replacement.attrs };
    return withMeta(c, d.source, replacement.reason);
  }

  /** A new paired link's peer name must be free, or be the old peer that goes with the link it replaces. */
  private peerNameFree(d: Link, replaced: Link | undefined): boolean {
    const peer = peerOf(d);
    if (peer === undefined || !this.world.links.has(peer)) return true;
    if (replaced?.kind === d.kind && peerOf(replaced) === peer) return true;
    this.problem(`${d.kind} ${d.name}: its peer name ${peer} is taken by an existing interface`, d.source);
    return false;
  }

  private update(d: Link): Change | undefined {
    const a = this.world.links.get(d.name);
    const release = a?.master !== undefined && d.master === undefined && this.declared.links.has(a.master);
    const diff = a === undefined ? undefined : linkUpdate(d, a, this.mode, release);
    if (diff === undefined) return undefined;
    const c: Change = { action: 'update', type: 'interface', id: d.name, before: a!, after: diff.after, attrs: diff.attrs };
    return withMeta(c, d.source, this.removedReason('interface', d.name));
  }

  /**
   * VLANs and port settings, once every link is made and in its master (a
   * port's VLANs are its master's to keep: joining gives it the default
   * one, leaving takes them all), compared with what the link changes left.
   */
  private portStage(): void {
    const changes: Change[] = [];
    for (const d of this.present.values()) {
      if (d.vlans === undefined && d.port === undefined) continue;
      const a = this.world.links.get(d.name);
      const diff = a === undefined ? undefined : portUpdate(d, a);
      if (diff === undefined) continue;
      changes.push(withMeta({ action: 'update', type: 'interface', id: d.name, before: a!, after: diff.after, attrs: diff.attrs }, d.source, undefined));
    }
    this.stage(changes, true);
  }

  // ---- addresses, routes, rules, neighbors ----

  /** Creates and in-place or replacing changes of declared objects kept by identity key. */
  private keyedChanges<T extends ModelObject & Declarable>(
    type: Exclude<ObjectType, 'interface' | 'route'>,
    declared: ReadonlyMap<string, T>,
    actual: ReadonlyMap<string, T>,
    toCreate: (d: T, mode: CompareMode) => T,
    difference: (d: T, a: T, mode: CompareMode) => Difference<T> | undefined,
  ): Change[] {
    const out: Change[] = [];
    for (const [key, d] of declared) {
      if (d.state === 'absent') continue;
      const a = actual.get(key);
      if (type !== 'rule' && this.isForeign(d)) {
        this.checkForeign(type, key, d, a, difference);
        continue;
      }
      const diff = a === undefined ? undefined : difference(d, a, this.mode);
      let c: Change;
      if (a === undefined) c = { action: 'create', type, id: key, before: null, after: toCreate(d, this.mode) } as Change;
      else if (diff === undefined) continue;
      else c = { action: diff.action, type, id: key, before: a, after: diff.after, attrs: diff.attrs } as Change;
      out.push(withMeta(c, d.source, diff?.reason ?? this.removedReason(type, key)));
    }
    return out;
  }

  /** Declared with another owner's protocol (plan mode): checked, never written. */
  private isForeign(d: ModelObject): boolean {
    const p = (d as { protocol?: number }).protocol;
    return !this.mode.exact && p !== undefined && p !== this.mode.protocol;
  }

  /**
   * An address or neighbor declared with another owner's protocol (as `show`
   * prints foreign ones) must exist as declared, with that owner; netrec
   * neither adopts nor changes it, so a mismatch is a problem, not a change.
   * A protocol of 0 (unspec) matches one the kernel does not report.
   */
  private checkForeign<T extends ModelObject & Declarable>(
    type: ObjectType,
    key: string,
    d: T,
    a: T | undefined,
    difference: (d: T, a: T, mode: CompareMode) => Difference<T> | undefined,
  ): void {
    const owner = (d as { protocol?: number }).protocol!;
    // Named as `show` names it: addresses have their own names (IFA_PROTO).
    const name = (type === 'address' ? ADDRESS_PROTOCOL_NAMES : PROTOCOL_NAMES)[owner] ?? owner;
    const what = `${type} ${key} is declared with protocol ${name} (another owner's), so netrec checks it and does not change it`;
    if (a === undefined) {
      this.problem(`${what}; it does not exist${this.removedReason(type, key) ? ` (${this.removedReason(type, key)})` : ''}`, d.source);
      return;
    }
    const attrs = (difference(d, a, { exact: false, protocol: owner })?.attrs ?? []).filter((c) => !(c.attr === 'protocol' && (c.old ?? 0) === (c.new ?? 0)));
    if (attrs.length > 0) this.problem(`${what}; it differs: ${attrs.map((c) => `${c.attr} is ${String(c.old)}, declared ${String(c.new)}`).join(', ')}`, d.source);
  }

  private reconcileAddresses(): void {
    const changes = this.keyedChanges('address', this.declared.addresses, this.world.addresses, addressToCreate, addressDifference);
    // New addresses first: a replaced address that is then not the last one
    // on its link does not take all the link's IPv4 routes with it. A link
    // that must promote secondaries for the replaces does so before the new
    // addresses too, so that no change to a link comes after the addresses
    // made on it (which of them stay is known once they are there).
    const first = this.stages.length;
    this.stage(changes.filter((c) => c.action !== 'replace'), true);
    this.addressStage(changes.filter((c) => c.action === 'replace'), first);
  }

  /**
   * A stage of address deletes (or replaces). Where a primary IPv4 address
   * goes and a secondary of its subnet stays, the link's promote_secondaries
   * is turned on for the stage and back off after it: the kernel then makes
   * the secondary primary instead of deleting it, so the link keeps an IPv4
   * address and with it the routes and ARP entries through it, foreign ones
   * included (devinet.c __inet_del_ifa; fib_frontend.c fib_disable_ip runs
   * only when the last address goes). `promoteAt`: the stage index where
   * promote_secondaries is turned on (default: just before these changes);
   * turning it on earlier changes nothing else the model knows of.
   */
  private addressStage(changes: Change[], promoteAt = this.stages.length): void {
    const links = this.promotions(changes);
    if (links.size > 0) {
      const on = [...links].map(([name, why]) => this.promoteChange(name, true, why)).filter((c) => this.simulate(c));
      if (on.length > 0) this.stages.splice(promoteAt, 0, on);
    }
    this.stage(changes, true);
    if (links.size > 0) this.stage([...links.keys()].map((name) => this.promoteChange(name, false, undefined)), true);
  }

  /** Links that must promote secondaries for `changes`, with why. */
  private promotions(changes: readonly Change[]): Map<string, string> {
    const out = new Map<string, string>();
    const going = new Set<string>();
    for (const c of changes) if (c.type === 'address') going.add(c.id);
    for (const c of changes) {
      if (c.type !== 'address' || c.action === 'create' || c.action === 'update') continue;
      const a = this.world.addresses.get(c.id);
      if (a === undefined || a.family !== 'ipv4' || a.secondary || out.has(a.dev)) continue;
      const link = this.world.links.get(a.dev);
      if (link === undefined || link.promoteSecondaries) continue;
      const stays = this.world.subnetMates(a).filter((k) => !going.has(k) || this.declared.addresses.get(k)?.state === 'present');
      if (stays.length > 0) out.set(a.dev, `so that ${stays.map((k) => this.world.addresses.get(k)!.address).join(', ')} ${stays.length === 1 ? 'stays' : 'stay'} when ${a.address} goes`);
    }
    return out;
  }

  private promoteChange(name: string, on: boolean, reason: string | undefined): Change {
    const before = this.world.links.get(name)!;
    const after: Link = { ...before };
    if (on) after.promoteSecondaries = true;
    else delete after.promoteSecondaries;
    const c: Change = { action: 'update', type: 'interface', id: name, before, after, attrs: [{ attr: PROMOTE_SECONDARIES, old: before.promoteSecondaries ?? false, new: on }] };
    if (reason) c.reason = reason;
    return c;
  }

  /**
   * Routes are not simulated (nothing later depends on them), and an
   * unchanged one costs a lookup and a comparison, nothing allocated: this
   * loop sees whole routing tables.
   */
  private reconcileRoutes(nexthops: Change[][]): void {
    const direct: Change[] = [];
    const viaGateway: Change[] = [];
    const down = this.downLinks();
    const routes = this.declared.routes;
    const existing = this.world.routes;
    /** IPv6 changes: several identities share one kernel list, which a change of this plan can crowd. */
    const v6: Change[] = [];
    for (let i = 0; i < routes.length; i++) {
      const d = routes[i]!;
      if (d.state === 'absent') continue;
      // Only what the kernel removed or changed by itself needs looking up again.
      let a = this.routeMatch[i];
      let slot = this.routeSlot[i]!;
      if (a !== undefined && this.world.cascadedRoutes.size > 0 && this.world.cascadedRoutes.has(a)) {
        const was = a;
        slot = -1;
        for (let s = existing.slotOf(d); s >= 0; s = existing.nextTwin(s)) {
          if (sameRoute(existing.at(s)!, was)) {
            slot = s;
            break;
          }
        }
        a = slot < 0 ? undefined : existing.at(slot);
      }
      if (!this.mode.exact && d.protocol !== this.mode.protocol) {
        // Another owner's route: checked, never written.
        this.checkForeignRoute(d, a);
        continue;
      }
      let c: Change;
      if (a === undefined && d.family === 'ipv6' && this.v6Taken(d)) {
        this.problem(`route ${routeKey(d)}: the kernel keeps one such IPv6 route (gateway routes become one ECMP route), and another declaration is about the one there`, d.source);
        continue;
      }
      if (a === undefined) {
        const key = routeKey(d);
        c = withMeta({ action: 'create', type: 'route', id: key, before: null, after: routeToCreate(d, this.mode) }, d.source, this.removedReason('route', key));
        // Routes of another owner in the kernel's list of this one: a create-or-replace could take theirs.
        if (existing.hasLeaf(d)) {
          c.placement = 'prepend';
          if (!c.reason) c.reason = 'beside the routes of other owners that share its table, destination and metric';
        }
      } else if (!routeDiffers(d, a, this.mode)) {
        continue;
      } else {
        const diff = routeDifference(d, a, this.mode);
        c = withMeta({ action: 'update', type: 'route', id: routeKey(d), before: a, after: diff.after, attrs: diff.attrs }, d.source, undefined);
        // A replace takes the first route of the kernel's list: with others in it, an exact delete and a create instead.
        if (slot >= 0 && existing.crowded(slot)) c.placement = existing.firstOfLeaf(slot) ? 'prepend' : 'append';
        // An IPv6 replace takes the first route of the list that is as much an ECMP candidate as the new one, and adds it when there is none.
        else if (ecmpV6(a) !== ecmpV6(c.after as Route)) c.placement = 'append';
      }
      if (d.family === 'ipv6') v6.push(c);
      const blocked = down.size > 0 ? downLinkOf(c.after as Route, down) : undefined;
      if (blocked !== undefined) this.problem(`route ${c.id}: interface ${blocked} is down, and the kernel takes no routes through an interface that is down`, d.source);
      (usesGateway(c.after as Route) || (c.after as Route).nhid !== undefined ? viaGateway : direct).push(c);
    }
    if (v6.length > 1) placeSharedLists(v6);
    this.stage(direct, false);
    // Nexthop objects need their gateways reachable (addresses, direct routes); routes through them need them.
    for (const s of nexthops) this.stage(s, false);
    this.stage(viaGateway, false);
  }

  // ---- nexthop objects ----

  /**
   * Deletes of nexthop objects, decided on the state before any change: groups,
   * then single nexthops. Another owner's nexthop is never deleted, nor one
   * of ours that is a member of another owner's group (the kernel would take
   * it out of that group).
   */
  private nexthopDeletions(): Change[][] {
    const groups: Change[] = [];
    const singles: Change[] = [];
    for (const [key, a] of this.world.nexthops) {
      const d = this.declared.nexthops.get(key);
      let reason: string | undefined;
      if (d === undefined) reason = this.rules.deletion('nexthop', a);
      else if (d.state === 'absent') {
        if (!this.mode.exact && a.protocol !== this.mode.protocol) {
          this.problem(`nexthop ${key} is declared absent, but it is ${ownerText(a.protocol)}'s; netrec never deletes another owner's nexthop`, d.source);
          continue;
        }
        reason = '';
      }
      if (reason === undefined) continue;
      if (this.inForeignGroup(a, d?.source, 'deleting')) continue;
      const c: Change = { action: 'delete', type: 'nexthop', id: key, before: a, after: null };
      (a.group === undefined ? singles : groups).push(withMeta(c, d?.source, reason));
    }
    return [groups, singles];
  }

  /**
   * Whether `a` is a member of another owner's group, which deleting or
   * re-creating `a` would change (reported as a problem; plan mode only).
   */
  private inForeignGroup(a: NexthopObject, source: Source | undefined, doing: string): boolean {
    if (this.mode.exact) return false;
    for (const g of this.world.nexthops.values()) {
      if (g.group === undefined || g.protocol === this.mode.protocol || !g.group.some((m) => m.id === a.id)) continue;
      this.problem(`nexthop ${a.id} is a member of nexthop group ${g.id}, which is ${ownerText(g.protocol)}'s; ${doing} it would take it out of that group, and netrec never changes another owner's group`, source);
      return true;
    }
    return false;
  }

  /**
   * Creates, updates and replaces of nexthop objects, single ones first and
   * then groups, each stage decided on the state the earlier one left (a
   * replaced member leaves its groups, which the group stage puts right).
   * A declared id that another owner's nexthop holds is a problem: netrec
   * does not take over nexthops.
   */
  private nexthopChanges(): Change[][] {
    const out: Change[][] = [];
    for (const groups of [false, true]) {
      const changes: Change[] = [];
      for (const [key, d] of this.declared.nexthops) {
        if (d.state === 'absent' || (d.group !== undefined) !== groups) continue;
        const a = this.world.nexthops.get(key);
        if (this.isForeign(d)) {
          this.checkForeign('nexthop', key, d, a, nexthopDifference);
          continue;
        }
        if (a !== undefined && !this.mode.exact && a.protocol !== this.mode.protocol) {
          this.problem(
            `nexthop ${key} exists and is ${ownerText(a.protocol)}'s, not netrec's; netrec does not take over another owner's nexthop: declare it with protocol: ${PROTOCOL_NAMES[a.protocol] ?? a.protocol} to have it checked as it is, or give yours another id`,
            d.source,
          );
          continue;
        }
        // The kernel takes a nexthop only on a device that is up (a blackhole's is lo).
        const on = d.blackhole ? 'lo' : d.dev;
        const link = on === undefined ? undefined : this.world.links.get(on);
        if (link !== undefined && link.state !== 'up') {
          this.problem(`nexthop ${key}: interface ${on} is down, and the kernel takes no nexthop on an interface that is down${d.blackhole ? ' (a blackhole nexthop is on lo)' : ''}`, d.source);
          continue;
        }
        let c: Change;
        let reason: string | undefined;
        if (a === undefined) {
          c = { action: 'create', type: 'nexthop', id: key, before: null, after: nexthopToCreate(d, this.mode) };
          reason = this.removedReason('nexthop', key);
        } else {
          const diff = nexthopDifference(d, a, this.mode);
          if (diff === undefined) continue;
          if (diff.action === 'replace' && this.inForeignGroup(a, d.source, 're-creating')) continue;
          c = { action: diff.action, type: 'nexthop', id: key, before: a, after: diff.after, attrs: diff.attrs };
          reason = diff.reason;
        }
        if (this.simulate(c)) changes.push(withMeta(c, d.source, reason));
      }
      out.push(changes);
    }
    return out;
  }

  /** Whether an IPv6 route of d's identity that the kernel would not keep beside d exists (one another declaration is about). */
  private v6Taken(d: Route): boolean {
    for (const r of this.world.routes.twinsOf(d)) if (ecmpV6(r) === ecmpV6(d)) return true;
    return false;
  }

  /** A declared route of another owner: a problem when it is missing or not as declared. */
  private checkForeignRoute(d: Route, a: Route | undefined): void {
    const owner = `protocol ${d.protocol}`;
    if (a === undefined) {
      this.problem(`route ${routeKey(d)} is declared with ${owner} (another owner's route, which netrec checks but does not write) and there is no such route on its path; declare it without protocol to have netrec make it`, d.source);
      return;
    }
    if (!routeDiffers(d, a, { exact: false, protocol: d.protocol })) return;
    const attrs = routeDifference(d, a, { exact: false, protocol: d.protocol }).attrs;
    const what = attrs.map((x) => `${x.attr} ${JSON.stringify(x.old ?? null)} (declared ${JSON.stringify(x.new ?? null)})`).join(', ');
    this.problem(`route ${routeKey(d)} with ${owner} is another owner's route and is not as declared: ${what}; declare it without protocol to have netrec adopt it`, d.source);
  }

  private downLinks(): Set<string> {
    const down = new Set<string>();
    for (const l of this.world.links.values()) if (l.state !== 'up') down.add(l.name);
    return down;
  }

  private reconcileNeighbors(): void {
    const fitting = new Map<string, Neighbor>();
    for (const [key, d] of this.declared.neighbors) if (this.lladdrFits(d)) fitting.set(key, d);
    this.stage(this.keyedChanges('neighbor', fitting, this.world.neighbors, neighborToCreate, neighborDifference), false);
  }

  /**
   * A link-layer address must be as long as the device's: the kernel refuses
   * a shorter one and silently cuts a longer one to size, so the entry would
   * never be what was declared. The device's length is that of its address as
   * read (a link made by this plan: 6, as every kind netrec makes is Ethernet-like).
   */
  private lladdrFits(d: Neighbor): boolean {
    if (d.state === 'absent' || d.lladdr === undefined) return true;
    const l = this.world.links.get(d.dev);
    const have = l?.mac !== undefined ? macLength(l.mac) : l !== undefined && isVirtual(l.kind) ? 6 : undefined;
    const want = macLength(d.lladdr);
    if (have === undefined || have === want) return true;
    this.problem(`neighbor ${neighborKey(d)}: lladdr ${d.lladdr} has ${want} bytes, but the link-layer address of ${d.dev} has ${have}`, d.source);
    return false;
  }
}

/** Bytes in a link-layer address written as hex bytes separated by ':'. */
function macLength(mac: string): number {
  return mac.split(':').length;
}

const NO_MATCH = 4;

/** Whether an existing route runs where a declaration says (type, gateway, device, nexthops as far as declared). */
function onPath(d: Route, a: Route): boolean {
  if (d.type !== a.type) return false;
  if (d.nhid !== undefined || a.nhid !== undefined) return d.nhid === a.nhid;
  if (d.nexthops !== undefined) return a.nexthops !== undefined && !routeNexthopsDiffer(d, a);
  if (a.nexthops !== undefined && a.nexthops.length > 0) return false;
  return d.via === a.via && (d.dev === undefined || d.dev === a.dev);
}

/**
 * IPv6 changes to one kernel list (table, destination, source prefix,
 * metric) in one plan: the routes one of them creates would be there for
 * the next one's replace to take. Such changes are written exactly (a
 * delete naming the old route, a create beside the others).
 */
function placeSharedLists(changes: Change[]): void {
  const count = new Map<string, number>();
  const leaf = (c: Change): string => {
    const r = c.after as Route;
    return `${r.table} ${r.to} ${r.from ?? ''} ${r.metric}`;
  };
  for (const c of changes) {
    const k = leaf(c);
    count.set(k, (count.get(k) ?? 0) + 1);
  }
  for (const c of changes) if (c.placement === undefined && count.get(leaf(c))! > 1) c.placement = c.action === 'create' ? 'prepend' : 'append';
}

/** An IPv6 unicast route with a gateway: fib6_add_rt2node makes such routes of one key siblings of one ECMP route. */
function ecmpV6(r: Route): boolean {
  return r.family === 'ipv6' && r.type === 'unicast' && (r.via !== undefined || (r.nexthops !== undefined && r.nexthops.length > 0));
}

function declaresPath(d: Route): boolean {
  return d.via !== undefined || d.dev !== undefined || d.nexthops !== undefined || d.nhid !== undefined;
}

function withMeta(c: Change, source: Source | undefined, reason: string | undefined): Change {
  if (source !== undefined) c.source = source;
  if (reason) c.reason = reason;
  return c;
}

/** Who owns an object with protocol `p`, in `ip`'s words. */
function ownerText(p: number): string {
  return `protocol ${PROTOCOL_NAMES[p] ?? p}`;
}

function kindText(l: Link): string {
  return l.kind === 'device' ? 'a device' : l.kind.startsWith('other:') ? `of kind ${l.kind.slice(6)}` : `a ${l.kind}`;
}

/** The down link a unicast route would need, when all its paths need one. */
function downLinkOf(r: Route, down: ReadonlySet<string>): string | undefined {
  if (r.type !== 'unicast' || r.scope === 'host') return undefined;
  if (r.nexthops?.length) {
    const devs = r.nexthops.map((h) => h.dev);
    return devs.every((dev) => dev !== undefined && down.has(dev)) ? devs[0] : undefined;
  }
  return r.dev !== undefined && down.has(r.dev) ? r.dev : undefined;
}

export function summarize(stages: readonly Change[][]): Summary {
  const s: Summary = { create: 0, update: 0, replace: 0, delete: 0 };
  for (const stage of stages) for (const c of stage) s[c.action]++;
  return s;
}
