// `--html FILE`, `--png FILE`, `--markdown FILE`: the drill report written as files, for the drill
// itself (`drill --html ...`) and for stored or saved reports (`drill show`). The PNG is the page's
// `#picture` (verdict, numbers, charts) rendered by headless Chromium.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { type DrillReport, PAGE_WIDTH, renderDrillHtml, renderDrillMarkdown } from '../lambdas/core/drill';
import { renderInChromium } from './chromium';
import type { CliIo } from './io';

export const reportFileOptions = {
  html: { type: 'string' },
  png: { type: 'string' },
  markdown: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const reportFileOptionsHelp = `Report files (written whatever the verdict):
  --html FILE                   the report as one self-contained HTML page with the failover's picture
  --png FILE                    the picture as a PNG (needs Chromium: apt-get install chromium;
                                CHROMIUM=/path/to/chrome to use another)
  --markdown FILE               a Markdown summary, e.g. for $GITHUB_STEP_SUMMARY`;

export interface ReportFileFlags {
  readonly html?: string;
  readonly png?: string;
  readonly markdown?: string;
}

/** Renders an HTML file to a PNG of its `#picture`; headless Chromium unless a test supplies another. */
export type RenderPng = (htmlFile: string, env: NodeJS.ProcessEnv) => Promise<Buffer>;

export const chromiumPng: RenderPng = async (htmlFile, env) => {
  const result = await renderInChromium({
    htmlFile,
    selector: '#picture',
    width: PAGE_WIDTH,
    ...(env.CHROMIUM ? { executable: env.CHROMIUM } : {}),
  });
  return result.png;
};

/** Writes each requested file; says on stderr what it wrote. */
export async function writeReportFiles(
  report: DrillReport,
  flags: ReportFileFlags,
  io: CliIo,
  renderPng: RenderPng = chromiumPng,
): Promise<void> {
  const written: string[] = [];
  const html = flags.html !== undefined || flags.png !== undefined ? renderDrillHtml(report) : null;
  if (flags.markdown !== undefined) {
    writeFileSync(flags.markdown, renderDrillMarkdown(report));
    written.push(flags.markdown);
  }
  if (html !== null && flags.html !== undefined) {
    writeFileSync(flags.html, html);
    written.push(flags.html);
  }
  if (html !== null && flags.png !== undefined) {
    // Chromium needs a file to load; the HTML the user asked for, or a private temporary one.
    const temp = flags.html === undefined ? mkdtempSync(join(tmpdir(), 'sentinel-watch-report-')) : null;
    const htmlFile = resolve(flags.html ?? join(temp as string, 'report.html'));
    try {
      if (temp !== null) writeFileSync(htmlFile, html);
      writeFileSync(flags.png, await renderPng(htmlFile, io.env));
      written.push(flags.png);
    } finally {
      if (temp !== null) rmSync(temp, { recursive: true, force: true });
    }
  }
  if (written.length > 0) io.err(`Wrote ${written.join(', ')}`);
}
