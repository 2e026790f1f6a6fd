#!/usr/bin/env -S npx tsx
// Renders sample alerts exactly as the Slack notifier builds them (lambdas/core/slack-message.ts) into
// an HTML page that imitates Slack's message layout (avatar, app name, the text line, the attachment
// with its colour bar, sections, two-column fields, context), then screenshots it with headless
// Chromium: docs/images/slack-alerts.png. The Block Kit JSON it rendered is written beside it.
//
//   npx tsx scripts/render-slack.ts [out.png]      (needs `chromium`: apt-get install -y chromium)

import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { renderAlert } from '../lambdas/core/alert-text';
import type { Notification } from '../lambdas/core/incidents';
import { noticeFromAlarm } from '../lambdas/core/notify/alarm';
import type { Notice } from '../lambdas/core/notify/notice';
import type { Presentation } from '../lambdas/core/notify/presentation';
import { slackPayloadProblems } from '../lambdas/core/notify/slack-limits';
import { type SlackWebhookPayload, slackMessage } from '../lambdas/core/slack-message';

const out = resolve(process.argv[2] ?? 'docs/images/slack-alerts.png');
const ZONE = 'Europe/Berlin';
const presentation: Presentation = {
  runbookBaseUrl: 'https://github.com/sentinel-watch/sentinel-watch/blob/main/docs/alert-catalogue.md',
  dashboardUrl:
    'https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=SentinelWatch-eu-west-1',
  timeZone: ZONE,
};

const at = (hms: string) => `2026-05-01T${hms}Z`;
const switched: Notification = {
  type: 'event',
  code: 'MASTER_CHANGED',
  severity: 'critical',
  subject: 'deployment',
  message:
    "The sentinels switched the master of mymaster from 10.0.1.61:6379 to 10.0.1.63:6379. 10.0.1.61:6379 is still down. Check that clients reconnected to 10.0.1.63:6379 (they must ask Sentinel for the master), find out why 10.0.1.61:6379 failed (its log, host, network), and that it rejoins as a replica. Writes 10.0.1.61:6379 acknowledged after its replicas' last sync are lost.",
  deployment: 'orders-cache',
  at: at('01:12:04.310'),
  incidentId: `orders-cache:MASTER_CHANGED deployment@${at('01:12:04.310')}`,
  openedAt: at('01:12:04.310'),
  details: {
    previous: { host: '10.0.1.61', port: 6379 },
    current: { host: '10.0.1.63', port: 6379 },
    timeline: {
      leader: '10.0.1.62:26379',
      entries: [
        ['01:12:00.402', '10.0.1.61:26379', '+sdown', 'master mymaster 10.0.1.61 6379'],
        ['01:12:00.511', '10.0.1.62:26379', '+odown', 'master mymaster 10.0.1.61 6379 #quorum 2/2'],
        ['01:12:00.569', '10.0.1.62:26379', '+elected-leader', 'master mymaster 10.0.1.61 6379'],
        [
          '01:12:00.636',
          '10.0.1.62:26379',
          '+selected-slave',
          'slave 10.0.1.63:6379 10.0.1.63 6379 @ mymaster 10.0.1.61 6379',
        ],
        [
          '01:12:01.552',
          '10.0.1.62:26379',
          '+promoted-slave',
          'slave 10.0.1.63:6379 10.0.1.63 6379 @ mymaster 10.0.1.61 6379',
        ],
        ['01:12:01.620', '10.0.1.62:26379', '+switch-master', 'mymaster 10.0.1.61 6379 10.0.1.63 6379'],
      ].map(([t, sentinel, type, detail]) => ({ at: at(t), sentinel, type, detail })),
    },
  },
};
const unreachable: Notification = {
  type: 'opened',
  code: 'REPLICA_UNREACHABLE',
  severity: 'warning',
  subject: 'node 10.0.1.61:6379',
  message:
    'Replica 10.0.1.61:6379 (the master until the last switch) refuses connections (nothing listens on the port): one failover target fewer. The process is down: check why it stopped (log, OOM killer) and start it again. Once back it resyncs from the master by itself.',
  deployment: 'orders-cache',
  at: at('01:12:04.310'),
  incidentId: `orders-cache:REPLICA_UNREACHABLE node 10.0.1.61:6379@${at('01:12:04.310')}`,
  openedAt: at('01:12:04.310'),
};
const back: Notification = {
  ...unreachable,
  type: 'resolved',
  at: at('01:31:10.000'),
  durationMs: 19 * 60_000 + 6_000,
  message: 'Resolved after 19 min: REPLICA_UNREACHABLE on node 10.0.1.61:6379 is no longer reported.',
};
const alarm = noticeFromAlarm(
  {
    AlarmName: 'SentinelWatch-poller-not-running',
    AlarmDescription:
      'No successful run of the sentinel-watch poller for 5 minutes (it is scheduled every 1): nothing is watching the Redis deployments. Check the schedule rule, the poller-errors alarm and the log group.',
    AWSAccountId: '123456789012',
    NewStateValue: 'ALARM',
    OldStateValue: 'OK',
    NewStateReason:
      'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].',
    StateChangeTime: '2026-05-01T02:40:00.018+0000',
    AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:SentinelWatch-poller-not-running',
    Trigger: {
      Metrics: [
        {
          Expression: 'FILL(invocations, 0) - FILL(errors, 0)',
          Id: 'e',
          Label: 'Successful poller runs',
          ReturnData: true,
        },
      ],
    },
  },
  presentation,
);

const notices: Notice[] = [
  renderAlert(switched, presentation).notice as Notice,
  renderAlert(unreachable, presentation).notice as Notice,
  renderAlert(back, presentation).notice as Notice,
  alarm,
];
const payloads = notices.map((n) => slackMessage(n, { mention: '<!here>', timeZone: ZONE }));
for (const p of payloads) {
  const problems = slackPayloadProblems(p);
  if (problems.length > 0) throw new Error(`invalid Block Kit: ${problems.join('; ')}`);
}

// ---- Slack's look, approximately -----------------------------------------------------------------

const EMOJI: Record<string, string> = {
  red_circle: '#DD2E44',
  large_orange_circle: '#F4900C',
  large_blue_circle: '#55ACEE',
  large_green_circle: '#78B159',
  white_circle: '#E6E7E8',
};

/** Slack mrkdwn (already &amp;-escaped by the builder) to HTML. */
function mrkdwn(text: string): string {
  return text
    .split(/(<[^>]+>)/)
    .map((part) => {
      const token = /^<([^>]+)>$/.exec(part)?.[1];
      if (token === undefined) return inline(part);
      if (token === '!here' || token === '!channel') return `<span class="mention">@${token.slice(1)}</span>`;
      const [url, label] = token.split('|');
      return `<a href="${url}">${inline(label ?? url)}</a>`;
    })
    .join('')
    .replace(/\n/g, '<br>');
}

function inline(text: string): string {
  return text
    .replace(/`([^`]+)`/g, '<code>$1</code>')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>')
    .replace(/:([a-z_]+):/g, (m, name: string) =>
      EMOJI[name] ? `<span class="emoji" style="background:${EMOJI[name]}"></span>` : m,
    );
}

interface AnyBlock {
  type: string;
  text?: { text: string };
  fields?: { text: string }[];
  elements?: { text: string }[];
}

function block(b: AnyBlock): string {
  if (b.type === 'section') {
    const text = b.text ? `<div class="section">${mrkdwn(b.text.text)}</div>` : '';
    const fields = b.fields
      ? `<div class="fields">${b.fields.map((f) => `<div>${mrkdwn(f.text)}</div>`).join('')}</div>`
      : '';
    return text + fields;
  }
  if (b.type === 'context') {
    return `<div class="context">${(b.elements ?? []).map((e) => `<span>${mrkdwn(e.text)}</span>`).join('')}</div>`;
  }
  return '';
}

function message(p: SlackWebhookPayload, n: Notice): string {
  const time = new Intl.DateTimeFormat('en-US', {
    timeZone: ZONE,
    hour: 'numeric',
    minute: '2-digit',
  }).format(new Date(n.at));
  const attachment = p.attachments?.[0];
  return `<div class="message">
  <div class="avatar">sw</div>
  <div class="body">
    <div class="meta"><b>sentinel-watch</b><span class="app">APP</span><span class="time">${time}</span></div>
    <div class="text">${mrkdwn(p.text)}</div>
    ${
      attachment
        ? `<div class="attachment" style="border-left-color:${attachment.color}">${(attachment.blocks as unknown as AnyBlock[]).map(block).join('')}</div>`
        : ''
    }
  </div>
</div>`;
}

const html = `<!doctype html><html><head><meta charset="utf-8"><style>
  body { margin: 0; background: #fff; font: 15px/1.46668 Lato, "Liberation Sans", Arial, sans-serif; color: #1d1c1d; width: 860px; }
  .channel { padding: 10px 20px; border-bottom: 1px solid #e2e2e2; font-weight: 900; font-size: 18px; }
  .message { display: flex; padding: 8px 20px; }
  .avatar { flex: 0 0 36px; height: 36px; border-radius: 6px; background: #4a154b; color: #fff; font-weight: 900; font-size: 14px; text-align: center; line-height: 36px; margin-right: 8px; }
  .body { flex: 1; min-width: 0; }
  .meta b { font-weight: 900; }
  .app { background: #e8e8e8; color: #616061; font-size: 10px; font-weight: 700; padding: 1px 3px; border-radius: 2px; margin: 0 6px; }
  .time { color: #616061; font-size: 12px; }
  .text { margin: 1px 0 4px; }
  .attachment { border-left: 4px solid; border-radius: 4px; padding: 2px 0 2px 12px; margin: 4px 0; }
  .section { margin: 4px 0; overflow-wrap: anywhere; }
  .fields { display: grid; grid-template-columns: 1fr 1fr; column-gap: 16px; row-gap: 8px; margin: 8px 0; }
  .context { color: #616061; font-size: 12px; margin: 6px 0 2px; }
  .context span + span::before { content: ""; display: block; }
  a { color: #1264a3; text-decoration: none; }
  code { font: 12px Menlo, "DejaVu Sans Mono", monospace; color: #e01e5a; background: #f8f8f8; border: 1px solid #e2e2e2; border-radius: 3px; padding: 0 3px; }
  .mention { background: #fff3cd; color: #1264a3; border-radius: 3px; padding: 0 2px; }
  .emoji { display: inline-block; width: 14px; height: 14px; border-radius: 50%; vertical-align: -2px; }
</style></head><body>
<div class="channel"># redis-oncall</div>
${payloads.map((p, i) => message(p, notices[i])).join('\n')}
<script>document.title = String(Math.ceil(document.body.getBoundingClientRect().bottom) + 8);</script>
</body></html>`;

// ---- Headless Chromium: measure, then screenshot at exactly that height -----------------------------

const dir = mkdtempSync(join(tmpdir(), 'sentinel-watch-slack-'));
try {
  const page = join(dir, 'slack.html');
  writeFileSync(page, html);
  const flags = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--user-data-dir=${join(dir, 'profile')}`,
    '--hide-scrollbars',
  ];
  const dom = execFileSync('chromium', [...flags, '--window-size=860,4000', '--dump-dom', `file://${page}`], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const height = Number(/<title>(\d+)<\/title>/.exec(dom)?.[1] ?? 2000);
  execFileSync(
    'chromium',
    [...flags, `--window-size=860,${height}`, `--screenshot=${out}`, `file://${page}`],
    { stdio: 'ignore' },
  );
  writeFileSync(out.replace(/\.png$/, '.json'), `${JSON.stringify(payloads, null, 2)}\n`);
  console.log(`wrote ${out} (860 x ${height}) and the Block Kit it shows`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
