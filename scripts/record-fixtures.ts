// `npm run record:fixtures [-- NAME ...]`: records the reply fixtures of test/fixtures/<dir> from real
// servers, so the parser tests read what a real Redis 5.0.14 (or Valkey 8.0.1) says, not what someone
// believed it says. Starts the local topology (ports 8300-8302, 28300-28302) on the build, drives it
// into each state (healthy, a replica down, a sentinel in TILT, a master gone) and writes each reply as
// ioredis gives it with protocol 2 (what the probe sees): INFO as text, everything else as JSON.
//
// NAME: a build.sh name (default: redis-5.0.14 valkey-8.0.1); builds come from $SENTINEL_WATCH_SERVERS
// or ../shared/servers, like `npm run test:versions`. Run it under the integration lock:
//   flock /tmp/sw-integration.lock npm run record:fixtures

import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Redis from 'ioredis';
import { serverRelease } from '../cli/local/redis-server-binary';
import { LocalTopology, waitFor } from '../cli/local/topology';
import { parseInfo } from '../lambdas/core/parse-info';
import { serverLabel, versionParts } from '../lambdas/core/server-version';

const ROOT = path.resolve(__dirname, '..');
const BASE_PORT = 8300;
const MASTER = 'mymaster';
const DEFAULT_BUILDS = ['redis-5.0.14', 'valkey-8.0.1'];
/** Announced by one replica, listened on by nothing: the sentinels' never-reached replica. */
const NEVER_REACHED_PORT = 8399;

interface Recorded {
  readonly file: string;
  readonly what: string;
}

function buildBinary(name: string): string {
  const dir = process.env.SENTINEL_WATCH_SERVERS || path.resolve(ROOT, '..', 'shared', 'servers');
  const script = path.join(dir, 'build.sh');
  if (!existsSync(script)) throw new Error(`no ${script}: set SENTINEL_WATCH_SERVERS to the servers folder`);
  return execFileSync('bash', [script, name], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function record(name: string): Promise<void> {
  const binary = buildBinary(name);
  const release = await serverRelease(binary);
  const [major] = versionParts(release.version) ?? [0];
  const dir = path.join(ROOT, 'test', 'fixtures', `${release.flavour}${major}`);
  mkdirSync(dir, { recursive: true });
  const files: Recorded[] = [];
  const save = (file: string, reply: unknown, what: string): void => {
    const text = typeof reply === 'string' ? reply : `${JSON.stringify(reply, null, 2)}\n`;
    writeFileSync(path.join(dir, file), text);
    files.push({ file, what });
  };

  console.log(`recording ${serverLabel(release)} (${binary}) into ${path.relative(ROOT, dir)}`);
  const topo = await LocalTopology.up({
    basePort: BASE_PORT,
    dir: path.join(os.tmpdir(), `sentinel-watch-fixtures-${BASE_PORT}`),
    redisServer: binary,
  });
  const [masterPort, replicaPort, downPort] = topo.dataPorts;
  const [sentinelPort, , tiltPort] = topo.sentinelPorts;
  const node = <T>(port: number, fn: (c: Redis) => Promise<T>) => topo.withClient(port, fn, 2000);
  const sentinel = (...args: string[]) => node(sentinelPort, (c) => c.call('SENTINEL', ...args));
  try {
    // A healthy deployment; min-replicas-to-write so the master reports its good-replica count.
    await node(masterPort, (c) => c.call('CONFIG', 'SET', 'min-replicas-to-write', '1'));
    await node(masterPort, (c) => c.set('fixture', 'x'.repeat(100)));
    // Recorded once the replicas have acknowledged everything (their offsets in the master's INFO) and
    // the sentinels have read their offsets too (INFO every 10 s): a settled deployment, not a start-up.
    await waitFor(
      () =>
        node(masterPort, async (c) => {
          const f = parseInfo(await c.info('replication'));
          const synced = [f.slave0, f.slave1].every((l) => l?.includes(`offset=${f.master_repl_offset},`));
          return f.min_slaves_good_slaves === '2' && synced;
        }),
      10_000,
      'both replicas to acknowledge the master offset',
    );
    await waitFor(
      async () =>
        ((await sentinel('REPLICAS', MASTER)) as string[][]).every(
          (r) => !r.includes('slave-repl-offset') || r[r.indexOf('slave-repl-offset') + 1] !== '0',
        ),
      15_000,
      'the sentinels to read the replicas offsets',
    );
    save(
      'info-master.txt',
      await node(masterPort, (c) => c.info()),
      'INFO of the master, two replicas online, `min-replicas-to-write 1`',
    );
    save('info-replica.txt', await node(replicaPort, (c) => c.info()), 'INFO of a replica with its link up');
    save('info-sentinel.txt', await node(sentinelPort, (c) => c.info()), 'INFO of a sentinel, not in TILT');
    save('role-master.json', await node(masterPort, (c) => c.call('ROLE')), 'ROLE of the master');
    save('role-replica.json', await node(replicaPort, (c) => c.call('ROLE')), 'ROLE of a replica');
    save('role-sentinel.json', await node(sentinelPort, (c) => c.call('ROLE')), 'ROLE of a sentinel');
    save('sentinel-master.json', await sentinel('MASTER', MASTER), `SENTINEL MASTER ${MASTER}`);
    save(
      'sentinel-sentinels.json',
      await sentinel('SENTINELS', MASTER),
      `SENTINEL SENTINELS ${MASTER} (two peers)`,
    );
    save(
      'sentinel-get-master-addr-by-name.json',
      await sentinel('GET-MASTER-ADDR-BY-NAME', MASTER),
      `SENTINEL GET-MASTER-ADDR-BY-NAME ${MASTER}`,
    );
    save(
      'sentinel-ckquorum-ok.txt',
      `${await sentinel('CKQUORUM', MASTER)}\n`,
      `SENTINEL CKQUORUM ${MASTER}`,
    );
    save(
      'sentinel-replicas.json',
      await sentinel('REPLICAS', MASTER),
      `SENTINEL REPLICAS ${MASTER}, both healthy`,
    );

    // What this version answers to the commands that differ between versions (an error's message,
    // or the reply): the probe's error classes and the capability table are checked against these.
    const answer = (port: number, ...command: string[]) =>
      node(port, (c) => c.call(command[0], ...command.slice(1))).then(
        (reply) => ({ reply }),
        (err: Error) => ({ error: err.message }),
      );
    save(
      'version-differences.json',
      {
        'AUTH <password> to a server without requirepass (a sentinel)': await answer(
          sentinelPort,
          'AUTH',
          'x',
        ),
        'AUTH <username> <password> (ACL users)': await answer(
          masterPort,
          'AUTH',
          'default',
          'wrong-password',
        ),
        'AUTH <wrong password>': await answer(masterPort, 'AUTH', 'wrong-password'),
        'INFO errorstats': await answer(masterPort, 'INFO', 'errorstats'),
        'SENTINEL CONFIG GET resolve-hostnames': await answer(
          sentinelPort,
          'SENTINEL',
          'CONFIG',
          'GET',
          'resolve-hostnames',
        ),
        'SENTINEL REPLICAS': await answer(sentinelPort, 'SENTINEL', 'REPLICAS', 'no-such-master'),
        'SENTINEL SLAVES': await answer(sentinelPort, 'SENTINEL', 'SLAVES', 'no-such-master'),
        'CONFIG GET enable-debug-command': await answer(masterPort, 'CONFIG', 'GET', 'enable-debug-command'),
      },
      'what this version answers to the commands that differ between versions (reply or error message)',
    );

    // A replica that announces a port nothing listens on (replica-announce-port): the master lists it
    // there, and the sentinels learn an address they never reach. Then that replica is killed too.
    await node(downPort, (c) => c.call('CONFIG', 'SET', 'replica-announce-port', String(NEVER_REACHED_PORT)));
    await node(downPort, (c) => c.call('CLIENT', 'KILL', 'TYPE', 'master'));
    await waitFor(
      () =>
        node(masterPort, async (c) => (await c.info('replication')).includes(`port=${NEVER_REACHED_PORT},`)),
      10_000,
      `the master to list the replica on :${NEVER_REACHED_PORT}`,
    );
    // The sentinels learn it from the master's INFO (every 10 s); the master forgets it once it is gone.
    await waitFor(
      async () =>
        ((await sentinel('SLAVES', MASTER)) as string[][]).some((r) =>
          r.includes(String(NEVER_REACHED_PORT)),
        ),
      20_000,
      `the sentinel to learn the replica on :${NEVER_REACHED_PORT}`,
    );
    await topo.kill(downPort);
    const sdown = await waitFor(
      async () => {
        const reply = (await sentinel('SLAVES', MASTER)) as string[][];
        const flagged = reply.filter((r) => r.join(' ').includes('s_down'));
        return flagged.length === 2 ? reply : undefined;
      },
      20_000,
      `a sentinel to flag ${downPort} and the never-reached :${NEVER_REACHED_PORT} s_down`,
    );
    save(
      'sentinel-slaves.json',
      sdown,
      `SENTINEL SLAVES ${MASTER}: one replica healthy, one killed (s_down), one announced on :${NEVER_REACHED_PORT} and never reached`,
    );

    // A sentinel stopped (SIGSTOP) for 3 s: on waking its timer sees the jump and enters TILT.
    await topo.freeze(tiltPort);
    await sleep(3000);
    await topo.thaw(tiltPort);
    const tilt = await waitFor(
      () =>
        node(tiltPort, async (c) => ((await c.info()).includes('sentinel_tilt:1') ? c.info() : undefined)),
      5000,
      'sentinel_tilt:1',
    );
    save('info-sentinel-tilt.txt', tilt, 'INFO of a sentinel in TILT (it was stopped for 3 s)');

    // The master gone while no sentinel can fail over (all stopped): the replica's link is down.
    for (const port of topo.sentinelPorts) await topo.freeze(port);
    await topo.kill(masterPort);
    await waitFor(
      () =>
        node(replicaPort, async (c) => parseInfo(await c.info('replication')).master_link_status === 'down'),
      10_000,
      'master_link_status:down',
    );
    await sleep(2000);
    save(
      'info-replica-link-down.txt',
      await node(replicaPort, (c) => c.info('replication')),
      'INFO replication of a replica ~2 s after its master was killed',
    );
    save(
      'role-replica-link-down.json',
      await node(replicaPort, (c) => c.call('ROLE')),
      'ROLE of that replica',
    );
  } finally {
    await topo.down();
  }

  const readme = [
    `# ${serverLabel(release)} fixtures: RECORDED`,
    '',
    `Replies of real ${serverLabel(release)} servers (\`${path.basename(binary)} --version\`: ${release.flavour} ${release.version}),`,
    'recorded by `scripts/record-fixtures.ts` from the local topology (1 master on 8300, replicas 8301',
    'and 8302, sentinels 28300-28302) through ioredis with protocol 2, as the probe reads them. INFO',
    'replies are the raw text (CRLF line ends); every other reply is JSON. Refresh them with',
    '',
    '```sh',
    `flock /tmp/sw-integration.lock npm run record:fixtures -- ${name}`,
    '```',
    '',
    'Run ids, offsets and uptimes change on every recording: tests compare parsed values with the',
    "fixture's own raw fields, not with constants.",
    '',
    'Files:',
    '',
    ...files.map((f) => `- \`${f.file}\`: ${f.what}.`),
    '',
  ];
  writeFileSync(path.join(dir, 'README.md'), readme.join('\n'));
  // In the repository's JSON style, so a refresh leaves `npm run lint` clean.
  execFileSync(process.execPath, [require.resolve('@biomejs/biome/bin/biome'), 'format', '--write', dir], {
    stdio: 'ignore',
  });
  console.log(`wrote ${files.length} fixtures and README.md`);
}

async function main(argv: readonly string[]): Promise<void> {
  for (const name of argv.length > 0 ? argv : DEFAULT_BUILDS) await record(name);
}

main(process.argv.slice(2)).catch((err) => {
  console.error(`record-fixtures: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
