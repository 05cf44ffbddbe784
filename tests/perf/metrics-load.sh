#!/usr/bin/env bash
# /metrics under load: wrk with 50 connections for 30 s against `solprof agent --demo` (8 simulated GPUs, one
# simulated server) after a warm-up, printing the latency percentiles and every error wrk counts.
# Targets (issue 8): p99 < 10 ms, 0 errors. Needs wrk (Debian: apt-get install wrk).
# Usage: tests/perf/metrics-load.sh [SECONDS=30] [CONNECTIONS=50] [PORT=19484] [WARMUP_SECONDS=60]
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-30}
connections=${2:-50}
port=${3:-19484}
warmup=${4:-60}
command -v wrk >/dev/null || { echo "wrk not found: apt-get install wrk" >&2; exit 2; }

. tests/perf/lib.sh
build_cli
start_demo_agent "$port" /tmp/solprof-metrics-load.log
sleep "$warmup" # a full window, and the JIT's first tiers
bytes=$(curl -fs "http://127.0.0.1:$port/metrics" | wc -c)
echo "scrape body: $bytes bytes; wrk -t2 -c$connections -d${duration}s on $(nproc) cores"
out=$(wrk -t2 -c"$connections" -d"${duration}s" --latency "http://127.0.0.1:$port/metrics")
echo "$out"
# wrk prints "Non-2xx or 3xx responses: N" and "Socket errors: ..." only when there are any.
non2xx=$(echo "$out" | sed -n 's/.*Non-2xx or 3xx responses: \([0-9]*\).*/\1/p')
sockets=$(echo "$out" | sed -n 's/.*Socket errors: \(.*\)/\1/p')
p99=$(echo "$out" | awk '$1 == "99%" {print $2}')
echo "p99=$p99 non_2xx=${non2xx:-0} socket_errors=${sockets:-none}   (targets: p99 < 10ms, 0 errors)"
kill -0 "$pid" || { echo "the agent died under load" >&2; exit 1; }
