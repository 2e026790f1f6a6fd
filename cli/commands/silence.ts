import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { StoreError } from '../../lambdas/adapters/dynamo-store';
import { formatDuration } from '../../lambdas/core/detect/text';
import { ConfigError, UsageError } from '../../lambdas/core/errors';
import { describeScope, newSilence, type Silence, silenceStatus } from '../../lambdas/core/silence';
import type { SilenceStore } from '../../lambdas/core/store-ports';
import { textTable } from '../../lambdas/core/text-table';
import { parseDuration } from '../duration';
import { type CliIo, EXIT, invocationOf } from '../io';
import { toJson } from '../json-output';
import { SilenceFileError } from '../silence-file';
import {
  describeSource,
  openSilenceStore,
  type SilenceSource,
  silenceSourceFrom,
  silenceSourceHelp,
  silenceSourceOptions,
} from '../silence-source';

export const silenceHelp = `Usage: sentinel-watch silence add --deployment NAME --for DURATION --reason TEXT [options]
       sentinel-watch silence list [--deployment NAME] [--all] [--json]
       sentinel-watch silence remove ID

Silences a deployment (or one alert code, or one server of it) for planned work. While a silence
holds, its alerts are not sent; findings are still recorded in snapshots and history. When it ends
(or is removed), whatever it held that is still wrong is announced at once. The drill lock is a
separate mechanism: a drill needs no silence.

add:
  --deployment NAME     the deployment, as named in the config (required)
  --code CODE           only this alert code (e.g. REPLICA_LAGGING); default every code
  --subject SUBJECT     only this subject: "node HOST:PORT", "sentinel HOST:PORT" or "deployment"
  --for DURATION        how long: 30m, 2h, 1d (1 minute to 7 days; required)
  --reason TEXT         why, shown in list and in the alert when it ends (required)
  --start ISO           start later, e.g. 2026-06-01T22:00:00Z (default now)
  --by WHO              who sets it (default $USER@host)
list:
  --deployment NAME     one deployment's only
  --all                 also those that ended in the last 7 days
  --json                one silence per line
remove ID:              ends the silence now (kept in list --all, with who ended it)
  --by WHO              who ends it (default $USER@host)

${silenceSourceHelp}

Exit codes: 0 done, 1 the store failed or no such running silence, 3 usage error.`;

export interface SilenceDeps {
  readonly store: (source: SilenceSource, onInvalid: (count: number) => void) => SilenceStore;
  readonly now: () => number;
  readonly newId: () => string;
  readonly user: (env: NodeJS.ProcessEnv) => string;
}

const defaultDeps: SilenceDeps = {
  store: openSilenceStore,
  now: Date.now,
  newId: () => `s-${randomBytes(5).toString('hex')}`,
  user: (env) => `${env.USER ?? env.LOGNAME ?? 'unknown'}@${hostname()}`,
};

const FLAG_FOR_FIELD: Readonly<Record<string, string>> = {
  deployment: '--deployment',
  code: '--code',
  subject: '--subject',
  for: '--for',
  start: '--start',
  reason: '--reason',
  createdBy: '--by',
};

export async function silenceCommand(
  argv: readonly string[],
  io: CliIo,
  deps: SilenceDeps = defaultDeps,
): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    options: {
      ...silenceSourceOptions,
      deployment: { type: 'string' },
      code: { type: 'string' },
      subject: { type: 'string' },
      for: { type: 'string' },
      reason: { type: 'string' },
      start: { type: 'string' },
      by: { type: 'string' },
      all: { type: 'boolean' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  const [verb, ...rest] = positionals;
  if (values.help || verb === undefined) {
    (values.help ? io.out : io.err)(silenceHelp);
    return values.help ? EXIT.ok : EXIT.usage;
  }
  const onlyFor = (allowed: string[]) => {
    const given = Object.keys(values).filter((k) => !allowed.includes(k) && !(k in silenceSourceOptions));
    if (given.length > 0) throw new UsageError(`silence ${verb} takes no --${given.join(', --')}`);
  };
  const source = silenceSourceFrom(values, io.env);
  const store = deps.store(source, (count) =>
    io.err(
      `warning: ${count} stored silence${count === 1 ? '' : 's'} did not validate and ${count === 1 ? 'is' : 'are'} ignored`,
    ),
  );
  const now = deps.now();
  const by = values.by?.trim() || deps.user(io.env);
  try {
    switch (verb) {
      case 'add': {
        onlyFor(['deployment', 'code', 'subject', 'for', 'reason', 'start', 'by']);
        if (rest.length > 0) throw new UsageError(`silence add takes no argument "${rest[0]}"`);
        const silence = buildSilence(values, by, now, deps.newId());
        await store.putSilence(silence);
        const status = silenceStatus(silence, now);
        io.out(
          `${silence.id}: silenced ${describeScope(silence)} ${status === 'scheduled' ? `from ${silence.startsAt} ` : ''}until ${silence.endsAt} (${formatDuration(Date.parse(silence.endsAt) - Math.max(now, Date.parse(silence.startsAt)))}), in ${describeSource(source)}.`,
        );
        io.err(`End it early: ${invocationOf(io)} silence remove ${silence.id}${sourceFlags(source)}`);
        return EXIT.ok;
      }
      case 'list': {
        onlyFor(['deployment', 'all', 'json']);
        if (rest.length > 0) throw new UsageError(`silence list takes no argument "${rest[0]}"`);
        const silences = await store.listSilences(
          {
            ...(values.deployment ? { deployment: values.deployment.trim() } : {}),
            includeEnded: values.all === true,
          },
          now,
        );
        if (values.json) {
          for (const s of silences) io.out(toJson({ ...s, status: silenceStatus(s, now) }));
        } else if (silences.length === 0) {
          io.err(`No ${values.all ? '' : 'active or scheduled '}silences in ${describeSource(source)}.`);
        } else {
          io.out(renderSilences(silences, now).join('\n'));
        }
        return EXIT.ok;
      }
      case 'remove': {
        onlyFor(['by']);
        if (rest.length !== 1) throw new UsageError('silence remove takes one silence id (see silence list)');
        const ended = await store.endSilence(rest[0], by, now);
        if (!ended) {
          io.err(
            `sentinel-watch silence: no running or scheduled silence ${rest[0]} in ${describeSource(source)}`,
          );
          return EXIT.failed;
        }
        io.out(
          `${ended.id}: ended (${describeScope(ended)}). Watchers announce what it held at their next poll.`,
        );
        return EXIT.ok;
      }
      default:
        throw new UsageError(`unknown silence command "${verb}" (add, list or remove)`);
    }
  } catch (error) {
    if (!(error instanceof StoreError || error instanceof SilenceFileError)) throw error;
    // The operator's own terminal: the SDK's message (no region, expired credentials) is what helps.
    const cause = error.cause instanceof Error ? `\n  cause: ${error.cause.message}` : '';
    io.err(`sentinel-watch silence: ${error.message}${cause}`);
    return EXIT.failed;
  }
}

function buildSilence(
  values: {
    deployment?: string;
    code?: string;
    subject?: string;
    for?: string;
    reason?: string;
    start?: string;
  },
  by: string,
  now: number,
  id: string,
): Silence {
  if (values.deployment === undefined) throw new UsageError('--deployment NAME is required');
  if (values.for === undefined) throw new UsageError('--for DURATION is required (e.g. 2h)');
  if (values.reason === undefined)
    throw new UsageError('--reason TEXT is required: say why, for whoever is paged next');
  const durationMs = parseDuration(values.for, { flag: '--for', plainUnit: null, minMs: 0, maxMs: Infinity });
  let startsAt = now;
  if (values.start !== undefined) {
    startsAt = /^\d{4}-\d{2}-\d{2}T/.test(values.start.trim()) ? Date.parse(values.start.trim()) : Number.NaN;
    if (Number.isNaN(startsAt)) {
      throw new UsageError(`--start: "${values.start}" is not an ISO-8601 time (e.g. 2026-06-01T22:00:00Z)`);
    }
  }
  try {
    return newSilence({
      id,
      deployment: values.deployment,
      code: values.code ?? null,
      subject: values.subject ?? null,
      startsAt,
      durationMs,
      reason: values.reason,
      createdBy: by,
      now,
    });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const flag = FLAG_FOR_FIELD[error.field] ?? error.field;
    throw new UsageError(`${flag}: ${error.message.slice(error.field.length + 2)}`);
  }
}

export function renderSilences(silences: readonly Silence[], now: number): string[] {
  return textTable(
    ['ID', 'DEPLOYMENT', 'CODE', 'SUBJECT', 'STATUS', 'STARTS', 'ENDS', 'BY', 'REASON'],
    silences.map((s) => {
      const status = silenceStatus(s, now);
      return [
        s.id,
        s.deployment,
        s.code ?? '*',
        s.subject ?? '*',
        status === 'active' ? `active, ${formatDuration(Date.parse(s.endsAt) - now)} left` : status,
        s.startsAt,
        s.endsAt,
        s.endedBy ? `${s.createdBy} (ended by ${s.endedBy})` : s.createdBy,
        s.reason,
      ];
    }),
  );
}

const sourceFlags = (source: SilenceSource): string =>
  source.kind === 'table' ? ` --table ${source.table}` : ` --silence-file ${source.path}`;
