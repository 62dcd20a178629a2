// ICMP echo between test namespaces without a ping program: the addon's
// echo() sends echo requests from a raw ICMP socket opened inside the
// namespace (IPv4 and IPv6) and counts the replies, bounded in packets and
// time. For the tests only; the product never calls it.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ROOT } from './netns.js';

interface EchoAddon {
  echo(ns: string, dst: string, from: string, count: number, intervalMs: number, untilMs: number, waitMs: number): { transmitted: number; received: number; notes: string[]; error?: string };
}

export interface EchoOptions {
  /** Replies wanted (with `untilMs`), or requests sent (without); default 3. */
  count?: number;
  /** Source address (bound before sending). */
  from?: string;
  /** Gap between requests; default 200 ms. */
  intervalMs?: number;
  /** Keep sending until `count` replies or this many ms have passed. */
  untilMs?: number;
  /** Without `untilMs`: how long to wait for replies after the last request; default 2000 ms. */
  waitMs?: number;
}

export interface EchoResult {
  transmitted: number;
  received: number;
  /** ICMP errors that came back for the requests ("From 10.0.0.1 icmp_seq=1 Destination Unreachable (code 1)") and send errors. */
  notes: string[];
  /** Why nothing could be sent (namespace, socket, address), if so. */
  error?: string;
}

const addon = createRequire(import.meta.url)(join(ROOT, 'build/Release/netrec_native.node')) as EchoAddon;

/** Echo requests to `dst` from inside the namespace file `nsPath` ('' or undefined: this one). Blocks until done. */
export function echo(nsPath: string | undefined, dst: string, opts: EchoOptions = {}): EchoResult {
  return addon.echo(nsPath ?? '', dst, opts.from ?? '', opts.count ?? 3, opts.intervalMs ?? 200, opts.untilMs ?? 0, opts.waitMs ?? 2000);
}
