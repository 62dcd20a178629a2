// Health probes for unattended rollout (`apply --probe`): run from inside the
// namespace being changed. Only probes that passed before the change count
// after it: one already failing cannot block (or be blamed on) the change.
import { loadNative } from '../netlink/socket.js';

export interface Probe {
  text: string;
  kind: 'ping' | 'tcp';
  host: string;
  port: number;
}

/** "ping:ADDRESS" or "tcp:HOST:PORT" ("tcp:[2001:db8::1]:443" for IPv6). */
export function parseProbe(text: string): Probe {
  let m = /^ping:(\[?)([0-9a-fA-F.:]+)\]?$/.exec(text);
  if (m) return { text, kind: 'ping', host: m[2]!, port: 0 };
  m = /^tcp:(?:\[([0-9a-fA-F:.]+)\]|([0-9.]+)):(\d{1,5})$/.exec(text);
  if (m && Number(m[3]) > 0 && Number(m[3]) < 65536) return { text, kind: 'tcp', host: m[1] ?? m[2]!, port: Number(m[3]) };
  throw new Error(`invalid probe "${text}" (ping:ADDRESS or tcp:HOST:PORT, with an IP address)`);
}

export function runProbe(nsPath: string | undefined, p: Probe, timeoutMs: number): Promise<{ ok: boolean; detail: string }> {
  const native = loadNative();
  return new Promise((resolve) => native.probe(nsPath ?? '', p.kind, p.host, p.port, Math.max(1, Math.round(timeoutMs)), (_e, ok, detail) => resolve({ ok, detail })));
}

export async function runProbes(nsPath: string | undefined, probes: Probe[], timeoutMs: number): Promise<Map<string, { ok: boolean; detail: string }>> {
  const results = await Promise.all(probes.map((p) => runProbe(nsPath, p, timeoutMs)));
  return new Map(probes.map((p, i) => [p.text, results[i]!]));
}
