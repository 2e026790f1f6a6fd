import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { PublishError, SnsAlertPublisher } from '../../lambdas/adapters/sns-publisher';
import { renderAlert } from '../../lambdas/core/alert-text';
import { UsageError } from '../../lambdas/core/errors';
import type { AlertPublisher } from '../../lambdas/core/ports';
import { markTest, testAlertPair } from '../../lambdas/core/test-alert';
import type { Severity } from '../../lambdas/core/types';
import { CLI_AWS_LIMITS, onCallClients } from '../aws/clients';
import {
  describeStack,
  StackLookupError,
  type StackResources,
  stackNameOf,
  stackOptions,
  stackOptionsHelp,
} from '../aws/stack';
import { parseDuration } from '../duration';
import { type CliIo, EXIT, invocationOf } from '../io';

export const testAlertHelp = `Usage: sentinel-watch test-alert --stack NAME [options]

Publishes a test alert through the deployed stack's topic, as the poller publishes alerts: an
"opened" and, after --resolve-after, the "resolved" of the same incident. Every subscriber (email,
Slack, PagerDuty, webhook) should show both; the subject starts with [TEST], the message attribute
test = "true" marks it for the notifiers, and the text says nothing is wrong.

Options:
${stackOptionsHelp}
  --deployment NAME       the deployment named in the alert (default: the stack's first one)
  --severity LEVEL        critical (default: reaches every email filter and pages), warning or info
  --resolve-after DURATION  wait between the two (default 10s; receivers that page must see the
                          opened first, and SNS delivers each message on its own)
  --by WHO                who runs it, shown in the alert (default $USER@host)

Exit codes: 0 both published, 1 the stack or SNS failed, 3 usage error.`;

export interface TestAlertDeps {
  readonly stack: (stackName: string, region: string | undefined) => Promise<StackResources>;
  readonly publisher: (topicArn: string, region: string | undefined) => AlertPublisher;
  readonly now: () => number;
  readonly sleep: (ms: number) => Promise<void>;
}

const defaultDeps = (): TestAlertDeps => {
  let clients: ReturnType<typeof onCallClients> | null = null;
  const of = (region: string | undefined) => {
    clients ??= onCallClients(region);
    return clients;
  };
  return {
    stack: (name, region) => describeStack(of(region).cloudformation, name, CLI_AWS_LIMITS.callTimeoutMs),
    // One attempt with a 5 s request deadline that throws (clients.ts): bounded without a call signal.
    publisher: (topicArn, region) => new SnsAlertPublisher({ client: of(region).sns, topicArn }),
    now: Date.now,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  };
};

const SEVERITIES: readonly Severity[] = ['critical', 'warning', 'info'];

export async function testAlertCommand(
  argv: readonly string[],
  io: CliIo,
  deps: TestAlertDeps = defaultDeps(),
): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      ...stackOptions,
      deployment: { type: 'string' },
      severity: { type: 'string' },
      'resolve-after': { type: 'string' },
      by: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    io.out(testAlertHelp);
    return EXIT.ok;
  }
  const stackName = stackNameOf(values);
  const severity = (values.severity ?? 'critical') as Severity;
  if (!SEVERITIES.includes(severity)) {
    throw new UsageError(`--severity: must be critical, warning or info, got "${values.severity}"`);
  }
  const waitMs = parseDuration(values['resolve-after'] ?? '10s', {
    flag: '--resolve-after',
    plainUnit: 's',
    minMs: 0,
    maxMs: 600_000,
  });
  const by = values.by?.trim() || `${io.env.USER ?? 'unknown'}@${hostname()}`;

  try {
    const stack = await deps.stack(stackName, values.region);
    const deployment = values.deployment?.trim() || stack.deployments[0] || stackName;
    const publisher = deps.publisher(stack.topicArn, values.region);
    const openedAt = deps.now();
    const pair = (resolvedAt: number) =>
      testAlertPair({ deployment, stackName, severity, by, openedAt }, resolvedAt);

    const [opened] = pair(openedAt);
    await publisher.publish(markTest(renderAlert(opened)));
    io.out(`published TEST opened (${severity}) to ${stack.topicArn}`);
    io.out(`  incident ${opened.incidentId}`);
    if (waitMs > 0) {
      io.err(`waiting ${values['resolve-after'] ?? '10s'} before the resolved...`);
      await deps.sleep(waitMs);
    }
    const [, resolved] = pair(deps.now());
    await publisher.publish(markTest(renderAlert(resolved)));
    io.out('published TEST resolved');
    io.out(
      'Check that every channel shows both (email, Slack, PagerDuty, webhook). Then run ' +
        `"${invocationOf(io)} doctor --stack ${stackName}": an unconfirmed subscription, a notifier error or a ` +
        'message in a dead-letter queue is what a missing one leaves behind.',
    );
    return EXIT.ok;
  } catch (error) {
    if (!(error instanceof StackLookupError || error instanceof PublishError)) throw error;
    const cause =
      error instanceof PublishError && error.cause instanceof Error ? ` (${error.cause.message})` : '';
    io.err(`sentinel-watch test-alert: ${error.message}${cause}`);
    return EXIT.failed;
  }
}
