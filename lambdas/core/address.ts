import { ConfigError } from './errors';
import type { Address } from './types';

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV4_TAIL = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;

/**
 * An IPv6 address in its one canonical text form (RFC 5952: lower case, no leading zeros, the longest
 * run of zero groups as `::`), or the IPv4 address an IPv4-mapped one (`::ffff:10.0.0.1`) stands for.
 * Null when the text is not an IPv6 address.
 */
export function canonicalIpv6(text: string): string | null {
  let s = text.toLowerCase();
  const v4 = IPV4_TAIL.exec(s);
  if (v4) {
    const b = v4.slice(1).map(Number);
    if (b.some((x) => x > 255)) return null;
    s = `${s.slice(0, v4.index)}${((b[0] << 8) | b[1]).toString(16)}:${((b[2] << 8) | b[3]).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groupsOf = (h: string | undefined) => (h ? h.split(':') : []);
  const head = groupsOf(halves[0]);
  const tail = groupsOf(halves[1]);
  if (![...head, ...tail].every((g) => HEX_GROUP.test(g))) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail].map((g) =>
    Number.parseInt(g, 16),
  );
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6] >> 8, groups[6] & 255, groups[7] >> 8, groups[7] & 255].join('.');
  }
  // The longest run of two or more zero groups becomes "::" (the first, on a tie).
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; i++) {
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.at === -1) return hex.join(':');
  return `${hex.slice(0, best.at).join(':')}::${hex.slice(best.at + best.length).join(':')}`;
}

/**
 * One spelling per server, so that the same server named two ways (in config, or announced by
 * different sentinels) is probed and counted once: host names in lower case without a trailing dot,
 * `localhost` as 127.0.0.1, IPv6 in canonical form. No DNS lookup: other names that resolve to the
 * same address stay distinct.
 */
export function canonicalHost(host: string): string {
  if (host.includes(':')) return canonicalIpv6(host) ?? host;
  const name = host.toLowerCase().replace(/\.$/, '');
  return name === 'localhost' ? '127.0.0.1' : name;
}

export const canonicalAddress = (a: Address): Address => ({ host: canonicalHost(a.host), port: a.port });

/**
 * Parses `host:port`, `[ipv6]:port`. The field name goes into the error so a user editing a
 * config file by hand sees which entry is wrong.
 */
export function parseAddress(text: unknown, field: string): Address {
  if (typeof text !== 'string')
    throw new ConfigError(field, `must be a "host:port" string, got ${describe(text)}`);
  const value = text.trim();
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(value);
  const plain = /^([^:[\]\s]+):(\d+)$/.exec(value);
  const match = bracketed ?? plain;
  if (!match) throw new ConfigError(field, `"${value}" is not "host:port"`);
  const [, host, portText] = match;
  if (bracketed ? canonicalIpv6(host) === null : !HOSTNAME.test(host)) {
    throw new ConfigError(field, `"${host}" is not a valid host name or IP address`);
  }
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(field, `port ${portText} is out of range (1-65535)`);
  }
  return { host: canonicalHost(host), port };
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
