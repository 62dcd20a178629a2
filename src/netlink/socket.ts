// The native socket, behind an interface that tests can replace.
import { createRequire } from 'node:module';
import { SocketError } from './errors.js';

export interface RawSocket {
  readonly portId: number;
  readonly fd: number;
  /** SO_NETNS_COOKIE of the socket's namespace (decimal), where the kernel has it. */
  readonly netnsCookie?: string;
  /** One sendmsg to the kernel; returns bytes sent. */
  send(buf: Buffer, offset?: number, length?: number): number;
  /** The same sendmsg on a thread-pool thread; `buf` must stay unchanged until `cb`. */
  sendAsync?(buf: Buffer, offset: number, length: number, cb: (err: unknown, sent?: number) => void): void;
  /** Every datagram waiting now, concatenated; null when none. */
  recv(): Buffer | null;
  join(group: number): void;
  leave(group: number): void;
  /** Attach a classic BPF program (see filter.ts) that the kernel runs before queueing each datagram. */
  attachFilter?(program: Buffer): void;
  /** Set the receive buffer; returns the size in force. */
  setRcvbuf(bytes: number): number;
  /** Call back on the event loop whenever data waits. */
  startReading(cb: () => void): void;
  stopReading(): void;
  close(): void;
}

interface NativeModule {
  Socket: new (nsPath?: string) => RawSocket;
  lockFile(path: string): number;
  unlockFile(fd: number): void;
  probe(ns: string, kind: string, addr: string, port: number, timeoutMs: number, cb: (err: unknown, ok: boolean, detail: string) => void): void;
  /** One AF_UNIX datagram to `name` (a path, or '@' and an abstract name); throws with errno. */
  sendDatagram(name: string, data: Buffer): void;
  /** A non-blocking AF_UNIX datagram socket bound to `name`; returns its descriptor. */
  bindDatagram(name: string): number;
  /** The next datagram waiting on `fd`, null when none. */
  recvDatagram(fd: number): Buffer | null;
  closeDatagram(fd: number): void;
  /** A descriptor of `path` opened from a thread inside the network namespace at `nsPath` (undefined: this one); throws with errno. */
  openInNamespace(nsPath: string | undefined, path: string, flags: number): number;
  /** CLOCK_MONOTONIC in microseconds. */
  monotonicUsec(): number;
}

let native: NativeModule | undefined;
export function loadNative(): NativeModule {
  if (!native) {
    const require = createRequire(import.meta.url);
    native = require('../../../build/Release/netrec_native.node') as NativeModule;
  }
  return native;
}

/** Turn the addon's errno-carrying Error into a SocketError with a plain message. */
export function toSocketError(e: unknown, context: string): SocketError | unknown {
  const err = e as { errno?: number; syscall?: string; message?: string };
  if (typeof err?.errno === 'number') return new SocketError(`${context}: ${err.message}`, err.errno);
  return e;
}

/**
 * Open a NETLINK_ROUTE socket, inside the network namespace at `nsPath`
 * when given (a path such as /run/netns/NAME or /proc/PID/ns/net).
 */
export function openRawSocket(nsPath?: string): RawSocket {
  const { Socket } = loadNative();
  try {
    return nsPath === undefined ? new Socket() : new Socket(nsPath);
  } catch (e) {
    throw toSocketError(e, nsPath ? `cannot open netlink socket in ${nsPath}` : 'cannot open netlink socket');
  }
}
