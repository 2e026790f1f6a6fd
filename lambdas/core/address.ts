import { ConfigError } from './errors';
import type { Address } from './types';

const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const IPV6 = /^[0-9A-Fa-f:.]+$/;

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
  if (bracketed ? !IPV6.test(host) : !HOSTNAME.test(host)) {
    throw new ConfigError(field, `"${host}" is not a valid host name or IP address`);
  }
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigError(field, `port ${portText} is out of range (1-65535)`);
  }
  return { host, port };
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `"${value}"`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
