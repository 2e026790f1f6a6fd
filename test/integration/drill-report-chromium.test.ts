// The drill report's HTML in real headless Chromium (Debian's `chromium`), with no network: it loads
// without a request beyond its own file and without a console error, and the PNG of its picture shows
// the chart (its pixels are the chart's colours, not a blank page). No redis-server: no lock needed.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { renderInChromium } from '../../cli/chromium';
import { PAGE_WIDTH, renderDrillHtml } from '../../lambdas/core/drill';
import { realDrillReport } from '../fixtures/drill/report';
import { countColour, decodePng, nonWhite } from './png';

const report = realDrillReport();

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'sentinel-watch-chromium-it-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const page = (name: string, html: string): string => {
  const file = join(dir, name);
  writeFileSync(file, html);
  return file;
};

describe('Function: renderDrillHtml in headless Chromium', () => {
  it('loads with no request but its own file and no console error or warning', async () => {
    // Prepare
    const file = page('report.html', renderDrillHtml(report));

    // Act
    const result = await renderInChromium({ htmlFile: file, selector: '#picture', width: PAGE_WIDTH });

    // Assess
    expect(result.problems).toEqual([]);
    expect(result.requests).toEqual([pathToFileURL(file).href]);
    expect(result.blocked).toEqual([]);
  });

  it('shows the chart in the PNG: kept, lost and failed bars, split-brain shading, not a blank page', async () => {
    // Prepare
    const file = page('picture.html', renderDrillHtml(report));

    // Act
    const { png } = await renderInChromium({ htmlFile: file, selector: '#picture', width: PAGE_WIDTH });
    writeFileSync(join(dir, 'picture.png'), png);
    const image = decodePng(png);

    // Assess: the picture is the page's width and tall enough for two panels
    expect(image.width).toBeGreaterThan(1000);
    expect(image.height).toBeGreaterThan(600);
    // The lower 60% is the chart: far from blank, and drawn in the chart's colours. The fixture's
    // old master acknowledged ~1,060 lost writes over 10 s and failed ~900 after its conversion.
    const chartTop = Math.floor(image.height * 0.4);
    expect(nonWhite(image, chartTop, image.height)).toBeGreaterThan(0.15);
    expect(countColour(image, '#2e7d32', chartTop)).toBeGreaterThan(20_000); // acknowledged, kept
    expect(countColour(image, '#c62828', chartTop)).toBeGreaterThan(10_000); // acknowledged, later lost
    expect(countColour(image, '#f9a825', chartTop)).toBeGreaterThan(10_000); // failed
    // The top is the verdict: the PASSED badge's green
    expect(countColour(image, '#2e7d32', 0, 60)).toBeGreaterThan(500);
  });

  it('blocks anything the page would fetch (control: an injected image is refused and reported)', async () => {
    // Prepare: the same page with an external image slipped in
    const html = renderDrillHtml(report).replace(
      '<main>',
      '<main><img src="http://sentinel-watch.invalid/pixel.png" alt="">',
    );
    const file = page('injected.html', html);

    // Act
    const result = await renderInChromium({ htmlFile: file, selector: '#picture', width: PAGE_WIDTH });

    // Assess: the page's own policy refuses it, and says so on the console
    expect(result.blocked).toEqual(['csp http://sentinel-watch.invalid/pixel.png']);
    expect(result.problems.join('\n')).toMatch(/Content Security Policy/);
  });

  it('reports console errors and requests of a page without the policy (the harness can fail)', async () => {
    // Prepare
    const file = page(
      'hostile.html',
      '<!doctype html><body><section id="picture">x<img src="http://sentinel-watch.invalid/a.png"></section><script>console.error("boom")</script></body>',
    );

    // Act
    const result = await renderInChromium({ htmlFile: file, selector: '#picture', width: 400 });

    // Assess
    expect(result.problems.join('\n')).toMatch(/boom/);
    expect(result.requests).toContain('http://sentinel-watch.invalid/a.png');
  });

  it('fails with a clear error when there is no Chromium', async () => {
    // Prepare
    const file = page('nobrowser.html', renderDrillHtml(report));

    // Act
    const attempt = renderInChromium({
      htmlFile: file,
      selector: '#picture',
      width: PAGE_WIDTH,
      executable: join(dir, 'no-such-chromium'),
    });

    // Assess
    await expect(attempt).rejects.toThrow(
      /no-such-chromium\) failed: .*ENOENT.*\(install it: apt-get install chromium\)/,
    );
  });
});
