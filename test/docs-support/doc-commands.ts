// Every command the docs show, and how the docs test keeps it true. A command in a fenced sh/console
// block of README.md or docs/*.md that is not listed here fails test/unit/docs/docs.test.ts: add it,
// either as run (and run it in one of the docs suites) or as not runnable here, with the reason.

/** Run for real, its output compared with the documented one where the docs show output. */
export interface RunHere {
  readonly how: 'run';
  /** The suite that runs it. */
  readonly by: 'test/integration/docs.test.ts' | 'test/integration/docs-stand-ins.test.ts';
}

/** Not runnable here (AWS, or minutes long): the reason, and what is checked instead. */
export interface NotRunHere {
  readonly how: 'not-run';
  readonly why: string;
  /**
   * What the unit test checks instead: `cli-parser` runs the sentinel-watch arguments through the CLI's
   * own parser (the command with --help must exit 0), `npm-scripts` checks that every `npm run X` names
   * a script of package.json, `cdk-context` that the `-c` keys are ones the app reads, `drill-output`
   * that the flags are those of the stack's DrillCommand output, `ci` that CI runs it, `executable` that
   * the script it runs is in the repository and executable, `tarball-name` that the tarball is the one
   * `npm pack` writes for package.json's name and version.
   */
  readonly checks: readonly (
    | 'cli-parser'
    | 'npm-scripts'
    | 'cdk-context'
    | 'drill-output'
    | 'ci'
    | 'executable'
    | 'tarball-name'
  )[];
}

export type Verification = RunHere | NotRunHere;

const DOCS = 'test/integration/docs.test.ts';
const STAND_INS = 'test/integration/docs-stand-ins.test.ts';
const AWS = 'needs an AWS account';

export const DOC_COMMANDS: Readonly<Record<string, Verification>> = {
  // README: the two commands.
  'npm ci && npm run demo': {
    how: 'not-run',
    why: 'npm ci reinstalls node_modules and the demo takes ~45-90 s on its own ports 6450-6452',
    checks: ['npm-scripts'],
  },
  'npm test': {
    how: 'not-run',
    why: 'it is the whole suite, this test included; .ci/run runs exactly this command',
    checks: ['npm-scripts', 'ci'],
  },
  'npm ci': { how: 'not-run', why: 'reinstalls node_modules; .ci/run runs it', checks: ['ci'] },
  // The CLI against the local topology.
  'npm run --silent cli -- local up': { how: 'run', by: DOCS },
  'REDIS_PASSWORD=sentinel-watch-local npm run --silent cli -- check --sentinels 127.0.0.1:26400,127.0.0.1:26401,127.0.0.1:26402 --master mymaster':
    { how: 'run', by: DOCS },
  'npm run --silent cli -- local down': { how: 'run', by: DOCS },
  'REDIS_PASSWORD=sentinel-watch-local sentinel-watch watch --interval 5 --sentinels 127.0.0.1:26400,127.0.0.1:26401,127.0.0.1:26402 --master mymaster':
    { how: 'run', by: DOCS },
  'REDIS_PASSWORD=sentinel-watch-local sentinel-watch drill --sentinels 127.0.0.1:26400,127.0.0.1:26401,127.0.0.1:26402 --master mymaster':
    { how: 'run', by: DOCS },
  'REDIS_PASSWORD=... sentinel-watch watch --config deployments.json --metrics-listen 127.0.0.1:9464': {
    how: 'run',
    by: DOCS,
  },
  'curl -s http://127.0.0.1:9464/metrics': { how: 'run', by: DOCS },
  // On call: silences in the stack's table (dynalite here).
  'sentinel-watch silence add --table SentinelWatch-StorageTable-1A2B3C --deployment orders-cache --for 2h --reason "OS patching, CHG-1234"':
    { how: 'run', by: STAND_INS },
  'sentinel-watch silence add --table SentinelWatch-StorageTable-1A2B3C --deployment orders-cache --code REPLICA_LAGGING --subject "node 10.20.2.62:6379" --for 30m --reason "resync after the disk swap"':
    { how: 'run', by: STAND_INS },
  'sentinel-watch silence add --table SentinelWatch-StorageTable-1A2B3C --deployment orders-cache --start 2026-12-01T22:00:00Z --for 1h --reason "failover test in the maintenance window"':
    { how: 'run', by: STAND_INS },
  'sentinel-watch silence list --table SentinelWatch-StorageTable-1A2B3C': { how: 'run', by: STAND_INS },
  'sentinel-watch silence remove s-3f9c0a1b7e --table SentinelWatch-StorageTable-1A2B3C': {
    how: 'run',
    by: STAND_INS,
  },
  // The version matrix.
  'npm run test:versions -- --list': { how: 'run', by: STAND_INS },
  'flock /tmp/sw-integration.lock npm run test:versions': {
    how: 'not-run',
    why: 'the whole matrix takes many minutes, and it takes the lock the docs suite already holds',
    checks: ['npm-scripts', 'ci'],
  },
  'npm run test:versions -- redis-5.0.14': {
    how: 'not-run',
    why: 'several minutes of server suites on one build; the --list form is run',
    checks: ['npm-scripts'],
  },
  'npm run test:versions -- mixed': {
    how: 'not-run',
    why: 'minutes on a mixed-version deployment; the --list form is run',
    checks: ['npm-scripts'],
  },
  'flock /tmp/sw-integration.lock env SENTINEL_WATCH_SERVERS=/path/to/shared/servers npm run record:fixtures':
    {
      how: 'not-run',
      why: 'needs the server builds and rewrites the committed fixtures',
      checks: ['npm-scripts'],
    },
  // docs/cli.md: install, help, version, JSON.
  'npx sentinel-watch --help': { how: 'run', by: STAND_INS },
  'npm run cli -- --help': { how: 'run', by: STAND_INS },
  'node dist/sentinel-watch.cjs --help': { how: 'run', by: STAND_INS },
  'sentinel-watch --help': { how: 'run', by: STAND_INS },
  'sentinel-watch check --help': { how: 'run', by: STAND_INS },
  'sentinel-watch help local': { how: 'run', by: STAND_INS },
  'sentinel-watch local up --help': { how: 'run', by: STAND_INS },
  'sentinel-watch --version': { how: 'run', by: STAND_INS },
  'npm run build:cli': {
    how: 'not-run',
    why: "rewrites the checkout's dist/, which other suites may be running; the docs suites run the same script into a directory of their own, and npm test's build runs it",
    checks: ['npm-scripts'],
  },
  'npm pack': {
    how: 'not-run',
    why: 'writes a tarball into the checkout; test/integration/cli-install.test.ts packs and installs it',
    checks: [],
  },
  'npm install -g ./sentinel-watch-0.1.0.tgz': {
    how: 'not-run',
    why: 'installs globally; test/integration/cli-install.test.ts installs the packed tarball into a prefix of its own',
    checks: ['tarball-name'],
  },
  "REDIS_PASSWORD=sentinel-watch-local sentinel-watch check --sentinels 127.0.0.1:26400 --master mymaster --json | jq -e '.schemaVersion == 1'":
    { how: 'run', by: DOCS },
  'sentinel-watch check --config config/prod.json --aws-secrets': {
    how: 'not-run',
    why: `${AWS}, and config/prod.json is the reader's own file (cli-aws-secrets.test.ts runs --aws-secrets against a stand-in)`,
    checks: ['cli-parser'],
  },
  'REDIS_PASSWORD=... sentinel-watch check --config config/prod.json --password-env REDIS_PASSWORD': {
    how: 'not-run',
    why: "config/prod.json is the reader's own file, with the reader's addresses",
    checks: ['cli-parser'],
  },
  // docs/aws.md, docs/benchmarks.md.
  'cp config/example.json config/prod.json': {
    how: 'not-run',
    why: "writes the reader's own config into the checkout; the example it copies is checked against docs/aws.md",
    checks: [],
  },
  'bench/cli-startup.sh': {
    how: 'not-run',
    why: 'a benchmark: needs hyperfine and minutes on a topology of its own (ports 6400-6402)',
    checks: ['executable'],
  },
  'bench/cli-startup.sh 6760': {
    how: 'not-run',
    why: 'a benchmark: needs hyperfine and minutes on a topology of its own',
    checks: ['executable'],
  },
  // docs/aws.md (fleets), docs/drill.md and docs/security.md (the drill key).
  'npx cdk synth -c sentinel-watch:configFile=config/fleet-example.json': {
    how: 'not-run',
    why: 'a synth with real bundling of every stack takes minutes; test/infra/fleet-stacks.test.ts synthesizes config/fleet-example.json',
    checks: ['cdk-context'],
  },
  'npx cdk deploy --all -c sentinel-watch:configFile=config/fleet-example.json': {
    how: 'not-run',
    why: AWS,
    checks: ['cdk-context'],
  },
  'npx cdk deploy SentinelWatch-alerting -c sentinel-watch:configFile=config/fleet-example.json': {
    how: 'not-run',
    why: AWS,
    checks: ['cdk-context'],
  },
  'npx cdk deploy SentinelWatch-partner-vpc -c sentinel-watch:configFile=config/fleet-example.json --profile partner':
    { how: 'not-run', why: `${AWS} (two, with a profile for the second)`, checks: ['cdk-context'] },
  'export SENTINEL_WATCH_DRILL_KEY="$(aws secretsmanager get-secret-value --secret-id <DrillKeySecretArn> --query SecretString --output text)"':
    { how: 'not-run', why: `${AWS} and a deployed stack's drill key`, checks: [] },
  'sentinel-watch drill --config prod.json --deployment orders-cache': {
    how: 'not-run',
    why: "prod.json is the reader's own file, and the drill needs the stack's drill key",
    checks: ['cli-parser'],
  },
  'aws secretsmanager put-secret-value --secret-id <DrillKeySecretArn> --secret-string "$(openssl rand -base64 48)"':
    { how: 'not-run', why: `${AWS} and a deployed stack's drill key`, checks: [] },
  // AWS.
  "aws secretsmanager create-secret --name sentinel-watch/orders-cache/redis --secret-string 's3cr3t'": {
    how: 'not-run',
    why: AWS,
    checks: [],
  },
  'aws ec2 authorize-security-group-ingress --group-id sg-REDIS --protocol tcp --port 6379  --source-group sg-WATCHER':
    { how: 'not-run', why: AWS, checks: [] },
  'aws ec2 authorize-security-group-ingress --group-id sg-REDIS --protocol tcp --port 26379 --source-group sg-WATCHER':
    { how: 'not-run', why: AWS, checks: [] },
  'npx cdk synth -c sentinel-watch:configFile=config/prod.json': {
    how: 'not-run',
    why: "config/prod.json is the reader's own file (with the example config, `npm run synth` in .ci/run does the same synth)",
    checks: ['cdk-context'],
  },
  'npx cdk deploy -c sentinel-watch:configFile=config/prod.json': {
    how: 'not-run',
    why: AWS,
    checks: ['cdk-context'],
  },
  'aws lambda invoke --region us-east-1 --function-name SentinelWatch-DrillFunctionC73A8577-AbCdEf --qualifier dry-run --cli-binary-format raw-in-base64-out --cli-read-timeout 330 --payload \'{"dryRun":true}\' drill-report.json':
    { how: 'not-run', why: `${AWS} and a deployed drill function`, checks: ['drill-output'] },
  // docs/aws.md: alert channels and failed deliveries (notify-e2e.test.ts and notifiers.test.ts run
  // the notifiers against local stand-ins).
  'aws sns confirm-subscription --topic-arn "$ALERT_TOPIC_ARN" --token 2336412f37fb687f5d51e6e2425c464de... --authenticate-on-unsubscribe true':
    { how: 'not-run', why: `${AWS} and the token of a real confirmation email`, checks: [] },
  'aws sqs receive-message --queue-url "$QUEUE_URL" --max-number-of-messages 10 --attribute-names All --message-attribute-names All > dead-letters.json':
    { how: 'not-run', why: `${AWS} and a deployed notifier's dead-letter queue`, checks: [] },
  'aws lambda invoke --function-name "$NOTIFIER_FUNCTION" --invocation-type Event --cli-binary-format raw-in-base64-out --payload "$(jq -r \'.Messages[0].Body\' dead-letters.json)" /dev/null':
    { how: 'not-run', why: `${AWS} and a deployed notifier`, checks: [] },
  'aws sqs delete-message --queue-url "$QUEUE_URL" --receipt-handle "$(jq -r \'.Messages[0].ReceiptHandle\' dead-letters.json)"':
    { how: 'not-run', why: `${AWS} and a deployed notifier's dead-letter queue`, checks: [] },
  'aws secretsmanager create-secret --name sentinel-watch/webhook/incident-io --secret-string file://webhook-secret.json':
    { how: 'not-run', why: AWS, checks: [] },
  // docs/benchmarks.md: the fleet bench (minutes, and up to 203 redis-servers).
  'flock /tmp/sw-integration.lock npm run bench -- --fleet': {
    how: 'not-run',
    why: 'a benchmark of several minutes that starts a fleet of 100 masters',
    checks: ['npm-scripts'],
  },
  'flock /tmp/sw-integration.lock npm run bench -- --fleet --quick': {
    how: 'not-run',
    why: 'a benchmark of ~4 minutes that starts a fleet of 100 masters',
    checks: ['npm-scripts'],
  },
  'npm run bench -- --fleet --part simulated': {
    how: 'not-run',
    why: 'a benchmark of minutes (simulated deployments, no server)',
    checks: ['npm-scripts'],
  },
  'flock /tmp/sw-integration.lock npm run bench -- --fleet --part real': {
    how: 'not-run',
    why: 'a benchmark that starts a fleet of 100 masters',
    checks: ['npm-scripts'],
  },
  // docs/drill.md: pass criteria, the picture, history (drill-picture.test.ts runs a real drill with
  // --html --png --markdown; drill-history.test.ts runs history and show against dynalite).
  'sentinel-watch drill --config prod.json --deployment orders-cache --max-split-brain-ms 3000 --max-lost-client-writes 0 --json > drill.json':
    { how: 'not-run', why: "prod.json is the reader's own file", checks: ['cli-parser'] },
  'aws lambda invoke --function-name <DrillFunctionName> --qualifier dry-run --cli-binary-format raw-in-base64-out --cli-read-timeout 330 --payload \'{"deployment":"orders-cache","dryRun":true}\' drill.json && jq -e \'.passed\' drill.json':
    { how: 'not-run', why: `${AWS} and a deployed drill function`, checks: [] },
  'aws lambda invoke --function-name <DrillFunctionName> --cli-binary-format raw-in-base64-out --cli-read-timeout 330 --payload \'{"deployment":"orders-cache","confirm":"orders-cache","criteria":{"maxSplitBrainMs":3000}}\' drill.json && jq -e \'.passed\' drill.json':
    { how: 'not-run', why: `${AWS} and a deployed drill function`, checks: [] },
  'sentinel-watch drill --config prod.json --deployment orders-cache --html drill.html --png drill.png --markdown drill.md':
    { how: 'not-run', why: "prod.json is the reader's own file", checks: ['cli-parser'] },
  'sentinel-watch drill history --table <SnapshotTableName> --deployment orders-cache': {
    how: 'not-run',
    why: `${AWS}: the deployed table`,
    checks: ['cli-parser'],
  },
  'sentinel-watch drill history --table <SnapshotTableName> --deployment orders-cache --json --limit 50': {
    how: 'not-run',
    why: `${AWS}: the deployed table`,
    checks: ['cli-parser'],
  },
  'sentinel-watch drill show drill-20261130T062539Z-db422b --table <SnapshotTableName> --deployment orders-cache --html drill.html --png drill.png':
    { how: 'not-run', why: `${AWS}: the deployed table`, checks: ['cli-parser'] },
  'sentinel-watch drill show --file drill-report.json --html drill.html --png drill.png --markdown drill.md':
    {
      how: 'not-run',
      why: "drill-report.json is the reader's own Lambda result (drill-history.test.ts renders one)",
      checks: ['cli-parser'],
    },
  'sentinel-watch test-alert --stack SentinelWatch --region us-east-1': {
    how: 'not-run',
    why: `${AWS} and a deployed stack (oncall-aws.test.ts runs it against local stand-ins)`,
    checks: ['cli-parser'],
  },
  'sentinel-watch doctor --stack SentinelWatch --region us-east-1': {
    how: 'not-run',
    why: `${AWS} and a deployed stack (oncall-aws.test.ts runs it against local stand-ins)`,
    checks: ['cli-parser'],
  },
};

/**
 * A documented command as it runs against the docs suite's topology: the local topology's default ports
 * (6400-6402, 26400-26402) moved to `base` (and base + 20000), and `local` commands given `--base-port`.
 */
export function onPorts(command: string, base: number): string {
  const moved = command.replace(/\b(2?)640([0-2])\b/g, (_m, s: string, i: string) =>
    String((s ? 20_000 : 0) + base + Number(i)),
  );
  return /\bcli -- local (up|down|status)\b|\bsentinel-watch local (up|down|status)\b/.test(moved)
    ? `${moved} --base-port ${base}`
    : moved;
}
