// Errors from the netlink layer. Kernel refusals keep the kernel's own words
// (extended ACK), read the way iproute2's nl_dump_ext_ack reads them.
import { constants as osConstants } from 'node:os';

const ERRNO_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(osConstants.errno).map(([name, num]) => [num, name]),
);

export function errnoName(errno: number): string {
  return ERRNO_NAMES[errno] ?? `errno ${errno}`;
}

/** The kernel refused a request (NLMSG_ERROR with a negative code). */
export class KernelError extends Error {
  readonly errno: number;
  readonly code: string;
  /** NLMSGERR_ATTR_MSG: the kernel's explanation, when it gave one. */
  readonly extack?: string;
  /** NLMSGERR_ATTR_OFFS: byte offset of the offending attribute in the request. */
  readonly offset?: number;
  constructor(errno: number, extack?: string, offset?: number) {
    const code = errnoName(errno);
    super(extack ? `${extack} (${code})` : `${describeErrno(errno)} (${code})`);
    this.name = 'KernelError';
    this.errno = errno;
    this.code = code;
    if (extack !== undefined) this.extack = extack;
    if (offset !== undefined) this.offset = offset;
  }
}

/** A message that does not parse: truncated, misaligned, garbage. */
export class NetlinkParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NetlinkParseError';
  }
}

/** A socket-level failure (open, send, receive), with the syscall and errno. */
export class SocketError extends Error {
  readonly errno: number;
  readonly code: string;
  constructor(message: string, errno: number) {
    super(message);
    this.name = 'SocketError';
    this.errno = errno;
    this.code = errnoName(errno);
  }
}

const DESCRIPTIONS: Record<string, string> = {
  EPERM: 'Operation not permitted',
  ENOENT: 'No such file or directory',
  ESRCH: 'No such process',
  EEXIST: 'File exists',
  ENODEV: 'No such device',
  EINVAL: 'Invalid argument',
  ENETUNREACH: 'Network is unreachable',
  EADDRNOTAVAIL: 'Cannot assign requested address',
  EOPNOTSUPP: 'Operation not supported',
  EBUSY: 'Device or resource busy',
  ENOBUFS: 'No buffer space available',
  ERANGE: 'Numerical result out of range',
  EAFNOSUPPORT: 'Address family not supported by protocol',
  EHOSTUNREACH: 'No route to host',
  EACCES: 'Permission denied',
  ENOTSUP: 'Operation not supported',
};

export function describeErrno(errno: number): string {
  return DESCRIPTIONS[errnoName(errno)] ?? errnoName(errno);
}
