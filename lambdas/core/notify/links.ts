// Where a message points the reader: the alert catalogue's section for its code (the runbook), the
// watcher's CloudWatch dashboard, and for the watcher's own alarms the alarm in the console. Pure.

/** The code the watcher's own CloudWatch alarms are filed under (its catalogue section lists them). */
export const WATCHER_ALARM_CODE = 'WATCHER_ALARM';

/**
 * The anchor of a code's section in docs/alert-catalogue.md: `MASTER_CHANGED` → `master-changed` (the
 * catalogue carries `<a id="master-changed"></a>` on each code's row).
 */
export const catalogueAnchor = (code: string): string => code.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * The runbook of a code. A base containing `{code}` is a template (`https://wiki.example.com/redis/{code}`,
 * the code as it is); any other base gets the catalogue anchor (`...alert-catalogue.md#master-changed`).
 */
export function runbookUrl(base: string | null, code: string): string | null {
  if (base === null) return null;
  if (base.includes('{code}')) return base.replaceAll('{code}', encodeURIComponent(code));
  return `${base.replace(/#.*$/, '')}#${catalogueAnchor(code)}`;
}

/** The CloudWatch console page of an alarm, from its ARN (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`). */
export function alarmConsoleUrl(alarmArn: string): string | null {
  const m = /^arn:(aws[a-z-]*):cloudwatch:([a-z0-9-]+):\d{12}:alarm:(.+)$/.exec(alarmArn);
  if (!m) return null;
  const [, partition, region, name] = m;
  const host =
    partition === 'aws-cn'
      ? `console.amazonaws.cn`
      : partition === 'aws-us-gov'
        ? `console.amazonaws-us-gov.com`
        : `${region}.console.aws.amazon.com`;
  return `https://${host}/cloudwatch/home?region=${region}#alarmsV2:alarm/${encodeURIComponent(name)}`;
}
