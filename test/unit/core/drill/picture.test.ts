import {
  buildDrillReport,
  type DrillReport,
  legChart,
  renderDrillHtml,
  renderDrillMarkdown,
} from '../../../../lambdas/core/drill';
import { realDrillReport } from '../../../fixtures/drill/report';
import { drillLeg, passedInput } from './fixtures';

const real = realDrillReport();

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

describe('Pass criteria in the page and the summary', () => {
  const judged = {
    ...real,
    passed: false,
    outcome: 'failed',
    mode: 'failover',
    criteriaResults: [
      {
        criterion: 'maxSplitBrainMs',
        limit: 5000,
        measured: 10_071,
        passed: false,
        detail: 'the old master acknowledged writes for 10071 ms after +switch-master',
        fix: 'set min-replicas-to-write 1 and min-replicas-max-lag 2',
      },
      {
        criterion: 'maxLostAcknowledgedWrites.oldMaster',
        limit: 500,
        measured: 1057,
        passed: false,
        detail: '1057 lost',
        fix: 'set min-replicas-to-write 1',
      },
      { criterion: 'maxSwitchMs', limit: 10_000, measured: 1172, passed: true, detail: 'ok', fix: null },
    ],
  } as DrillReport;

  it('puts the failed criteria, with their fix, in the picture, and all of them in a table', () => {
    // Act
    const html = renderDrillHtml(judged);
    const picture = html.slice(html.indexOf('<section id="picture">'), html.indexOf('</section>'));

    // Assess
    expect(picture).toContain('FAILED</span>');
    expect(picture).toContain('maxSplitBrainMs: measured 10.1 s, limit 5.0 s');
    expect(picture).toContain('maxLostAcknowledgedWrites.oldMaster: measured 1057, limit 500');
    expect(picture).toContain('Fix: set min-replicas-to-write 1 and min-replicas-max-lag 2');
    expect(picture).not.toContain('maxSwitchMs');
    expect(html).toContain('<h2>Pass criteria</h2>');
    expect(html).toMatch(/<td class="mono">maxSwitchMs<\/td><td>10.0 s<\/td><td>1.2 s<\/td><td>ok<\/td>/);
  });

  it('tables every criterion in the Markdown and says how to fix the failed ones', () => {
    // Act
    const md = renderDrillMarkdown(judged);

    // Assess
    expect(md.split('\n')[0]).toBe('## ❌ FAILED: Failover drill of local-7.0');
    expect(md).toContain('| `maxSplitBrainMs` | 5.0 s | 10.1 s | **FAILED** |');
    expect(md).toContain('| `maxSwitchMs` | 10.0 s | 1.2 s | ok |');
    expect(md).toContain(
      '- `maxSplitBrainMs`: the old master acknowledged writes for 10071 ms after +switch-master. Fix: set min-replicas-to-write 1 and min-replicas-max-lag 2',
    );
  });

  it('names a planned switchover as such', () => {
    const md = renderDrillMarkdown({ ...judged, mode: 'switchover' } as DrillReport);
    expect(md.split('\n')[0]).toBe('## ❌ FAILED: Planned switchover drill of local-7.0');
  });
});
