// docs/webhook-notice.schema.json is the contract webhook receivers code against: every kind of notice
// the notifiers send must satisfy it. A small validator for the subset of JSON Schema the file uses.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderAlert } from '../../../../lambdas/core/alert-text';
import { decodeSnsMessage } from '../../../../lambdas/core/notify/decode';
import {
  alarmFixtures,
  alarmNotice,
  laggingOpened,
  laggingResolved,
  PRESENTATION,
  switchNotification,
} from '../../../helpers/notify';

type Schema = Record<string, unknown>;
const schema = JSON.parse(
  readFileSync(join(__dirname, '../../../../docs/webhook-notice.schema.json'), 'utf8'),
) as Schema;

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

function problems(value: unknown, s: Schema, path = '$'): string[] {
  const out: string[] = [];
  if ('const' in s && value !== s.const) out.push(`${path}: not ${JSON.stringify(s.const)}`);
  if (Array.isArray(s.enum) && !s.enum.includes(value))
    out.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (s.type !== undefined) {
    const types = Array.isArray(s.type) ? s.type : [s.type];
    if (!types.includes(typeOf(value)))
      return [...out, `${path}: ${typeOf(value)} is not ${types.join('|')}`];
  }
  if (typeof value === 'number' && typeof s.minimum === 'number' && value < s.minimum)
    out.push(`${path}: below minimum`);
  if (typeof value === 'string' && typeof s.pattern === 'string' && !new RegExp(s.pattern).test(value)) {
    out.push(`${path}: does not match ${s.pattern}`);
  }
  if (typeOf(value) === 'object') {
    const obj = value as Record<string, unknown>;
    for (const key of (s.required as string[] | undefined) ?? [])
      if (!(key in obj)) out.push(`${path}.${key}: missing`);
    const props = (s.properties as Record<string, Schema> | undefined) ?? {};
    for (const [key, v] of Object.entries(obj))
      if (props[key]) out.push(...problems(v, props[key], `${path}.${key}`));
  }
  if (Array.isArray(value) && s.items) {
    for (const [i, v] of value.entries()) out.push(...problems(v, s.items as Schema, `${path}[${i}]`));
  }
  return out;
}

describe('docs/webhook-notice.schema.json', () => {
  const samples = [
    ['an opened incident', renderAlert(laggingOpened, PRESENTATION).notice],
    ['a resolved incident', renderAlert(laggingResolved, PRESENTATION).notice],
    [
      'an escalation',
      renderAlert(
        { ...laggingOpened, type: 'reminder', severity: 'critical', details: { escalatedFrom: 'warning' } },
        PRESENTATION,
      ).notice,
    ],
    ['a master switch with its timeline', renderAlert(switchNotification, PRESENTATION).notice],
    ...alarmFixtures().map(([file]) => [`the alarm ${file}`, alarmNotice(file)] as const),
    [
      'a plain message',
      decodeSnsMessage(
        {
          messageId: 'm',
          subject: 'drill',
          message: 'PASSED',
          timestamp: '2026-05-01T10:00:00Z',
          attributes: { code: 'DRILL_PASSED' },
        },
        PRESENTATION,
      ),
    ],
  ] as const;

  it.each(samples)('accepts %s', (_what, notice) => {
    expect(problems(JSON.parse(JSON.stringify(notice)), schema)).toEqual([]);
  });

  it('lists every field a notice has', () => {
    const notice = renderAlert(switchNotification, PRESENTATION).notice as object;
    expect(Object.keys(notice).sort()).toEqual([...(schema.required as string[])].sort());
  });

  it('refuses what breaks it', () => {
    const notice = {
      ...(renderAlert(laggingOpened, PRESENTATION).notice as object),
      severity: 'page',
      ref: 'xyz',
    };
    expect(problems(notice, schema)).toEqual([
      '$.ref: does not match ^[0-9a-f]{8}$',
      '$.severity: "page" not in enum',
    ]);
  });
});
