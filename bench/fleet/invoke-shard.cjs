// One poller "Lambda" for the fleet bench: a fresh Node process that loads the bundled handler the
// way the Lambda runtime does (require index.js from the task root) and invokes it once or more with
// `{"shard": i}`, as the schedule does. The bench may have put it in a CPU cgroup with the share of a
// core Lambda gives its memory size. Its own figures go out as one last stdout line, `@@BENCH {json}`.
//
//   node invoke-shard.cjs <task root> <shard> <invocations> <remaining ms>

const { readFileSync } = require('node:fs');
const path = require('node:path');

const [taskRoot, shardText, invocationsText, remainingText] = process.argv.slice(2);
const processStart = Date.now();
const cpu0 = process.cpuUsage();

function vmHwmKb() {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

async function main() {
  const initStart = Date.now();
  const { handler } = require(path.join(taskRoot, 'index.js'));
  const initMs = Date.now() - initStart;
  const runs = [];
  for (let i = 0; i < Number(invocationsText); i++) {
    const cpu = process.cpuUsage();
    const started = Date.now();
    const deadline = started + Number(remainingText);
    let error = null;
    let summary = null;
    try {
      summary = await handler(
        { shard: Number(shardText) },
        {
          awsRequestId: `bench-${shardText}-${i}-${started}`,
          functionName: 'sentinel-watch-poller',
          getRemainingTimeInMillis: () => deadline - Date.now(),
        },
      );
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    const used = process.cpuUsage(cpu);
    runs.push({
      startedAt: started,
      durationMs: Date.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      error: error ? error.slice(0, 500) : null,
      stopped: summary ? summary.deployments.map((d) => d.stopped) : [],
    });
  }
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(
    `\n@@BENCH ${JSON.stringify({
      processStart,
      initMs,
      runs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      maxRssKb: process.resourceUsage().maxRSS,
      vmHwmKb: vmHwmKb(),
    })}\n`,
  );
}

main().then(
  () => setTimeout(() => process.exit(0), 50),
  (e) => {
    process.stderr.write(`invoke-shard: ${e?.stack ?? e}\n`);
    process.exit(1);
  },
);
