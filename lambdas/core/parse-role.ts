// Parser for the `ROLE` reply (Redis 5.0-7.x, data nodes and sentinels). Numbers may arrive as RESP
// integers or as strings (the replica entries of a master's reply are strings): both are accepted.

import { BadReplyError } from './errors';
import { toInt } from './parse-number';
import type { RoleReply } from './types';

const bad = (problem: string): BadReplyError => new BadReplyError('ROLE', problem);

const kindOf = (value: unknown): string =>
  Array.isArray(value) ? `an array of ${value.length}` : value === null ? 'null' : typeof value;

const requireInt = (value: unknown, what: string): number => {
  const n = toInt(value);
  if (n === null) throw bad(`${what} is not an integer (${kindOf(value)})`);
  return n;
};

const requireString = (value: unknown, what: string): string => {
  if (typeof value !== 'string' || value === '')
    throw bad(`${what} is not a non-empty string (${kindOf(value)})`);
  return value;
};

/**
 * - master: `['master', offset, [[host, port, offset], ...]]`
 * - replica: `['slave' | 'replica', masterHost, masterPort, state, offset]` (offset is -1 before the
 *   first sync)
 * - sentinel: `['sentinel', [masterName, ...]]`
 */
export const parseRoleReply = (reply: unknown): RoleReply => {
  if (!Array.isArray(reply) || reply.length === 0)
    throw bad(`expected a non-empty array, got ${kindOf(reply)}`);
  const [role, ...rest] = reply;
  switch (role) {
    case 'master': {
      const [offset, replicas] = rest;
      if (rest.length !== 2 || !Array.isArray(replicas)) {
        throw bad('a master reply is [master, offset, [[host, port, offset], ...]]');
      }
      return {
        role: 'master',
        offset: requireInt(offset, 'master offset'),
        replicas: replicas.map((entry: unknown, i) => {
          if (!Array.isArray(entry) || entry.length !== 3) {
            throw bad(`replica ${i} should be [host, port, offset], got ${kindOf(entry)}`);
          }
          return {
            host: requireString(entry[0], `replica ${i} host`),
            port: requireInt(entry[1], `replica ${i} port`),
            offset: requireInt(entry[2], `replica ${i} offset`),
          };
        }),
      };
    }
    case 'slave':
    case 'replica': {
      if (rest.length !== 4) throw bad(`a replica reply has 5 elements, got ${reply.length}`);
      const [host, port, state, offset] = rest;
      return {
        role: 'replica',
        masterHost: requireString(host, 'master host'),
        masterPort: requireInt(port, 'master port'),
        state: requireString(state, 'replication state'),
        offset: requireInt(offset, 'replica offset'),
      };
    }
    case 'sentinel': {
      const [names] = rest;
      if (rest.length !== 1 || !Array.isArray(names))
        throw bad('a sentinel reply is [sentinel, [name, ...]]');
      return {
        role: 'sentinel',
        masterNames: names.map((name: unknown, i) => requireString(name, `master name ${i}`)),
      };
    }
    default:
      throw bad(
        typeof role === 'string'
          ? `unknown role ${JSON.stringify(role.slice(0, 40))}`
          : `role is ${kindOf(role)}`,
      );
  }
};
