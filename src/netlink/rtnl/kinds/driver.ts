// What a link-kind driver is, and the context its codecs share.
import type { BondOptions, BridgeOptions, Link, LinkKind, MacvlanOptions, VethOptions, VlanOptions, VrfOptions, VxlanOptions } from '../../../model/types.js';
import type { Writer } from '../../message.js';
import { Ctx, type AttrLayout, type WriteOp } from '../layout.js';

/** Codec context for links: ifindex references are kept as numbers until every link is known. */
export class LinkCtx extends Ctx {
  /** IFLA_LINK, or a kind's own lower-link attribute (IFLA_VXLAN_LINK). */
  linkIndex: number | undefined = undefined;
  masterIndex: number | undefined = undefined;
  /** IFLA_LINK_NETNSID: linkIndex counts in another namespace. */
  linkNetnsid: number | undefined = undefined;
  /** IFLA_INFO_KIND and where IFLA_INFO_DATA lies, while decoding IFLA_LINKINFO. */
  kindName: string | undefined = undefined;
  dataAt = -1;
  dataLen = 0;
  /** The driver IFLA_INFO_KIND named. */
  driver: KindDriver | undefined = undefined;

  resetLink(op: WriteOp): this {
    this.reset(op, 0);
    this.linkIndex = this.masterIndex = this.linkNetnsid = undefined;
    this.kindName = this.driver = undefined;
    this.dataAt = -1;
    this.dataLen = 0;
    return this;
  }
}

export interface KindOptions {
  bridge: BridgeOptions;
  veth: VethOptions;
  vlan: VlanOptions;
  vxlan: VxlanOptions;
  macvlan: MacvlanOptions;
  bond: BondOptions;
  vrf: VrfOptions;
}

export interface KindDriver {
  /** IFLA_INFO_KIND. */
  kind: string;
  modelKind: LinkKind;
  /**
   * What IFLA_LINK names for this kind: the lower link of `options.link`
   * (written at creation) or, in dumps, the veth peer.
   */
  iflaLink?: 'link' | 'peer';
  /** The options' `link` field names a lower link (resolved from ctx.linkIndex after a dump). */
  lowerLink?: 'required' | 'optional';
  /** Write IFLA_INFO_DATA's attributes for ctx.op: create/replace all, update what can change in place. */
  encode(w: Writer, link: Link, ctx: LinkCtx): void;
  /** Read IFLA_INFO_DATA into the kind's options; ifindex references go to ctx. */
  decode(buf: Buffer, at: number, len: number, ctx: LinkCtx): object | undefined;
}

/** A driver whose IFLA_INFO_DATA is exactly one attribute layout over the options object link[modelKind]. */
export function layoutDriver<K extends keyof KindOptions>(
  kind: string,
  modelKind: K,
  layout: AttrLayout<LinkCtx>,
  extra: Pick<KindDriver, 'iflaLink' | 'lowerLink'> = {},
): KindDriver {
  return {
    kind,
    modelKind,
    ...extra,
    encode(w, link, ctx) {
      const opts = link[modelKind];
      if (opts) layout.encode(w, opts, ctx);
    },
    decode(buf, at, len, ctx) {
      const opts = {};
      layout.decode(buf, at, at + len, opts, ctx);
      return opts;
    },
  };
}

