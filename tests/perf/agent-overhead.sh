#!/usr/bin/env bash
# Measures what `solprof agent --demo` costs: CPU (% of one core) and resident memory over a run, with 8 simulated
# GPUs and one simulated server sampled every second and /metrics scraped every 5 s, as Prometheus would.
# Usage: tests/perf/agent-overhead.sh [SECONDS=300] [PORT=19464] [WARMUP_SECONDS=240]
# MODE=demo (default) measures `solprof agent --demo`: the agent plus, in the same process, the simulated server and
# the driver of the GPU stand-in. MODE=agent measures the agent alone: a second process runs the demo and serves the
# simulated vLLM metrics; the measured agent scrapes it and reads 8 stand-in GPUs (--gpu-backend sim) in-process.
# Targets (issue 5): < 0.5 % of one core, < 80 MB RSS. The warm-up (start-up and tiered JIT, which runs for about
# four minutes: a method called every 5 s reaches its 30 calls after 150 s) is left out of the CPU figure and reported apart.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-300}
port=${2:-19464}
warmup=${3:-240}

. tests/perf/lib.sh
build_cli
mode=${MODE:-demo}
if [ "$mode" = agent ]; then
  "$exe" agent --demo --urls "http://127.0.0.1:$((port + 1))" >/tmp/solprof-overhead-server.log 2>&1 &
  server=$!
  for _ in $(seq 1 100); do
    serving=$(grep -o 'serving http://127.0.0.1:[0-9]*/metrics' /tmp/solprof-overhead-server.log | head -1 | cut -d' ' -f2) && [ -n "$serving" ] && break
    sleep 0.2
  done
  "$exe" agent --model llama-3.1-70b --tp 8 --weights fp8 --kv fp8 --activations fp8 --gpu-backend sim \
    --serving-url "$serving" --urls "http://127.0.0.1:$port" >/tmp/solprof-overhead.log 2>&1 &
  pid=$!
  trap 'kill $pid $server 2>/dev/null || true' EXIT
else
  "$exe" agent --demo --urls "http://127.0.0.1:$port" >/tmp/solprof-overhead.log 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null || true' EXIT
fi

ticks=$(getconf CLK_TCK)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
rss_kib() { awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"; }

wait_healthy "$port"
sleep "$warmup"

startup_ticks=$(cpu_ticks)
start_ticks=$startup_ticks
start_s=$(date +%s.%N)
max_rss=0
sum_rss=0
samples=0
scrapes=0
failed=0
end=$(( $(date +%s) + duration ))
while [ "$(date +%s)" -lt "$end" ]; do
  if curl -fs "http://127.0.0.1:$port/metrics" -o /dev/null; then scrapes=$((scrapes + 1)); else failed=$((failed + 1)); fi
  rss=$(rss_kib)
  sum_rss=$((sum_rss + rss)); samples=$((samples + 1))
  [ "$rss" -gt "$max_rss" ] && max_rss=$rss
  sleep 5
done
end_ticks=$(cpu_ticks)
end_s=$(date +%s.%N)

awk -v ts="$startup_ticks" -v t0="$start_ticks" -v t1="$end_ticks" -v s0="$start_s" -v s1="$end_s" -v hz="$ticks" \
    -v sum="$sum_rss" -v n="$samples" -v max="$max_rss" -v ok="$scrapes" -v bad="$failed" '
BEGIN {
  wall = s1 - s0; cpu = (t1 - t0) / hz
  printf "solprof agent ('"$mode"' mode) over %.0f s (after %d s warm-up), /metrics scraped every 5 s (%d ok, %d failed)\n", wall, '"$warmup"', ok, bad
  printf "  CPU: %.2f s = %.3f %% of one core   (target < 0.5 %%); start-up and warm-up took %.2f s\n", cpu, 100 * cpu / wall, ts / hz
  printf "  RSS: mean %.1f MB, max %.1f MB   (target < 80 MB)\n", sum / n / 1024, max / 1024
}'
