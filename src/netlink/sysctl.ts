// The namespace's sysctl files (/proc/sys/net/...), for the IP settings the
// kernel takes no netlink request for. What /proc/sys/net shows depends on
// the namespace of the thread that opens the file, so each file is opened by
// the addon from a short-lived thread inside the namespace, then read or
// written here. No program is run.
import { closeSync, constants, readSync, writeSync } from 'node:fs';
import type { Link } from '../model/types.js';
import { fromSysctl, INTERFACE_SETTINGS, sysctlPath } from './rtnl/devconf.js';
import { loadNative } from './socket.js';

/** Sysctl files of one namespace (its path, or undefined for the one netrec runs in). */
export class Sysctl {
  /** Files written so far. */
  writes = 0;

  constructor(readonly netns: string | undefined) {}

  private open(path: string, flags: number): number {
    try {
      return loadNative().openInNamespace(this.netns, path, flags);
    } catch (e) {
      const err = e as { message?: string; errno?: number };
      const out = new Error(`${path}${this.netns ? ` in ${this.netns}` : ''}: ${err.message ?? String(e)}`) as Error & { errno?: number };
      if (err.errno !== undefined) out.errno = err.errno;
      throw out;
    }
  }

  /** The file's whole text. */
  read(path: string): string {
    const fd = this.open(path, constants.O_RDONLY);
    try {
      const buf = Buffer.alloc(256);
      let n = 0;
      for (let got; (got = readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += got;
      return buf.toString('utf8', 0, n);
    } finally {
      closeSync(fd);
    }
  }

  /** Write `text` in one write, as `sysctl -w` does; the kernel's refusal (EINVAL...) throws. */
  write(path: string, text: string): void {
    const fd = this.open(path, constants.O_WRONLY);
    try {
      this.writes++;
      writeSync(fd, text);
    } catch (e) {
      const err = e as { message?: string; code?: string };
      throw new Error(`writing ${text.trim()} to ${path}: ${err.code ?? err.message}`);
    } finally {
      closeSync(fd);
    }
  }

  /**
   * What the namespace gives a new interface (net.ipv4.conf.default.*,
   * net.ipv6.conf.default.*), as a link's settings.
   */
  readInterfaceDefaults(): Pick<Link, 'ipv4' | 'ipv6'> {
    const out: Pick<Link, 'ipv4' | 'ipv6'> = {};
    for (const s of INTERFACE_SETTINGS) {
      let text: string;
      try {
        text = this.read(sysctlPath(s, 'default'));
      } catch (e) {
        if ((e as { errno?: number }).errno === 2) continue;
        throw e;
      }
      (out[s.family] ??= {})[s.field] = fromSysctl(s, text);
    }
    return out;
  }
}
