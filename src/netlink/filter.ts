// Classic BPF programs for netlink sockets, run by the kernel on each
// datagram before it is queued (SO_ATTACH_FILTER).

const BPF_LD_W_ABS = 0x20;
const BPF_JEQ_K = 0x15;
const BPF_RET_K = 0x06;
/** nlmsghdr.nlmsg_pid: the port of the socket whose request caused an announcement. */
const NLMSG_PID_OFFSET = 12;
const SOCK_FILTER_LEN = 8;

/** `ld [k]` reads network byte order; the header is in host (little-endian) order. */
function swapped(v: number): number {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(v >>> 0);
  return b.readUInt32BE(0);
}

/**
 * A program that drops every datagram whose first message names one of
 * `ports` as its sender and keeps the rest. rtnetlink sends one announcement
 * per datagram, so on a subscribed socket this drops exactly the
 * announcements of our own requests.
 */
export function dropFromPorts(ports: readonly number[]): Buffer {
  const n = ports.length;
  const prog = Buffer.alloc((n + 3) * SOCK_FILTER_LEN);
  const put = (i: number, code: number, jt: number, jf: number, k: number): void => {
    const at = i * SOCK_FILTER_LEN;
    prog.writeUInt16LE(code, at);
    prog.writeUInt8(jt, at + 2);
    prog.writeUInt8(jf, at + 3);
    prog.writeUInt32LE(k >>> 0, at + 4);
  };
  put(0, BPF_LD_W_ABS, 0, 0, NLMSG_PID_OFFSET);
  // Instruction 1 + i jumps to the drop at n + 2 on a match.
  ports.forEach((p, i) => put(1 + i, BPF_JEQ_K, n - i, 0, swapped(p)));
  put(n + 1, BPF_RET_K, 0, 0, 0xffffffff);
  put(n + 2, BPF_RET_K, 0, 0, 0);
  return prog;
}
