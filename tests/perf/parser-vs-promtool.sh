#!/usr/bin/env bash
# Parser throughput against Prometheus's own: our exposition parser (streaming scan, and the full document) and
# `promtool check metrics` on the same ~50 MB vLLM-like body, in one run on one machine, median of RUNS.
# Target (issue 8): at least 2x promtool's throughput. promtool also lints (names, HELP), so it does more per
# sample than the scan; the full document path is the fairer comparison and is printed too.
# Usage: tests/perf/parser-vs-promtool.sh [RUNS=5] [FILE=/tmp/solprof-exposition-50mb.txt]
set -euo pipefail
cd "$(dirname "$0")/../.."
runs=${1:-5}
file=${2:-/tmp/solprof-exposition-50mb.txt}
promtool=$(command -v promtool || true)
[ -n "$promtool" ] || { echo "promtool not found: apt-get install prometheus" >&2; exit 2; }

dotnet build tests/SolProfiler.Benchmarks -c Release -v quiet -nologo >/dev/null
bench=tests/SolProfiler.Benchmarks/bin/Release/net10.0/SolProfiler.Benchmarks
[ -f "$file" ] || "$bench" write-exposition "$file"
bytes=$(stat -c %s "$file")

ours=$("$bench" time-parse "$file" "$runs")
echo "$ours"
times=()
cat "$file" >/dev/null # the page cache holds it for both
for _ in $(seq 0 "$runs"); do
  start=$(date +%s.%N)
  "$promtool" check metrics <"$file" >/dev/null 2>&1 || true # lint findings exit 3; the time is what counts
  times+=("$(echo "$(date +%s.%N) - $start" | bc -l)")
done
promtool_s=$(printf '%s\n' "${times[@]:1}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
scan_s=$(echo "$ours" | sed -n 's/.*scan_seconds=\([0-9.]*\).*/\1/p')
parse_s=$(echo "$ours" | sed -n 's/.*parse_seconds=\([0-9.]*\).*/\1/p')
printf 'promtool_seconds=%.4f promtool_mb_per_s=%.1f\n' "$promtool_s" "$(echo "$bytes / $promtool_s / 1000000" | bc -l)"
printf 'ratio scan/promtool: %.1fx   ratio parse/promtool: %.1fx   (target >= 2x)\n' \
  "$(echo "$promtool_s / $scan_s" | bc -l)" "$(echo "$promtool_s / $parse_s" | bc -l)"
