#!/usr/bin/env bash
# What the sidecar costs the node, side by side with node_exporter in the same run (issue 16).
#   tests/perf/footprint.sh [SECONDS=600] [PORT=19470] [OUT=/tmp/solprof-footprint]
#   SOLPROF=path   the executable measured (default artifacts/aot/solprof, published by .ci/publish-aot when absent)
#   NODE_EXPORTER=path (default /usr/bin/prometheus-node-exporter, Debian's prometheus-node-exporter, default collectors)
# Three processes on 127.0.0.1: a simulated vLLM server (`solprof agent --demo`, not measured), the agent alone
# reading it and 8 stand-in GPUs at 1 Hz (--gpu-backend sim), and node_exporter. Both measured processes are scraped
# every 5 s, as Prometheus would; every 5 s from second 10 to the end, their CPU time (utime + stime of /proc/PID/stat)
# and RSS go to OUT/footprint.csv, with the agent's allocated bytes (its dotnet_gc_heap_total_allocated_bytes_total).
# Then `solprof sol` for one point is started 20 times (cold start, median), and OUT/summary.txt gets one table: first
# minute (10-60 s), minutes 1 to the end, peak RSS, time to the first valid window, allocations per tick.
# Exit status: non-zero only when the agent or node_exporter does not start or a scrape of the agent fails (CI runs
# 60 s of it against the Native AOT build); the figures are for the README, not assertions.
set -euo pipefail
cd "$(dirname "$0")/../.."
duration=${1:-600}
port=${2:-19470}
out=${3:-/tmp/solprof-footprint}
exe=${SOLPROF:-artifacts/aot/solprof}
node_exporter=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
server_port=$((port + 1))
node_port=$((port + 2))
mkdir -p "$out"

[ -x "$exe" ] || .ci/publish-aot "$(dirname "$exe")" >/dev/null
if [ ! -x "$node_exporter" ]; then
  echo "error: $node_exporter not found (apt-get install prometheus-node-exporter, or set NODE_EXPORTER)" >&2
  exit 1
fi
. tests/perf/lib.sh

pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT

"$exe" agent --demo --urls "http://127.0.0.1:$server_port" >"$out/server.log" 2>&1 &
pids+=($!)
serving=
for _ in $(seq 1 150); do
  serving=$(grep -o 'serving http://127.0.0.1:[0-9]*/metrics' "$out/server.log" | head -1 | cut -d' ' -f2) && [ -n "$serving" ] && break
  sleep 0.2
done
if [ -z "$serving" ]; then
  echo "error: the simulated server did not start (see $out/server.log)" >&2
  exit 1
fi

# Second 0 is when the measured agent is started; the time to its first valid window is polled from there.
start_ns=$(date +%s%N)
"$exe" agent --model llama-3.1-70b --tp 8 --weights fp8 --kv fp8 --activations fp8 --gpu-backend sim \
  --serving-url "$serving" --urls "http://127.0.0.1:$port" >"$out/agent.log" 2>&1 &
agent=$!
pids+=($agent)
"$node_exporter" --web.listen-address="127.0.0.1:$node_port" >"$out/node_exporter.log" 2>&1 &
node=$!
pids+=($node)

wait_healthy "$port"
first_valid=
for _ in $(seq 1 300); do
  if curl -fs "http://127.0.0.1:$port/api/v1/snapshot" 2>/dev/null | grep -q '"valid":true'; then
    first_valid=$(awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }')
    break
  fi
  sleep 0.1
done
for _ in $(seq 1 50); do
  curl -fs "http://127.0.0.1:$node_port/metrics" -o /dev/null && break
  sleep 0.2
done || true
curl -fs "http://127.0.0.1:$node_port/metrics" -o /dev/null || { echo "error: node_exporter did not start (see $out/node_exporter.log)" >&2; exit 1; }

hz=$(getconf CLK_TCK)
cpu_seconds() { awk -v hz="$hz" '{ printf "%.2f", ($14 + $15) / hz }' "/proc/$1/stat"; }
rss_mib() { awk '/^VmRSS:/ { printf "%.1f", $2 / 1024 }' "/proc/$1/status"; }
elapsed() { awk -v a="$start_ns" -v b="$(date +%s%N)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

csv="$out/footprint.csv"
echo "seconds,agent_cpu_seconds,agent_rss_mib,agent_allocated_bytes,node_exporter_cpu_seconds,node_exporter_rss_mib" >"$csv"
failed=0
scrapes=0
# Sampling starts at second 10, on a 5 s grid from the agent's start.
next=10
end=$((duration > 15 ? duration : 15))
while :; do
  now=$(elapsed)
  if awk -v n="$now" -v e="$end" 'BEGIN { exit !(n >= e) }'; then break; fi
  if awk -v n="$now" -v t="$next" 'BEGIN { exit !(n < t) }'; then
    sleep "$(awk -v n="$now" -v t="$next" 'BEGIN { printf "%.2f", t - n }')"
    continue
  fi
  kill -0 "$agent" 2>/dev/null || { echo "error: the agent exited (see $out/agent.log)" >&2; exit 1; }
  if curl -fs "http://127.0.0.1:$port/metrics" -o "$out/agent-metrics.txt"; then scrapes=$((scrapes + 1)); else failed=$((failed + 1)); fi
  curl -fs "http://127.0.0.1:$node_port/metrics" -o /dev/null || true
  allocated=$(awk '/^dotnet_gc_heap_total_allocated_bytes_total/ { printf "%.0f", $NF }' "$out/agent-metrics.txt")
  echo "$(elapsed),$(cpu_seconds "$agent"),$(rss_mib "$agent"),${allocated:-0},$(cpu_seconds "$node"),$(rss_mib "$node")" >>"$csv"
  next=$((next + 5))
done

# `solprof sol` for one point: 20 cold starts, the median wall time.
cold=()
for _ in $(seq 1 20); do
  t0=$(date +%s%N)
  "$exe" sol --model llama-3.1-70b --gpu h100-sxm --tp 8 --batch 64 --context 4096 --weights fp8 --kv fp8 >/dev/null
  cold+=($(( ($(date +%s%N) - t0) / 1000000 )))
done
cold_ms=$(printf '%s\n' "${cold[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')

# One tick is one second: one server scrape, one read of the GPUs, one window update (plus a /metrics answer every 5 s).
awk -F, -v first_valid="${first_valid:-none}" -v cold="$cold_ms" -v exe="$exe" -v scrapes="$scrapes" -v failed="$failed" '
NR == 1 { next }
{ t[++n] = $1; ac[n] = $2; ar[n] = $3; aa[n] = $4; nc[n] = $5; nr[n] = $6
  if ($3 > apeak) apeak = $3; if ($6 > npeak) npeak = $6 }
function pct(c, i, j) { return (t[j] > t[i]) ? 100 * (c[j] - c[i]) / (t[j] - t[i]) : -1 }
function mean(r, i, j,   s, k) { for (k = i; k <= j; k++) s += r[k]; return s / (j - i + 1) }
function cell(v) { return (v < 0) ? "n/a" : sprintf("%.3f %%", v) }
END {
  m = 1; while (m < n && t[m] < 60) m++          # the first sample at or after 60 s
  printf "executable: %s; %d agent scrapes, %d failed; samples from %.0f s to %.0f s\n", exe, scrapes, failed, t[1], t[n]
  printf "| process | CPU, first minute (10-60 s) | CPU, minute 1 to %.0f s | mean RSS, minute 1 on | peak RSS |\n", t[n]
  printf "|---|---:|---:|---:|---:|\n"
  late = (t[n] > 60 && m < n)
  printf "| solprof agent | %s | %s | %.1f MiB | %.1f MiB |\n", cell(pct(ac, 1, m)), late ? cell(pct(ac, m, n)) : "n/a", late ? mean(ar, m, n) : mean(ar, 1, n), apeak
  printf "| node_exporter | %s | %s | %.1f MiB | %.1f MiB |\n", cell(pct(nc, 1, m)), late ? cell(pct(nc, m, n)) : "n/a", late ? mean(nr, m, n) : mean(nr, 1, n), npeak
  i = late ? m : 1
  if (t[n] > t[i] && aa[n] > 0) printf "agent allocations: %.0f bytes per tick (1 Hz; from %.0f s to %.0f s)\n", (aa[n] - aa[i]) / (t[n] - t[i]), t[i], t[n]
  printf "first valid window: %s s after start\n", first_valid
  printf "solprof sol (one point) cold start: %s ms (median of 20)\n", cold
}' "$csv" | tee "$out/summary.txt"

if [ "$failed" -gt 0 ] || [ "$scrapes" -eq 0 ]; then
  echo "error: $failed of $((scrapes + failed)) scrapes of the agent failed (see $out/agent.log)" >&2
  exit 1
fi
