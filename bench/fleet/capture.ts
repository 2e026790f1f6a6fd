// Records what a real master, replica and sentinel answer to the probe's own batches, for the RESP
// simulator (simulated-fleet.ts) to answer with: its replies are these, with the simulated
// deployment's names, addresses, offsets and ids put in. Run it again when the probe asks something
// new (the simulator answers an unknown command with an error, which the bench reports):
//
//   flock /tmp/sw-integration.lock npx tsx bench/fleet/capture.ts
//
// It starts a real fleet of two masters (ports 9000-9003, sentinels 9200-9202) and stops it after.

import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import Redis from 'ioredis';
import { ensureRedisServer } from '../../cli/local/redis-server-binary';
import type { RedisCommand } from '../../lambdas/core/batch';
import { nodeCommands, sentinelCommands } from '../../lambdas/core/read-server';
import { masterName, PASSWORD, RealFleet } from './real-fleet';

export const TEMPLATES_FILE = path.join(__dirname, 'templates.json');

/** Replaces the fleet's password wherever a reply echoes it (CONFIG GET masterauth), recursively. */
const redact = (reply: Captured): Captured =>
  typeof reply === 'string'
    ? reply.replaceAll(PASSWORD, '{password}')
    : Array.isArray(reply)
      ? reply.map(redact)
      : reply;

/** A reply as ioredis (RESP2) gives it, or the error text. */
export type Captured = string | number | null | Captured[] | { readonly error: string };

export interface Templates {
  readonly redisVersion: string;
  readonly capturedAt: string;
  /** Command (joined by spaces, master name and keys replaced by placeholders) -> reply. */
  readonly sentinel: Record<string, Captured>;
  readonly master: Record<string, Captured>;
  readonly replica: Record<string, Captured>;
}

/** The key a command is stored under: names of this capture replaced by placeholders. */
export const commandKey = (command: readonly string[], master: string, deployment: string): string =>
  command.map((part) => part.replaceAll(deployment, '{deployment}').replaceAll(master, '{master}')).join(' ');

async function ask(port: number, password: string | undefined, commands: RedisCommand[]) {
  const client = new Redis({ host: '127.0.0.1', port, password, protocol: 2, lazyConnect: true });
  client.on('error', () => undefined);
  await client.connect();
  const out: [string[], Captured][] = [];
  try {
    for (const command of commands) {
      try {
        out.push([
          command.map(String),
          redact((await client.call(command[0], ...command.slice(1))) as Captured),
        ]);
      } catch (error) {
        out.push([command.map(String), { error: (error as Error).message }]);
      }
    }
  } finally {
    client.disconnect();
  }
  return out;
}

async function main(): Promise<void> {
  const redis = await ensureRedisServer({ install: false });
  const fleet = await RealFleet.start(2, redis, (l) => process.stderr.write(`${l}\n`));
  try {
    const name = masterName(0);
    const key = (pairs: [string[], Captured][]) =>
      Object.fromEntries(pairs.map(([c, r]) => [commandKey(c, name, name), r]));
    const [masterPort, replicaPort] = fleet.dataPorts(0);
    const nodeBatch = nodeCommands(name, { writeProbe: { value: '1' } });
    const templates: Templates = {
      redisVersion: String(
        ((await ask(masterPort, PASSWORD, [['INFO', 'server']]))[0][1] as string).match(
          /redis_version:(\S+)/,
        )?.[1],
      ),
      capturedAt: new Date().toISOString(),
      sentinel: key(await ask(fleet.sentinelPorts[0], undefined, sentinelCommands(name))),
      master: key(await ask(masterPort, PASSWORD, nodeBatch)),
      replica: key(await ask(replicaPort, PASSWORD, nodeBatch)),
    };
    await writeFile(TEMPLATES_FILE, `${JSON.stringify(templates, null, 1)}\n`);
    process.stderr.write(`wrote ${TEMPLATES_FILE} (Redis ${templates.redisVersion})\n`);
  } finally {
    await fleet.stop();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`capture: ${(error as Error).stack ?? String(error)}\n`);
    process.exitCode = 1;
  });
}
