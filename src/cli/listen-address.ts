// Listen addresses on the command line (--metrics-address): HOST:PORT,
// [IPv6]:PORT, or :PORT and a bare PORT for all of this host's addresses
// (as node_exporter and Prometheus write them).
import { isIP } from 'node:net';
import { UserError } from './errors.js';

export interface ListenAddress {
  /** The host to listen on; '' for all addresses. Without brackets. */
  host: string;
  port: number;
  /** As HOST:PORT, IPv6 in brackets, ':PORT' for all addresses. */
  text: string;
}

const FORMS = 'write HOST:PORT, e.g. 127.0.0.1:9474, [::1]:9474, or :9474 for all addresses';

/** Parse a listen address; throws UserError naming `option` and the expected form. */
export function parseListenAddress(input: string, option = '--metrics-address'): ListenAddress {
  const text = input.trim();
  const shown = JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
  const bad = (why: string): never => {
    throw new UserError(`${option} ${shown}: ${why}`, FORMS);
  };
  let host: string;
  let portText: string;
  if (/^\d+$/.test(text)) {
    host = '';
    portText = text;
  } else if (text.startsWith('[')) {
    const m = /^\[([^\]]*)\]:(.*)$/.exec(text);
    if (!m) bad('an IPv6 address in brackets must be followed by :PORT');
    host = m![1]!;
    portText = m![2]!;
    if (isIP(host) !== 6) bad(`"${host}" is not an IPv6 address`);
  } else {
    const i = text.lastIndexOf(':');
    if (i < 0) bad('no port');
    host = text.slice(0, i);
    portText = text.slice(i + 1);
    if (host.includes(':')) bad('an IPv6 address needs brackets');
    if (host !== '' && isIP(host) !== 4 && !/^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/.test(host)) bad(`"${host}" is neither an IP address nor a host name`);
  }
  if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) bad(`port "${portText}" is not a number from 1 to 65535`);
  const port = Number(portText);
  return { host, port, text: host === '' ? `:${port}` : host.includes(':') ? `[${host}]:${port}` : `${host}:${port}` };
}
