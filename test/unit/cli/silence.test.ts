// `sentinel-watch silence` in-process, on the local-file store in a temporary directory (the table store
// is covered by test/unit/adapters/dynamo-silences.test.ts and the dynalite suite).

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type SilenceDeps, silenceCommand } from '../../../cli/commands/silence';
import { EXIT } from '../../../cli/io';
import { main } from '../../../cli/main';
import { FileSilenceStore } from '../../../cli/silence-file';
import { openSilenceStore } from '../../../cli/silence-source';
import { UsageError } from '../../../lambdas/core/errors';
import { MINUTE, NOW } from '../helpers/snapshot-factory';

let dir: string;
let file: string;
let out: string[];
let err: string[];
let now: number;
let ids: string[];

const io = () => ({
  out: (t: string) => out.push(t),
  err: (t: string) => err.push(t),
  env: { USER: 'alice', SENTINEL_WATCH_SILENCES: file } as NodeJS.ProcessEnv,
});
const deps = (): SilenceDeps => ({
  store: openSilenceStore,
  now: () => now,
  newId: () => ids.shift() ?? 's-ffffffffff',
  user: () => 'alice@bastion',
});
const silence = (...argv: string[]) => silenceCommand(argv, io(), deps());

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sw-silence-'));
  file = join(dir, 'nested', 'silences.json');
  out = [];
  err = [];
  now = NOW;
  ids = ['s-00000000a1', 's-00000000b2'];
});

describe('Command: silence', () => {
  it('adds a silence to the default file, lists it, and removes it', async () => {
    // Act
    const added = await silence(
      'add',
      '--deployment',
      'orders-cache',
      '--code',
      'replica_lagging',
      '--for',
      '2h',
      '--reason',
      'Re-syncing a replica after a disk swap',
    );
    now += 10 * MINUTE;
    out.length = 0;
    const listed = await silence('list');
    const listText = out.splice(0).join('\n');
    const removed = await silence('remove', 's-00000000a1', '--by', 'bob');
    const afterRemove = await silence('list', '--all', '--json');

    // Assess
    expect(added).toBe(EXIT.ok);
    expect(listed).toBe(EXIT.ok);
    expect(removed).toBe(EXIT.ok);
    expect(afterRemove).toBe(EXIT.ok);
    expect(err[0]).toBe(`End it early: sentinel-watch silence remove s-00000000a1 --silence-file ${file}`);
    expect(listText).toMatch(/^ID\s+DEPLOYMENT\s+CODE\s+SUBJECT\s+STATUS/);
    expect(listText).toContain('s-00000000a1  orders-cache  REPLICA_LAGGING  *        active, 110 min left');
    const [json] = out.slice(-1).map((l) => JSON.parse(l));
    expect(json).toMatchObject({
      id: 's-00000000a1',
      status: 'ended',
      endedBy: 'bob',
      endsAt: new Date(NOW + 10 * MINUTE).toISOString(),
    });
    expect(JSON.parse(readFileSync(file, 'utf8')).version).toBe(1);
  });

  it('starts every list --json line with schemaVersion, like every JSON document of the CLI', async () => {
    // Prepare
    await silence('add', '--deployment', 'orders-cache', '--for', '2h', '--reason', 'maintenance');
    out.length = 0;

    // Act
    const code = await silence('list', '--json');

    // Assess
    expect(code).toBe(EXIT.ok);
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^\{"schemaVersion":1,"id":"s-00000000a1",/);
  });

  it('suggests the remove command as the user runs the CLI', async () => {
    // Act
    await silenceCommand(
      ['add', '--deployment', 'orders-cache', '--for', '2h', '--reason', 'maintenance'],
      { ...io(), invocation: 'npx sentinel-watch' },
      deps(),
    );

    // Assess
    expect(err[0]).toBe(
      `End it early: npx sentinel-watch silence remove s-00000000a1 --silence-file ${file}`,
    );
  });

  it('prints what it silenced and until when', async () => {
    await silence('add', '--deployment', 'orders-cache', '--for', '90m', '--reason', 'maintenance');

    expect(out).toEqual([
      `s-00000000a1: silenced every alert of orders-cache until 2026-05-01T11:30:00.000Z (90 min), in ${file}.`,
    ]);
  });

  it('schedules a silence that starts later, and says so', async () => {
    await silence(
      'add',
      '--deployment',
      'orders-cache',
      '--for',
      '1h',
      '--start',
      '2026-05-01T22:00:00Z',
      '--reason',
      'night window',
    );

    expect(out[0]).toContain('from 2026-05-01T22:00:00.000Z until 2026-05-01T23:00:00.000Z (60 min)');
  });

  it.each([
    [['add', '--for', '2h', '--reason', 'x'], /^--deployment NAME is required/],
    [['add', '--deployment', 'd', '--reason', 'x'], /^--for DURATION is required/],
    [['add', '--deployment', 'd', '--for', '2h'], /^--reason TEXT is required/],
    [['add', '--deployment', 'd', '--for', '2', '--reason', 'x'], /^--for: "2" is not a duration/],
    [['add', '--deployment', 'd', '--for', '8d', '--reason', 'x'], /^--for: must be at most 7 days/],
    [['add', '--deployment', 'd', '--for', '1h', '--reason', 'x', '--code', 'NOPE'], /^--code: "NOPE"/],
    [['add', '--deployment', 'd', '--for', '1h', '--reason', 'x', '--subject', 'x'], /^--subject: "x"/],
    [['add', '--deployment', 'd', '--for', '1h', '--reason', 'x', '--start', 'tomorrow'], /^--start:/],
    [['list', '--for', '1h'], /^silence list takes no --for/],
    [['remove'], /^silence remove takes one silence id/],
    [['mute'], /^unknown silence command "mute"/],
    [['list', '--table', 'T', '--silence-file', 'f'], /^give --table or --silence-file, not both/],
  ])('rejects %j with a usage error naming the flag', async (argv, message) => {
    await expect(silence(...argv)).rejects.toThrow(UsageError);
    await expect(silence(...argv)).rejects.toThrow(message);
  });

  it('exits 3 through main with the flag named, and 1 when there is no such silence to remove', async () => {
    const usage = await main(['silence', 'add', '--for', '1h', '--reason', 'x'], io());
    const missing = await silenceCommand(['remove', 's-0000000000'], io(), deps());

    expect(usage).toBe(EXIT.usage);
    expect(err.join('\n')).toContain('sentinel-watch silence: --deployment NAME is required');
    expect(missing).toBe(EXIT.failed);
    expect(err.at(-1)).toBe(
      `sentinel-watch silence: no running or scheduled silence s-0000000000 in ${file}`,
    );
  });

  it('says a damaged file is damaged (exit 1) and ignores entries that do not validate', async () => {
    // Prepare
    await silence('add', '--deployment', 'orders-cache', '--for', '1h', '--reason', 'x');
    const body = JSON.parse(readFileSync(file, 'utf8'));
    body.silences.push({ ...body.silences[0], id: 'bad' });
    writeFileSync(file, JSON.stringify(body));

    // Act
    const listed = await silence('list', '--json');
    writeFileSync(file, '{ not json');
    const broken = await silence('list');

    // Assess
    expect(listed).toBe(EXIT.ok);
    expect(out.filter((l) => l.startsWith('{'))).toHaveLength(1);
    expect(err).toContain('warning: 1 stored silence did not validate and is ignored');
    expect(broken).toBe(EXIT.failed);
    expect(err.at(-1)).toMatch(/silences\.json is not valid JSON/);
  });
});

describe('Class: FileSilenceStore', () => {
  it('lands every one of several adds made at once (read-modify-write under its lock)', async () => {
    // Prepare
    const store = new FileSilenceStore(join(dir, 'concurrent.json'));
    const one = (i: number) => ({
      id: `s-00000000${String(i).padStart(2, '0')}`,
      deployment: 'orders-cache',
      code: null,
      subject: null,
      startsAt: new Date(NOW).toISOString(),
      endsAt: new Date(NOW + 60 * MINUTE).toISOString(),
      reason: `window ${i}`,
      createdBy: 'alice',
      createdAt: new Date(NOW).toISOString(),
    });

    // Act
    await Promise.all(Array.from({ length: 8 }, (_, i) => store.putSilence(one(i))));

    // Assess
    expect((await store.silencesFor('orders-cache', NOW)).map((s) => s.id).sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => one(i).id),
    );
    await expect(store.putSilence(one(3))).rejects.toThrow(/a silence s-0000000003 exists already/);
  });

  it('has no silences while the file does not exist', async () => {
    expect(await new FileSilenceStore(join(dir, 'none.json')).silencesFor('x', NOW)).toEqual([]);
  });
});
