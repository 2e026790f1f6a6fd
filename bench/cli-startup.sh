#!/usr/bin/env bash
# CLI start-up: wall time and CPU (user + system) of one `sentinel-watch check` of a healthy local
# topology, for each way of running the CLI, measured with hyperfine (Debian: apt-get install
# hyperfine). Results: the table on stdout, raw numbers in bench/results/cli-startup.json.
#
#   bench/cli-startup.sh [base-port]      (default 6400; the topology is started and stopped here)
set -euo pipefail
cd "$(dirname "$0")/.."

PORT=${1:-6400}
RUNS=${RUNS:-20}
command -v hyperfine >/dev/null || { echo "hyperfine is not installed (apt-get install hyperfine)" >&2; exit 1; }

npm run --silent build:cli
node dist/sentinel-watch.cjs local up --base-port "$PORT" >/dev/null
trap 'node dist/sentinel-watch.cjs local down --base-port "$PORT" >/dev/null' EXIT

SENTINELS="127.0.0.1:$((PORT + 20000)),127.0.0.1:$((PORT + 20001)),127.0.0.1:$((PORT + 20002))"
CHECK="check --sentinels $SENTINELS --master mymaster"
export REDIS_PASSWORD=sentinel-watch-local
mkdir -p bench/results

# -N: no intermediate shell, so the numbers are the command's own.
hyperfine -N --warmup 3 --runs "$RUNS" --export-json bench/results/cli-startup.json \
  -n 'node dist/sentinel-watch.cjs (the bundle)' "node dist/sentinel-watch.cjs $CHECK" \
  -n 'sentinel-watch (installed: launcher + bundle)' "node bin/sentinel-watch-launcher.cjs $CHECK" \
  -n 'npx sentinel-watch (in the checkout)' "npx --offline sentinel-watch $CHECK" \
  -n 'npm run cli (tsx, from source)' "npm run --silent cli -- $CHECK" \
  -n 'sentinel-watch --version (the bundle)' "node dist/sentinel-watch.cjs --version"
