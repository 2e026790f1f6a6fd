// The drill report's HTML page, its SVG chart and its Markdown summary, as text. (That the page loads
// and draws in a real browser is test/integration/drill-report-chromium.test.ts.)

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  buildDrillReport,
  type DrillReport,
  legChart,
  renderDrillHtml,
  renderDrillMarkdown,
} from '../../../../lambdas/core/drill';
import { drillLeg, passedInput } from './fixtures';

const real = JSON.parse(
  readFileSync(join(__dirname, '../../../fixtures/drill/report-redis-7.0.json'), 'utf8'),
) as DrillReport;

const series = {
  fromMs: 0,
  bucketMs: 100,
  client: { acknowledged: [10, 10, 0, 10], failed: [0, 0, 5, 0], lost: [0, 4, 0, 0] },
  oldMaster: { acknowledged: [10, 10, 10, 0], failed: [0, 0, 0, 10], lost: [0, 10, 10, 0] },
};

describe('Function: legChart', () => {
  it('draws kept, lost and failed bars, the split-brain window and labelled markers', () => {
    // Prepare
    const r = buildDrillReport(passedInput({ legs: [drillLeg({ writeSeries: series })] }));

    // Act
    const svg = legChart(r.legs[0], r.timeline)!;

    // Assess
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg).toContain('fill="#2e7d32"'); // kept
    expect(svg).toContain('fill="#c62828"'); // lost
    expect(svg).toContain('fill="#f9a825"'); // failed
    expect(svg).toContain('split brain: old master acknowledged writes for 10.1 s after +switch-master');
    expect(svg).toMatch(/class="marker"[^>]*>\+switch-master</);
    expect(svg).toMatch(/class="marker"[^>]*>SENTINEL FAILOVER</);
    expect(svg).toContain('SENTINEL FAILOVER to +switch-master: 1.10 s');
    expect(svg).toContain('SENTINEL FAILOVER to every check passed: 21.3 s');
    expect(svg).toContain('4 acknowledged, later lost');
  });

  it('labels each kind of event once and turns the rest into ticks', () => {
    // Act
    const svg = legChart(real.legs[0], real.timeline)!;

    // Assess: three sentinels announce +switch-master; one label, the others ticks with a tooltip
    expect(svg.match(/class="marker"[^>]*>\+switch-master</g)).toHaveLength(1);
    expect(svg).toMatch(/class="marker"[^>]*>\+convert-to-slave</);
    expect(svg).toContain('+slave-reconf-sent');
  });

  it('is null for a leg without write timings (a report made before they were kept)', () => {
    expect(legChart(drillLeg(), [])).toBeNull();
  });
});

describe('Function: renderDrillHtml', () => {
  it('is one self-contained page: no script, nothing fetched, a policy that forbids loading', () => {
    // Act
    const html = renderDrillHtml(real);

    // Assess
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).not.toMatch(/<script|<link|<iframe|@import|url\(/i);
    expect(html).not.toMatch(/\s(src|href)=/i);
    // The only URL is the SVG namespace, which is a name, not a fetch
    expect(html.match(/https?:\/\/[^"]+/g)?.every((u) => u === 'http://www.w3.org/2000/svg')).toBe(true);
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'`);
    expect(html).toContain('<section id="picture">');
    expect(html).toContain('PASSED');
  });

  it('escapes every text that came from servers or config', () => {
    // Prepare
    const r = buildDrillReport(
      passedInput({
        deployment: '<img src=x onerror=alert(1)>',
        legs: [drillLeg({ writeSeries: series })],
        timeline: [
          {
            atMs: 100,
            source: 'sentinel',
            sentinel: '10.0.1.61:26379',
            type: '+sdown',
            detail: '"><script>alert(1)</script>',
          },
        ],
      }),
    );

    // Act
    const html = renderDrillHtml(r);

    // Assess
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&quot;&gt;&lt;script&gt;');
  });

  it('says why there is no picture for a refused drill and for an old report', () => {
    // Act
    const refused = renderDrillHtml(buildDrillReport(passedInput({ legs: [] })));
    const old = renderDrillHtml(buildDrillReport(passedInput()));

    // Assess
    expect(refused).toContain('No failover was started: nothing to draw.');
    expect(old).toContain('keeps no per-100 ms write timings');
  });
});

describe('Function: renderDrillMarkdown', () => {
  it('leads with the verdict and the numbers, folds the checks away', () => {
    // Act
    const md = renderDrillMarkdown(real);

    // Assess
    expect(md.split('\n')[0]).toBe('## ✅ PASSED: Failover drill of local-7.0');
    expect(md).toContain('| Time to +switch-master | 1.2 s |');
    expect(md).toContain('| Old master acknowledged writes lost | **1057** |');
    expect(md).toContain('| Split-brain window (old master) | **10.1 s** |');
    expect(md).toContain('<details><summary>All 24 checks</summary>');
    expect(md).toContain('`+convert-to-slave`');
    expect(md).toContain('**Advice**');
  });

  it('lists failed checks, and keeps pipes and markup in server text from breaking the table', () => {
    // Prepare
    const input = passedInput();
    const r = buildDrillReport({
      ...input,
      checks: [
        ...input.checks,
        {
          name: 'replicas-attached',
          phase: 'verify',
          passed: false,
          detail: 'a|b <b>bold</b>\nnext',
          elapsedMs: 60_000,
        },
      ],
    });

    // Act
    const md = renderDrillMarkdown(r);

    // Assess
    expect(md.split('\n')[0]).toBe('## ❌ FAILED: Failover drill of prod-cache');
    expect(md).toContain('- `replicas-attached` (verify, +60000 ms): a\\|b &lt;b&gt;bold&lt;/b&gt; next');
    expect(md).toContain(
      '| verify | `replicas-attached` | **FAILED** | 60000 ms | a\\|b &lt;b&gt;bold&lt;/b&gt; next |',
    );
  });
});
