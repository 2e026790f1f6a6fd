// A real drill from the CLI with --html, --png and --markdown, on a real 1 master + 2 replicas + 3
// sentinels (ports 8650-8652, sentinels 28650-28652) without write protection: the report keeps
// per-100 ms write counts that add up to its own summaries, the files say why the default criteria
// failed it, and the PNG headless Chromium made of it shows the chart.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { drillCommand } from '../../cli/commands/drill';
import type { CliIo } from '../../cli/io';
import type { LocalTopology } from '../../cli/local/topology';
import { type DrillReport, totalOf } from '../../lambdas/core/drill';
import { downAndRemove, upInTempDir } from './drill-helpers';
import { countColour, decodePng } from './png';

const BASE = 8650;

let topo: LocalTopology;
let dir: string;

beforeAll(async () => {
  ({ topo, dir } = await upInTempDir('sentinel-watch-drill-picture-it-', BASE));
}, 60_000);

afterAll(() => downAndRemove(topo, dir));

describe('Command: drill --html --png --markdown (real topology, real Chromium)', () => {
  it('writes the picture of a real failover', async () => {
    // Prepare
    const out: string[] = [];
    const err: string[] = [];
    const io: CliIo = {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
      env: { ...process.env, REDIS_PASSWORD: topo.password },
    };
    const files = {
      html: path.join(dir, 'drill.html'),
      png: path.join(dir, 'drill.png'),
      markdown: path.join(dir, 'drill.md'),
    };

    // Act
    const code = await drillCommand(
      [
        '--sentinels',
        topo.sentinelAddresses.join(','),
        '--master',
        'mymaster',
        '--name',
        'it-picture',
        '--timeout-ms',
        '500',
        '--json',
        '--html',
        files.html,
        '--png',
        files.png,
        '--markdown',
        files.markdown,
      ],
      io,
    );

    // Assess: without write protection every check passes but the default pass criteria fail the
    // drill (the old master acknowledges lost writes for ~10 s); the buckets add up to the leg's counts
    const r = JSON.parse(out[0]) as DrillReport;
    expect(code).toBe(1);
    expect(r.checks.every((c) => c.passed)).toBe(true);
    expect(r.criteriaResults.filter((c) => !c.passed).map((c) => c.criterion)).toContain('maxSplitBrainMs');
    const leg = r.legs[0];
    const s = leg.writeSeries!;
    expect(s.bucketMs).toBe(100);
    expect(totalOf(s.client.acknowledged)).toBe(leg.clientWrites?.acknowledged);
    expect(totalOf(s.client.failed)).toBe(leg.clientWrites?.failed);
    expect(totalOf(s.client.lost)).toBe(leg.clientWrites?.lost);
    expect(totalOf(s.oldMaster.acknowledged)).toBe(leg.oldMasterWrites?.acknowledged);
    expect(totalOf(s.oldMaster.lost)).toBe(leg.oldMasterWrites?.lost);
    expect(err.at(-1)).toBe(`Wrote ${files.markdown}, ${files.html}, ${files.png}`);

    // The files: the page names the drill, the summary leads with the verdict, the PNG is the chart.
    // Without write protection the old master acknowledges writes that are lost (red) for ~10 s.
    expect(await readFile(files.html, 'utf8')).toContain(`id ${r.id}`);
    const markdown = await readFile(files.markdown, 'utf8');
    expect(markdown).toMatch(/^## ❌ FAILED: Failover drill of it-picture/);
    expect(markdown).toMatch(/\| `maxSplitBrainMs` \| 5.0 s \| \d+\.\d s \| \*\*FAILED\*\* \|/);
    const image = decodePng(await readFile(files.png));
    expect(image.height).toBeGreaterThan(600);
    expect(countColour(image, '#2e7d32')).toBeGreaterThan(10_000);
    expect(countColour(image, '#c62828')).toBeGreaterThan(5_000);
  });
});
